package pdf

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/local/pdf/pdftest"
)

var fixedDate = time.Date(2025, 11, 14, 9, 30, 0, 0, time.UTC)

func render(t *testing.T, doc Document) []byte {
	t.Helper()
	if doc.CreationDate.IsZero() {
		doc.CreationDate = fixedDate
	}
	var b bytes.Buffer
	if err := Write(&b, doc); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return b.Bytes()
}

func TestValidFileWithInfoAndEscapedText(t *testing.T) {
	doc := Document{
		Title:  "Escapes (and) \\ Info – ünïcode",
		Author: "Test Author",
		Pages: []Page{{Lines: []Line{
			{Text: "Report (draft) with \\backslash\\ and ((nested)) parens", Size: 16, Bold: true},
			{Text: "Unbalanced ) close and ( open"},
			{Text: "WinAnsi: café – “quoted” — 100 € • naïve"},
			{Text: "Centred line", Center: true},
			{Text: "Indented line", Indent: 36},
		}}},
	}
	data := render(t, doc)
	pdftest.Check(t, data)

	text := pdftest.Text(t, data)
	for _, want := range []string{
		"Report (draft) with \\backslash\\ and ((nested)) parens",
		"Unbalanced ) close and ( open",
		"WinAnsi: café – “quoted” — 100 € • naïve",
		"Centred line",
		"Indented line",
		"Page 1 of 1",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("extracted text lacks %q; got:\n%s", want, text)
		}
	}

	info := pdftest.Info(t, data)
	checks := map[string]string{
		"Title":       doc.Title,
		"Author":      "Test Author",
		"Producer":    Producer,
		"Pages":       "1",
		"PDF version": "1.4",
	}
	for k, want := range checks {
		if info[k] != want {
			t.Errorf("pdfinfo %s = %q, want %q", k, info[k], want)
		}
	}
	if !strings.Contains(info["CreationDate"], "2025") || !strings.Contains(info["CreationDate"], "Nov 14") {
		t.Errorf("pdfinfo CreationDate = %q, want 14 Nov 2025", info["CreationDate"])
	}
	if !strings.HasPrefix(info["Page size"], "595.28 x 841.89 pts") {
		t.Errorf("default page size = %q, want A4", info["Page size"])
	}
}

func TestLongLinesWrapAndKeepEveryWord(t *testing.T) {
	var words []string
	for i := range 300 {
		words = append(words, fmt.Sprintf("w%03d", i))
	}
	para := strings.Join(words, " ")
	overlong := strings.Repeat("Z", 200)
	data := render(t, Document{Pages: []Page{{Lines: []Line{
		{Text: para},
		{Text: overlong, Bold: true},
	}}}, PageSize: Letter})
	pdftest.Check(t, data)

	if got := pdftest.Info(t, data)["Page size"]; !strings.HasPrefix(got, "612 x 792 pts") {
		t.Errorf("page size = %q, want Letter", got)
	}
	text := pdftest.Text(t, data)
	if !strings.Contains(pdftest.Normalize(text), para) {
		t.Fatalf("wrapped paragraph lost or reordered words; got:\n%s", text)
	}
	paraLines := 0
	for line := range strings.Lines(text) {
		if strings.Contains(line, "w") {
			paraLines++
		}
	}
	// 300 five-character words are about 3,900 points of text; a Letter
	// column is 468 points wide.
	if paraLines < 8 {
		t.Errorf("paragraph extracted as %d lines, want it wrapped onto at least 8:\n%s", paraLines, text)
	}
	if !strings.Contains(pdftest.Squash(text), overlong) {
		t.Errorf("overlong word lost characters when broken; got:\n%s", text)
	}
}

func TestWrapRespectsWidth(t *testing.T) {
	text := encodeWinAnsi(strings.Repeat("Confidentiality availability security ", 20) + strings.Repeat("M", 90))
	const width = 300.0
	for _, bold := range []bool{false, true} {
		lines := wrap(text, 12, bold, width)
		if len(lines) < 5 {
			t.Fatalf("bold=%v: got %d lines, want the text wrapped", bold, len(lines))
		}
		var rebuilt [][]byte
		for i, l := range lines {
			if w := textWidth(l, 12, bold); w > width {
				t.Errorf("bold=%v line %d is %.1fpt wide, limit %.1f: %q", bold, i, w, width, l)
			}
			if bytes.HasPrefix(l, []byte(" ")) || bytes.HasSuffix(l, []byte(" ")) {
				t.Errorf("bold=%v line %d keeps a space at an edge: %q", bold, i, l)
			}
			rebuilt = append(rebuilt, l)
		}
		joined := string(bytes.Join(rebuilt, []byte(" ")))
		if strings.ReplaceAll(joined, " ", "") != strings.ReplaceAll(string(text), " ", "") {
			t.Errorf("bold=%v: wrapping changed the text", bold)
		}
	}
	if got := wrap([]byte("fits  with  spaces"), 12, false, width); len(got) != 1 || string(got[0]) != "fits  with  spaces" {
		t.Errorf("text that fits was altered: %q", got)
	}
}

