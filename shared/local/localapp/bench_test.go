package localapp_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"trustcenter/shared/app"
	"trustcenter/shared/local/localapp"
)

func benchLocal(b *testing.B) *localapp.Local {
	b.Helper()
	b.Setenv("TRUST_DATA_DIR", b.TempDir())
	cfg, err := app.FromEnv()
	if err != nil {
		b.Fatal(err)
	}
	l, err := localapp.Open(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	return l
}

// BenchmarkTrustPage serves / in-process, as a browser asks for it
// (gzip). wire-B is what crosses the network for the HTML and its inlined
// CSS; raw-B the same uncompressed.
func BenchmarkTrustPage(b *testing.B) {
	l := benchLocal(b)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	req.Header.Set("Accept-Language", "en-US,en;q=0.9")
	rec := httptest.NewRecorder()
	l.Handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "gzip" {
		b.Fatalf("/: %d %v", rec.Code, rec.Header())
	}
	wire := rec.Body.Len()
	plain := httptest.NewRecorder()
	l.Handler.ServeHTTP(plain, httptest.NewRequest(http.MethodGet, "/", nil))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w := httptest.NewRecorder()
		l.Handler.ServeHTTP(w, req)
	}
	b.ReportMetric(float64(wire), "wire-B")
	b.ReportMetric(float64(plain.Body.Len()), "raw-B")
}

// BenchmarkThroughput compares the local server on / with a plain static
// file server sending the same bytes, over real loopback connections, in
// the same run: the ratio is what to read, as absolute numbers depend on
// the machine and whatever else it is doing.
func BenchmarkThroughput(b *testing.B) {
	l := benchLocal(b)
	if err := l.Start("127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	dynamic := "http://" + l.Addr() + "/"

	const requests, workers = 3000, 8
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers, DisableCompression: true}}

	// The static server sends the very bytes the trust page sends: its
	// gzip body, from a file, precompressed.
	req, _ := http.NewRequest(http.MethodGet, dynamic, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.Header.Get("Content-Encoding") != "gzip" {
		b.Fatal("the trust page was not compressed")
	}
	file := filepath.Join(b.TempDir(), "index.html.gz")
	if err := os.WriteFile(file, body, 0o644); err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	static := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Encoding", "gzip")
		http.ServeFile(w, r, file)
	})}
	go static.Serve(ln)
	b.Cleanup(func() { static.Shutdown(context.Background()) })
	staticURL := "http://" + ln.Addr().String() + "/"

	rate := func(url string) float64 {
		var next atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= requests {
					req, _ := http.NewRequest(http.MethodGet, url, nil)
					req.Header.Set("Accept-Encoding", "gzip")
					res, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
			}()
		}
		wg.Wait()
		return requests / time.Since(start).Seconds()
	}
	rate(dynamic) // warm both up: connections, caches
	rate(staticURL)
	var ours, plain float64
	for b.Loop() {
		ours += rate(dynamic)
		plain += rate(staticURL)
	}
	b.ReportMetric(ours/float64(b.N), "local-req/s")
	b.ReportMetric(plain/float64(b.N), "static-req/s")
	b.ReportMetric(ours/plain, "local/static")
}
