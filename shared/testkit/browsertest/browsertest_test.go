package browsertest

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

const badPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bad page</title></head>
<body><main>
<h1>Known violations</h1>
<img src="/pixel.png" id="logo">
<input type="text" id="q">
</main></body></html>`

const goodPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Good page</title></head>
<body><main>
<h1>No violations</h1>
<p>Every image has alternative text and every field has a label.</p>
<img src="/pixel.png" alt="A black dot">
<label for="q">Search</label> <input type="text" id="q">
</main></body></html>`

const tallPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tall page</title>
<style>body { margin: 0 } .block { height: 2400px; background: linear-gradient(#fff, #36c) }</style></head>
<body><main><h1>Tall</h1><div class="block"></div></main></body></html>`

func testServer(t *testing.T) *httptest.Server {
	t.Helper()
	var pixel bytes.Buffer
	img := image.NewGray(image.Rect(0, 0, 1, 1))
	img.Set(0, 0, color.Black)
	if err := png.Encode(&pixel, img); err != nil {
		t.Fatal(err)
	}
	pages := map[string]string{"/bad": badPage, "/good": goodPage, "/tall": tallPage}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/pixel.png" {
			w.Header().Set("Content-Type", "image/png")
			w.Write(pixel.Bytes())
			return
		}
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// recorder is a testing.TB whose failures and skips are recorded instead of
// reported, so the helpers' failure paths can be asserted on. Fatal and
// skip calls end the goroutine as the real ones do; run code under
// recorder.run.
type recorder struct {
	testing.TB
	mu      sync.Mutex
	errors  []string
	fatal   bool
	skipped bool
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.mu.Lock()
	r.fatal = true
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) Skipf(format string, args ...any) {
	r.mu.Lock()
	r.skipped = true
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.errors) > 0
}

// run calls f on its own goroutine, because Fatalf and Skipf end the
// goroutine they are called on, and waits for it to finish.
func (r *recorder) run(f func(tb testing.TB)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
}

func (r *recorder) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.errors, "\n")
}

func TestBrowser(t *testing.T) {
	srv := testServer(t)
	ctx := New(t)

	t.Run("AxeViolationsReportsKnownProblems", func(t *testing.T) {
		Navigate(t, ctx, srv.URL+"/bad")
		violations, err := AxeViolations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]Violation{}
		for _, v := range violations {
			byID[v.ID] = v
		}
		for id, target := range map[string]string{"image-alt": "#logo", "label": "#q"} {
			v, ok := byID[id]
			if !ok {
				t.Errorf("axe did not report %q; got %s", id, FormatViolations(violations))
				continue
			}
			if v.Impact == "" || v.Help == "" || v.HelpURL == "" {
				t.Errorf("%s: missing impact, help or helpUrl: %+v", id, v)
			}
			if len(v.Nodes) != 1 || !slices.Contains(v.Nodes[0].Target, target) {
				t.Errorf("%s: nodes %+v, want one node targeted by %q", id, v.Nodes, target)
			}
		}
	})

	t.Run("AxeFailsTestWithDetails", func(t *testing.T) {
		Navigate(t, ctx, srv.URL+"/bad")
		rec := &recorder{TB: t}
		rec.run(func(tb testing.TB) { Axe(tb, ctx) })
		out := rec.output()
		if rec.fatal || !rec.Failed() {
			t.Fatalf("Axe should report violations with Errorf (fatal=%v); got %q", rec.fatal, out)
		}
		for _, want := range []string{"image-alt [critical]", "label [critical]", "#logo", "#q", "<img", "alternative text"} {
			if !strings.Contains(out, want) {
				t.Errorf("failure message lacks %q:\n%s", want, out)
			}
		}
	})

	t.Run("CleanPagePasses", func(t *testing.T) {
		Navigate(t, ctx, srv.URL+"/good")
		violations, err := AxeViolations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(violations) != 0 {
			t.Errorf("clean page: %s", FormatViolations(violations))
		}
		// A second audit reuses the injected axe-core.
		Axe(t, ctx)
	})

	t.Run("ScreenshotIsFullPage", func(t *testing.T) {
		Navigate(t, ctx, srv.URL+"/tall")
		for _, width := range []int{800, 375} {
			name := fmt.Sprintf("browsertest-selftest-%d", width)
			path := Screenshot(t, ctx, name, width, 600)
			if want := filepath.Join(ModuleRoot(t), "artifacts", "screenshots", name+".png"); path != want {
				t.Errorf("path = %s, want %s", path, want)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("%s is not a PNG: %v", path, err)
			}
			size := img.Bounds().Size()
			if size.X != width {
				t.Errorf("%s: width %d, want %d", name, size.X, width)
			}
			if size.Y < 2400 {
				t.Fatalf("%s: height %d, want the full page (at least 2400)", name, size.Y)
			}
			// The gradient ends in blue at the bottom of the page, so a
			// blue last row proves the capture went beyond the viewport
			// rather than padding it.
			r, _, b, _ := img.At(width/2, size.Y-5).RGBA()
			if b>>8 < 150 || r>>8 > 120 {
				t.Errorf("%s: bottom of the page is not the expected blue (r=%d b=%d)", name, r>>8, b>>8)
			}
		}
	})
}

func TestNewWithoutChromium(t *testing.T) {
	t.Setenv("CHROMIUM", filepath.Join(t.TempDir(), "no-such-chromium"))

	t.Setenv("SKIP_BROWSER", "")
	failing := &recorder{TB: t}
	failing.run(func(tb testing.TB) { New(tb) })
	if out := failing.output(); !failing.fatal || !strings.Contains(out, "make test-deps") {
		t.Errorf("missing Chromium should fail the test mentioning `make test-deps`; fatal=%v, output %q", failing.fatal, out)
	}

	t.Setenv("SKIP_BROWSER", "1")
	skipping := &recorder{TB: t}
	skipping.run(func(tb testing.TB) { New(tb) })
	if !skipping.skipped || skipping.Failed() {
		t.Errorf("with SKIP_BROWSER=1 a missing Chromium should skip; skipped=%v, errors %q", skipping.skipped, skipping.output())
	}
}

func TestBrowserLogDropsNoise(t *testing.T) {
	var out strings.Builder
	for i := range 100 {
		fmt.Fprintf(&out, "[1:2:ERROR:dbus/bus.cc:405] Failed to connect to the bus %d\n", i)
		fmt.Fprintf(&out, "line %d\n\n", i)
	}
	got := strings.Split(browserLog(out.String()), "\n")
	if len(got) != maxLogLines || got[0] != "line 60" || got[len(got)-1] != "line 99" {
		t.Errorf("browserLog kept %d lines from %q to %q; want the last %d non-D-Bus lines", len(got), got[0], got[len(got)-1], maxLogLines)
	}
}

func TestArtifactName(t *testing.T) {
	for in, want := range map[string]string{
		"home":               "home",
		"TestHome/mobile 1":  "TestHome-mobile-1",
		"../../etc/passwd":   "etc-passwd",
		"":                   "screenshot",
		"report.v2_final-ok": "report.v2_final-ok",
	} {
		if got := artifactName(in); got != want {
			t.Errorf("artifactName(%q) = %q, want %q", in, got, want)
		}
	}
}
