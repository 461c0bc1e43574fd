package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"trustcenter/shared/trust"
)

// TestSameOrigin: a post counts as our own only from the public base URL's
// scheme and host, whatever Host the request reached us on (behind the
// edge, the API's); a page on our name over plain http is another site.
func TestSameOrigin(t *testing.T) {
	const api = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/admin/x"
	for _, c := range []struct {
		base, target, origin string
		same                 bool
	}{
		{"https://trust.example", api, "", true},
		{"https://trust.example", api, "https://trust.example", true},
		{"https://trust.example", api, "https://TRUST.example", true},
		{"https://trust.example", api, "http://trust.example", false},
		{"https://trust.example", api, "https://evil.example", false},
		{"https://trust.example", api, "https://trust.example.evil.example", false},
		{"https://trust.example", api, "null", false},
		{"https://trust.example", api, "https://trust.example/path", false},
		// The request's own Host is not ours when the base URL says otherwise.
		{"https://trust.example", api, "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com", false},
		{"https://trust.example", "https://trust.example/admin/x", "https://trust.example", true},
		{"http://localhost:8080", "http://localhost:8080/admin/x", "http://localhost:8080", true},
		{"http://localhost:8080", "http://localhost:8080/admin/x", "https://localhost:8080", false},
		{"http://localhost:8080", "http://localhost:8080/admin/x", "http://localhost:8081", false},
	} {
		s := newServer(Deps{Service: trust.New(trust.Config{BaseURL: c.base}, trust.Engines{Store: &fakeStore{}})})
		r := httptest.NewRequest(http.MethodPost, c.target, nil)
		if c.origin != "" {
			r.Header.Set("Origin", c.origin)
		}
		if got := s.sameOrigin(r); got != c.same {
			t.Errorf("base %s, %s from Origin %q: same origin %v, want %v", c.base, c.target, c.origin, got, c.same)
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
