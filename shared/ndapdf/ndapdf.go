// Package ndapdf writes a signed NDA as a PDF: the agreement's text, then
// an evidence block saying who accepted which text (by SHA-256), when, from
// where and on which request. pdfcpu writes the file;
// this package lays the lines out and flows them across pages.
//
// The standard PDF fonts hold Latin-1 only, and embedding a font with CJK
// glyphs would cost the console's function megabytes it does not have
// (TestBootstrapSizes), so a character outside Latin-1 is written as its
// code point, <U+674E>: unambiguous, if not pretty. The evidence export
// (CSV, JSON) carries every field as typed.
package ndapdf

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/pdfcpu/pdfcpu/pkg/font"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"golang.org/x/text/unicode/norm"

	"trustcenter/shared/trust"
)

func init() {
	// As in package stamp: no configuration folder under a home a Lambda
	// does not have; the standard fonts need none.
	model.ConfigPath = "disable"
}

// Engine is the trust.NDARenderer the console uses.
type Engine struct{}

// Render returns the PDF of e.
func (Engine) Render(e trust.NDAEvidence) ([]byte, error) { return Render(e) }

// Page geometry, in points, on A4 portrait.
const (
	pageW, pageH = 595.0, 842.0
	margin       = 56.0
	bodySize     = 10
	lead         = 14.0
	bodyFont     = "Helvetica"
	boldFont     = "Helvetica-Bold"
	monoFont     = "Courier"
)

type line struct {
	text string
	font string
	size int
	gap  float64 // space before it
}

// Render returns the PDF.
func Render(e trust.NDAEvidence) ([]byte, error) {
	var lines []line
	add := func(font string, size int, gap float64, text string) {
		for _, l := range wrap(clean(text), font, size, pageW-2*margin) {
			lines = append(lines, line{l, font, size, gap})
			gap = 0
		}
	}
	add(boldFont, 14, 0, "Non-disclosure agreement — "+e.Company)
	add(bodyFont, bodySize, 4, "Version "+e.Version+" · SHA-256 of the text below: "+e.SHA256)
	lines = append(lines, line{gap: 6})
	for _, para := range strings.Split(e.Text, "\n") {
		if strings.TrimSpace(para) == "" {
			lines = append(lines, line{gap: 0})
			continue
		}
		add(bodyFont, bodySize, 0, para)
	}
	add(boldFont, 12, 20, "Evidence of acceptance")
	for _, f := range [][2]string{
		{"Name", e.Name}, {"Email", e.Email}, {"Company", e.Org}, {"Signature", e.Signature},
		{"NDA version", e.Version}, {"SHA-256", e.SHA256}, {"Accepted at", e.At.UTC().Format("2006-01-02 15:04:05 UTC")},
		{"IP address", e.IP}, {"User agent", e.UserAgent}, {"Request", e.Request}, {"How", e.Mode},
	} {
		add(monoFont, 9, 2, f[0]+": "+orDash(f[1]))
	}
	add(bodyFont, 8, 12, "Generated "+e.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC")+" from the trust center's records. The SHA-256 is computed over the exact text shown to the requester.")
	return build(lines)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// build writes the lines as pages: one content stream per page, the
// three standard fonts as resources. It uses pdfcpu's core (the object
// table and its writer), as package stamp does, not its api package:
// that one brings form filling and megabytes of tables the console's
// binary has no room for.
func build(lines []line) (out []byte, err error) {
	defer func() {
		// pdfcpu panics on what it cannot write; that is an error here.
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("ndapdf: %v", r)
		}
	}()
	xt, err := pdfcpu.CreateXRefTableWithRootDict()
	if err != nil {
		return nil, fmt.Errorf("ndapdf: %w", err)
	}
	root, err := xt.Catalog()
	if err != nil {
		return nil, fmt.Errorf("ndapdf: %w", err)
	}
	fonts := types.Dict{}
	for key, name := range map[string]string{"F1": bodyFont, "F2": boldFont, "F3": monoFont} {
		ir, err := xt.IndRefForNewObject(types.Dict{
			"Type": types.Name("Font"), "Subtype": types.Name("Type1"),
			"BaseFont": types.Name(name), "Encoding": types.Name("WinAnsiEncoding"),
		})
		if err != nil {
			return nil, fmt.Errorf("ndapdf: %w", err)
		}
		fonts[key] = *ir
	}
	media := types.Array{types.Integer(0), types.Integer(0), types.Float(pageW), types.Float(pageH)}
	pagesDict := types.Dict{"Type": types.Name("Pages"), "MediaBox": media}
	pagesRef, err := xt.IndRefForNewObject(pagesDict)
	if err != nil {
		return nil, fmt.Errorf("ndapdf: %w", err)
	}
	var kids types.Array
	var page bytes.Buffer
	flush := func() error {
		sd, err := xt.NewStreamDictForBuf(page.Bytes())
		if err != nil {
			return err
		}
		if err := sd.Encode(); err != nil {
			return err
		}
		content, err := xt.IndRefForNewObject(*sd)
		if err != nil {
			return err
		}
		pg, err := xt.IndRefForNewObject(types.Dict{
			"Type": types.Name("Page"), "Parent": *pagesRef, "Contents": *content,
			"Resources": types.Dict{"Font": fonts},
		})
		if err != nil {
			return err
		}
		kids = append(kids, *pg)
		page.Reset()
		return nil
	}
	y := pageH - margin
	for _, l := range lines {
		h := lead
		if l.size > bodySize {
			h = float64(l.size) * 1.4
		}
		y -= l.gap + h
		if y < margin {
			if err := flush(); err != nil {
				return nil, fmt.Errorf("ndapdf: %w", err)
			}
			y = pageH - margin - h
		}
		if l.text == "" {
			continue
		}
		fmt.Fprintf(&page, "BT /%s %d Tf %.2f %.2f Td (%s) Tj ET\n", fontKey(l.font), l.size, margin, y, pdfString(l.text))
	}
	if err := flush(); err != nil {
		return nil, fmt.Errorf("ndapdf: %w", err)
	}
	pagesDict["Kids"], pagesDict["Count"] = kids, types.Integer(len(kids))
	root["Pages"] = *pagesRef
	xt.PageCount = len(kids)
	ctx := pdfcpu.CreateContext(xt, model.NewDefaultConfiguration())
	var b bytes.Buffer
	w := bufio.NewWriter(&b)
	ctx.Write.Writer = w
	if err := errors.Join(pdfcpu.WriteContext(ctx), w.Flush()); err != nil {
		return nil, fmt.Errorf("ndapdf: %w", err)
	}
	return b.Bytes(), nil
}

func fontKey(name string) string {
	switch name {
	case boldFont:
		return "F2"
	case monoFont:
		return "F3"
	}
	return "F1"
}

// pdfString is s (Latin-1 after clean) as the bytes of a PDF literal
// string in WinAnsi, with its delimiters escaped.
func pdfString(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '(', ')', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteByte(byte(r))
		}
	}
	return b.String()
}

