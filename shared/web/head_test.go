package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/local/boltstore"
	"trustcenter/shared/local/fileblob"
	reports "trustcenter/shared/local/sample"
	"trustcenter/shared/stamp"
	"trustcenter/shared/token"
	"trustcenter/shared/trust"
)

// downloadsFixture is a service on real local engines with one gated and
// one public document published.
type downloadsFixture struct {
	store  *boltstore.Store
	svc    *trust.Service
	signer *token.Tokens
	log    *slog.Logger
}

const fixtureAdmin = "admin@example.com"

func newDownloadsFixture(t *testing.T) downloadsFixture {
	t.Helper()
	dir := t.TempDir()
	store, err := boltstore.Open(filepath.Join(dir, "trust.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	keys := &token.Keyring{}
	if err := keys.Rotate(time.Now()); err != nil {
		t.Fatal(err)
	}
	f := downloadsFixture{store: store, signer: token.New(keys, "test"), log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	f.svc = trust.New(trust.Config{BaseURL: "https://trust.example", Staff: []trust.Staff{{Email: fixtureAdmin, Role: trust.Admin}}},
		trust.Engines{Store: store, Blobs: fileblob.Dir(filepath.Join(dir, "reports")), Signer: f.signer, Stamper: stamp.Engine{}, Log: f.log})
	admin := trust.Session{Email: fixtureAdmin, Role: trust.Admin}
	for _, d := range []trust.Document{
		{ID: "report-gated", Title: "Gated", Access: trust.Gated, FileName: "g.pdf"},
		{ID: "report-public", Title: "Public", Access: trust.Public, FileName: "p.pdf"},
	} {
		// A real report: the first GET of the gated one stamps a copy.
		if _, err := f.svc.Publish(t.Context(), admin, d, reports.SOC2TypeII(), trust.Client{}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f downloadsFixture) serve(t *testing.T, fn Function, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	New(Deps{Service: f.svc, Site: exampleSite(t), Log: f.log}, fn).ServeHTTP(rec, req)
	return rec
}

// TestHeadIsNotADownload: a HEAD request (a link checker, a mail scanner,
// a cache revalidating) is answered like a GET but neither records a
// granted download nor counts a public one; a GET does.
func TestHeadIsNotADownload(t *testing.T) {
	ctx := t.Context()
	f := newDownloadsFixture(t)
	now := time.Now()
	req := trust.Request{ID: "req_1", Email: "ada@buyer.example", Documents: []string{"report-gated"}, Status: trust.Approved,
		CreatedAt: now, GrantID: "gnt_1", ExpiresAt: now.Add(time.Hour), NDA: trust.Acceptance{Seq: 1, Series: 1, TextSHA256: "ab"}}
	if err := f.store.Commit(ctx, trust.Tx{Request: &req}); err != nil {
		t.Fatal(err)
	}
	link, err := f.signer.Sign(trust.DownloadLink, trust.Claims{Request: req.ID, Grant: req.GrantID, Document: "report-gated", ExpiresAt: now.Add(time.Hour)}, now)
	if err != nil {
		t.Fatal(err)
	}
	fetch := func(method, target string) {
		t.Helper()
		if rec := f.serve(t, Download, httptest.NewRequest(method, target, nil)); rec.Code != http.StatusOK {
			t.Fatalf("%s %s: %d", method, target, rec.Code)
		}
	}
	downloads := func() (recorded, counted int) {
		t.Helper()
		events, err := f.store.ListEvents(ctx, req.ID)
		if err != nil {
			t.Fatal(err)
		}
		n, err := f.store.DownloadCount(ctx, "report-public", now, now)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			if e.Type == "document.downloaded" {
				recorded++
			}
		}
		return recorded, n
	}

	fetch(http.MethodHead, "/download/"+link)
	fetch(http.MethodHead, "/documents/report-public")
	if recorded, counted := downloads(); recorded != 0 || counted != 0 {
		t.Fatalf("after HEAD: %d granted downloads recorded, %d public counted; want none", recorded, counted)
	}
	fetch(http.MethodGet, "/download/"+link)
	fetch(http.MethodGet, "/documents/report-public")
	if recorded, counted := downloads(); recorded != 1 || counted != 1 {
		t.Fatalf("after GET: %d granted downloads recorded, %d public counted; want one each", recorded, counted)
	}
}

// TestConsoleShowsPublicDownloads: the console's document list shows each
// public document's recent downloads, and no count for a gated one.
func TestConsoleShowsPublicDownloads(t *testing.T) {
	ctx := t.Context()
	f := newDownloadsFixture(t)
	for range 2 {
		if _, err := f.svc.PublicDocument(ctx, "report-public", trust.Client{}); err != nil {
			t.Fatal(err)
		}
	}
	sess := trust.Session{ID: "session-1", Email: fixtureAdmin, CSRF: "csrf-1", CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}
	stored := sess
	stored.ID = trust.SessionKey(sess.ID)
	if err := f.store.Commit(ctx, trust.Tx{Session: &stored}); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/admin/documents", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: sess.ID})
	rec := f.serve(t, Admin, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("documents page: %d", rec.Code)
	}
	body := rec.Body.String()
	card := func(id string) string {
		m := regexp.MustCompile(`(?s)<a href="/admin/documents/` + id + `">(.*?)</li>`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no card for %s", id)
		}
		return m[1]
	}
	if !regexp.MustCompile(`Downloads[^<]*</dt><dd>2</dd>`).MatchString(card("report-public")) {
		t.Errorf("the public document's card shows no count of 2: %s", card("report-public"))
	}
	if strings.Contains(card("report-gated"), "Downloads") {
		t.Errorf("the gated document's card counts downloads: %s", card("report-gated"))
	}
}
