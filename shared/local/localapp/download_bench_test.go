package localapp_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"trustcenter/shared/app"
	"trustcenter/shared/local/localapp"
)

// BenchmarkDownload measures a granted download end to end in-process:
// first is a grant's first download of the SOC 2 report, which reads the
// report, stamps every page for the recipient and keeps the copy; repeat
// is a later download of it, which re-reads the grant and serves the kept
// copy. Grants are made (auto-approved) outside the timer.
func BenchmarkDownload(b *testing.B) {
	b.Setenv("TRUST_DATA_DIR", b.TempDir())
	b.Setenv("TRUST_AUTO_APPROVE", "buyer.example")
	b.Setenv("TRUST_BASE_URL", "http://trust.test")
	cfg, err := app.FromEnv()
	if err != nil {
		b.Fatal(err)
	}
	l, err := localapp.Open(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	var n atomic.Int64
	grant := func() string {
		i := n.Add(1)
		return benchGrant(b, l, fmt.Sprintf("bench%d@buyer.example", i), fmt.Sprintf("198.51.%d.%d", i/200, 1+i%200))
	}
	download := func(path string) int {
		rec := httptest.NewRecorder()
		l.Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), "%PDF-") {
			b.Fatalf("download %s: %d %.200s", path, rec.Code, rec.Body.String())
		}
		return rec.Body.Len()
	}

	b.Run("first", func(b *testing.B) {
		links := make([]string, 0, b.N)
		for range b.N {
			links = append(links, grant())
		}
		size := 0
		b.ResetTimer()
		for _, p := range links {
			size = download(p)
		}
		b.ReportMetric(float64(size), "copy-B")
	})
	b.Run("repeat", func(b *testing.B) {
		p := grant()
		size := download(p)
		b.ResetTimer()
		for b.Loop() {
			download(p)
		}
		b.ReportMetric(float64(size), "copy-B")
	})
}

var (
	benchConfirmRe  = regexp.MustCompile(`http://trust\.test(/access-requests/confirm/[^\s]+)`)
	benchAccessRe   = regexp.MustCompile(`http://trust\.test(/access/[^\s]+)`)
	benchDownloadRe = regexp.MustCompile(`/download/[A-Za-z0-9_.-]+`)
	benchNDARe      = regexp.MustCompile(`name="nda_version" value="([^"]+)"`)
)

// benchGrant files, confirms and (by the auto-approval rule) gets approved
// a request for the SOC 2 report from addr, speaking from ip, and returns
// its download link from the access page.
func benchGrant(b *testing.B, l *localapp.Local, addr, ip string) string {
	b.Helper()
	serve := func(r *http.Request) *httptest.ResponseRecorder {
		r.RemoteAddr = ip + ":1234"
		rec := httptest.NewRecorder()
		l.Handler.ServeHTTP(rec, r)
		return rec
	}
	m := benchNDARe.FindStringSubmatch(serve(httptest.NewRequest(http.MethodGet, "/access-requests/new", nil)).Body.String())
	if m == nil {
		b.Fatal("no NDA version on the form")
	}
	form := url.Values{"name": {"Bench " + addr}, "email": {addr}, "company": {"Buyer"}, "reason": {"Vendor review"},
		"document": {"soc2-type2-2026"}, "nda_version": {m[1]}, "nda_accept": {"yes"}, "nda_signature": {"Bench " + addr}}
	req := httptest.NewRequest(http.MethodPost, "/access-requests", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res := serve(req); res.Code != http.StatusSeeOther {
		b.Fatalf("submit: %d", res.Code)
	}
	confirm := benchMailLink(b, l, addr, benchConfirmRe)
	if res := serve(httptest.NewRequest(http.MethodGet, confirm, nil)); res.Code != http.StatusOK {
		b.Fatalf("confirm: %d", res.Code)
	}
	access := benchMailLink(b, l, addr, benchAccessRe)
	dl := benchDownloadRe.FindString(serve(httptest.NewRequest(http.MethodGet, access, nil)).Body.String())
	if dl == "" {
		b.Fatal("no download link on the access page")
	}
	return dl
}

// benchMailLink delivers the outbox and returns the path of the link re
// finds in a mail to addr.
func benchMailLink(b *testing.B, l *localapp.Local, addr string, re *regexp.Regexp) string {
	b.Helper()
	if err := l.DeliverMail(context.Background()); err != nil {
		b.Fatal(err)
	}
	entries, err := os.ReadDir(l.Outbox)
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range entries {
		f, err := os.Open(filepath.Join(l.Outbox, e.Name()))
		if err != nil {
			b.Fatal(err)
		}
		msg, err := mail.ReadMessage(f)
		if err == nil && msg.Header.Get("To") == addr {
			if m := re.FindStringSubmatch(decodedBody(msg)); m != nil {
				f.Close()
				return m[1]
			}
		}
		f.Close()
	}
	b.Fatalf("no mail to %s with a link like %s", addr, re)
	return ""
}
