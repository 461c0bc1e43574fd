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
	"trustcenter/shared/token"
	"trustcenter/shared/trust"
)

// TestHeadIsNotADownload: a HEAD request (a link checker, a mail scanner,
// a cache revalidating) is answered like a GET but neither records a
// granted download nor counts a public one; a GET does.
func TestHeadIsNotADownload(t *testing.T) {
	ctx := t.Context()
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
	signer := token.New(keys, "test")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := trust.New(trust.Config{BaseURL: "https://trust.example"},
		trust.Engines{Store: store, Blobs: fileblob.Dir(filepath.Join(dir, "reports")), Signer: signer, Log: log})
	admin := trust.Session{Email: "admin@trust.example", Role: trust.Admin}
	for _, d := range []trust.Document{
		{ID: "soc2", Title: "SOC 2", Access: trust.Gated, FileName: "soc2.pdf"},
		{ID: "soc3", Title: "SOC 3", Access: trust.Public, FileName: "soc3.pdf"},
	} {
		if _, err := svc.Publish(ctx, admin, d, []byte("%PDF-1.4 "+d.ID), trust.Client{}); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	req := trust.Request{ID: "req_1", Email: "ada@buyer.example", Documents: []string{"soc2"}, Status: trust.Approved,
		CreatedAt: now, GrantID: "gnt_1", ExpiresAt: now.Add(time.Hour)}
	if err := store.Commit(ctx, trust.Tx{Request: &req}); err != nil {
		t.Fatal(err)
	}
	link, err := signer.Sign(trust.DownloadLink, trust.Claims{Request: req.ID, Grant: req.GrantID, Document: "soc2", ExpiresAt: now.Add(time.Hour)}, now)
	if err != nil {
		t.Fatal(err)
	}
	h := New(Deps{Service: svc, Site: exampleSite(t), Log: log}, Download)
	fetch := func(method, target string) {
		t.Helper()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("%s %s: %d", method, target, rec.Code)
		}
	}
	downloads := func() (recorded, counted int) {
		t.Helper()
		events, err := store.ListEvents(ctx, req.ID)
		if err != nil {
			t.Fatal(err)
		}
		n, err := store.DownloadCount(ctx, "soc3", now, now)
		if err != nil {
			t.Fatal(err)
		}
		return len(events), n
	}

	fetch(http.MethodHead, "/download/"+link)
	fetch(http.MethodHead, "/documents/soc3")
	if recorded, counted := downloads(); recorded != 0 || counted != 0 {
		t.Fatalf("after HEAD: %d granted downloads recorded, %d public counted; want none", recorded, counted)
	}
	fetch(http.MethodGet, "/download/"+link)
	fetch(http.MethodGet, "/documents/soc3")
	if recorded, counted := downloads(); recorded != 1 || counted != 1 {
		t.Fatalf("after GET: %d granted downloads recorded, %d public counted; want one each", recorded, counted)
	}
}

// TestConsoleShowsPublicDownloads: the console's document list shows each
// public document's recent downloads, and no count for a gated one.
func TestConsoleShowsPublicDownloads(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	store, err := boltstore.Open(filepath.Join(dir, "trust.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := trust.New(trust.Config{Staff: []trust.Staff{{Email: "admin@example.com", Role: trust.Admin}}},
		trust.Engines{Store: store, Blobs: fileblob.Dir(filepath.Join(dir, "reports")), Log: log})
	admin := trust.Session{Email: "admin@example.com", Role: trust.Admin}
	for _, d := range []trust.Document{
		{ID: "report-gated", Title: "Gated", Access: trust.Gated, FileName: "g.pdf"},
		{ID: "report-public", Title: "Public", Access: trust.Public, FileName: "p.pdf"},
	} {
		if _, err := svc.Publish(ctx, admin, d, []byte("%PDF-1.4 "+d.ID), trust.Client{}); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if _, err := svc.PublicDocument(ctx, "report-public", trust.Client{}); err != nil {
			t.Fatal(err)
		}
	}
	sess := trust.Session{ID: "session-1", Email: admin.Email, CSRF: "csrf-1", CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}
	stored := sess
	stored.ID = trust.SessionKey(sess.ID)
	if err := store.Commit(ctx, trust.Tx{Session: &stored}); err != nil {
		t.Fatal(err)
	}
	h := New(Deps{Service: svc, Site: exampleSite(t), Log: log}, Admin)
	req := httptest.NewRequest(http.MethodGet, "/admin/documents", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: sess.ID})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("documents page: %d", rec.Code)
	}
	body := rec.Body.String()
	row := func(id string) string {
		m := regexp.MustCompile(`(?s)<span class="muted">` + id + `</span></th>(.*?)</tr>`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no row for %s", id)
		}
		return m[1]
	}
	if !strings.Contains(row("report-public"), "<td>2</td>") {
		t.Errorf("the public document's row shows no count of 2: %s", row("report-public"))
	}
	if !strings.Contains(row("report-gated"), "<td>—</td>") {
		t.Errorf("the gated document's row: %s", row("report-gated"))
	}
}
