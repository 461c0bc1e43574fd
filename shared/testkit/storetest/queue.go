package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

// The console's queue and accounts: counters and accounts kept with every
// commit, and the keyed reads of QueryRequests and ListAccounts.

func queueTests() []struct {
	name string
	fn   func(t *testing.T, s trust.Store)
} {
	return []struct {
		name string
		fn   func(t *testing.T, s trust.Store)
	}{
		{"QueueCountsAndIndexes", testQueueCountsAndIndexes},
		{"GrantDayCounts", testGrantDayCounts},
		{"QueryRequestsArguments", testQueryRequestsArguments},
		{"Accounts", testAccounts},
	}
}

// move writes r with a new status over its stored version.
func move(t *testing.T, s trust.Store, r trust.Request, change func(*trust.Request)) trust.Request {
	t.Helper()
	next := r
	change(&next)
	commit(t, s, trust.Tx{Request: &next, IfVersion: r.Version})
	next.Version = r.Version + 1
	return next
}

// queueFixture stores requests from two domains in every status; the
// names say their status, the numbers their creation order.
func queueFixture(t *testing.T, s trust.Store, now time.Time) map[string]trust.Request {
	t.Helper()
	out := map[string]trust.Request{}
	add := func(id, email string, min int, status trust.Status, expires time.Time) {
		r := newRequest(id, trust.Unconfirmed, now.Add(time.Duration(min)*time.Minute))
		r.Email = email
		r = create(t, s, r)
		if status != trust.Unconfirmed {
			r = move(t, s, r, func(n *trust.Request) { n.Status = trust.Pending; n.ConfirmedAt = n.CreatedAt.Add(time.Second) })
		}
		switch status {
		case trust.Approved, trust.Revoked:
			r = move(t, s, r, func(n *trust.Request) {
				n.Status, n.GrantID, n.ExpiresAt, n.DecidedAt = trust.Approved, "g-"+id, expires, n.CreatedAt.Add(time.Minute)
			})
			if status == trust.Revoked {
				r = move(t, s, r, func(n *trust.Request) { n.Status, n.RevokedAt = trust.Revoked, n.CreatedAt.Add(2*time.Minute) })
			}
		case trust.Denied:
			r = move(t, s, r, func(n *trust.Request) { n.Status, n.DecidedAt = trust.Denied, n.CreatedAt.Add(time.Minute) })
		}
		out[id] = r
	}
	add("unconf-0", "una@a.example", -100, trust.Unconfirmed, time.Time{})
	add("pend-1", "pia@a.example", -90, trust.Pending, time.Time{})
	add("pend-2", "pat@b.example", -80, trust.Pending, time.Time{})
	add("pend-3", "pia@a.example", -70, trust.Pending, time.Time{})
	add("appr-4", "ann@a.example", -60, trust.Approved, now.Add(48*time.Hour))
	add("appr-5", "bob@b.example", -50, trust.Approved, now.Add(24*time.Hour))
	add("expd-6", "eve@a.example", -40, trust.Approved, now.Add(-time.Hour))
	add("expd-7", "eli@b.example", -30, trust.Approved, now.Add(-2*time.Hour))
	add("deny-8", "dan@a.example", -20, trust.Denied, time.Time{})
	add("revk-9", "rob@b.example", -10, trust.Revoked, now.Add(72*time.Hour))
	return out
}

// queryAll pages through q with limit, checking every page's size.
func queryAll(t *testing.T, s trust.Store, q trust.RequestQuery, limit int) []string {
	t.Helper()
	q.Limit = limit
	var ids []string
	for range 100 {
		reqs, next, err := s.QueryRequests(t.Context(), q)
		if err != nil {
			t.Fatalf("QueryRequests(%+v): %v", q, err)
		}
		if len(reqs) > limit || next != "" && len(reqs) != limit {
			t.Fatalf("QueryRequests(%+v): a page of %d with next %q", q, len(reqs), next)
		}
		ids = append(ids, requestIDs(reqs)...)
		if next == "" {
			return ids
		}
		q.Cursor = next
	}
	t.Fatalf("QueryRequests(%+v) does not end", q)
	return nil
}

