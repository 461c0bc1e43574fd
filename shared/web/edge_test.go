package web

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

const testOriginSecret = "edge-secret-0123456789"

// edgeDeps are a deployment's: the origin secret and the viewer header set.
func edgeDeps(t *testing.T, store *fakeStore, log *bytes.Buffer) Deps {
	d := newDeps(t, store, log)
	d.OriginSecret = testOriginSecret
	d.ClientIPHeader = "CloudFront-Viewer-Address"
	return d
}

// TestEdgeRefusesRequestsAroundIt: with an origin secret, a request that
// lacks it (or has another) gets the trust center's 403 page, health check
// included, and the refusal is logged; one from the edge is served. Without
// a secret (one machine) nothing is asked.
func TestEdgeRefusesRequestsAroundIt(t *testing.T) {
	var log bytes.Buffer
	h := New(edgeDeps(t, &fakeStore{docs: []trust.Document{publicDoc}}, &log), Public)
	for _, path := range []string{"/healthz", "/", "/trust.json"} {
		for _, secret := range []string{"", "wrong", testOriginSecret + "x", testOriginSecret[:5]} {
			hdr := map[string]string{}
			if secret != "" {
				hdr[OriginSecretHeader] = secret
			}
			res := serve(h, http.MethodGet, path, nil, hdr)
			if res.Code != http.StatusForbidden || !strings.HasPrefix(res.Header().Get("Content-Type"), "text/html") ||
				!strings.Contains(res.Body.String(), "<h1>") || res.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("%s with secret %q: %d %s, want the 403 page:\n%.300s", path, secret, res.Code, res.Header().Get("Content-Type"), res.Body.String())
			}
		}
		if res := serve(h, http.MethodGet, path, nil, map[string]string{OriginSecretHeader: testOriginSecret}); res.Code != http.StatusOK {
			t.Errorf("%s through the edge: %d, want 200", path, res.Code)
		}
	}
	if n := strings.Count(log.String(), "origin secret refused"); n != 12 {
		t.Errorf("%d refusals logged, want 12:\n%s", n, log.String())
	}
	if strings.Contains(log.String(), testOriginSecret) {
		t.Error("the log holds the origin secret")
	}

	local := New(newDeps(t, &fakeStore{}, nil), Public)
	if res := serve(local, http.MethodGet, "/healthz", nil, nil); res.Code != http.StatusOK {
		t.Errorf("locally, /healthz without any secret: %d", res.Code)
	}
}

// TestClientAddressFromTheEdge: the viewer header is believed only on a
// request that carries the origin secret; otherwise, and when it is not an
// address, the client is the API's source address.
func TestClientAddressFromTheEdge(t *testing.T) {
	const source = "192.0.2.1"
	for _, c := range []struct {
		name   string
		secret bool // the deployment has an origin secret
		viewer string
		want   string
	}{
		{"IPv4", true, "198.51.100.10:46532", "198.51.100.10"},
		{"IPv6 unbracketed", true, "2001:db8:1:2::7:443", "2001:db8:1:2::7"},
		{"IPv6 bracketed", true, "[2001:db8::7]:443", "2001:db8::7"},
		{"no port", true, "198.51.100.10", source},
		{"not an address", true, "evil:1", source},
		{"IPv6 without a port", true, "2001:db8::7", source},
		{"not a port", true, "198.51.100.10:http", source},
		{"missing", true, "", source},
		{"locally, the header is anyone's", false, "198.51.100.10:46532", source},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := newDeps(t, &fakeStore{}, nil)
			d.ClientIPHeader = "CloudFront-Viewer-Address"
			if c.secret {
				d.OriginSecret = testOriginSecret
			}
			var got trust.Client
			h := newServer(d).wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = client(r) }))
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = source + ":0"
			r.Header.Set(OriginSecretHeader, testOriginSecret)
			if c.viewer != "" {
				r.Header.Set("CloudFront-Viewer-Address", c.viewer)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			if got.IP != c.want {
				t.Errorf("client IP %q, want %q", got.IP, c.want)
			}
		})
	}
}

