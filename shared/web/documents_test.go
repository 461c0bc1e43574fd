package web

import (
	"bytes"
	"context"
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

	"trustcenter/shared/content"
	"trustcenter/shared/local/boltstore"
	"trustcenter/shared/local/contentfile"
	"trustcenter/shared/local/fileblob"
	"trustcenter/shared/stamp"
	"trustcenter/shared/testkit/pdftest"
	"trustcenter/shared/trust"
)

// adminOn is the admin function's handler on a fresh store and folder, with
// e's other engines, and a signed-in admin's session.
func adminOn(t *testing.T, e trust.Engines) (*boltstore.Store, *content.Site, *trust.Service, trust.Session, http.Handler) {
	t.Helper()
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
	e.Store, e.Blobs, e.Log = store, fileblob.Dir(filepath.Join(dir, "reports")), slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := trust.New(trust.Config{BaseURL: "https://trust.example", Staff: []trust.Staff{{Email: "admin@example.com", Role: trust.Admin}}}, e)
	sess := trust.Session{ID: "session-1", Email: "admin@example.com", Role: trust.Admin, CSRF: "csrf-1", CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}
	stored := sess
	stored.ID = trust.SessionKey(sess.ID)
	if err := store.Commit(t.Context(), trust.Tx{Session: &stored}); err != nil {
		t.Fatal(err)
	}
	return store, site, svc, sess, New(Deps{Service: svc, Site: site, Log: e.Log}, Admin)
}

// TestFirstUploadOnAnEmptyStore: a fresh deployment has no document
// records at all. The documents page still lists every document of the
// content, and the first upload of each publishes version 1, described by
// the content.
func TestFirstUploadOnAnEmptyStore(t *testing.T) {
	store, site, _, sess, h := adminOn(t, trust.Engines{Inspect: stamp.Inspector{}})
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

// directUploads is an Uploader as S3's presigned POST looks to the page.
type directUploads struct{}

func (directUploads) PresignUpload(_ context.Context, key string, _ int64, _, redirect string, _ time.Duration) (trust.UploadForm, error) {
	return trust.UploadForm{URL: "https://reports.s3.us-east-1.amazonaws.com", Fields: [][2]string{{"key", key}, {"policy", "p"}, {"success_action_redirect", redirect}}}, nil
}

// TestDirectUploadForm: with an Uploader engine each document's form posts
// to the bucket with exactly the presigned fields (S3 refuses any other, so
// no CSRF token), the CSP lets the page post there, and uploads through the
// function are refused.
func TestDirectUploadForm(t *testing.T) {
	_, site, svc, sess, h := adminOn(t, trust.Engines{Uploads: directUploads{}})
	req := httptest.NewRequest(http.MethodGet, "/admin/documents", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: sess.ID})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body := rec.Body.String()
	forms := regexp.MustCompile(`(?s)<form method="post" action="https://reports\.s3\.us-east-1\.amazonaws\.com" enctype="multipart/form-data">(.*?)</form>`).FindAllStringSubmatch(body, -1)
	if len(forms) != len(site.Documents) {
		t.Fatalf("%d forms post to the bucket, want one per document (%d):\n%s", len(forms), len(site.Documents), body)
	}
	for _, f := range forms {
		if strings.Contains(f[1], `name="csrf"`) || !strings.Contains(f[1], `name="success_action_redirect" value="https://trust.example/admin/documents/`) {
			t.Errorf("a bucket form carries a CSRF token or no redirect to the review: %s", f[1])
		}
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' https://reports.s3.us-east-1.amazonaws.com;") {
		t.Errorf("the CSP does not let the page post to the bucket: %s", csp)
	}
	err := svc.Receive(t.Context(), sess, "soc2-type2-2026", "incoming/soc2-type2-2026/AAAAAAAAAAAAAAAAAAAAAAAA.pdf", strings.NewReader("%PDF-"), 5)
	if trust.ErrorCode(err) != trust.EInvalid {
		t.Errorf("an upload through the function with direct uploads on: %v", err)
	}
}