func TestPageBreaksFooterAndLogicalPages(t *testing.T) {
	var rows []Line
	for i := range 150 {
		rows = append(rows, Line{Text: fmt.Sprintf("row %03d", i)})
	}
	data := render(t, Document{
		Title: "Break test",
		Pages: []Page{{Lines: rows}, {Lines: []Line{{Text: "appendix starts on its own page"}}}},
	})
	pdftest.Check(t, data)

	// An A4 sheet holds 49 lines of the default size between the 72pt
	// margins, so 150 rows take 4 sheets and the second logical page a 5th.
	const sheets = 5
	if n := pdftest.Pages(t, data); n != sheets {
		t.Fatalf("pdfinfo reports %d pages, want %d", n, sheets)
	}
	rowRE := regexp.MustCompile(`row (\d{3})`)
	seen := map[int]int{}
	for p := 1; p <= sheets; p++ {
		text := pdftest.PageText(t, data, p)
		if want := fmt.Sprintf("Page %d of %d", p, sheets); !strings.Contains(text, want) {
			t.Errorf("page %d lacks footer %q:\n%s", p, want, text)
		}
		if !strings.Contains(text, "Break test") {
			t.Errorf("page %d footer lacks the title", p)
		}
		for _, m := range rowRE.FindAllStringSubmatch(text, -1) {
			n, _ := strconv.Atoi(m[1])
			if want := n/49 + 1; p != want {
				t.Errorf("row %03d is on page %d, want %d", n, p, want)
			}
			seen[n]++
		}
		if hasAppendix := strings.Contains(text, "appendix starts"); hasAppendix != (p == sheets) {
			t.Errorf("page %d: appendix present = %v", p, hasAppendix)
		}
	}
	for i := range 150 {
		if seen[i] != 1 {
			t.Errorf("row %03d extracted %d times, want once", i, seen[i])
		}
	}
}

func TestWatermarkOnEveryPage(t *testing.T) {
	var lines []Line
	for i := range 80 {
		lines = append(lines, Line{Text: fmt.Sprintf("body text %d", i)})
	}
	data := render(t, Document{Watermark: "SAMPLE", Pages: []Page{{Lines: lines}}})
	pdftest.Check(t, data)
	n := pdftest.Pages(t, data)
	if n != 2 {
		t.Fatalf("got %d pages, want 2", n)
	}
	for p := 1; p <= n; p++ {
		// The watermark is drawn first, under the text.
		if raw := pdftest.Squash(pdftest.RawPageText(t, data, p)); !strings.HasPrefix(raw, "SAMPLE") {
			t.Errorf("page %d does not start with the watermark; raw text: %.80q", p, raw)
		}
	}

	plain := render(t, Document{Pages: []Page{{Lines: lines}}})
	if raw := pdftest.Squash(pdftest.RawPageText(t, plain, 1)); strings.Contains(raw, "SAMPLE") {
		t.Errorf("document without a watermark shows one: %.80q", raw)
	}
}

func TestXrefOffsetsAndDeterminism(t *testing.T) {
	doc := Document{Title: "Xref", Watermark: "DRAFT", Pages: []Page{
		{Lines: []Line{{Text: "one"}}}, {Lines: []Line{{Text: "two"}}},
	}}
	data := render(t, doc)
	if again := render(t, doc); !bytes.Equal(data, again) {
		t.Fatal("two renders with the same CreationDate differ")
	}

	m := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindSubmatch(data)
	if m == nil {
		t.Fatalf("file does not end with startxref/%%%%EOF: %q", data[max(0, len(data)-60):])
	}
	xref, _ := strconv.Atoi(string(m[1]))
	if !bytes.HasPrefix(data[xref:], []byte("xref\n0 ")) {
		t.Fatalf("startxref %d does not point at the xref table", xref)
	}
	var count int
	rest := data[xref+len("xref\n0 "):]
	if _, err := fmt.Sscanf(string(rest), "%d\n", &count); err != nil {
		t.Fatal(err)
	}
	rest = rest[bytes.IndexByte(rest, '\n')+1:]
	for i := range count {
		entry := rest[i*20 : (i+1)*20]
		if i == 0 {
			if string(entry) != "0000000000 65535 f \n" {
				t.Errorf("entry 0 = %q", entry)
			}
			continue
		}
		off, err := strconv.Atoi(string(entry[:10]))
		if err != nil || string(entry[10:]) != " 00000 n \n" {
			t.Fatalf("entry %d malformed: %q", i, entry)
		}
		if want := fmt.Sprintf("%d 0 obj\n", i); !bytes.HasPrefix(data[off:], []byte(want)) {
			t.Errorf("entry %d offset %d points at %q", i, off, data[off:min(len(data), off+12)])
		}
	}
	if !bytes.Contains(data, []byte(fmt.Sprintf("/Size %d ", count))) {
		t.Errorf("trailer /Size does not match the %d xref entries", count)
	}
	pdftest.Check(t, data)
}