// hangingStore answers nothing until the request's context ends, and
// keeps why it ended.
type hangingStore struct {
	fakeStore
	cause chan error
}

func (h *hangingStore) hang(ctx context.Context) error {
	<-ctx.Done()
	h.cause <- context.Cause(ctx)
	return ctx.Err()
}

func (h *hangingStore) GetSession(ctx context.Context, _ string) (trust.Session, error) {
	return trust.Session{}, h.hang(ctx)
}

func (h *hangingStore) ListDocuments(ctx context.Context) ([]trust.Document, error) {
	return nil, h.hang(ctx)
}

// TestHangingStoreGetsTheUnavailablePage: a store call that never answers
// is cut off by the request budget, and the reader gets the 503 page.
func TestHangingStoreGetsTheUnavailablePage(t *testing.T) {
	store := &hangingStore{cause: make(chan error, 1)}
	var log bytes.Buffer
	d := newDeps(t, &store.fakeStore, &log)
	d.Service = trust.New(trust.Config{BaseURL: "https://trust.example"}, trust.Engines{Store: store})
	d.RequestBudget = 50 * time.Millisecond
	h := New(d, Admin, Public)
	for _, path := range []string{"/admin/requests", "/"} {
		res := serve(h, http.MethodGet, path, nil, map[string]string{"Cookie": sessionCookie + "=s1"})
		if res.Code != http.StatusServiceUnavailable || res.Header().Get("Retry-After") == "" ||
			!strings.Contains(res.Body.String(), "Service temporarily unavailable") {
			t.Errorf("%s: %d (Retry-After %q), want the 503 page:\n%.400s", path, res.Code, res.Header().Get("Retry-After"), res.Body.String())
		}
		select {
		case cause := <-store.cause:
			if cause != ErrRequestBudget {
				t.Errorf("%s: the store call ended with %v, want the request budget", path, cause)
			}
		default:
			t.Errorf("%s: the handler answered without the store call ending", path)
		}
	}
	if !strings.Contains(log.String(), ErrRequestBudget.Error()) {
		t.Errorf("the log does not say the budget ran out:\n%s", log.String())
	}
}

type hangingPresigner struct{ cause chan error }

func (h hangingPresigner) PresignGet(ctx context.Context, _, _ string, _ time.Duration) (string, error) {
	<-ctx.Done()
	h.cause <- context.Cause(ctx)
	return "", ctx.Err()
}

// TestHangingFileStoreGetsTheUnavailablePage: the same for S3 presigning
// a download.
func TestHangingFileStoreGetsTheUnavailablePage(t *testing.T) {
	links := hangingPresigner{cause: make(chan error, 1)}
	d := newDeps(t, &fakeStore{docs: []trust.Document{publicDoc}}, nil, func(e *trust.Engines) { e.Links = links })
	d.RequestBudget = 50 * time.Millisecond
	res := serve(New(d, Download), http.MethodGet, "/documents/"+publicDoc.ID, nil, nil)
	if res.Code != http.StatusServiceUnavailable || !strings.Contains(res.Body.String(), "Service temporarily unavailable") {
		t.Errorf("%d, want the 503 page:\n%.400s", res.Code, res.Body.String())
	}
	select {
	case cause := <-links.cause:
		if cause != ErrRequestBudget {
			t.Errorf("presigning ended with %v, want the request budget", cause)
		}
	default:
		t.Error("answered without the presign call ending")
	}
}

