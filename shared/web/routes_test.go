package web

import (
	"net/http/httptest"
	"regexp"
	"slices"
	"testing"
)

var wildcard = regexp.MustCompile(`\{[a-z]+(\.\.\.)?\}|\{\$\}`)

// sample is a request path that only r's pattern, among a function's,
// should match: each wildcard filled in, the rest of a path two segments.
func sample(r Route) string {
	return wildcard.ReplaceAllStringFunc(r.Path, func(w string) string {
		switch {
		case w == "{$}":
			return ""
		case len(w) > 5 && w[len(w)-4:] == "...}":
			return "a/b"
		}
		return "x1"
	})
}

// TestRoutesAreServedByTheirFunction: each route Routes lists for a
// function reaches its own handler in that function's handler and in the
// local server's, and only the fallback in every other function's. The
// stack deploys exactly Routes (infra's TestDeployedRoutesAreServed), so
// a route served here and not deployed, or deployed to the wrong
// function, fails one of the two.
func TestRoutesAreServedByTheirFunction(t *testing.T) {
	s := newServer(Deps{})
	all := s.mux(Functions()...)
	seen := map[string]string{}
	for _, fn := range Functions() {
		own := s.mux(fn)
		routes := Routes(fn)
		if len(routes) == 0 {
			t.Errorf("%s serves no route", fn)
		}
		for _, r := range routes {
			if other, dup := seen[r.Pattern()]; dup {
				t.Errorf("%s is served by both %s and %s", r.Pattern(), other, fn)
			}
			seen[r.Pattern()] = fn.Name
			req := httptest.NewRequest(r.Method, sample(r), nil)
			if _, p := own.Handler(req); p != r.Pattern() {
				t.Errorf("%s %s reaches %q in %s, want %q", r.Method, req.URL.Path, p, fn, r.Pattern())
			}
			if _, p := all.Handler(req); p != r.Pattern() {
				t.Errorf("%s %s reaches %q in the local server, want %q", r.Method, req.URL.Path, p, r.Pattern())
			}
			for _, other := range Functions() {
				if other.Name == fn.Name || slices.Contains(Routes(other), r) {
					continue
				}
				if _, p := s.mux(other).Handler(req); p != "/" {
					t.Errorf("%s %s reaches %q in %s, which does not list it", r.Method, req.URL.Path, p, other)
				}
			}
		}
	}
}
