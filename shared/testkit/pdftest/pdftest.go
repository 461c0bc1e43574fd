// Package pdftest checks PDF files with the external tools qpdf and
// poppler-utils, so that tests prove a file is valid for independent readers
// rather than only for the library that wrote it. The tools are a test
// dependency: `make test-deps` installs them.
package pdftest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// RequireTools fails the test, with instructions, when qpdf, pdftotext or
// pdfinfo is not on PATH. A missing tool must not turn into a silent skip,
// or a broken writer would pass in an incomplete environment.
func RequireTools(t testing.TB) {
	t.Helper()
	var missing []string
	for _, tool := range []string{"qpdf", "pdftotext", "pdfinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("missing PDF test tools %s: run `make test-deps` (apt-get install -y poppler-utils qpdf)",
			strings.Join(missing, ", "))
	}
}

// File writes data to a temporary file and returns its path.
func File(t testing.TB, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Check runs `qpdf --check` and fails the test on any error or warning.
func Check(t testing.TB, data []byte) {
	t.Helper()
	RequireTools(t)
	out, err := exec.Command("qpdf", "--check", File(t, data)).CombinedOutput()
	// qpdf exits 0 when clean and 3 when it only has warnings; a warning
	// means a reader had to repair the file, which counts as a failure here.
	if err != nil || bytes.Contains(bytes.ToUpper(out), []byte("WARNING")) {
		t.Fatalf("qpdf --check failed (%v):\n%s", err, out)
	}
	if !bytes.Contains(out, []byte("No syntax or stream encoding errors found")) {
		t.Fatalf("qpdf --check did not report a clean file:\n%s", out)
	}
}

// Text returns the text that pdftotext extracts from the whole document.
func Text(t testing.TB, data []byte) string {
	t.Helper()
	return pdftotext(t, data)
}

// PageText returns the text that pdftotext extracts from one page (1-based).
func PageText(t testing.TB, data []byte, page int) string {
	t.Helper()
	p := strconv.Itoa(page)
	return pdftotext(t, data, "-f", p, "-l", p)
}

func pdftotext(t testing.TB, data []byte, args ...string) string {
	t.Helper()
	RequireTools(t)
	args = append(append([]string{"-enc", "UTF-8"}, args...), File(t, data), "-")
	var stderr bytes.Buffer
	cmd := exec.Command("pdftotext", args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("pdftotext %v failed (%v):\n%s", args, err, stderr.String())
	}
	return string(out)
}

// RawPageText returns one page's text in content-stream order (pdftotext
// -raw). Diagonal text such as a watermark comes out one glyph per line in
// every mode, so tests find it with Squash on this output, where the drawing
// order keeps its glyphs together.
func RawPageText(t testing.TB, data []byte, page int) string {
	t.Helper()
	p := strconv.Itoa(page)
	return pdftotext(t, data, "-raw", "-f", p, "-l", p)
}

// Info returns the fields that pdfinfo prints, keyed by name ("Pages",
// "Title", "Producer", "Page size", ...).
func Info(t testing.TB, data []byte) map[string]string {
	t.Helper()
	RequireTools(t)
	var stderr bytes.Buffer
	cmd := exec.Command("pdfinfo", File(t, data))
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("pdfinfo failed (%v):\n%s", err, stderr.String())
	}
	info := map[string]string{}
	for line := range strings.Lines(string(out)) {
		if k, v, ok := strings.Cut(line, ":"); ok {
			info[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return info
}

// Page is one page as pdfinfo describes it.
type Page struct {
	Size   string // "595 x 842 pts (A4)"
	Rotate string // "0", "90", ...
}

// PageList returns every page's size and rotation, from `pdfinfo -f 1 -l N`.
func PageList(t testing.TB, data []byte) []Page {
	t.Helper()
	n := Pages(t, data)
	var stderr bytes.Buffer
	cmd := exec.Command("pdfinfo", "-f", "1", "-l", strconv.Itoa(n), File(t, data))
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("pdfinfo -f 1 -l %d failed (%v):\n%s", n, err, stderr.String())
	}
	pages := make([]Page, n)
	for line := range strings.Lines(string(out)) {
		// "Page    2 size: 842 x 595 pts" and "Page    2 rot:  90"
		f := strings.Fields(line)
		if len(f) < 4 || f[0] != "Page" {
			continue
		}
		i, err := strconv.Atoi(f[1])
		if err != nil || i < 1 || i > n {
			continue
		}
		value := strings.Join(f[3:], " ")
		switch f[2] {
		case "size:":
			pages[i-1].Size = value
		case "rot:":
			pages[i-1].Rotate = value
		}
	}
	return pages
}

// Pages returns the page count that pdfinfo reports.
func Pages(t testing.TB, data []byte) int {
	t.Helper()
	v := Info(t, data)["Pages"]
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("pdfinfo reported no page count (Pages: %q)", v)
	}
	return n
}

// Squash removes all white space from s.
func Squash(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// Normalize collapses every run of white space to one space, so that text can
// be compared regardless of where lines were wrapped.
func Normalize(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Minimal is a valid one-page PDF whose document information has title,
// written out by hand with a correct cross-reference table; pad adds that
// many bytes of page content, to make files of a chosen size.
func Minimal(title string, pad int) []byte {
	content := "BT /F1 12 Tf 72 720 Td (" + title + ") Tj ET\n" + strings.Repeat("%", max(pad, 0)) + "\n"
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		"<< /Title (" + title + ") >>",
	}
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, len(objects), xref)
	return []byte(b.String())
}

// WithUserPassword is data encrypted by qpdf so that it needs password to
// open.
func WithUserPassword(t testing.TB, data []byte, password string) []byte {
	t.Helper()
	RequireTools(t)
	in := File(t, data)
	out := filepath.Join(t.TempDir(), "locked.pdf")
	if b, err := exec.Command("qpdf", "--encrypt", password, password+"-owner", "256", "--", in, out).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --encrypt: %v: %s", err, b)
	}
	locked, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return locked
}
