package stamp

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// benchReport returns a report of the given pages made by Ghostscript, with
// a photo-like image of imageSide×imageSide pixels on each page when
// imageSide > 0 (noise, so that it does not compress and the file reaches a
// real report's size). Files are kept under the system temp folder between
// runs, since making the large one takes longer than stamping it.
func benchReport(b *testing.B, pages, imageSide int) []byte {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "trustcenter-stamp-bench")
	path := filepath.Join(dir, fmt.Sprintf("report-%dp-%dpx.pdf", pages, imageSide))
	if data, err := os.ReadFile(path); err == nil {
		return data
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	work := b.TempDir()
	var ps strings.Builder
	ps.WriteString(postScript(slicesOf(a4, pages)))
	if imageSide > 0 {
		// Draw the image on every page by redefining showpage, which
		// postScript calls once per page.
		n := imageSide * imageSide * 3
		header := fmt.Sprintf("%%!PS-Adobe-3.0\n/img %d string def\n"+
			"/realshowpage /showpage load def\n"+
			"/showpage { 0 1 %d { img exch rand 255 and put } for "+
			"gsave 56 120 translate 240 240 scale %d %d 8 [%d 0 0 -%d 0 %d] img false 3 colorimage grestore "+
			"realshowpage } def\n", n, n-1, imageSide, imageSide, imageSide, imageSide, imageSide)
		s := strings.TrimPrefix(ps.String(), "%!PS-Adobe-3.0\n")
		ps.Reset()
		ps.WriteString(header + s)
	}
	writeFile(b, work, "in.ps", []byte(ps.String()))
	run(b, work, "gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite",
		"-dAutoFilterColorImages=false", "-sColorImageFilter=FlateEncode", "-dDownsampleColorImages=false",
		"-sOutputFile=out.pdf", "in.ps")
	data := readFile(b, filepath.Join(work, "out.pdf"))
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	return data
}

func slicesOf(p psPage, n int) []psPage {
	s := make([]psPage, n)
	for i := range s {
		s[i] = p
	}
	return s
}

// BenchmarkStamp120Pages is a typical SOC 2 report: the goal is a stamped
// copy within a second, inside the download request.
func BenchmarkStamp120Pages(b *testing.B) {
	benchStamp(b, benchReport(b, 120, 0), 120)
}

// BenchmarkStamp300Pages20MB is a large report with an image on every
// page; its figure that matters is peak memory, against a Lambda's size.
func BenchmarkStamp300Pages20MB(b *testing.B) {
	src := benchReport(b, 300, 150)
	benchStamp(b, src, 300)
}

func benchStamp(b *testing.B, src []byte, pages int) {
	id := NewID()
	peak := sampleHeap()
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		if _, err := Stamp(src, jane, when, id); err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(elapsed.Seconds()*1000/float64(b.N)/float64(pages), "ms/page")
	b.ReportMetric(float64(peak())/1e6, "peak-heap-MB")
	b.ReportMetric(float64(len(src))/1e6, "input-MB")
}

// sampleHeap samples the live heap until the returned function is called,
// and that function returns the highest value seen. The input file and
// the stamped copy are both part of it, as they are in a real request.
func sampleHeap() func() uint64 {
	var (
		mu   sync.Mutex
		max  uint64
		stop = make(chan struct{})
		done = make(chan struct{})
	)
	read := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		mu.Lock()
		max = maxOf(max, m.HeapAlloc)
		mu.Unlock()
	}
	go func() {
		defer close(done)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-done
		read()
		mu.Lock()
		defer mu.Unlock()
		return max
	}
}

func maxOf(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}