// wrap breaks s into lines no wider than width in font at size.
func wrap(s, fontName string, size int, width float64) []string {
	var out []string
	cur := ""
	for _, w := range strings.Fields(s) {
		next := w
		if cur != "" {
			next = cur + " " + w
		}
		if tw, _ := font.TextWidth(next, fontName, size); tw <= width || cur == "" {
			cur = next
			continue
		}
		out = append(out, cur)
		cur = w
	}
	if cur != "" {
		out = append(out, cur)
	}
	// A word wider than the line (a hash in a large font) is cut.
	var cut []string
	for _, l := range out {
		for {
			tw, _ := font.TextWidth(l, fontName, size)
			if tw <= width || len(l) < 2 {
				break
			}
			i := len(l) * int(width) / int(tw+1)
			cut = append(cut, l[:i])
			l = l[i:]
		}
		cut = append(cut, l)
	}
	return cut
}

// clean keeps what the standard fonts can draw: Latin-1 on one line;
// anything else as its code point. A backslash is spelled out too, so
// that a signature cannot pass for an escape sequence to whoever reads the
// file's source.
func clean(s string) string {
	var b strings.Builder
	for _, r := range norm.NFC.String(s) {
		switch {
		case r == '\\':
			b.WriteString("<U+005C>")
		case r == '\t' || unicode.IsControl(r):
			b.WriteByte(' ')
		case r == '—' || r == '–':
			b.WriteByte('-')
		case r == '·':
			b.WriteRune(r)
		case r <= 0xff:
			b.WriteRune(r)
		case r == '‘' || r == '’':
			b.WriteByte('\'')
		case r == '“' || r == '”':
			b.WriteByte('"')
		default:
			fmt.Fprintf(&b, "<U+%04X>", r)
		}
	}
	return b.String()
}
