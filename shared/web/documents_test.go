package web

import (
	"bytes"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/local/boltstore"
	"trustcenter/shared/local/contentfile"
	"trustcenter/shared/local/fileblob"
	"trustcenter/shared/trust"
)

// TestFirstUploadOnAnEmptyStore: a fresh deployment has no document
// records at all. The documents page still lists every document of the
// content, and the first upload of each publishes version 1, described by
// the content.
func TestFirstUploadOnAnEmptyStore(t *testing.T) {
	dir := t.TempDir()
	store, err := boltstore.Open(filepath.Join(dir, "trust.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	site, err := contentfile.Example()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := trust.New(trust.Config{Staff: []trust.Staff{{Email: "admin@example.com", Role: trust.Admin}}},
		trust.Engines{Store: store, Blobs: fileblob.Dir(filepath.Join(dir, "reports")), Log: log})
	sess := trust.Session{ID: "session-1", Email: "admin@example.com", CSRF: "csrf-1", CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}
	stored := sess
	stored.ID = trust.SessionKey(sess.ID)
	if err := store.Commit(t.Context(), trust.Tx{Session: &stored}); err != nil {
		t.Fatal(err)
	}
	h := New(Deps{Service: svc, Site: site, Log: log}, Admin)
	send := func(req *http.Request) *httptest.ResponseRecorder {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: sess.ID})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	upload := func(id string, pdf []byte) *httptest.ResponseRecorder {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("csrf", sess.CSRF)
		fw, _ := mw.CreateFormFile("file", "report.pdf")
		fw.Write(pdf)
		mw.Close()
		req := httptest.NewRequest(http.MethodPost, "/admin/documents/"+id, &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		return send(req)
	}

	page := send(httptest.NewRequest(http.MethodGet, "/admin/documents", nil))
	if page.Code != http.StatusOK {
		t.Fatalf("documents page: %d", page.Code)
	}
	for _, cd := range site.Documents {
		if !strings.Contains(page.Body.String(), `action="/admin/documents/`+cd.ID+`"`) {
			t.Errorf("the documents page offers no upload for %s", cd.ID)
		}
	}
	if n := strings.Count(page.Body.String(), "No file yet"); n != len(site.Documents) {
		t.Errorf("%d documents say they have no file yet, want %d", n, len(site.Documents))
	}

	pdf := []byte("%PDF-1.7\n% the first real report\n%%EOF\n")
	if res := upload("soc2-type2-2026", pdf); res.Code != http.StatusSeeOther {
		t.Fatalf("first upload: %d %s", res.Code, res.Body)
	}
	d, err := store.GetDocument(t.Context(), "soc2-type2-2026")
	if err != nil {
		t.Fatalf("after the first upload: %v", err)
	}
	want, _ := site.StoreDocument("soc2-type2-2026")
	if d.Version != 1 || d.Size != int64(len(pdf)) || d.Title != want.Title || d.Access != want.Access || !d.PeriodEnd.Equal(want.PeriodEnd) {
		t.Errorf("published %+v; want version 1 of %+v", d, want)
	}

	if res := upload("no-such-report", pdf); res.Code != http.StatusNotFound || !strings.Contains(res.Body.String(), "no-such-report") {
		t.Errorf("upload to a document the content does not name: %d, want 404 naming it", res.Code)
	}
}
