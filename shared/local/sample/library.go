package sample

import (
	"bytes"
	"fmt"
	"strings"
)

// Document returns a one-page PDF marked SAMPLE that stands in for a
// library document with no committed sample (a policy, a questionnaire's
// answers): its title and a notice that it is not the real thing. The
// title is written in the PDF's standard Latin font, so characters outside
// ASCII are replaced.
func Document(title string) []byte {
	clean := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, title)
	esc := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`).Replace
	stream := fmt.Sprintf("BT /F1 20 Tf 72 720 Td (%s) Tj ET\n"+
		"BT /F1 12 Tf 72 690 Td (%s - demonstration document, not a real one.) Tj ET\n"+
		"BT /F1 96 Tf 0.85 g 150 380 Td (%s) Tj ET\n", esc(clean), esc(Company), Watermark)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", len(stream), stream),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}
