package web

import (
	"bytes"
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/content"
	"trustcenter/shared/local/contentfile"
	"trustcenter/shared/trust"
)

// fakeStore answers the few store calls these tests make; any other call
// hits the nil Store and panics, which the handler turns into a 500.
type fakeStore struct {
	trust.Store
	docs    []trust.Document
	listErr error // what ListDocuments fails with
	hits    int   // what Hit counts, so a rate limit can be reached at once
	hitErr  error
	req     trust.Request
	sess    trust.Session
}

func (f *fakeStore) ListDocuments(context.Context) ([]trust.Document, error) {
	return f.docs, f.listErr
}

func (f *fakeStore) GetDocument(_ context.Context, id string) (trust.Document, error) {
	for _, d := range f.docs {
		if d.ID == id {
			return d, nil
		}
	}
	return trust.Document{}, trust.Errorf(trust.ENotFound, "no document %s", id)
}

func (f *fakeStore) Commit(context.Context, trust.Tx) error { return nil }

func (f *fakeStore) CountDownload(context.Context, string, time.Time) error { return nil }

func (f *fakeStore) Hit(context.Context, string, time.Duration, time.Time) (trust.Hits, error) {
	return trust.Hits{Current: f.hits}, f.hitErr
}

func (f *fakeStore) GetRequest(_ context.Context, id string) (trust.Request, error) {
	if id != f.req.ID {
		return trust.Request{}, trust.Errorf(trust.ENotFound, "no request %s", id)
	}
	return f.req, nil
}

func (f *fakeStore) ListNDAVersions(context.Context) ([]trust.NDAVersion, error) { return nil, nil }

func (f *fakeStore) ListEvents(context.Context, string) ([]trust.Event, error) { return nil, nil }

func (f *fakeStore) GetSession(_ context.Context, id string) (trust.Session, error) {
	if id == "" || id != trust.SessionKey(f.sess.ID) {
		return trust.Session{}, trust.Errorf(trust.ENotFound, "no session")
	}
	return f.sess, nil
}

type failingPresigner struct{}

func (failingPresigner) PresignGet(context.Context, string, string, time.Duration) (string, error) {
	return "", trust.Errorf(trust.EUnavailable, "s3: throttled")
}

type missingBlobs struct{}

func (missingBlobs) Put(context.Context, string, io.Reader, int64, string) error { return nil }
func (missingBlobs) Open(_ context.Context, key string) (io.ReadCloser, error) {
	return nil, trust.Errorf(trust.ENotFound, "no blob %s", key)
}
func (missingBlobs) Copy(_ context.Context, from, _ string) error {
	return trust.Errorf(trust.ENotFound, "no blob %s", from)
}
func (missingBlobs) Delete(context.Context, string) error { return nil }

var publicDoc = trust.Document{ID: "soc3-2026", Title: "SOC 3", Access: trust.Public, BlobKey: "soc3/1.pdf", FileName: "soc3.pdf", Version: 1}

func exampleSite(t *testing.T) *content.Site {
	t.Helper()
	site, err := contentfile.Example()
	if err != nil {
		t.Fatal(err)
	}
	return site
}

// newDeps serves a service on store; engines adds engines to it.
func newDeps(t *testing.T, store *fakeStore, log *bytes.Buffer, engines ...func(*trust.Engines)) Deps {
	t.Helper()
	e := trust.Engines{Store: store}
	for _, edit := range engines {
		edit(&e)
	}
	d := Deps{
		Service: trust.New(trust.Config{BaseURL: "https://trust.example",
			Staff: []trust.Staff{{Email: "admin@trust.example", Role: trust.Admin}}}, e),
		Site: exampleSite(t),
		Log:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if log != nil {
		d.Log = slog.New(slog.NewTextHandler(log, nil))
	}
	return d
}

func serve(h http.Handler, method, target string, form url.Values, hdr map[string]string) *httptest.ResponseRecorder {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestErrorPagesAreNotCached: a public document may be cached, but when
// fetching it fails after the handler declared it public, the error page
// must not be.
func TestErrorPagesAreNotCached(t *testing.T) {
	cases := []struct {
		name   string
		setup  func(*trust.Engines)
		status int
	}{
		{"presigning fails", func(e *trust.Engines) { e.Links = failingPresigner{} }, http.StatusServiceUnavailable},
		{"file missing", func(e *trust.Engines) { e.Blobs = missingBlobs{} }, http.StatusNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := newDeps(t, &fakeStore{docs: []trust.Document{publicDoc}}, nil, c.setup)
			rec := serve(New(d, Download), http.MethodGet, "/documents/"+publicDoc.ID, nil, nil)
			if rec.Code != c.status || rec.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("%d with Cache-Control %q, want %d with no-store", rec.Code, rec.Header().Get("Cache-Control"), c.status)
			}
		})
	}
}

