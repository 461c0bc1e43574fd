package stamp

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The test PDFs are made here, by the tools that make real reports' PDFs
// (Ghostscript, cairo) and rewrite them (qpdf), rather than committed, so
// each test states the shape it needs.

type psPage struct {
	w, h int // points
}

var (
	a4        = psPage{595, 842}
	a5        = psPage{420, 595}
	letterL   = psPage{792, 612}
	legal     = psPage{612, 1008}
	pageLines = 12
)

// pageMarker is text unique to page n of a fixture, to prove the original
// text survives stamping page by page.
func pageMarker(n int) string { return fmt.Sprintf("Finding F%03d", n) }

// postScript writes a report of the given pages, each with a heading that
// names its page and some lines of body text.
func postScript(pages []psPage) string {
	var b strings.Builder
	b.WriteString("%!PS-Adobe-3.0\n")
	for i, p := range pages {
		n := i + 1
		fmt.Fprintf(&b, "<< /PageSize [%d %d] >> setpagedevice\n", p.w, p.h)
		fmt.Fprintf(&b, "/Helvetica-Bold findfont 16 scalefont setfont 56 %d moveto (Audit report, page %d) show\n", p.h-72, n)
		b.WriteString("/Times-Roman findfont 11 scalefont setfont\n")
		for l := range pageLines {
			text := fmt.Sprintf("%s: control %d.%d operated effectively during the period.", pageMarker(n), n, l+1)
			fmt.Fprintf(&b, "56 %d moveto (%s) show\n", p.h-110-l*16, text)
		}
		b.WriteString("showpage\n")
	}
	return b.String()
}

// run runs a tool in dir and fails the test with its output on error.
func run(t testing.TB, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// ghostscript renders pages through pdfwrite, the way ps2pdf and many
// print-to-PDF set-ups produce reports.
func ghostscript(t testing.TB, dir string, pages []psPage) []byte {
	t.Helper()
	writeFile(t, dir, "in.ps", []byte(postScript(pages)))
	run(t, dir, "gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite", "-sOutputFile=gs.pdf", "in.ps")
	return readFile(t, filepath.Join(dir, "gs.pdf"))
}

// qpdf rewrites src with the given options (`qpdf OPTIONS in.pdf out.pdf`).
func qpdf(t testing.TB, dir string, src []byte, options ...string) []byte {
	t.Helper()
	writeFile(t, dir, "qpdf-in.pdf", src)
	args := append(append([]string{}, options...), "qpdf-in.pdf", "qpdf-out.pdf")
	cmd := exec.Command("qpdf", args...)
	cmd.Dir = dir
	// Exit status 3 is success with warnings, which qpdf gives for
	// encryption settings it considers weak.
	if out, err := cmd.CombinedOutput(); err != nil && cmd.ProcessState.ExitCode() != 3 {
		t.Fatalf("qpdf %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return readFile(t, filepath.Join(dir, "qpdf-out.pdf"))
}

// cairo re-draws src through poppler's cairo back end, a second PDF
// producer with its own fonts, object layout and compression.
func cairo(t testing.TB, dir string, src []byte) []byte {
	t.Helper()
	writeFile(t, dir, "cairo-in.pdf", src)
	run(t, dir, "pdftocairo", "-pdf", "cairo-in.pdf", "cairo-out.pdf")
	return readFile(t, filepath.Join(dir, "cairo-out.pdf"))
}