func testQueueCountsAndIndexes(t *testing.T, s trust.Store) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	queueFixture(t, s, now)

	c, err := s.QueueCounts(t.Context(), now)
	if err != nil {
		t.Fatal(err)
	}
	want := trust.QueueCounts{Pending: 3, Approved: 2, Denied: 1, Revoked: 1, Expired: 2}
	if c != want {
		t.Errorf("QueueCounts = %+v, want %+v", c, want)
	}
	if c.All() != 9 {
		t.Errorf("All = %d, want 9 (the unconfirmed one left out)", c.All())
	}
	// A grant that has ended since moves from approved to expired.
	later, err := s.QueueCounts(t.Context(), now.Add(30*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if later.Approved != 1 || later.Expired != 3 {
		t.Errorf("QueueCounts 30 h later = %+v, want 1 approved and 3 expired", later)
	}

	for _, tc := range []struct {
		q    trust.RequestQuery
		want []string
	}{
		{trust.RequestQuery{Index: trust.ByStatus, Status: trust.Pending, Oldest: true}, []string{"pend-1", "pend-2", "pend-3"}},
		{trust.RequestQuery{Index: trust.ByStatus, Status: trust.Pending}, []string{"pend-3", "pend-2", "pend-1"}},
		{trust.RequestQuery{Index: trust.AllConfirmed}, []string{"revk-9", "deny-8", "expd-7", "expd-6", "appr-5", "appr-4", "pend-3", "pend-2", "pend-1"}},
		{trust.RequestQuery{Index: trust.AllConfirmed, Oldest: true}, []string{"pend-1", "pend-2", "pend-3", "appr-4", "appr-5", "expd-6", "expd-7", "deny-8", "revk-9"}},
		{trust.RequestQuery{Index: trust.DomainIndex, Domain: "a.example"}, []string{"deny-8", "expd-6", "appr-4", "pend-3", "pend-1"}},
		{trust.RequestQuery{Index: trust.DomainIndex, Domain: "b.example"}, []string{"revk-9", "expd-7", "appr-5", "pend-2"}},
		{trust.RequestQuery{Index: trust.DomainIndex, Domain: "nobody.example"}, nil},
		// By the end of the access period, latest first.
		{trust.RequestQuery{Index: trust.ActiveGrants, Now: now}, []string{"appr-4", "appr-5"}},
		{trust.RequestQuery{Index: trust.ExpiredGrants, Now: now}, []string{"expd-6", "expd-7"}},
		{trust.RequestQuery{Index: trust.ExpiredGrants, Now: now, Oldest: true}, []string{"expd-7", "expd-6"}},
	} {
		for _, limit := range []int{1, 2, 3, 100} {
			if got := queryAll(t, s, tc.q, limit); !slices.Equal(got, tc.want) {
				t.Errorf("QueryRequests(%+v) with pages of %d = %v, want %v", tc.q, limit, got, tc.want)
			}
		}
	}
}

func testQueryRequestsArguments(t *testing.T, s trust.Store) {
	now := time.Now().UTC()
	queueFixture(t, s, now)
	ctx := t.Context()
	for _, q := range []trust.RequestQuery{
		{Index: trust.AllConfirmed, Limit: 0},
		{Index: "nonsense", Limit: 5},
		{Index: trust.ByStatus, Status: "lost", Limit: 5},
		{Index: trust.DomainIndex, Limit: 5},
		{Index: trust.AllConfirmed, Limit: 5, Cursor: "not a cursor"},
	} {
		_, _, err := s.QueryRequests(ctx, q)
		wantCode(t, err, trust.EInvalid, fmt.Sprintf("QueryRequests(%+v)", q))
	}
	// A cursor handed out for one index is refused by another.
	_, next, err := s.QueryRequests(ctx, trust.RequestQuery{Index: trust.DomainIndex, Domain: "a.example", Limit: 1})
	if err != nil || next == "" {
		t.Fatalf("first page: next %q, %v", next, err)
	}
	for _, q := range []trust.RequestQuery{
		{Index: trust.DomainIndex, Domain: "b.example", Limit: 1, Cursor: next},
		{Index: trust.AllConfirmed, Limit: 1, Cursor: next},
		{Index: trust.ByStatus, Status: trust.Pending, Limit: 1, Cursor: next},
	} {
		_, _, err := s.QueryRequests(ctx, q)
		wantCode(t, err, trust.EInvalid, fmt.Sprintf("QueryRequests(%+v) with another index's cursor", q))
	}
	_, _, err = s.ListAccounts(ctx, "", 0)
	wantCode(t, err, trust.EInvalid, "ListAccounts with limit 0")
	_, _, err = s.ListAccounts(ctx, next, 1)
	wantCode(t, err, trust.EInvalid, "ListAccounts with a request cursor")
}

func testAccounts(t *testing.T, s trust.Store) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	reqs := queueFixture(t, s, now)
	ctx := t.Context()

	a, err := s.GetAccount(ctx, "a.example")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"ann@a.example", "dan@a.example", "eve@a.example", "pia@a.example"}; !slices.Equal(a.People, want) {
		t.Errorf("people = %v, want %v (the unconfirmed address left out)", a.People, want)
	}
	wantReqs := map[trust.Status]int{trust.Pending: 2, trust.Approved: 2, trust.Denied: 1}
	if fmt.Sprint(a.Requests) != fmt.Sprint(wantReqs) {
		t.Errorf("requests = %v, want %v", a.Requests, wantReqs)
	}
	if n := a.ActiveGrants(now); n != 1 {
		t.Errorf("active grants = %d, want 1", n)
	}
	b, err := s.GetAccount(ctx, "b.example")
	if err != nil {
		t.Fatal(err)
	}
	// The revoked grant is gone from the account's grants.
	if len(b.Grants) != 2 || b.ActiveGrants(now) != 1 {
		t.Errorf("b.example grants = %v, want appr-5 and expd-7", b.Grants)
	}
	if !b.LastActivity.Equal(reqs["revk-9"].RevokedAt) {
		t.Errorf("b.example last activity = %v, want the revocation %v", b.LastActivity, reqs["revk-9"].RevokedAt)
	}
	_, err = s.GetAccount(ctx, "nobody.example")
	wantCode(t, err, trust.ENotFound, "GetAccount of an unknown domain")

	// A download counts on the account and is its latest activity.
	at := now.Add(time.Minute)
	e := trust.Event{ID: "dl-1", Subject: "appr-4", Type: "document.downloaded", Actor: "ann@a.example", At: at}
	commit(t, s, trust.Tx{Events: []trust.Event{e}, DownloadBy: "ann@a.example"})
	a, err = s.GetAccount(ctx, "a.example")
	if err != nil {
		t.Fatal(err)
	}
	if a.Downloads != 1 || !a.LastActivity.Equal(at) {
		t.Errorf("after a download: %d downloads, last activity %v; want 1 at %v", a.Downloads, a.LastActivity, at)
	}

	for _, limit := range []int{1, 2, 10} {
		var domains []string
		cursor := ""
		for range 10 {
			accts, next, err := s.ListAccounts(ctx, cursor, limit)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range accts {
				domains = append(domains, a.Domain)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if want := []string{"a.example", "b.example"}; !slices.Equal(domains, want) {
			t.Errorf("ListAccounts by %d = %v, want %v (latest activity first)", limit, domains, want)
		}
	}
}
