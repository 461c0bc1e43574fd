// Package queuebench measures the console's queue page over any
// trust.Store engine holding many requests, so that both engines are
// measured by the same code on the same data.
package queuebench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"trustcenter/shared/app"
	"trustcenter/shared/local/contentfile"
	"trustcenter/shared/trust"
	"trustcenter/shared/web"
)

// Requests is how many requests the benchmark stores.
const Requests = 10_000

// Seed stores n confirmed requests from n/20 domains, in every status:
// a third pending, the rest spread over approved (some expired), denied
// and revoked. Writers run in parallel, as many approvers would.
func Seed(b *testing.B, st trust.Store, n int) {
	b.Helper()
	now := time.Now().UTC()
	var wg sync.WaitGroup
	errs := make(chan error, 1)
	const writers = 8
	for w := range writers {
		wg.Go(func() {
			for i := w; i < n; i += writers {
				if err := st.Commit(context.Background(), trust.Tx{Request: request(i, n, now)}); err != nil {
					select {
					case errs <- fmt.Errorf("seed request %d: %w", i, err):
					default:
					}
					return
				}
			}
		})
	}
	wg.Wait()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
}

func request(i, n int, now time.Time) *trust.Request {
	created := now.Add(-time.Duration(n-i) * time.Minute)
	r := &trust.Request{
		ID:          fmt.Sprintf("req_bench%06d", i),
		Name:        fmt.Sprintf("Person %d", i),
		Email:       fmt.Sprintf("p%d@customer%d.example", i, i%(n/20)),
		Company:     fmt.Sprintf("Customer %d Ltd", i%(n/20)),
		Documents:   []string{"soc2-type2-2026"},
		CreatedAt:   created,
		ConfirmedAt: created.Add(time.Minute),
		NDA:         trust.Acceptance{Version: "2026-01", Signature: "Person", AcceptedAt: created},
	}
	switch i % 6 {
	case 0, 1:
		r.Status = trust.Pending
	case 2, 3:
		r.Status, r.GrantID, r.DecidedAt = trust.Approved, "grant_"+r.ID, created.Add(time.Hour)
		r.ExpiresAt = r.DecidedAt.Add(time.Duration(i%60-20) * 24 * time.Hour)
	case 4:
		r.Status, r.DecidedAt, r.DenyReason = trust.Denied, created.Add(time.Hour), "no"
	default:
		r.Status, r.GrantID, r.DecidedAt, r.RevokedAt = trust.Revoked, "grant_"+r.ID, created.Add(time.Hour), created.Add(2*time.Hour)
	}
	return r
}

// Pages benchmarks GET of the queue's pages, signed in, through the admin
// function's handler on st, which Seed filled.
func Pages(b *testing.B, st trust.Store) {
	b.Helper()
	b.Setenv("TRUST_STAFF", "admin@trust.localhost")
	cfg, err := app.FromEnv()
	if err != nil {
		b.Fatal(err)
	}
	site, err := contentfile.Example()
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := app.NewService(cfg, site, nil, trust.Engines{Store: st, Log: log})
	now := time.Now()
	sess := trust.Session{ID: trust.SessionKey("bench-session"), Email: "admin@trust.localhost", Role: trust.Admin, CSRF: "c", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := st.Commit(context.Background(), trust.Tx{Session: &sess}); err != nil {
		b.Fatal(err)
	}
	h := web.New(web.Deps{Service: svc, Site: site, Log: log}, web.Admin)
	for _, pg := range []struct{ name, path, want string }{
		{"pending", "/admin/requests?status=pending", "waiting"},
		{"all", "/admin/requests?status=all", "Person"},
		{"expired", "/admin/requests?status=expired", "Person"},
		{"search-domain", "/admin/requests?status=all&q=customer7.example", "customer7.example"},
		{"search-name", "/admin/requests?status=all&q=person+9999", "Person 9999"},
		{"accounts", "/admin/accounts", "customer"},
	} {
		b.Run(pg.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, pg.path, nil)
			req.AddCookie(&http.Cookie{Name: "tc_session", Value: "bench-session"})
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), pg.want) {
				b.Fatalf("%s: %d, no %q", pg.path, rec.Code, pg.want)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
			}
			b.ReportMetric(float64(rec.Body.Len()), "page-B")
		})
	}
}
