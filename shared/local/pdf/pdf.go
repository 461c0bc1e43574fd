// Package pdf writes small, text-only PDF 1.4 documents: headings and
// paragraphs in the standard Helvetica fonts, wrapped to the page width and
// broken across pages, with a page-number footer and an optional diagonal
// watermark. It exists so that the trust center can produce its sample
// reports without a third-party PDF library; it is not a general typesetter.
package pdf

import (
	"bytes"
	"compress/zlib"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
	"unicode/utf16"
)

// PageSize is a page's width and height in PostScript points (1/72 inch).
type PageSize struct {
	Width, Height float64
}

var (
	// A4 is ISO 216 A4, 210 x 297 mm.
	A4 = PageSize{Width: 595.28, Height: 841.89}
	// Letter is US Letter, 8.5 x 11 in.
	Letter = PageSize{Width: 612, Height: 792}
)

// DefaultSize is the font size, in points, of a Line whose Size is zero.
const DefaultSize = 10.5

const (
	margin         = 72.0
	footerBaseline = 40.0
	footerSize     = 8.0
	leadingFactor  = 1.35
	maxWatermark   = 150.0
	// Helvetica-Bold's cap height, used to centre the watermark optically.
	capHeight = 0.718
)

// Producer is written to the Info dictionary of every document.
const Producer = "trustcenter shared/pdf"

// Document is everything Write needs to produce a file.
type Document struct {
	Title  string
	Author string
	// Pages are logical pages: each starts on a new sheet, and its lines
	// continue on further sheets when they do not fit on one.
	Pages []Page
	// Watermark, when not empty, is drawn large, diagonally and in light grey
	// behind the text of every sheet.
	Watermark string
	// PageSize defaults to A4.
	PageSize PageSize
	// CreationDate defaults to the current time. Set it to make the output
	// byte-for-byte reproducible.
	CreationDate time.Time
}

// Page is a run of lines that starts on a fresh sheet.
type Page struct {
	Lines []Line
}

// Line is one paragraph of text. Text that is wider than the page is wrapped
// at spaces (and inside words only when a single word is too wide). A Line
// with empty Text leaves a blank line of its size.
type Line struct {
	Text string
	// Size is the font size in points; zero means DefaultSize.
	Size float64
	Bold bool
	// Indent shifts the line, and every line wrapped from it, right by this
	// many points from the left margin.
	Indent float64
	// Center centres every wrapped line between the indent and the right
	// margin.
	Center bool
	// KeepWithNext avoids a page break between this line and the next one,
	// for headings and signature blocks.
	KeepWithNext bool
}

// placed is one line of text at its final position on a sheet.
type placed struct {
	x, y, size float64
	bold       bool
	text       []byte
}

type sheet struct {
	runs []placed
}

// Write renders doc as a PDF 1.4 file to w.
func Write(w io.Writer, doc Document) error {
	ps := doc.PageSize
	if ps == (PageSize{}) {
		ps = A4
	}
	if !finite(ps.Width) || !finite(ps.Height) || ps.Width <= 3*margin || ps.Height <= 3*margin {
		return fmt.Errorf("pdf: page size %vx%v is too small or invalid", ps.Width, ps.Height)
	}
	sheets, err := layout(doc.Pages, ps)
	if err != nil {
		return err
	}
	created := doc.CreationDate
	if created.IsZero() {
		created = time.Now()
	}

	const (
		catalogObj = 1
		pagesObj   = 2
		regularObj = 3
		boldObj    = 4
		infoObj    = 5
		firstPage  = 6
	)
	total := firstPage + 2*len(sheets) // object 0 plus every object
	offsets := make([]int, total)

	var b bytes.Buffer
	// The comment with high-bit bytes tells transfer tools the file is binary.
	b.WriteString("%PDF-1.4\n%\xE2\xE3\xCF\xD3\n")
	begin := func(n int) {
		offsets[n] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n", n)
	}
	end := func() { b.WriteString("endobj\n") }

	begin(catalogObj)
	fmt.Fprintf(&b, "<< /Type /Catalog /Pages %d 0 R >>\n", pagesObj)
	end()

	begin(pagesObj)
	b.WriteString("<< /Type /Pages /Kids [")
	for i := range sheets {
		fmt.Fprintf(&b, " %d 0 R", firstPage+2*i)
	}
	fmt.Fprintf(&b, " ] /Count %d >>\n", len(sheets))
	end()

	for _, f := range []struct {
		obj  int
		name string
	}{{regularObj, "Helvetica"}, {boldObj, "Helvetica-Bold"}} {
		begin(f.obj)
		fmt.Fprintf(&b, "<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>\n", f.name)
		end()
	}

	begin(infoObj)
	b.WriteString("<<")
	if doc.Title != "" {
		b.WriteString(" /Title ")
		b.Write(textString(doc.Title))
	}
	if doc.Author != "" {
		b.WriteString(" /Author ")
		b.Write(textString(doc.Author))
	}
	b.WriteString(" /Producer ")
	b.Write(textString(Producer))
	b.WriteString(" /CreationDate ")
	b.Write(textString(pdfDate(created)))
	b.WriteString(" >>\n")
	end()

	title := encodeWinAnsi(doc.Title)
	watermark := encodeWinAnsi(doc.Watermark)
	for i, s := range sheets {
		pageObj, contentObj := firstPage+2*i, firstPage+2*i+1
		begin(pageObj)
		fmt.Fprintf(&b, "<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s]"+
			" /Resources << /ProcSet [/PDF /Text] /Font << /F1 %d 0 R /F2 %d 0 R >> >>"+
			" /Contents %d 0 R >>\n",
			pagesObj, num(ps.Width), num(ps.Height), regularObj, boldObj, contentObj)
		end()

		content := sheetContent(s, ps, watermark, title, i+1, len(sheets))
		stream, err := deflate(content)
		if err != nil {
			return err
		}
		begin(contentObj)
		fmt.Fprintf(&b, "<< /Length %d /Filter /FlateDecode >>\nstream\n", len(stream))
		b.Write(stream)
		b.WriteString("\nendstream\n")
		end()
	}

	// A content hash makes the ID stable for identical documents.
	sum := md5.Sum(b.Bytes())
	id := hex.EncodeToString(sum[:])

	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n", total)
	// Every entry must be exactly 20 bytes, hence the space before "\n".
	b.WriteString("0000000000 65535 f \n")
	for _, off := range offsets[1:] {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n",
		total, catalogObj, infoObj, id, id, xref)

	_, err = w.Write(b.Bytes())
	return err
}

