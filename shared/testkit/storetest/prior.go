package storetest

import (
	"slices"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

// testPriorRequests: confirmed requests are found by address and by
// domain, newest first, with their status as it stands now; unconfirmed
// ones, other addresses and lookalike domains are not; bad arguments are
// EInvalid.
func testPriorRequests(t *testing.T, s trust.Store) {
	ctx := t.Context()
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour).In(plus5) }
	mk := func(id, email string, st trust.Status, h int) trust.Request {
		r := newRequest(id, st, at(h))
		r.Email = email
		return create(t, s, r)
	}
	mk("req-p-a", "ada@buyer.example", trust.Pending, 0)
	b := mk("req-p-b", "bob@buyer.example", trust.Pending, 1)
	mk("req-p-c", "ada@buyer.example", trust.Denied, 2)
	mk("req-p-d", "ada@buyer.example", trust.Unconfirmed, 3)
	mk("req-p-e", "eve@notbuyer.example", trust.Approved, 4)
	mk("req-p-f", "ada@buyer.example.evil", trust.Approved, 5)
	// A later write moves a request; the lookups see its new status.
	b.Status = trust.Approved
	commit(t, s, trust.Tx{Request: &b, IfVersion: b.Version})

	cases := []struct {
		by    trust.ContactField
		value string
		limit int
		want  []string
	}{
		{trust.ByEmail, "ada@buyer.example", 10, []string{"req-p-c", "req-p-a"}},
		{trust.ByDomain, "buyer.example", 10, []string{"req-p-c", "req-p-b", "req-p-a"}},
		{trust.ByDomain, "buyer.example", 2, []string{"req-p-c", "req-p-b"}},
		{trust.ByDomain, "example", 10, nil},
		{trust.ByEmail, "nobody@buyer.example", 10, nil},
	}
	for _, c := range cases {
		got, err := s.PriorRequests(ctx, c.by, c.value, c.limit)
		if err != nil {
			t.Fatalf("PriorRequests(%s, %s): %v", c.by, c.value, err)
		}
		if ids := requestIDs(got); !slices.Equal(ids, c.want) && !(len(ids) == 0 && len(c.want) == 0) {
			t.Errorf("PriorRequests(%s, %s, %d) = %v, want %v", c.by, c.value, c.limit, ids, c.want)
		}
		for _, r := range got {
			if r.ID == "req-p-b" && (r.Status != trust.Approved || r.Version != 2) {
				t.Errorf("req-p-b found as %s version %d, want approved version 2", r.Status, r.Version)
			}
		}
	}
	_, err := s.PriorRequests(ctx, "company", "buyer", 10)
	wantCode(t, err, trust.EInvalid, "PriorRequests by an unknown field")
	_, err = s.PriorRequests(ctx, trust.ByEmail, "", 10)
	wantCode(t, err, trust.EInvalid, "PriorRequests of an empty value")
	_, err = s.PriorRequests(ctx, trust.ByDomain, "buyer.example", 0)
	wantCode(t, err, trust.EInvalid, "PriorRequests limit 0")
}
