package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/local/boltstore"
	"trustcenter/shared/local/contentfile"
	"trustcenter/shared/local/fileblob"
	"trustcenter/shared/stamp"
	"trustcenter/shared/testkit/pdftest"
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
		trust.Engines{Store: store, Blobs: fileblob.Dir(filepath.Join(dir, "reports")), Inspect: stamp.Inspector{}, Log: log})
	sess := trust.Session{ID: "session-1", Email: "admin@example.com", CSRF: "csrf-1", CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}
	if err := store.Commit(t.Context(), trust.Tx{Session: &sess}); err != nil {
		t.Fatal(err)
	}
	h := New(Deps{Service: svc, Site: site, Log: log}, Admin)
	send := func(req *http.Request) *httptest.ResponseRecorder {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: sess.ID})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	keyRe := regexp.MustCompile(`name="key" value="([^"]+)"`)
	page := send(httptest.NewRequest(http.MethodGet, "/admin/documents", nil))
	if page.Code != http.StatusOK {
		t.Fatalf("documents page: %d", page.Code)
	}
	for _, cd := range site.Documents {
		if !strings.Contains(page.Body.String(), `action="/admin/documents/`+cd.ID+`/upload"`) {
			t.Errorf("the documents page offers no upload for %s", cd.ID)
		}
	}
	if n := strings.Count(page.Body.String(), "No file yet"); n != len(site.Documents) {
		t.Errorf("%d documents say they have no file yet, want %d", n, len(site.Documents))
	}
	key := ""
	for _, m := range keyRe.FindAllStringSubmatch(page.Body.String(), -1) {
		if strings.HasPrefix(m[1], "incoming/soc2-type2-2026/") {
			key = m[1]
		}
	}

	pdf := pdftest.Minimal("SOC 2 Type II", 100)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", sess.CSRF)
	mw.WriteField("key", key)
	fw, _ := mw.CreateFormFile("file", "report.pdf")
	fw.Write(pdf)
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/admin/documents/soc2-type2-2026/upload", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res := send(req)
	if res.Code != http.StatusSeeOther {
		t.Fatalf("first upload: %d %s", res.Code, res.Body)
	}
	review := send(httptest.NewRequest(http.MethodGet, res.Header().Get("Location"), nil))
	if !strings.Contains(review.Body.String(), "This publishes version 1 of") {
		t.Fatalf("the review of the first upload does not say it makes version 1:\n%s", review.Body)
	}
	form := url.Values{"csrf": {sess.CSRF}, "key": {key}, "sha256": {sha256hex(pdf)}}
	req = httptest.NewRequest(http.MethodPost, "/admin/documents/soc2-type2-2026/publish", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res := send(req); res.Code != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", res.Code, res.Body)
	}
	d, err := store.GetDocument(t.Context(), "soc2-type2-2026")
	if err != nil {
		t.Fatalf("after the first upload: %v", err)
	}
	want, _ := site.StoreDocument("soc2-type2-2026")
	if d.Version != 1 || d.Size != int64(len(pdf)) || d.Pages != 1 || d.Title != want.Title || d.Access != want.Access || !d.PeriodEnd.Equal(want.PeriodEnd) {
		t.Errorf("published %+v; want version 1 of %+v", d, want)
	}

	if res := send(httptest.NewRequest(http.MethodGet, "/admin/documents/no-such-report/confirm?key=x", nil)); res.Code != http.StatusNotFound || !strings.Contains(res.Body.String(), "no-such-report") {
		t.Errorf("review for a document the content does not name: %d, want 404 naming it", res.Code)
	}
}

func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
