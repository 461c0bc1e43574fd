// Package ndapdf writes a signed NDA as a PDF: the agreement's text, then
// an evidence block saying who accepted which text (by SHA-256), when, from
// where and on which request. pdfcpu builds the file from a page
// description; this package lays the lines out, since the description
// places text but does not flow it across pages.
//
// The standard PDF fonts hold Latin-1 only, and embedding a font with CJK
// glyphs would cost the console's function megabytes it does not have
// (TestBootstrapSizes), so a character outside Latin-1 is written as its
// code point, <U+674E>: unambiguous, if not pretty. The evidence export
// (CSV, JSON) carries every field as typed.
package ndapdf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/font"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"golang.org/x/text/unicode/norm"

	"trustcenter/shared/trust"
)

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
		add(monoFont, 9, 2, fmt.Sprintf("%-12s %s", f[0]+":", orDash(f[1])))
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

// build turns the lines into pdfcpu's page description, page by page.
func build(lines []line) ([]byte, error) {
	type pos [2]float64
	type fnt struct {
		Name string `json:"name"`
		Size int    `json:"size"`
	}
	type text struct {
		Value string `json:"value"`
		Pos   pos    `json:"pos"`
		Font  fnt    `json:"font"`
	}
	type content struct {
		Text []text `json:"text"`
	}
	type page struct {
		Content content `json:"content"`
	}
	pages := map[string]page{}
	n, y := 1, pageH-margin
	for _, l := range lines {
		h := lead
		if l.size > bodySize {
			h = float64(l.size) * 1.4
		}
		y -= l.gap + h
		if y < margin {
			n, y = n+1, pageH-margin-h
		}
		if l.text == "" {
			continue
		}
		p := pages[fmt.Sprint(n)]
		p.Content.Text = append(p.Content.Text, text{Value: l.text, Pos: pos{margin, y}, Font: fnt{l.font, l.size}})
		pages[fmt.Sprint(n)] = p
	}
	for i := 1; i <= n; i++ {
		if _, ok := pages[fmt.Sprint(i)]; !ok {
			pages[fmt.Sprint(i)] = page{}
		}
	}
	desc, err := json.Marshal(map[string]any{"paper": "A4P", "origin": "LowerLeft", "pages": pages})
	if err != nil {
		return nil, err
	}
	conf := model.NewDefaultConfiguration()
	var out bytes.Buffer
	if err := api.Create(nil, bytes.NewReader(desc), &out, conf); err != nil {
		return nil, fmt.Errorf("ndapdf: %w", err)
	}
	return out.Bytes(), nil
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

// clean keeps what the standard fonts can draw: Latin-1, one line, no
// backslash (pdfcpu reads it as an escape); anything else as its code
// point.
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