// TestPanicIsNotCached: the panic path answers with no-store too, and logs
// the stack once.
func TestPanicIsNotCached(t *testing.T) {
	var log bytes.Buffer
	s := newServer(newDeps(t, &fakeStore{}, &log))
	h := s.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		panic("boom")
	}))
	rec := serve(h, http.MethodGet, "/", nil, nil)
	if rec.Code != http.StatusInternalServerError || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("%d with Cache-Control %q, want 500 with no-store", rec.Code, rec.Header().Get("Cache-Control"))
	}
	if n := strings.Count(log.String(), "[running]"); n != 1 {
		t.Errorf("the stack is logged %d times, want once:\n%s", n, log.String())
	}
}

// TestPanicAfterPartialWriteAborts: once part of a page is out, a panic
// cuts the answer off instead of appending an error page to a 200.
func TestPanicAfterPartialWriteAborts(t *testing.T) {
	var log bytes.Buffer
	s := newServer(newDeps(t, &fakeStore{}, &log))
	h := s.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<!doctype html><p>half a page"))
		panic("boom")
	}))

	rec := httptest.NewRecorder()
	func() {
		defer func() {
			if v := recover(); v != http.ErrAbortHandler {
				t.Errorf("wrap ended with %v, want to abort with http.ErrAbortHandler", v)
			}
		}()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	}()
	if rec.Body.String() != "<!doctype html><p>half a page" {
		t.Errorf("body %q: something was written after the panic", rec.Body.String())
	}
	if n := strings.Count(log.String(), "[running]"); n != 1 {
		t.Errorf("the stack is logged %d times, want once:\n%s", n, log.String())
	}

	// Over a connection, the client sees the answer fail.
	srv := httptest.NewServer(h)
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err == nil {
		_, err = io.ReadAll(res.Body)
		res.Body.Close()
	}
	if err == nil {
		t.Error("the client read a complete answer")
	}
}

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"GZIP", true},
		{"gzip, deflate, br", true},
		{"gzip;q=0.8", true},
		{"gzip; q=0.5", true},
		{"gzip;q=0.05", true},
		{"gzip;q=1.0", true},
		{"x-gzip", true},
		{"*;q=0.5", true},
		{"*", true},
		{"gzip;q=0", false},
		{"gzip; q=0.000", false},
		{"br, deflate", false},
		{"identity", false},
		{"*;q=0", false},
		{"gzip;q=0, *", false}, // named beats the wildcard
		{"br, *;q=0.1", true},
		{"gzip;q=abc", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Encoding", tt.header)
		if got := acceptsGzip(r); got != tt.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

// TestGzipHasItsOwnETag: the gzip and identity bodies are different
// representations, and revalidation compares against the one served.
func TestGzipHasItsOwnETag(t *testing.T) {
	h := New(newDeps(t, &fakeStore{}, nil), Public)
	get := func(enc, match string) *httptest.ResponseRecorder {
		return serve(h, http.MethodGet, "/robots.txt", nil, map[string]string{"Accept-Encoding": enc, "If-None-Match": match})
	}
	plain, zipped := get("", ""), get("gzip;q=0.8", "")
	if zipped.Header().Get("Content-Encoding") != "gzip" || plain.Header().Get("Content-Encoding") != "" {
		t.Fatalf("Content-Encoding %q and %q", zipped.Header().Get("Content-Encoding"), plain.Header().Get("Content-Encoding"))
	}
	tag, gzTag := plain.Header().Get("ETag"), zipped.Header().Get("ETag")
	if tag == "" || gzTag != strings.TrimSuffix(tag, `"`)+`-gz"` {
		t.Fatalf("ETags %s and %s, want the gzip one to be the other with -gz", tag, gzTag)
	}
	cases := []struct {
		enc, match string
		status     int
	}{
		{"gzip", gzTag, http.StatusNotModified},
		{"gzip", tag, http.StatusOK},
		{"", tag, http.StatusNotModified},
		{"", gzTag, http.StatusOK},
		{"gzip", `"other", W/` + gzTag, http.StatusNotModified},
		{"", "*", http.StatusNotModified},
	}
	for _, c := range cases {
		res := get(c.enc, c.match)
		if res.Code != c.status {
			t.Errorf("Accept-Encoding %q, If-None-Match %s: %d, want %d", c.enc, c.match, res.Code, c.status)
		}
		if res.Code == http.StatusOK && res.Body.Len() == 0 {
			t.Errorf("Accept-Encoding %q, If-None-Match %s: empty body", c.enc, c.match)
		}
	}
}

// TestMachineBodiesNeedNoStore: the bodies that list no documents are served
// while the store is down, and vary by language only when they depend on it.
func TestMachineBodiesNeedNoStore(t *testing.T) {
	h := New(newDeps(t, &fakeStore{listErr: trust.Errorf(trust.EUnavailable, "store down")}, nil), Public)
	for path, byLang := range map[string]bool{"/robots.txt": false, "/sitemap.xml": false, "/.well-known/security.txt": false, "/updates.atom": true} {
		res := serve(h, http.MethodGet, path, nil, nil)
		if res.Code != http.StatusOK {
			t.Errorf("%s: %d with the store down", path, res.Code)
		}
		if got := strings.Contains(res.Header().Get("Vary"), "Accept-Language"); got != byLang {
			t.Errorf("%s: Vary %q", path, res.Header().Get("Vary"))
		}
	}
	for _, path := range []string{"/trust.json", "/"} {
		if res := serve(h, http.MethodGet, path, nil, nil); res.Code != http.StatusServiceUnavailable || res.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d, Cache-Control %q with the store down", path, res.Code, res.Header().Get("Cache-Control"))
		}
	}
}