func TestWriteRejectsInvalidInput(t *testing.T) {
	cases := map[string]Document{
		"no pages":     {},
		"negative":     {Pages: []Page{{Lines: []Line{{Text: "x", Size: -1}}}}},
		"taller":       {Pages: []Page{{Lines: []Line{{Text: "x", Size: 900}}}}},
		"indent":       {Pages: []Page{{Lines: []Line{{Text: "x", Indent: 500}}}}},
		"tiny page":    {PageSize: PageSize{Width: 100, Height: 100}, Pages: []Page{{}}},
		"negative pad": {Pages: []Page{{Lines: []Line{{Text: "x", Indent: -5}}}}},
	}
	for name, doc := range cases {
		var b bytes.Buffer
		if err := Write(&b, doc); err == nil {
			t.Errorf("%s: Write succeeded, want an error", name)
		}
		if b.Len() != 0 {
			t.Errorf("%s: Write produced %d bytes despite failing", name, b.Len())
		}
	}
}

func TestEncodingHelpers(t *testing.T) {
	if got := string(escapeLiteral(nil, []byte(`a(b)c\d`+"\r\n"))); got != `a\(b\)c\\d\r\n` {
		t.Errorf("escapeLiteral = %q", got)
	}
	if got := encodeWinAnsi("é€\t\u2011中"); !bytes.Equal(got, []byte{0xE9, 0x80, ' ', '-', '?'}) {
		t.Errorf("encodeWinAnsi = % x", got)
	}
	for f, want := range map[float64]string{0: "0", -0.001: "0", 1e-9: "0", 1e9: "1000000000", 12.345: "12.35", -3.5: "-3.5"} {
		if got := num(f); got != want {
			t.Errorf("num(%v) = %q, want %q", f, got, want)
		}
	}
	if got := pdfDate(time.Date(2025, 11, 14, 9, 30, 5, 0, time.FixedZone("", -(5*3600+30*60)))); got != "D:20251114093005-05'30'" {
		t.Errorf("pdfDate = %q", got)
	}
	if got := string(textString("Ω")); got != "<FEFF03A9>" {
		t.Errorf("textString(Ω) = %q", got)
	}
}

func TestKeepWithNextMovesHeadingToNextPage(t *testing.T) {
	build := func(keep bool) []byte {
		var lines []Line
		// 48 lines leave room for exactly one more on an A4 sheet.
		for i := range 48 {
			lines = append(lines, Line{Text: fmt.Sprintf("filler %02d", i)})
		}
		lines = append(lines,
			Line{Text: "Kept heading", Bold: true, KeepWithNext: keep},
			Line{Text: "First paragraph line"})
		return render(t, Document{Pages: []Page{{Lines: lines}}})
	}

	kept := build(true)
	pdftest.Check(t, kept)
	if p1, p2 := pdftest.PageText(t, kept, 1), pdftest.PageText(t, kept, 2); strings.Contains(p1, "Kept heading") ||
		!strings.Contains(p2, "Kept heading") || !strings.Contains(p2, "First paragraph line") {
		t.Errorf("KeepWithNext heading was split from its paragraph:\npage 1:\n%s\npage 2:\n%s", p1, p2)
	}

	loose := build(false)
	if p1 := pdftest.PageText(t, loose, 1); !strings.Contains(p1, "Kept heading") {
		t.Errorf("without KeepWithNext the heading should stay on page 1:\n%s", p1)
	}
}

func TestBlankLinesDroppedAtTopOfOverflowSheet(t *testing.T) {
	var lines []Line
	for i := range 49 {
		lines = append(lines, Line{Text: fmt.Sprintf("filler %02d", i)})
	}
	lines = append(lines, Line{}, Line{}, Line{Text: "after the gap"})
	// A logical page that starts with a blank line keeps it.
	second := Page{Lines: []Line{{}, {Text: "intentional gap"}}}
	sheets, err := layout([]Page{{Lines: lines}, second}, A4)
	if err != nil {
		t.Fatal(err)
	}
	if len(sheets) != 3 {
		t.Fatalf("got %d sheets, want 3", len(sheets))
	}
	top := A4.Height - margin
	if r := sheets[1].runs[0]; string(r.text) != "after the gap" || r.y != top-DefaultSize {
		t.Errorf("overflow sheet starts with %q at y=%v, want %q at the top (y=%v)", r.text, r.y, "after the gap", top-DefaultSize)
	}
	if r := sheets[2].runs[0]; r.y != top-DefaultSize-DefaultSize*leadingFactor {
		t.Errorf("a new logical page lost its leading blank line: y=%v", r.y)
	}
}