// layout flows the lines of every page onto sheets.
func layout(pages []Page, ps PageSize) ([]sheet, error) {
	if len(pages) == 0 {
		return nil, errors.New("pdf: document has no pages")
	}
	top := ps.Height - margin
	bottom := margin
	width := ps.Width - 2*margin

	var sheets []sheet
	for pi, p := range pages {
		prep := make([]prepared, len(p.Lines))
		for li, l := range p.Lines {
			size := l.Size
			if size == 0 {
				size = DefaultSize
			}
			leading := size * leadingFactor
			if !finite(size) || size < 0 || leading > top-bottom {
				return nil, fmt.Errorf("pdf: page %d line %d: invalid font size %v", pi+1, li+1, l.Size)
			}
			avail := width - l.Indent
			if !finite(l.Indent) || l.Indent < 0 || avail < 2*size {
				return nil, fmt.Errorf("pdf: page %d line %d: indent %v leaves no room for text", pi+1, li+1, l.Indent)
			}
			prep[li] = prepared{line: l, size: size, leading: leading, avail: avail,
				segs: wrap(encodeWinAnsi(l.Text), size, l.Bold, avail)}
		}

		cur := sheet{}
		y := top
		continuation := false
		newSheet := func() {
			sheets = append(sheets, cur)
			cur = sheet{}
			y = top
			continuation = true
		}
		for i, pl := range prep {
			if pl.line.KeepWithNext && y < top {
				// Move the whole chain when it fits on a sheet of its own;
				// a longer chain has to break somewhere anyway.
				if need := keepHeight(prep[i:]); y-need < bottom && need <= top-bottom {
					newSheet()
				}
			}
			for _, seg := range pl.segs {
				// The baseline sits one font size below the cursor, which
				// leaves room for ascenders.
				if y-pl.size < bottom {
					newSheet()
				}
				if len(seg) == 0 && continuation && y == top {
					// Spacing meant to separate paragraphs would only push
					// the text down at the top of an overflow sheet.
					continue
				}
				x := margin + pl.line.Indent
				if pl.line.Center {
					x += (pl.avail - textWidth(seg, pl.size, pl.line.Bold)) / 2
				}
				if len(seg) > 0 {
					cur.runs = append(cur.runs, placed{x: x, y: y - pl.size, size: pl.size, bold: pl.line.Bold, text: seg})
				}
				y -= pl.leading
			}
		}
		sheets = append(sheets, cur)
	}
	return sheets, nil
}

// prepared is a validated Line with its wrapped segments.
type prepared struct {
	line                 Line
	size, leading, avail float64
	segs                 [][]byte
}

// keepHeight is the vertical space from the cursor to the first baseline of
// the line that ends a KeepWithNext chain starting at rest[0].
func keepHeight(rest []prepared) float64 {
	h := 0.0
	for _, pl := range rest {
		if !pl.line.KeepWithNext {
			return h + pl.size
		}
		h += pl.leading * float64(len(pl.segs))
	}
	return h
}

// wrap splits text into lines no wider than maxWidth points. Text that fits
// is returned untouched, so deliberate runs of spaces survive; wrapped text
// breaks at single spaces.
func wrap(text []byte, size float64, bold bool, maxWidth float64) [][]byte {
	if textWidth(text, size, bold) <= maxWidth {
		return [][]byte{text}
	}
	var lines [][]byte
	var cur []byte
	for word := range bytes.SplitSeq(text, []byte{' '}) {
		if len(word) == 0 {
			continue
		}
		if len(cur) > 0 {
			candidate := append(append(bytes.Clone(cur), ' '), word...)
			if textWidth(candidate, size, bold) <= maxWidth {
				cur = candidate
				continue
			}
			lines = append(lines, cur)
			cur = nil
		}
		for textWidth(word, size, bold) > maxWidth {
			n := fitPrefix(word, size, bold, maxWidth)
			lines = append(lines, word[:n])
			word = word[n:]
		}
		cur = bytes.Clone(word)
	}
	if len(cur) > 0 || len(lines) == 0 {
		lines = append(lines, cur)
	}
	return lines
}

