package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestSameOrigin: a post counts as our own only from the same scheme and
// host, or from the public base URL; a page on our name over plain http is
// another site.
func TestSameOrigin(t *testing.T) {
	for _, c := range []struct {
		target, origin string
		forwarded      string
		public         string // the base URL
		same           bool
	}{
		{"https://trust.example/admin/x", "", "", "", true},
		{"https://trust.example/admin/x", "https://trust.example", "", "", true},
		{"https://trust.example/admin/x", "https://TRUST.example", "", "", true},
		{"https://trust.example/admin/x", "http://trust.example", "", "", false},
		{"https://trust.example/admin/x", "https://evil.example", "", "", false},
		{"https://trust.example/admin/x", "https://trust.example.evil.example", "", "", false},
		{"https://trust.example/admin/x", "null", "", "", false},
		{"https://trust.example/admin/x", "https://trust.example/path", "", "", false},
		{"http://trust.example/admin/x", "https://trust.example", "https", "", true},
		{"http://trust.example/admin/x", "http://trust.example", "https", "", false},
		{"http://localhost:8080/admin/x", "http://localhost:8080", "", "", true},
		{"http://localhost:8080/admin/x", "https://localhost:8080", "", "", false},
		{"http://localhost:8080/admin/x", "http://localhost:8081", "", "", false},
		// Behind CloudFront the request arrives for the API's own domain.
		{"https://a1b2.execute-api.us-east-1.amazonaws.com/admin/x", "https://trust.example", "", "https://trust.example", true},
		{"https://a1b2.execute-api.us-east-1.amazonaws.com/admin/x", "https://evil.example", "", "https://trust.example", false},
		{"https://a1b2.execute-api.us-east-1.amazonaws.com/admin/x", "http://trust.example", "", "https://trust.example", false},
	} {
		r := httptest.NewRequest(http.MethodPost, c.target, nil)
		if c.origin != "" {
			r.Header.Set("Origin", c.origin)
		}
		if c.forwarded != "" {
			r.Header.Set("X-Forwarded-Proto", c.forwarded)
		}
		if got := sameOrigin(r, c.public); got != c.same {
			t.Errorf("%s from Origin %q (forwarded %q): same origin %v, want %v", c.target, c.origin, c.forwarded, got, c.same)
		}
	}
}

// TestErrorPageBoundsTheAddress: an error page repeats a short address in
// its language links, and none of a long one.
func TestErrorPageBoundsTheAddress(t *testing.T) {
	h := New(newDeps(t, &fakeStore{}, nil), Admin)
	long := "/admin/" + strings.Repeat("spam-", 2000)
	res := serve(h, http.MethodGet, long, nil, nil)
	if res.Code != http.StatusNotFound {
		t.Fatalf("status %d, want 404", res.Code)
	}
	if body := res.Body.String(); strings.Contains(body, strings.Repeat("spam-", 20)) {
		t.Errorf("the error page repeats the long address (%d bytes of body)", len(body))
	}
	res = serve(h, http.MethodGet, "/admin/nothing-here", nil, nil)
	if !strings.Contains(res.Body.String(), "/admin/nothing-here?lang=") {
		t.Errorf("a short address is no longer kept in the language links")
	}
}
