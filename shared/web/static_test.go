package web

import (
	"bytes"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

// TestStaticHashedNames: a file answers under its hashed name with a year's
// immutable cache and its own bytes; the plain name answers the same bytes
// but must be revalidated; a hashed name of other bytes is not found.
func TestStaticHashedNames(t *testing.T) {
	h := New(newDeps(t, &fakeStore{}, nil), Public)
	css := staticAssets.byName["site.css"]
	if css == nil || !regexp.MustCompile(`^site\.[0-9a-f]{10}\.css$`).MatchString(css.hashed) {
		t.Fatalf("site.css has no hashed name: %+v", css)
	}
	hashed := serve(h, http.MethodGet, "/static/"+css.hashed, nil, nil)
	if hashed.Code != http.StatusOK || hashed.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" ||
		!bytes.Equal(hashed.Body.Bytes(), css.data) || !strings.HasPrefix(hashed.Header().Get("Content-Type"), "text/css") {
		t.Errorf("hashed: %d, Cache-Control %q, Content-Type %q, %d bytes", hashed.Code,
			hashed.Header().Get("Cache-Control"), hashed.Header().Get("Content-Type"), hashed.Body.Len())
	}
	plain := serve(h, http.MethodGet, "/static/site.css", nil, nil)
	if plain.Code != http.StatusOK || plain.Header().Get("Cache-Control") != "public, no-cache" || plain.Header().Get("ETag") == "" ||
		!bytes.Equal(plain.Body.Bytes(), css.data) {
		t.Errorf("plain: %d, Cache-Control %q, ETag %q", plain.Code, plain.Header().Get("Cache-Control"), plain.Header().Get("ETag"))
	}
	again := serve(h, http.MethodGet, "/static/site.css", nil, map[string]string{"If-None-Match": plain.Header().Get("ETag")})
	if again.Code != http.StatusNotModified {
		t.Errorf("revalidating the plain name: %d, want 304", again.Code)
	}
	for _, target := range []string{"/static/site.0000000000.css", "/static/site.css/", "/static/nothing.css"} {
		if res := serve(h, http.MethodGet, target, nil, nil); res.Code != http.StatusNotFound || strings.Contains(res.Header().Get("Cache-Control"), "immutable") {
			t.Errorf("GET %s: %d, Cache-Control %q; want 404, not immutable", target, res.Code, res.Header().Get("Cache-Control"))
		}
	}
	ico := serve(h, http.MethodGet, "/favicon.ico", nil, nil)
	if want := "/static/" + staticAssets.byName["favicon.svg"].hashed; ico.Code != http.StatusFound || ico.Header().Get("Location") != want ||
		strings.Contains(ico.Header().Get("Cache-Control"), "immutable") {
		t.Errorf("/favicon.ico: %d to %q (Cache-Control %q), want 302 to %s for a limited time", ico.Code,
			ico.Header().Get("Location"), ico.Header().Get("Cache-Control"), want)
	}
}

// TestStaticNamesFollowBytes: the hashed name changes with the bytes, and
// pages are given it for our files only.
func TestStaticNamesFollowBytes(t *testing.T) {
	a := loadAssets(fstest.MapFS{"s/logo.png": {Data: []byte("one")}, "s/deep/x.css": {Data: []byte("a{}")}}, "s")
	b := loadAssets(fstest.MapFS{"s/logo.png": {Data: []byte("two")}}, "s")
	if a.url("/static/logo.png") == b.url("/static/logo.png") || !strings.HasPrefix(a.url("/static/logo.png"), "/static/logo.") {
		t.Errorf("names %q and %q: want different hashed names for different bytes", a.url("/static/logo.png"), b.url("/static/logo.png"))
	}
	if got := a.url("/static/deep/x.css"); !regexp.MustCompile(`^/static/deep/x\.[0-9a-f]{10}\.css$`).MatchString(got) {
		t.Errorf("nested file: %q", got)
	}
	for _, p := range []string{"/static/missing.png", "https://cdn.example/logo.png"} {
		if got := a.url(p); got != p {
			t.Errorf("url(%q) = %q, want it unchanged", p, got)
		}
	}
	if ct := a.byName["logo.png"].contentType; ct != "image/png" {
		t.Errorf("content type %q", ct)
	}
}

// TestFirstViewIsOneRequest: the trust page names no resource a browser
// would fetch before showing it: the style sheet, icon and logo are inline.
func TestFirstViewIsOneRequest(t *testing.T) {
	h := New(newDeps(t, &fakeStore{}, nil), Public)
	res := serve(h, http.MethodGet, "/", nil, nil)
	if res.Code != http.StatusOK {
		t.Fatalf("GET /: %d", res.Code)
	}
	body := res.Body.String()
	// Anything fetched on load: a style sheet, icon, preload or manifest
	// link, an src, a CSS url(); inline script data, alternates, canonical links and anchors
	// are only followed on purpose.
	tag := regexp.MustCompile(`<(link|img|script|iframe|source|video|audio)\b[^>]*>`)
	attr := regexp.MustCompile(`\b(rel|href|src|srcset)="([^"]*)"`)
	fetchedRel := regexp.MustCompile(`\b(stylesheet|icon|preload|modulepreload|manifest|apple-touch-icon)\b`)
	var urls []string
	for _, m := range tag.FindAllStringSubmatch(body, -1) {
		attrs := map[string]string{}
		for _, a := range attr.FindAllStringSubmatch(m[0], -1) {
			attrs[a[1]] = a[2]
		}
		if m[1] == "link" && !fetchedRel.MatchString(attrs["rel"]) {
			continue
		}
		if m[1] == "script" && attrs["src"] == "" {
			continue // inline data (the JSON-LD block), nothing to fetch
		}
		urls = append(urls, attrs["href"]+attrs["src"]+attrs["srcset"])
	}
	for _, m := range regexp.MustCompile(`url\(\s*['"]?([^'")]*)`).FindAllStringSubmatch(body, -1) {
		urls = append(urls, m[1])
	}
	n := 0
	for _, u := range urls {
		n++
		if !strings.HasPrefix(u, "data:") {
			t.Errorf("the page makes the browser fetch %q", u)
		}
	}
	if n < 2 {
		t.Errorf("found %d inline resources; want at least the icon and the logo (is the pattern still right?)", n)
	}
}