// fitPrefix returns how many leading bytes of word fit in maxWidth, and at
// least one so that an absurdly narrow column still makes progress.
func fitPrefix(word []byte, size float64, bold bool, maxWidth float64) int {
	n := 1
	for n < len(word) && textWidth(word[:n+1], size, bold) <= maxWidth {
		n++
	}
	return n
}

// sheetContent builds the uncompressed content stream of one sheet.
func sheetContent(s sheet, ps PageSize, watermark, title []byte, page, pages int) []byte {
	var c []byte
	if len(watermark) > 0 {
		// Drawn first so the body text paints over it.
		diag := math.Hypot(ps.Width, ps.Height)
		size := math.Min(maxWatermark, 0.7*diag/textWidth(watermark, 1, true))
		angle := math.Atan2(ps.Height, ps.Width)
		cos, sin := math.Cos(angle), math.Sin(angle)
		halfW, halfH := textWidth(watermark, size, true)/2, capHeight*size/2
		tx := ps.Width/2 - (halfW*cos - halfH*sin)
		ty := ps.Height/2 - (halfW*sin + halfH*cos)
		c = fmt.Appendf(c, "q 0.85 g BT /F2 %s Tf %s %s %s %s %s %s Tm (",
			num(size), num(cos), num(sin), num(-sin), num(cos), num(tx), num(ty))
		c = escapeLiteral(c, watermark)
		c = append(c, ") Tj ET Q\n"...)
	}

	c = append(c, "0 g\n"...)
	for _, r := range s.runs {
		c = appendText(c, r.x, r.y, r.size, r.bold, r.text)
	}

	c = append(c, "q 0.4 g\n"...)
	label := fmt.Appendf(nil, "Page %d of %d", page, pages)
	labelWidth := textWidth(label, footerSize, false)
	c = appendText(c, (ps.Width-labelWidth)/2, footerBaseline, footerSize, false, label)
	if len(title) > 0 {
		room := (ps.Width-2*margin)/2 - labelWidth/2 - footerSize
		if t := truncate(title, footerSize, room); len(t) > 0 {
			c = appendText(c, margin, footerBaseline, footerSize, false, t)
		}
	}
	c = append(c, "Q\n"...)
	return c
}

func appendText(c []byte, x, y, size float64, bold bool, text []byte) []byte {
	font := "F1"
	if bold {
		font = "F2"
	}
	c = fmt.Appendf(c, "BT /%s %s Tf %s %s Td (", font, num(size), num(x), num(y))
	c = escapeLiteral(c, text)
	return append(c, ") Tj ET\n"...)
}

// truncate shortens text to fit maxWidth, marking the cut with an ellipsis.
func truncate(text []byte, size, maxWidth float64) []byte {
	if textWidth(text, size, false) <= maxWidth {
		return text
	}
	const ellipsis = 0x85 // WinAnsiEncoding's horizontal ellipsis
	for n := len(text) - 1; n > 0; n-- {
		t := append(bytes.Clone(text[:n]), ellipsis)
		if textWidth(t, size, false) <= maxWidth {
			return t
		}
	}
	return nil
}

func deflate(p []byte) ([]byte, error) {
	var out bytes.Buffer
	zw, err := zlib.NewWriterLevel(&out, zlib.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(p); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// num formats a coordinate. PDF has no exponent notation, so %g is unusable,
// and two decimals are far below what any device can resolve.
func num(f float64) string {
	r := math.Round(f*100) / 100
	if r == 0 {
		return "0" // avoids "-0"
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// textString encodes s as a PDF text string for the Info dictionary: a
// literal string when it is printable ASCII (identical in PDFDocEncoding),
// otherwise UTF-16BE with a byte order mark, which every reader accepts.
func textString(s string) []byte {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7E {
			ascii = false
			break
		}
	}
	if ascii {
		out := append([]byte{'('}, escapeLiteral(nil, []byte(s))...)
		return append(out, ')')
	}
	out := []byte("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		out = fmt.Appendf(out, "%04X", u)
	}
	return append(out, '>')
}

// pdfDate formats t as a PDF date string, D:YYYYMMDDHHmmSSOHH'mm'.
func pdfDate(t time.Time) string {
	s := t.Format("D:20060102150405")
	_, offset := t.Zone()
	if offset == 0 {
		return s + "Z00'00'"
	}
	sign := '+'
	if offset < 0 {
		sign = '-'
		offset = -offset
	}
	return fmt.Sprintf("%s%c%02d'%02d'", s, sign, offset/3600, offset%3600/60)
}