// TestBudgetLeavesRoomBeforeThePlatformDeadline: a request's deadline is
// its budget, or the platform's deadline less the margin when that comes
// first.
func TestBudgetLeavesRoomBeforeThePlatformDeadline(t *testing.T) {
	d := newDeps(t, &fakeStore{}, nil)
	d.RequestBudget = 8 * time.Second
	var deadline time.Time
	h := newServer(d).wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { deadline, _ = r.Context().Deadline() }))

	start := time.Now()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	if deadline.Before(start.Add(8*time.Second)) || deadline.After(time.Now().Add(8*time.Second)) {
		t.Errorf("deadline %v after start, want the 8 s budget", deadline.Sub(start))
	}

	platform := time.Now().Add(3 * time.Second)
	ctx, cancel := context.WithDeadline(context.Background(), platform)
	defer cancel()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequestWithContext(ctx, http.MethodGet, "/", nil))
	if !deadline.Equal(platform.Add(-budgetMargin)) {
		t.Errorf("deadline %v before the platform's, want %v", platform.Sub(deadline), budgetMargin)
	}
}

// failingStore lists documents until told to fail.
type failingStore struct {
	fakeStore
	failing bool
	calls   int
}

func (f *failingStore) ListDocuments(ctx context.Context) ([]trust.Document, error) {
	f.calls++
	if f.failing {
		return nil, trust.Unavailable(context.DeadlineExceeded)
	}
	return f.fakeStore.ListDocuments(ctx)
}

// TestStoreOutageServesTheLastPage: once the store fails, the trust page
// and trust.json are the last ones built, from the last document list,
// marked stale in the log and kept briefly by caches; the store is asked
// again only after a pause, and its recovery shows at once.
func TestStoreOutageServesTheLastPage(t *testing.T) {
	store := &failingStore{fakeStore: fakeStore{docs: []trust.Document{publicDoc}}}
	var log bytes.Buffer
	d := newDeps(t, &store.fakeStore, &log)
	d.Service = trust.New(trust.Config{BaseURL: "https://trust.example"}, trust.Engines{Store: store})
	s := newServer(d)
	now := time.Now()
	s.now = func() time.Time { return now }
	h := s.wrap(s.mux(Public))

	before := serve(h, http.MethodGet, "/", nil, nil)
	json := serve(h, http.MethodGet, "/trust.json", nil, nil)
	if before.Code != http.StatusOK || json.Code != http.StatusOK {
		t.Fatalf("with the store up: %d, %d", before.Code, json.Code)
	}

	store.failing = true
	now = now.Add(docsTTL)
	calls := store.calls
	for range 3 {
		res := serve(h, http.MethodGet, "/", nil, nil)
		if res.Code != http.StatusOK || res.Body.String() != before.Body.String() || res.Header().Get("ETag") != before.Header().Get("ETag") {
			t.Fatalf("with the store down: %d, want the last page", res.Code)
		}
		if cc := res.Header().Get("Cache-Control"); !strings.Contains(cc, "max-age=30,") {
			t.Errorf("stale page Cache-Control %q, want max-age=30", cc)
		}
	}
	if res := serve(h, http.MethodGet, "/trust.json", nil, nil); res.Code != http.StatusOK || res.Body.String() != json.Body.String() {
		t.Errorf("trust.json with the store down: %d", res.Code)
	}
	if got := store.calls - calls; got != 1 {
		t.Errorf("the failing store was asked %d times within %v, want once", got, staleRetry)
	}
	if n := strings.Count(log.String(), "serving stale documents"); n != 4 {
		t.Errorf("%d stale answers logged, want 4:\n%s", n, log.String())
	}

	store.failing = false
	store.docs = nil // the report was withdrawn meanwhile
	now = now.Add(staleRetry)
	after := serve(h, http.MethodGet, "/", nil, nil)
	if after.Code != http.StatusOK || after.Body.String() == before.Body.String() || strings.Contains(after.Header().Get("Cache-Control"), "max-age=30,") {
		t.Errorf("after the store is back: %d, Cache-Control %q; want a fresh page", after.Code, after.Header().Get("Cache-Control"))
	}
}
