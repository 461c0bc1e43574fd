package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
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