func TestLogoOriginInCSP(t *testing.T) {
	cases := []struct{ logo, img string }{
		{"https://cdn.example.com/brand/logo.svg", "img-src 'self' data: https://cdn.example.com;"},
		{"https://cdn.example.com:8443/logo.png?v=2", "img-src 'self' data: https://cdn.example.com:8443;"},
		{"/static/logo.svg", "img-src 'self' data:;"},
		{"", "img-src 'self' data:;"},
		{"http://cdn.example.com/logo.svg", "img-src 'self' data:;"},
		{"https://cdn.example.com;script-src */x.svg", "img-src 'self' data:;"},
	}
	for _, c := range cases {
		s := newServer(Deps{Service: trust.New(trust.Config{}, trust.Engines{}), Site: &content.Site{Company: content.Company{Logo: c.logo}}})
		if !strings.Contains(s.csp, c.img) {
			t.Errorf("logo %q: CSP %q lacks %q", c.logo, s.csp, c.img)
		}
	}
}

// langHref finds the language switch's link to lang on a page.
func langHref(t *testing.T, body, lang string) string {
	t.Helper()
	m := regexp.MustCompile(`<a href="([^"]*)" hreflang="` + regexp.QuoteMeta(lang) + `"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no link to %s on the page", lang)
	}
	return html.UnescapeString(m[1])
}

// TestLanguageLinksAfterAPost: a page rendered in answer to a post links
// to the page its form came from, which answers a GET.
func TestLanguageLinksAfterAPost(t *testing.T) {
	sess := trust.Session{ID: "s1", Email: "admin@trust.example", CSRF: "c1", ExpiresAt: time.Now().Add(time.Hour)}
	store := &fakeStore{docs: []trust.Document{publicDoc}, sess: sess,
		req: trust.Request{ID: "req_1", Name: "Ada", Status: trust.Pending}}
	h := New(newDeps(t, store, nil), Functions()...)
	cookie := map[string]string{"Cookie": sessionCookie + "=" + sess.ID}
	cases := []struct {
		name, target string
		form         url.Values
		hdr          map[string]string
		status       int
		link         string
	}{
		{"request form with errors", "/access-requests?lang=zh-CN", url.Values{"name": {""}}, nil,
			http.StatusBadRequest, "/access-requests/new?lang=en"},
		{"approval refused", "/admin/requests/req_1/approve", url.Values{"days": {"many"}, "csrf": {"c1"}}, cookie,
			http.StatusBadRequest, "/admin/requests/req_1?lang=zh-CN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := serve(h, http.MethodPost, c.target, c.form, c.hdr)
			if res.Code != c.status {
				t.Fatalf("post: %d, want %d", res.Code, c.status)
			}
			lang := "zh-CN"
			if strings.Contains(c.target, "lang=zh-CN") {
				lang = "en"
			}
			href := langHref(t, res.Body.String(), lang)
			if href != c.link {
				t.Errorf("language link %q, want %q", href, c.link)
			}
			if got := serve(h, http.MethodGet, href, nil, c.hdr); got.Code != http.StatusOK {
				t.Errorf("GET %s: %d", href, got.Code)
			}
		})
	}
}

// TestLanguageLinksKeepTheQuery: on a page answering a GET, the language
// links keep its other parameters; the cached trust page's never carry
// the first visitor's.
func TestLanguageLinksKeepTheQuery(t *testing.T) {
	h := New(newDeps(t, &fakeStore{docs: []trust.Document{publicDoc}}, nil), Functions()...)
	cases := []struct{ target, lang, link string }{
		{"/access-requests/new?document=soc3-2026&lang=en", "zh-CN", "/access-requests/new?document=soc3-2026&lang=zh-CN"},
		{"/access-requests/new?document=soc3-2026", "zh-CN", "/access-requests/new?document=soc3-2026&lang=zh-CN"},
		{"/?utm_source=mail", "zh-CN", "/?lang=zh-CN"},
		{"/?lang=zh-CN&ref=x", "en", "/?lang=en"},
	}
	for _, c := range cases {
		res := serve(h, http.MethodGet, c.target, nil, nil)
		if res.Code != http.StatusOK {
			t.Fatalf("%s: %d", c.target, res.Code)
		}
		if href := langHref(t, res.Body.String(), c.lang); href != c.link {
			t.Errorf("%s: language link %q, want %q", c.target, href, c.link)
		}
	}
}

// TestLoginRefusalsSayWhenToComeBack: the sign-in form re-rendered with a
// rate limit or an outage carries Retry-After like any error page, and an
// outage is logged.
func TestLoginRefusalsSayWhenToComeBack(t *testing.T) {
	cases := []struct {
		store      *fakeStore
		status     int
		retryAfter string
		logged     bool
	}{
		{&fakeStore{hits: 1000}, http.StatusTooManyRequests, "3600", false},
		{&fakeStore{hitErr: trust.Errorf(trust.EUnavailable, "dynamodb: throttled")}, http.StatusServiceUnavailable, "30", true},
	}
	for _, c := range cases {
		var log bytes.Buffer
		h := New(newDeps(t, c.store, &log), Admin)
		res := serve(h, http.MethodPost, "/admin/login", url.Values{"email": {"admin@trust.example"}}, nil)
		if res.Code != c.status || res.Header().Get("Retry-After") != c.retryAfter || res.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%d, Retry-After %q, Cache-Control %q; want %d, %s, no-store",
				res.Code, res.Header().Get("Retry-After"), res.Header().Get("Cache-Control"), c.status, c.retryAfter)
		}
		if !strings.Contains(res.Body.String(), `value="admin@trust.example"`) {
			t.Errorf("%d: the form lost the address typed", res.Code)
		}
		if got := strings.Contains(log.String(), "dynamodb: throttled"); got != c.logged {
			t.Errorf("%d: logged %v, want %v:\n%s", res.Code, got, c.logged, log.String())
		}
	}
}

// TestStaticServesFilesOnly: the static folder answers its files, never a
// listing of what it holds.
func TestStaticServesFilesOnly(t *testing.T) {
	h := New(newDeps(t, &fakeStore{}, nil), Public)
	for target, want := range map[string]int{
		"/static/site.css": http.StatusOK,
		"/static/":         http.StatusNotFound,
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		if rec.Code != want || strings.Contains(rec.Body.String(), `<a href="site.css">`) {
			t.Errorf("GET %s: %d, want %d and no listing", target, rec.Code, want)
		}
	}
}
