package stamp

import (
	"fmt"
	"strings"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/font"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// mark is what a stamp says, ready to draw.
type mark struct {
	diagonal, footer string
	footerPoints     int
}

// Footer sizes in points: the usual one, and the least that stays legible
// in print, for long names on narrow pages; and its side margins.
const (
	footerPoints    = 7
	minFooterPoints = 4
	footerMargin    = 24 // on each side
)

// newMark words the stamp for pages at least width points wide.
func newMark(r Recipient, when time.Time, id string, width float64) mark {
	who := clean(r.Name, 60)
	if c := clean(r.Company, 60); c != "" {
		if who != "" {
			who += " · "
		}
		who += c
	}
	email := clean(r.Email, 80)
	date := when.UTC().Format("2006-01-02") + " UTC"
	lines := []string{who, email, id + "  ·  " + date}
	copyFor := "Copy for"
	if who == "" {
		lines = lines[1:]
	} else {
		copyFor += " " + who
	}
	footer, points := fitFooter([]string{copyFor, "<" + email + ">", date + " · " + id + " · Confidential: do not forward"},
		[]string{" ", " · "}, width-2*footerMargin)
	return mark{diagonal: strings.Join(lines, "\n"), footer: footer, footerPoints: points}
}

// fitFooter sets the footer's parts on one line at the largest size from
// footerPoints down to minFooterPoints that fits width, else on two lines,
// else one part a line at the least size. sep[i] joins parts i and i+1
// when they share a line.
func fitFooter(parts, sep []string, width float64) (string, int) {
	fits := func(s string, points int) bool {
		w, err := font.TextWidth(s, "Helvetica", points)
		return err == nil && w <= width
	}
	for _, maxLines := range []int{1, 2} {
		for points := footerPoints; points >= minFooterPoints; points-- {
			var lines []string
			line := parts[0]
			ok := fits(line, points)
			for i, p := range parts[1:] {
				if joined := line + sep[i] + p; fits(joined, points) {
					line = joined
					continue
				}
				lines = append(lines, line)
				line = p
				ok = ok && fits(p, points)
			}
			lines = append(lines, line)
			if ok && len(lines) <= maxLines {
				return strings.Join(lines, "\n"), points
			}
		}
	}
	return strings.Join(parts, "\n"), minFooterPoints
}

// diagonalScale is the diagonal mark's width as a fraction of the page's.
const diagonalScale = 0.75

// watermarks returns the two marks for pages of shape s: a large
// translucent diagonal across the content, hard to crop out of a screenshot
// and light enough to read through, and one small solid line at the foot
// of the page, the part that survives a print-out.
func (m mark) watermarks(s shape) ([]*model.Watermark, error) {
	// Where the reader's bottom edge is in the page's own coordinates, and
	// which way the footer must turn to read left to right there.
	foot := map[int]string{
		0:   "position:bc, rotation:0, offset:0 10",
		90:  "position:r, rotation:90, offset:-10 0",
		180: "position:tc, rotation:180, offset:0 -10",
		270: "position:l, rotation:-90, offset:10 0",
	}[s.rotate]
	slant := "diagonal:1"
	if s.rotate != 0 {
		slant = fmt.Sprintf("rotation:%.1f", s.angle)
	}
	scale := diagonalScale
	if s.scale != 0 {
		scale = s.scale
	}
	diagonal, err := pdfcpu.ParseTextWatermarkDetails(m.diagonal,
		fmt.Sprintf("font:Helvetica-Bold, points:48, scale:%.2f rel, position:c, aligntext:c, "+
			"fillcolor:#9a1b1b, opacity:0.2, %s", scale, slant),
		true, types.POINTS)
	if err != nil {
		return nil, fmt.Errorf("diagonal mark: %w", err)
	}
	footer, err := pdfcpu.ParseTextWatermarkDetails(m.footer,
		fmt.Sprintf("font:Helvetica, points:%d, scale:1 abs, fillcolor:#444444, opacity:1, %s", m.footerPoints, foot),
		true, types.POINTS)
	if err != nil {
		return nil, fmt.Errorf("footer: %w", err)
	}
	return []*model.Watermark{diagonal, footer}, nil
}
