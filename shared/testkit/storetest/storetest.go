// Package storetest is the contract every trust.Store engine must pass. The
// bbolt engine runs it against a temporary file and the DynamoDB engine against
// DynamoDB Local, so the assertions are about what callers can observe, never
// about how an engine lays out its data. Item counts stay well below the 100
// items a DynamoDB transaction may hold.
package storetest

import (
	"encoding/base64"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

// Run runs the contract as subtests, each on a fresh, empty store from open.
// open is responsible for cleaning the store up (t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) trust.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s trust.Store)
	}{
		{"CommitVersions", testCommitVersions},
		{"RequestRoundTrip", testRequestRoundTrip},
		{"Atomicity", testAtomicity},
		{"EmptyIDs", testEmptyIDs},
		{"ConcurrentCommit", testConcurrentCommit},
		{"Uses", testUses},
		{"Sessions", testSessions},
		{"ListRequests", testListRequests},
		{"ListRequestsCursorSurvivesStatusChange", testListRequestsCursorSurvivesStatusChange},
		{"ListRequestsBadCursor", testListRequestsBadCursor},
		{"ListRequestsArguments", testListRequestsArguments},
		{"ListEvents", testListEvents},
		{"EventsAreNotRewritten", testEventsAreNotRewritten},
		{"Documents", testDocuments},
		{"DocumentVersions", testDocumentVersions},
		{"Mails", testMails},
		{"MailsAreNotRewritten", testMailsAreNotRewritten},
		{"MarkMailSent", testMarkMailSent},
		{"MailAttempts", testMailAttempts},
		{"MailUndeliverable", testMailUndeliverable},
		{"Suppressions", testSuppressions},
		{"Hit", testHit},
		{"HitBadWindow", testHitBadWindow},
		{"HitConcurrent", testHitConcurrent},
		{"PurgeAt", testPurgeAt},
		{"DownloadCounts", testDownloadCounts},
		{"DownloadCountArguments", testDownloadCountArguments},
		{"DownloadCountConcurrent", testDownloadCountConcurrent},
		{"Copies", testCopies},
		{"ConcurrentCopies", testConcurrentCopies},
		{"Rules", testRules},
		{"RequestsSince", testRequestsSince},
		{"NDAVersions", testNDAVersions}, {"Acceptances", testAcceptances}, {"Erasure", testErasure},
		{"PriorRequests", testPriorRequests},
		{"Subscriptions", testSubscriptions},
		{"MailHealth", testMailHealth},
	}
	tests = append(tests, queueTests()...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

// t0 has nanoseconds so that engines which lose precision, or which sort
// times as text without fixed width, fail visibly.
var t0 = time.Date(2025, 3, 14, 9, 26, 53, 589793238, time.UTC)

// plus5 checks that engines order and compare instants, not wall-clock text.
var plus5 = time.FixedZone("UTC+5", 5*60*60)

// future is for expiry times: engines backed by a TTL may treat items that
// have expired by the real clock as gone, which these tests do not want.
func future() time.Time {
	return time.Now().Add(24 * time.Hour).Truncate(time.Second)
}

func newRequest(id string, status trust.Status, created time.Time) trust.Request {
	return trust.Request{
		ID:        id,
		Name:      "Ada Lovelace",
		Email:     "ada@example.com",
		Company:   "Analytical Engines Ltd",
		Reason:    "Vendor security review",
		Documents: []string{"soc2-2024", "pentest-2024"},
		NDA: trust.Acceptance{
			Version:    "2024-01",
			TextSHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
			Signature:  "Ada Lovelace",
			AcceptedAt: created,
			IP:         "203.0.113.7",
			UserAgent:  "Mozilla/5.0 (X11; Linux x86_64)",
		},
		Status:    status,
		CreatedAt: created,
	}
}

func commit(t *testing.T, s trust.Store, tx trust.Tx) {
	t.Helper()
	if err := s.Commit(t.Context(), tx); err != nil {
		t.Fatalf("Commit: %v", err)
	}
}

// create stores r as a new request and returns it as stored.
func create(t *testing.T, s trust.Store, r trust.Request) trust.Request {
	t.Helper()
	commit(t, s, trust.Tx{Request: &r})
	r.Version = 1
	return r
}

func wantCode(t *testing.T, err error, want trust.Code, what string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got no error, want %s", what, want)
	}
	if got := trust.ErrorCode(err); got != want {
		t.Fatalf("%s: got %v (code %s), want code %s", what, err, got, want)
	}
}

func getRequest(t *testing.T, s trust.Store, id string) trust.Request {
	t.Helper()
	r, err := s.GetRequest(t.Context(), id)
	if err != nil {
		t.Fatalf("GetRequest(%q): %v", id, err)
	}
	return r
}

// The normalizers make values comparable with reflect.DeepEqual: an instant
// may come back in another location, and an empty list may come back nil.

func normRequest(r trust.Request) trust.Request {
	r.CreatedAt = r.CreatedAt.UTC()
	r.ConfirmedAt = r.ConfirmedAt.UTC()
	r.DecidedAt = r.DecidedAt.UTC()
	r.ExpiresAt = r.ExpiresAt.UTC()
	r.RevokedAt = r.RevokedAt.UTC()
	r.PurgeAt = r.PurgeAt.UTC()
	r.NDA.AcceptedAt = r.NDA.AcceptedAt.UTC()
	if len(r.Documents) == 0 {
		r.Documents = nil
	}
	return r
}

func normDocument(d trust.Document) trust.Document {
	d.PeriodStart = d.PeriodStart.UTC()
	d.PeriodEnd = d.PeriodEnd.UTC()
	d.IssuedAt = d.IssuedAt.UTC()
	d.UpdatedAt = d.UpdatedAt.UTC()
	if d.History != nil {
		d.History = slices.Clone(d.History)
		for i := range d.History {
			d.History[i].At = d.History[i].At.UTC()
		}
	}
	return d
}

func normSession(s trust.Session) trust.Session {
	s.CreatedAt = s.CreatedAt.UTC()
	s.ExpiresAt = s.ExpiresAt.UTC()
	return s
}

func normEvent(e trust.Event) trust.Event {
	e.At = e.At.UTC()
	return e
}

func normMail(m trust.Mail) trust.Mail {
	m.CreatedAt = m.CreatedAt.UTC()
	m.NextAttemptAt, m.SendingAt = m.NextAttemptAt.UTC(), m.SendingAt.UTC()
	return m
}

func equal[T any](t *testing.T, what string, got, want T, norm func(T) T) {
	t.Helper()
	if g, w := norm(got), norm(want); !reflect.DeepEqual(g, w) {
		t.Fatalf("%s:\n got  %+v\n want %+v", what, g, w)
	}
}

func equalAll[T any](t *testing.T, what string, got, want []T, norm func(T) T) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d items, want %d:\n got  %+v\n want %+v", what, len(got), len(want), got, want)
	}
	for i := range got {
		equal(t, fmt.Sprintf("%s[%d]", what, i), got[i], want[i], norm)
	}
}

func requestIDs(rs []trust.Request) []string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return ids
}

func testCommitVersions(t *testing.T, s trust.Store) {
	ctx := t.Context()
	r := newRequest("req-1", trust.Unconfirmed, t0)
	r.Version = 42 // the engine derives the version from IfVersion, not from this
	commit(t, s, trust.Tx{Request: &r, IfVersion: 0})

	got := getRequest(t, s, "req-1")
	if got.Version != 1 {
		t.Fatalf("created request: Version = %d, want 1", got.Version)
	}

	again := newRequest("req-1", trust.Pending, t0.Add(time.Hour))
	wantCode(t, s.Commit(ctx, trust.Tx{Request: &again, IfVersion: 0}), trust.EConflict, "creating an existing request")
	equal(t, "after a failed create", getRequest(t, s, "req-1"), got, normRequest)

	upd := got
	upd.Status = trust.Pending
	upd.ConfirmedAt = t0.Add(time.Minute)
	commit(t, s, trust.Tx{Request: &upd, IfVersion: 1})
	stored := getRequest(t, s, "req-1")
	upd.Version = 2
	equal(t, "after an update", stored, upd, normRequest)

	for _, tc := range []struct {
		name      string
		ifVersion int64
	}{
		{"stale", 1},
		{"ahead", 3},
		{"none", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := stored
			bad.Status = trust.Denied
			bad.DenyReason = "should not land"
			wantCode(t, s.Commit(ctx, trust.Tx{Request: &bad, IfVersion: tc.ifVersion}), trust.EConflict, "update with wrong IfVersion")
			equal(t, "after a failed update", getRequest(t, s, "req-1"), stored, normRequest)
		})
	}

	missing := newRequest("req-missing", trust.Pending, t0)
	wantCode(t, s.Commit(ctx, trust.Tx{Request: &missing, IfVersion: 1}), trust.EConflict, "updating a request that does not exist")
	_, err := s.GetRequest(ctx, "req-missing")
	wantCode(t, err, trust.ENotFound, "GetRequest after a failed update of a missing request")
}

func testRequestRoundTrip(t *testing.T, s trust.Store) {
	ctx := t.Context()
	_, err := s.GetRequest(ctx, "req-unknown")
	wantCode(t, err, trust.ENotFound, "GetRequest of an unknown id")

	full := newRequest("req-full", trust.Revoked, t0)
	full.ConfirmedAt = t0.Add(3 * time.Minute).In(plus5)
	full.DecidedAt = t0.Add(2 * time.Hour)
	full.DecidedBy = "approver@example.com"
	full.GrantID = "grant-7"
	full.ExpiresAt = t0.AddDate(0, 0, 30)
	full.RevokedAt = t0.AddDate(0, 0, 3).Add(17 * time.Nanosecond)
	full.RevokedBy = "admin@example.com"
	full.Documents = []string{"soc2-2024", "pentest-2024", "iso27001"}

	minimal := trust.Request{ID: "req-min", Email: "min@example.com", Status: trust.Unconfirmed, CreatedAt: t0}

	denied := newRequest("req-denied", trust.Denied, t0.In(plus5))
	denied.Documents = []string{}
	denied.DecidedAt = t0.Add(time.Hour)
	denied.DecidedBy = "approver@example.com"
	denied.DenyReason = "Unknown company — “ünïcödé” and \"quotes\"\nnew line"

	for _, r := range []trust.Request{full, minimal, denied} {
		t.Run(r.ID, func(t *testing.T) {
			want := create(t, s, r)
			got := getRequest(t, s, r.ID)
			// DeepEqual after normalizing also catches a zero time that came
			// back as 1970 or as some other non-zero instant.
			equal(t, "round trip", got, want, normRequest)
		})
	}
}

// testAtomicity commits transactions that must fail as a whole and checks
// that none of their parts landed.
func testAtomicity(t *testing.T, s trust.Store) {
	ctx := t.Context()
	exp := future()
	orig := create(t, s, newRequest("req-a", trust.Pending, t0))
	commit(t, s, trust.Tx{Uses: []trust.Use{{ID: "use-spent", ExpiresAt: exp}}})

	changed := orig
	changed.Status = trust.Approved
	changed.DecidedAt = t0.Add(time.Hour)
	changed.DecidedBy = "approver@example.com"

	for _, tc := range []struct {
		name      string
		request   *trust.Request
		ifVersion int64
		spent     bool // include the already consumed use
	}{
		{"request exists but IfVersion 0", &changed, 0, false},
		{"stale IfVersion", &changed, 2, false},
		{"use already consumed", &changed, 1, true},
		{"use already consumed, no request", nil, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fresh := []trust.Use{
				{ID: "use-" + tc.name + "-1", ExpiresAt: exp},
				{ID: "use-" + tc.name + "-2", ExpiresAt: exp},
			}
			uses := slices.Clone(fresh)
			if tc.spent {
				uses = append(uses, trust.Use{ID: "use-spent", ExpiresAt: exp})
			}
			sess := trust.Session{ID: "sess-" + tc.name, Email: "approver@example.com", Role: trust.Approver, CSRF: "csrf", CreatedAt: t0, ExpiresAt: exp}
			tx := trust.Tx{
				Request:   tc.request,
				IfVersion: tc.ifVersion,
				Uses:      uses,
				Session:   &sess,
				Events: []trust.Event{
					{ID: "evt-" + tc.name + "-1", Subject: "req-a", Type: "approved", Actor: "approver@example.com", At: t0.Add(time.Hour)},
					{ID: "evt-" + tc.name + "-2", Subject: "staff:approver@example.com", Type: "signed_in", Actor: "approver@example.com", At: t0.Add(time.Hour)},
				},
				Mails: []trust.Mail{
					{ID: "mail-" + tc.name, To: "ada@example.com", Subject: "Approved", Text: "You may download.", CreatedAt: t0.Add(time.Hour)},
				},
			}
			wantCode(t, s.Commit(ctx, tx), trust.EConflict, "Commit")

			equal(t, "request after failed tx", getRequest(t, s, "req-a"), orig, normRequest)
			for _, subject := range []string{"req-a", "staff:approver@example.com"} {
				evs, err := s.ListEvents(ctx, subject)
				if err != nil {
					t.Fatalf("ListEvents(%q): %v", subject, err)
				}
				if len(evs) != 0 {
					t.Fatalf("ListEvents(%q) after failed tx: got %+v, want none", subject, evs)
				}
			}
			mails, err := s.PendingMails(ctx, 10)
			if err != nil {
				t.Fatalf("PendingMails: %v", err)
			}
			if len(mails) != 0 {
				t.Fatalf("PendingMails after failed tx: got %+v, want none", mails)
			}
			_, err = s.GetSession(ctx, sess.ID)
			wantCode(t, err, trust.ENotFound, "GetSession after failed tx")
			// The fresh uses must still be unconsumed.
			commit(t, s, trust.Tx{Uses: fresh})
		})
	}
}

// testConcurrentCommit races writers that all read the same version: the
// optimistic lock must let exactly one win, with exactly its side effects.
func testConcurrentCommit(t *testing.T, s trust.Store) {
	const n = 20
	ctx := t.Context()
	orig := create(t, s, newRequest("req-race", trust.Pending, t0))

	errs := race(n, func(i int) error {
		r := orig
		r.Status = trust.Approved
		r.DecidedBy = fmt.Sprintf("approver-%d@example.com", i)
		r.DecidedAt = t0.Add(time.Duration(i+1) * time.Second)
		return s.Commit(ctx, trust.Tx{
			Request:   &r,
			IfVersion: orig.Version,
			Events: []trust.Event{{
				ID: fmt.Sprintf("evt-%d", i), Subject: r.ID, Type: "approved", Actor: r.DecidedBy, At: r.DecidedAt,
			}},
			Mails: []trust.Mail{{
				ID: fmt.Sprintf("mail-%d", i), To: r.Email, Subject: "Approved", Text: r.DecidedBy, CreatedAt: r.DecidedAt,
			}},
		})
	})
	winner := oneWinner(t, "writer", errs)

	got := getRequest(t, s, "req-race")
	if want := fmt.Sprintf("approver-%d@example.com", winner); got.Version != 2 || got.DecidedBy != want || got.Status != trust.Approved {
		t.Fatalf("request after race: Version %d, DecidedBy %q, Status %q; want 2, %q, approved", got.Version, got.DecidedBy, got.Status, want)
	}
	evs, err := s.ListEvents(ctx, "req-race")
	if err != nil {
		t.Fatalf("ListEvents: %v", err)
	}
	if len(evs) != 1 || evs[0].ID != fmt.Sprintf("evt-%d", winner) {
		t.Fatalf("events after race: got %+v, want only evt-%d", evs, winner)
	}
	mails, err := s.PendingMails(ctx, 2*n)
	if err != nil {
		t.Fatalf("PendingMails: %v", err)
	}
	if len(mails) != 1 || mails[0].ID != fmt.Sprintf("mail-%d", winner) {
		t.Fatalf("mails after race: got %+v, want only mail-%d", mails, winner)
	}
}

func testUses(t *testing.T, s trust.Store) {
	ctx := t.Context()
	exp := future()
	use := func(ids ...string) trust.Tx {
		var tx trust.Tx
		for _, id := range ids {
			tx.Uses = append(tx.Uses, trust.Use{ID: id, ExpiresAt: exp})
		}
		return tx
	}
	for _, step := range []struct {
		ids  []string
		want trust.Code // "" for success
	}{
		{[]string{"tok-1"}, ""},
		{[]string{"tok-1"}, trust.EConflict},
		{[]string{"tok-2"}, ""},
		{[]string{"tok-3", "tok-4"}, ""},
		{[]string{"tok-3"}, trust.EConflict},
		{[]string{"tok-4"}, trust.EConflict},
		{[]string{"tok-5", "tok-2"}, trust.EConflict},
		{[]string{"tok-5"}, ""},
	} {
		err := s.Commit(ctx, use(step.ids...))
		what := fmt.Sprintf("consuming %v", step.ids)
		if step.want == "" {
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			continue
		}
		wantCode(t, err, step.want, what)
	}

	// A use consumed alongside a request write is consumed too.
	r := newRequest("req-u", trust.Unconfirmed, t0)
	commit(t, s, trust.Tx{Request: &r, Uses: []trust.Use{{ID: "tok-confirm", ExpiresAt: exp}}})
	wantCode(t, s.Commit(ctx, use("tok-confirm")), trust.EConflict, "reusing a use consumed with a request")
}

func testSessions(t *testing.T, s trust.Store) {
	ctx := t.Context()
	_, err := s.GetSession(ctx, "sess-unknown")
	wantCode(t, err, trust.ENotFound, "GetSession of an unknown id")

	sess := trust.Session{
		ID:        "sess-1",
		Email:     "admin@example.com",
		Role:      trust.Admin,
		CSRF:      "c5rf-t0k3n",
		CreatedAt: t0.In(plus5),
		ExpiresAt: future(),
	}
	signIn := trust.Event{ID: "evt-signin", Subject: "staff:admin@example.com", Type: "signed_in", Actor: "admin@example.com", At: t0, IP: "198.51.100.2"}
	commit(t, s, trust.Tx{Session: &sess, Events: []trust.Event{signIn}})

	got, err := s.GetSession(ctx, "sess-1")
	if err != nil {
		t.Fatalf("GetSession: %v", err)
	}
	equal(t, "session", got, sess, normSession)
	evs, err := s.ListEvents(ctx, signIn.Subject)
	if err != nil {
		t.Fatalf("ListEvents: %v", err)
	}
	equalAll(t, "events with the session", evs, []trust.Event{signIn}, normEvent)

	other := sess
	other.ID = "sess-2"
	commit(t, s, trust.Tx{Session: &other})

	if err := s.DeleteSession(ctx, "sess-1"); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	_, err = s.GetSession(ctx, "sess-1")
	wantCode(t, err, trust.ENotFound, "GetSession after DeleteSession")
	if _, err := s.GetSession(ctx, "sess-2"); err != nil {
		t.Fatalf("GetSession of the other session after DeleteSession: %v", err)
	}

	// Signing out twice, or with a session that never existed, is not an
	// error.
	for _, id := range []string{"sess-1", "never-existed", "never-existed"} {
		if err := s.DeleteSession(ctx, id); err != nil {
			t.Fatalf("DeleteSession(%q) of a session that is not there: %v", id, err)
		}
	}
	if _, err := s.GetSession(ctx, "sess-2"); err != nil {
		t.Fatalf("GetSession of the other session after deleting unknown ones: %v", err)
	}
}

// listAll walks every page of ListRequests and checks the page contract.
func listAll(t *testing.T, s trust.Store, status trust.Status, limit int) []trust.Request {
	t.Helper()
	var all []trust.Request
	cursor := ""
	for page := 0; ; page++ {
		if page > 100 {
			t.Fatalf("ListRequests(%s, limit %d): more than 100 pages; the cursor does not advance", status, limit)
		}
		reqs, next, err := s.ListRequests(t.Context(), status, cursor, limit)
		if err != nil {
			t.Fatalf("ListRequests(%s, page %d, limit %d): %v", status, page, limit, err)
		}
		if len(reqs) > limit {
			t.Fatalf("ListRequests(%s, page %d, limit %d): got %d items", status, page, limit, len(reqs))
		}
		if next != "" && len(reqs) == 0 {
			t.Fatalf("ListRequests(%s, page %d, limit %d): empty page with a next cursor", status, page, limit)
		}
		if page > 0 && len(reqs) == 0 {
			// A cursor must only be handed out when more items follow.
			t.Fatalf("ListRequests(%s, page %d, limit %d): the previous page's cursor led to an empty page", status, page, limit)
		}
		all = append(all, reqs...)
		if next == "" {
			return all
		}
		cursor = next
	}
}

func testListRequests(t *testing.T, s trust.Store) {
	ctx := t.Context()
	// Creation times include whole seconds next to fractions of the same
	// second and an instant written in another zone, in an order that is
	// neither sorted nor reversed.
	pending := []struct {
		id string
		at time.Time
	}{
		{"p-c", time.Date(2025, 5, 1, 10, 0, 1, 0, time.UTC)},
		{"p-a", time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)},
		{"p-g", time.Date(2025, 5, 1, 16, 0, 2, 1, plus5)}, // 11:00:02.000000001 UTC
		{"p-b", time.Date(2025, 5, 1, 10, 0, 0, 500_000_000, time.UTC)},
		{"p-e", time.Date(2025, 5, 1, 10, 0, 1, 250_000_000, time.UTC)},
		{"p-f", time.Date(2025, 5, 1, 11, 0, 2, 0, time.UTC)},
		{"p-old", time.Date(2024, 12, 31, 23, 59, 59, 999_999_999, time.UTC)},
	}
	wantPending := []string{"p-g", "p-f", "p-e", "p-c", "p-b", "p-a", "p-old"}
	for _, p := range pending {
		create(t, s, newRequest(p.id, trust.Pending, p.at))
	}
	create(t, s, newRequest("a-1", trust.Approved, t0))
	create(t, s, newRequest("a-2", trust.Approved, t0.Add(time.Hour)))
	create(t, s, newRequest("d-1", trust.Denied, t0.Add(2*time.Hour)))

	reqs, next, err := s.ListRequests(ctx, trust.Pending, "", 100)
	if err != nil {
		t.Fatalf("ListRequests: %v", err)
	}
	if next != "" {
		t.Fatalf("ListRequests with a large limit: next = %q, want \"\"", next)
	}
	if got := requestIDs(reqs); !slices.Equal(got, wantPending) {
		t.Fatalf("ListRequests(pending): got %v, want %v", got, wantPending)
	}
	for _, r := range reqs {
		if r.Status != trust.Pending || r.Version != 1 {
			t.Fatalf("ListRequests(pending) returned %s with status %q version %d", r.ID, r.Status, r.Version)
		}
	}
	equal(t, "listed request", reqs[0], getRequest(t, s, "p-g"), normRequest)

	for _, limit := range []int{1, 2, 3, 7, 8} {
		t.Run(fmt.Sprintf("limit=%d", limit), func(t *testing.T) {
			if got := requestIDs(listAll(t, s, trust.Pending, limit)); !slices.Equal(got, wantPending) {
				t.Fatalf("paged ListRequests(pending): got %v, want %v", got, wantPending)
			}
		})
	}

	for _, tc := range []struct {
		status trust.Status
		want   []string
	}{
		{trust.Approved, []string{"a-2", "a-1"}},
		{trust.Denied, []string{"d-1"}},
		{trust.Revoked, nil},
		{trust.Unconfirmed, nil},
	} {
		if got := requestIDs(listAll(t, s, tc.status, 2)); !slices.Equal(got, tc.want) {
			t.Fatalf("ListRequests(%s): got %v, want %v", tc.status, got, tc.want)
		}
	}

	// Approving a request moves it from one list to the other.
	moved := getRequest(t, s, "p-e")
	moved.Status = trust.Approved
	moved.DecidedAt = t0
	commit(t, s, trust.Tx{Request: &moved, IfVersion: moved.Version})
	if got, want := requestIDs(listAll(t, s, trust.Pending, 3)), []string{"p-g", "p-f", "p-c", "p-b", "p-a", "p-old"}; !slices.Equal(got, want) {
		t.Fatalf("pending after approving p-e: got %v, want %v", got, want)
	}
	approved := listAll(t, s, trust.Approved, 2)
	if got, want := requestIDs(approved), []string{"p-e", "a-2", "a-1"}; !slices.Equal(got, want) {
		t.Fatalf("approved after approving p-e: got %v, want %v", got, want)
	}
	if approved[0].Version != 2 || approved[0].Status != trust.Approved {
		t.Fatalf("moved request listed as version %d status %q, want 2 approved", approved[0].Version, approved[0].Status)
	}
}

// testListRequestsCursorSurvivesStatusChange pages through a queue while an
// approver acts on the last item of the page already shown.
func testListRequestsCursorSurvivesStatusChange(t *testing.T, s trust.Store) {
	ctx := t.Context()
	for i := range 5 {
		create(t, s, newRequest(fmt.Sprintf("p-%d", i), trust.Pending, t0.Add(time.Duration(i)*time.Minute)))
	}
	page, next, err := s.ListRequests(ctx, trust.Pending, "", 2)
	if err != nil {
		t.Fatalf("ListRequests: %v", err)
	}
	if got, want := requestIDs(page), []string{"p-4", "p-3"}; !slices.Equal(got, want) || next == "" {
		t.Fatalf("first page: got %v next %q, want %v and a cursor", got, next, want)
	}
	r := page[1]
	r.Status = trust.Approved
	commit(t, s, trust.Tx{Request: &r, IfVersion: r.Version})

	page, next, err = s.ListRequests(ctx, trust.Pending, next, 10)
	if err != nil {
		t.Fatalf("ListRequests after the cursor's item moved: %v", err)
	}
	if got, want := requestIDs(page), []string{"p-2", "p-1", "p-0"}; !slices.Equal(got, want) || next != "" {
		t.Fatalf("second page: got %v next %q, want %v and no cursor", got, next, want)
	}
}

func testListRequestsBadCursor(t *testing.T, s trust.Store) {
	for i := range 3 {
		create(t, s, newRequest(fmt.Sprintf("p-%d", i), trust.Pending, t0.Add(time.Duration(i)*time.Minute)))
	}
	for _, cursor := range []string{
		"%%%not-base64%%%",
		"not a cursor",
		base64.RawURLEncoding.EncodeToString([]byte("garbage")),
		base64.RawURLEncoding.EncodeToString([]byte{0xff, 0x00, 0xfe, 0x01}),
	} {
		_, _, err := s.ListRequests(t.Context(), trust.Pending, cursor, 2)
		wantCode(t, err, trust.EInvalid, fmt.Sprintf("ListRequests with cursor %q", cursor))
	}
	// Far longer than any cursor an engine hands out.
	_, _, err := s.ListRequests(t.Context(), trust.Pending, strings.Repeat("A", 5000), 1)
	wantCode(t, err, trust.EInvalid, "ListRequests with an oversized cursor")
}

// testListRequestsArguments: arguments no engine can act on are the
// caller's mistake, EInvalid, never an empty page or an engine failure.
func testListRequestsArguments(t *testing.T, s trust.Store) {
	ctx := t.Context()
	for i := range 3 {
		create(t, s, newRequest(fmt.Sprintf("p%d", i), trust.Pending, t0.Add(time.Duration(i)*time.Second)))
		create(t, s, newRequest(fmt.Sprintf("d%d", i), trust.Denied, t0.Add(time.Duration(i)*time.Second)))
	}
	_, next, err := s.ListRequests(ctx, trust.Denied, "", 1)
	if err != nil || next == "" {
		t.Fatalf("first denied page: next %q, err %v", next, err)
	}
	// A cursor is tied to its status: replayed on another queue it would
	// start at a key outside that queue.
	_, _, err = s.ListRequests(ctx, trust.Pending, next, 1)
	wantCode(t, err, trust.EInvalid, "a denied cursor on the pending queue")

	for _, status := range []trust.Status{"bogus", "", "Pending", "pending\x00"} {
		_, _, err := s.ListRequests(ctx, status, "", 1)
		wantCode(t, err, trust.EInvalid, fmt.Sprintf("ListRequests of unknown status %q", status))
	}
	for _, limit := range []int{0, -1} {
		_, _, err := s.ListRequests(ctx, trust.Pending, "", limit)
		wantCode(t, err, trust.EInvalid, fmt.Sprintf("ListRequests with limit %d", limit))
	}
}

func testListEvents(t *testing.T, s trust.Store) {
	ctx := t.Context()
	evs, err := s.ListEvents(ctx, "req-none")
	if err != nil {
		t.Fatalf("ListEvents of an unknown subject: %v", err)
	}
	if len(evs) != 0 {
		t.Fatalf("ListEvents of an unknown subject: got %+v", evs)
	}

	ev := func(id, subject string, at time.Time) trust.Event {
		return trust.Event{ID: id, Subject: subject, Type: "downloaded", Actor: "ada@example.com", At: at, Detail: "soc2-2024 v3", IP: "203.0.113.7"}
	}
	whole := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	a1 := ev("e-a1", "req-a", whole)
	a2 := ev("e-a2", "req-a", whole.Add(500*time.Millisecond))
	a3 := ev("e-a3", "req-a", whole.Add(time.Second).In(plus5))
	a4 := ev("e-a4", "req-a", whole.Add(time.Hour))
	b1 := ev("e-b1", "req-b", whole.Add(time.Minute))
	// The prefix-sharing subject catches engines that match subjects by prefix.
	ab := ev("e-ab", "req-ab", whole.Add(-time.Hour))

	r := newRequest("req-a", trust.Pending, whole)
	commit(t, s, trust.Tx{Events: []trust.Event{a4}})
	commit(t, s, trust.Tx{Request: &r, Events: []trust.Event{a2, b1}})
	commit(t, s, trust.Tx{Events: []trust.Event{a3, ab, a1}})

	for _, tc := range []struct {
		subject string
		want    []trust.Event
	}{
		{"req-a", []trust.Event{a1, a2, a3, a4}},
		{"req-b", []trust.Event{b1}},
		{"req-ab", []trust.Event{ab}},
		{"req", nil},
	} {
		got, err := s.ListEvents(ctx, tc.subject)
		if err != nil {
			t.Fatalf("ListEvents(%q): %v", tc.subject, err)
		}
		equalAll(t, "ListEvents("+tc.subject+")", got, tc.want, normEvent)
	}
}

// testEmptyIDs: an item without its id (or an event without its subject)
// is an argument no engine could act on, EInvalid whatever the storage
// underneath would have made of it, and nothing of its Tx lands.
func testEmptyIDs(t *testing.T, s trust.Store) {
	ctx := t.Context()
	exp := future()
	for i, tc := range []struct {
		name string
		tx   trust.Tx
	}{
		{"a request without an id", trust.Tx{Request: &trust.Request{Email: "ada@example.com", Status: trust.Pending, CreatedAt: t0}}},
		{"a document without an id", trust.Tx{Document: &trust.Document{Title: "SOC 3", Access: trust.Public, Version: 1}}},
		{"a use without an id", trust.Tx{Uses: []trust.Use{{ExpiresAt: exp}}}},
		{"a session without an id", trust.Tx{Session: &trust.Session{Email: "admin@example.com", Role: trust.Admin, ExpiresAt: exp}}},
		{"an event without an id", trust.Tx{Events: []trust.Event{{Subject: "req-a", Type: "approved", At: t0}}}},
		{"an event without a subject", trust.Tx{Events: []trust.Event{{ID: "e1", Type: "approved", At: t0}}}},
		{"a mail without an id", trust.Tx{Mails: []trust.Mail{{To: "ada@example.com", CreatedAt: t0}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tx := tc.tx
			// A valid mail beside the bad item, which must not land either.
			tx.Mails = append(tx.Mails, trust.Mail{ID: fmt.Sprintf("mail-%d", i), To: "ada@example.com", CreatedAt: t0})
			wantCode(t, s.Commit(ctx, tx), trust.EInvalid, "Commit of "+tc.name)
			ms, err := s.PendingMails(ctx, 10)
			if err != nil {
				t.Fatalf("PendingMails: %v", err)
			}
			if len(ms) != 0 {
				t.Fatalf("mails after the refused Tx: %+v, want none", ms)
			}
		})
	}
	docs, err := s.ListDocuments(ctx)
	if err != nil || len(docs) != 0 {
		t.Fatalf("documents after the refused Txs: %+v (%v), want none", docs, err)
	}
	reqs, _, err := s.ListRequests(ctx, trust.Pending, "", 10)
	if err != nil || len(reqs) != 0 {
		t.Fatalf("requests after the refused Txs: %+v (%v), want none", reqs, err)
	}
}

// testEventsAreNotRewritten: the audit trail is append-only. An event
// (subject, time, id) committed again, or twice in one Tx, is refused with
// the whole Tx, and the recorded event stays as it was.
func testEventsAreNotRewritten(t *testing.T, s trust.Store) {
	ctx := t.Context()
	exp := future()
	orig := trust.Event{ID: "e1", Subject: "req-a", Type: "approved", Actor: "approver@example.com", At: t0, Detail: "original"}
	commit(t, s, trust.Tx{Events: []trust.Event{orig}})
	forged := orig
	forged.Type, forged.Actor, forged.Detail = "denied", "mallory@example.com", "rewritten"
	fresh := trust.Event{ID: "e2", Subject: "req-a", Type: "downloaded", Actor: "ada@example.com", At: t0.Add(time.Minute)}

	for _, tc := range []struct {
		name   string
		events []trust.Event
	}{
		{"recorded event again", []trust.Event{forged}},
		{"recorded event again next to a new one", []trust.Event{fresh, forged}},
		{"one new event twice in one Tx", []trust.Event{fresh, fresh}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			use := trust.Use{ID: "use-" + tc.name, ExpiresAt: exp}
			mail := trust.Mail{ID: "mail-" + tc.name, To: "ada@example.com", CreatedAt: t0}
			wantCode(t, s.Commit(ctx, trust.Tx{Events: tc.events, Uses: []trust.Use{use}, Mails: []trust.Mail{mail}}), trust.EConflict, "Commit")

			evs, err := s.ListEvents(ctx, "req-a")
			if err != nil {
				t.Fatalf("ListEvents: %v", err)
			}
			equalAll(t, "events after the refused Tx", evs, []trust.Event{orig}, normEvent)
			ms, err := s.PendingMails(ctx, 10)
			if err != nil {
				t.Fatalf("PendingMails: %v", err)
			}
			if len(ms) != 0 {
				t.Fatalf("mails after the refused Tx: %+v, want none", ms)
			}
			// The use in the refused Tx must still be unconsumed.
			commit(t, s, trust.Tx{Uses: []trust.Use{use}})
		})
	}

	// The same id at another instant is another event.
	later := orig
	later.At = t0.Add(time.Hour)
	commit(t, s, trust.Tx{Events: []trust.Event{later}})
	evs, err := s.ListEvents(ctx, "req-a")
	if err != nil {
		t.Fatalf("ListEvents: %v", err)
	}
	equalAll(t, "events after the same id at another time", evs, []trust.Event{orig, later}, normEvent)
}

func testDocuments(t *testing.T, s trust.Store) {
	ctx := t.Context()
	docs, err := s.ListDocuments(ctx)
	if err != nil {
		t.Fatalf("ListDocuments on an empty store: %v", err)
	}
	if len(docs) != 0 {
		t.Fatalf("ListDocuments on an empty store: got %+v", docs)
	}
	_, err = s.GetDocument(ctx, "doc-unknown")
	wantCode(t, err, trust.ENotFound, "GetDocument of an unknown id")

	soc2 := trust.Document{
		ID: "soc2", Title: "SOC 2 Type II", Kind: "SOC 2 Type II", Access: trust.Gated,
		FileName: "soc2-2024.pdf", BlobKey: "documents/soc2/1", SHA256: "ab12", Size: 1 << 20, Version: 1,
		PeriodStart: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), PeriodEnd: time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC),
		IssuedAt: time.Date(2025, 2, 1, 0, 0, 0, 0, plus5), Auditor: "Example LLP", UpdatedAt: t0,
	}
	soc3 := trust.Document{
		ID: "soc3", Title: "SOC 3", Kind: "SOC 3", Access: trust.Public,
		FileName: "soc3.pdf", BlobKey: "documents/soc3/1", SHA256: "cd34", Size: 2048, Version: 1, UpdatedAt: t0,
	}
	iso := trust.Document{
		ID: "iso27001", Title: "ISO 27001 certificate", Kind: "ISO 27001", Access: trust.Public,
		FileName: "iso.pdf", BlobKey: "documents/iso27001/1", Size: 10, Version: 1, UpdatedAt: t0,
	}
	for _, d := range []trust.Document{soc3, soc2, iso} {
		commit(t, s, trust.Tx{Document: &d})
	}
	got, err := s.GetDocument(ctx, "soc2")
	if err != nil {
		t.Fatalf("GetDocument: %v", err)
	}
	equal(t, "document", got, soc2, normDocument)

	soc2v2 := soc2
	soc2v2.Version = 2
	soc2v2.BlobKey = "documents/soc2/2"
	soc2v2.SHA256 = "ef56"
	soc2v2.Auditor = ""
	soc2v2.IssuedAt = time.Time{}
	soc2v2.UpdatedAt = t0.Add(time.Hour)
	// The history, with its times in another zone and a rollback marker,
	// comes back as written.
	soc2v2.Pages = 42
	soc2v2.History = []trust.Version{
		{Version: 1, BlobKey: "documents/soc2/1", SHA256: "ab12", Size: 1 << 20, By: "seed", At: t0.In(plus5)},
		{Version: 2, BlobKey: "documents/soc2/2", SHA256: "ef56", Size: 1 << 20, Pages: 42, By: "admin@example.com", At: t0.Add(time.Hour), RollbackOf: 1},
	}
	commit(t, s, trust.Tx{Document: &soc2v2})
	got, err = s.GetDocument(ctx, "soc2")
	if err != nil {
		t.Fatalf("GetDocument after overwrite: %v", err)
	}
	equal(t, "overwritten document", got, soc2v2, normDocument)

	docs, err = s.ListDocuments(ctx)
	if err != nil {
		t.Fatalf("ListDocuments: %v", err)
	}
	equalAll(t, "ListDocuments", docs, []trust.Document{iso, soc2v2, soc3}, normDocument)
}

// testDocumentVersions: a new document version lands with its event in
// one transaction, and only on top of the version it was made from.
func testDocumentVersions(t *testing.T, s trust.Store) {
	ctx := t.Context()
	v1 := trust.Document{ID: "soc2", Title: "SOC 2", Access: trust.Gated, FileName: "a.pdf", BlobKey: "k/1", Version: 1, UpdatedAt: t0}
	event := func(id string) trust.Event {
		return trust.Event{ID: id, Subject: "doc:soc2", Type: "document.published", Actor: "admin", At: t0}
	}
	commit(t, s, trust.Tx{Document: &v1, Events: []trust.Event{event("e1")}})
	v2 := v1
	v2.Version, v2.BlobKey = 2, "k/2"
	stale := v1
	stale.BlobKey = "k/stale"
	for _, tc := range []struct {
		name string
		doc  trust.Document
	}{
		{"first version again", stale},
		{"skipping a version", trust.Document{ID: "soc2", Version: 3, BlobKey: "k/3"}},
		{"a later version of a document that does not exist", trust.Document{ID: "new", Version: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Commit(ctx, trust.Tx{Document: &tc.doc, Events: []trust.Event{event("e-" + tc.name)}})
			wantCode(t, err, trust.EConflict, tc.name)
		})
	}
	commit(t, s, trust.Tx{Document: &v2, Events: []trust.Event{event("e2")}})
	got, err := s.GetDocument(ctx, "soc2")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "document", got, v2, normDocument)
	events, err := s.ListEvents(ctx, "doc:soc2")
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 {
		t.Fatalf("%d events; the refused versions must leave none: %+v", len(events), events)
	}
}

func testMails(t *testing.T, s trust.Store) {
	ctx := t.Context()
	mail := func(id string, at time.Time) trust.Mail {
		return trust.Mail{ID: id, To: id + "@example.com", Subject: "Subject " + id, Text: "Hello,\n\nbody of " + id, CreatedAt: at}
	}
	m1 := mail("m1", t0)
	m2 := mail("m2", t0.Add(500*time.Millisecond).In(plus5))
	m3 := mail("m3", t0.Add(time.Second))
	m4 := mail("m4", t0.Add(time.Minute))
	r := newRequest("req-m", trust.Unconfirmed, t0)
	commit(t, s, trust.Tx{Mails: []trust.Mail{m3}})
	commit(t, s, trust.Tx{Request: &r, Mails: []trust.Mail{m4, m1}})
	commit(t, s, trust.Tx{Mails: []trust.Mail{m2}})

	pending := func(limit int) []trust.Mail {
		t.Helper()
		ms, err := s.PendingMails(ctx, limit)
		if err != nil {
			t.Fatalf("PendingMails(%d): %v", limit, err)
		}
		return ms
	}
	sent := func(id string) {
		t.Helper()
		if err := s.MarkMailSent(ctx, id); err != nil {
			t.Fatalf("MarkMailSent(%s): %v", id, err)
		}
	}

	equalAll(t, "PendingMails(10)", pending(10), []trust.Mail{m1, m2, m3, m4}, normMail)
	equalAll(t, "PendingMails(2)", pending(2), []trust.Mail{m1, m2}, normMail)
	sent("m1")
	equalAll(t, "after sending m1", pending(10), []trust.Mail{m2, m3, m4}, normMail)
	sent("m3")
	equalAll(t, "after sending m3", pending(2), []trust.Mail{m2, m4}, normMail)
	sent("m2")
	sent("m4")
	equalAll(t, "after sending all", pending(10), nil, normMail)

	for _, limit := range []int{0, -1} {
		_, err := s.PendingMails(ctx, limit)
		wantCode(t, err, trust.EInvalid, fmt.Sprintf("PendingMails(%d)", limit))
	}
}

// testMailsAreNotRewritten: a mail id is queued once. Committing it again,
// while it is pending or after it was sent, or twice in one Tx, must neither
// replace the queued mail nor queue a second one.
func testMailsAreNotRewritten(t *testing.T, s trust.Store) {
	ctx := t.Context()
	exp := future()
	orig := trust.Mail{ID: "m1", To: "ada@example.com", Subject: "Confirm", Text: "first", CreatedAt: t0}
	sentMail := trust.Mail{ID: "m-sent", To: "ada@example.com", Subject: "Sent", Text: "sent", CreatedAt: t0}
	commit(t, s, trust.Tx{Mails: []trust.Mail{orig, sentMail}})
	if err := s.MarkMailSent(ctx, sentMail.ID); err != nil {
		t.Fatalf("MarkMailSent: %v", err)
	}
	again := orig
	again.Text, again.CreatedAt = "second", t0.Add(time.Hour)
	fresh := trust.Mail{ID: "m-fresh", To: "bob@example.com", Subject: "Fresh", Text: "fresh", CreatedAt: t0.Add(2 * time.Hour)}

	for _, tc := range []struct {
		name  string
		mails []trust.Mail
	}{
		{"pending id again", []trust.Mail{again}},
		{"pending id again next to a new one", []trust.Mail{fresh, again}},
		{"sent id again", []trust.Mail{fresh, {ID: sentMail.ID, To: "ada@example.com", Text: "resend", CreatedAt: t0.Add(time.Hour)}}},
		{"one new id twice in one Tx", []trust.Mail{fresh, fresh}},
		{"one new id twice in one Tx, changed", []trust.Mail{fresh, {ID: fresh.ID, To: "eve@example.com", CreatedAt: t0.Add(3 * time.Hour)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			use := trust.Use{ID: "use-" + tc.name, ExpiresAt: exp}
			ev := trust.Event{ID: "evt-" + tc.name, Subject: "mail-test", Type: "queued", At: t0}
			wantCode(t, s.Commit(ctx, trust.Tx{Mails: tc.mails, Uses: []trust.Use{use}, Events: []trust.Event{ev}}), trust.EConflict, "Commit")

			ms, err := s.PendingMails(ctx, 10)
			if err != nil {
				t.Fatalf("PendingMails: %v", err)
			}
			equalAll(t, "outbox after the refused Tx", ms, []trust.Mail{orig}, normMail)
			evs, err := s.ListEvents(ctx, ev.Subject)
			if err != nil {
				t.Fatalf("ListEvents: %v", err)
			}
			if len(evs) != 0 {
				t.Fatalf("events after the refused Tx: %+v, want none", evs)
			}
			// The use in the refused Tx must still be unconsumed.
			commit(t, s, trust.Tx{Uses: []trust.Use{use}})
		})
	}
}

func testMarkMailSent(t *testing.T, s trust.Store) {
	ctx := t.Context()
	wantCode(t, s.MarkMailSent(ctx, "nope"), trust.ENotFound, "MarkMailSent of an unknown mail")

	m1 := trust.Mail{ID: "m1", To: "ada@example.com", Subject: "One", CreatedAt: t0}
	m2 := trust.Mail{ID: "m2", To: "ada@example.com", Subject: "Two", CreatedAt: t0.Add(time.Second)}
	commit(t, s, trust.Tx{Mails: []trust.Mail{m1, m2}})
	// A sender that crashed between sending and marking marks again; that
	// must succeed and change nothing else.
	for i := range 3 {
		if err := s.MarkMailSent(ctx, "m1"); err != nil {
			t.Fatalf("MarkMailSent(m1), time %d: %v", i+1, err)
		}
		ms, err := s.PendingMails(ctx, 10)
		if err != nil {
			t.Fatalf("PendingMails: %v", err)
		}
		equalAll(t, "outbox after marking m1", ms, []trust.Mail{m2}, normMail)
	}
	wantCode(t, s.MarkMailSent(ctx, "nope"), trust.ENotFound, "MarkMailSent of an unknown mail after others were sent")
}

func getMail(t *testing.T, s trust.Store, id string) trust.Mail {
	t.Helper()
	m, err := s.GetMail(t.Context(), id)
	if err != nil {
		t.Fatalf("GetMail(%s): %v", id, err)
	}
	return m
}

// testMailAttempts: an attempt is claimed with the count the sender read,
// so of two senders only one claims it; each attempt's state (count, next
// time, sending since, lost answers, last failure) is stored and cleared as
// written, and an attempt never rewrites what the mail says.
func testMailAttempts(t *testing.T, s trust.Store) {
	ctx := t.Context()
	m := trust.Mail{ID: "m1", To: "ada@example.com", Subject: "One", Text: "body", CreatedAt: t0}
	other := trust.Mail{ID: "m2", To: "bob@example.com", Subject: "Two", Text: "body", CreatedAt: t0.Add(time.Second)}
	commit(t, s, trust.Tx{Mails: []trust.Mail{m, other}})
	equal(t, "GetMail of a queued mail", getMail(t, s, "m1"), m, normMail)
	_, err := s.GetMail(ctx, "nope")
	wantCode(t, err, trust.ENotFound, "GetMail of an unknown mail")

	claim := m
	claim.Attempts, claim.SendingAt, claim.NextAttemptAt = 1, t0.Add(time.Minute).In(plus5), t0.Add(2*time.Minute)
	claim.Subject, claim.To = "rewritten", "eve@example.com"
	if err := s.SaveMailAttempt(ctx, claim, 0); err != nil {
		t.Fatalf("SaveMailAttempt (claim): %v", err)
	}
	want := m
	want.Attempts, want.SendingAt, want.NextAttemptAt = 1, claim.SendingAt, claim.NextAttemptAt
	equal(t, "after the claim", getMail(t, s, "m1"), want, normMail)
	// A second sender read the mail before the claim: its claim fails.
	wantCode(t, s.SaveMailAttempt(ctx, claim, 0), trust.EConflict, "a second claim of the same attempt")

	failed := want
	failed.SendingAt, failed.Reason = time.Time{}, "throttled"
	if err := s.SaveMailAttempt(ctx, failed, 1); err != nil {
		t.Fatalf("SaveMailAttempt (failure): %v", err)
	}
	equal(t, "after the failure", getMail(t, s, "m1"), failed, normMail)

	lost := failed
	lost.Attempts, lost.Lost, lost.SendingAt, lost.Reason = 2, 1, t0.Add(3*time.Minute), ""
	if err := s.SaveMailAttempt(ctx, lost, 1); err != nil {
		t.Fatalf("SaveMailAttempt (second claim): %v", err)
	}
	equal(t, "after the second claim", getMail(t, s, "m1"), lost, normMail)
	ms, err := s.PendingMails(ctx, 10)
	if err != nil {
		t.Fatalf("PendingMails: %v", err)
	}
	equalAll(t, "pending with their attempts", ms, []trust.Mail{lost, other}, normMail)

	wantCode(t, s.SaveMailAttempt(ctx, trust.Mail{ID: "nope", Attempts: 1}, 0), trust.ENotFound, "SaveMailAttempt of an unknown mail")
	bad := lost
	bad.State = trust.MailSent
	wantCode(t, s.SaveMailAttempt(ctx, bad, 2), trust.EInvalid, "SaveMailAttempt recording a sent mail")

	if err := s.MarkMailSent(ctx, "m1"); err != nil {
		t.Fatalf("MarkMailSent: %v", err)
	}
	if got := getMail(t, s, "m1"); got.ID != "m1" || got.State != trust.MailSent {
		t.Fatalf("GetMail of a sent mail: %+v, want its id and state sent", got)
	}
	wantCode(t, s.SaveMailAttempt(ctx, lost, 2), trust.EConflict, "SaveMailAttempt of a sent mail")
}

// testMailUndeliverable: a mail given up leaves the pending queue for good,
// is kept with its reason, and its id is not queued again.
func testMailUndeliverable(t *testing.T, s trust.Store) {
	ctx := t.Context()
	m := trust.Mail{ID: "m1", To: "ada@example.com", Subject: "One", Text: "body", CreatedAt: t0}
	other := trust.Mail{ID: "m2", To: "bob@example.com", Subject: "Two", Text: "body", CreatedAt: t0.Add(time.Second)}
	commit(t, s, trust.Tx{Mails: []trust.Mail{m, other}})
	gone := m
	gone.State, gone.Attempts, gone.Reason = trust.MailUndeliverable, 0, "refused: sandbox"
	if err := s.SaveMailAttempt(ctx, gone, 0); err != nil {
		t.Fatalf("SaveMailAttempt (undeliverable): %v", err)
	}
	equal(t, "the undeliverable mail", getMail(t, s, "m1"), gone, normMail)
	ms, err := s.PendingMails(ctx, 10)
	if err != nil {
		t.Fatalf("PendingMails: %v", err)
	}
	equalAll(t, "pending after giving one up", ms, []trust.Mail{other}, normMail)
	wantCode(t, s.SaveMailAttempt(ctx, gone, 0), trust.EConflict, "SaveMailAttempt of an undeliverable mail")
	wantCode(t, s.Commit(ctx, trust.Tx{Mails: []trust.Mail{m}}), trust.EConflict, "queueing an undeliverable mail's id again")
	// A late mark of an earlier attempt changes nothing.
	if err := s.MarkMailSent(ctx, "m1"); err != nil {
		t.Fatalf("MarkMailSent of an undeliverable mail: %v", err)
	}
	equal(t, "the undeliverable mail after a late mark", getMail(t, s, "m1"), gone, normMail)
}

// testSuppressions: a suppression is found by its address and replaced by a
// later one.
func testSuppressions(t *testing.T, s trust.Store) {
	ctx := t.Context()
	_, err := s.Suppressed(ctx, "ada@example.com")
	wantCode(t, err, trust.ENotFound, "Suppressed before any")
	first := trust.Suppression{Address: "ada@example.com", Reason: "bounce: Permanent/General", At: t0}
	if err := s.Suppress(ctx, first); err != nil {
		t.Fatalf("Suppress: %v", err)
	}
	normSup := func(x trust.Suppression) trust.Suppression { x.At = x.At.UTC(); return x }
	got, err := s.Suppressed(ctx, "ada@example.com")
	if err != nil {
		t.Fatalf("Suppressed: %v", err)
	}
	equal(t, "the suppression", got, first, normSup)
	later := trust.Suppression{Address: "ada@example.com", Reason: "complaint", At: t0.Add(time.Hour).In(plus5)}
	if err := s.Suppress(ctx, later); err != nil {
		t.Fatalf("Suppress again: %v", err)
	}
	got, err = s.Suppressed(ctx, "ada@example.com")
	if err != nil {
		t.Fatalf("Suppressed: %v", err)
	}
	equal(t, "the replaced suppression", got, later, normSup)
	_, err = s.Suppressed(ctx, "bob@example.com")
	wantCode(t, err, trust.ENotFound, "Suppressed of another address")
	wantCode(t, s.Suppress(ctx, trust.Suppression{Reason: "bounce"}), trust.EInvalid, "Suppress without an address")
}

func hit(t *testing.T, s trust.Store, key string, window time.Duration, now time.Time) trust.Hits {
	t.Helper()
	h, err := s.Hit(t.Context(), key, window, now)
	if err != nil {
		t.Fatalf("Hit(%q, %v, %v): %v", key, window, now, err)
	}
	return h
}

func testHit(t *testing.T, s trust.Store) {
	// Windows start on whole minutes; the base is in the future so that TTL
	// engines do not expire the counters mid-test.
	base := time.Now().UTC().Truncate(time.Hour).Add(48 * time.Hour)
	for i, step := range []struct {
		key  string
		at   time.Duration
		want trust.Hits
	}{
		{"signin:203.0.113.7", 0, trust.Hits{Current: 1}},
		{"signin:203.0.113.7", 10 * time.Second, trust.Hits{Current: 2}},
		{"signin:198.51.100.2", 20 * time.Second, trust.Hits{Current: 1}},
		{"signin:203.0.113.7", time.Minute - time.Millisecond, trust.Hits{Current: 3}},
		{"signin:198.51.100.2", 30 * time.Second, trust.Hits{Current: 2}},
		// The next window starts counting again, and reports the one before.
		{"signin:203.0.113.7", time.Minute, trust.Hits{Current: 1, Previous: 3}},
		{"signin:203.0.113.7", time.Minute + time.Second, trust.Hits{Current: 2, Previous: 3}},
		{"signin:198.51.100.2", time.Minute + 2*time.Second, trust.Hits{Current: 1, Previous: 2}},
		// A window later, the previous one is the one just counted.
		{"signin:203.0.113.7", 2 * time.Minute, trust.Hits{Current: 1, Previous: 2}},
		// After a quiet window, nothing is carried over.
		{"signin:203.0.113.7", 4 * time.Minute, trust.Hits{Current: 1}},
		{"signin:198.51.100.2", 3 * time.Minute, trust.Hits{Current: 1}},
	} {
		if got := hit(t, s, step.key, time.Minute, base.Add(step.at)); got != step.want {
			t.Fatalf("step %d: Hit(%q) at +%v = %+v, want %+v", i, step.key, step.at, got, step.want)
		}
	}
	// Windows of another length are counted apart.
	if got := hit(t, s, "signin:203.0.113.7", time.Hour, base.Add(4*time.Minute)); got != (trust.Hits{Current: 1}) {
		t.Fatalf("an hour's window shares counts with a minute's: %+v", got)
	}
}

func testHitBadWindow(t *testing.T, s trust.Store) {
	for _, window := range []time.Duration{0, -time.Minute} {
		_, err := s.Hit(t.Context(), "signin:203.0.113.7", window, t0)
		wantCode(t, err, trust.EInvalid, fmt.Sprintf("Hit with window %v", window))
	}
	// The refused hits counted nothing.
	base := time.Now().UTC().Truncate(time.Hour).Add(48 * time.Hour)
	if got := hit(t, s, "signin:203.0.113.7", time.Minute, base); got != (trust.Hits{Current: 1}) {
		t.Fatalf("first valid Hit after refused ones = %+v, want 1", got)
	}
}

// testHitConcurrent checks that counting is atomic: concurrent hits in one
// window see each count exactly once.
func testHitConcurrent(t *testing.T, s trust.Store) {
	const n = 10
	now := time.Now().UTC().Truncate(time.Hour).Add(48*time.Hour + 30*time.Second)
	counts := make([]int, n)
	concurrently(t, n, "Hit", func(i int) error {
		h, err := s.Hit(t.Context(), "request:ada@example.com", time.Minute, now)
		counts[i] = h.Current
		return err
	})
	slices.Sort(counts)
	for i, c := range counts {
		if c != i+1 {
			t.Fatalf("concurrent hits returned %v, want 1..%d each once", counts, n)
		}
	}
}

// testPurgeAt: an unconfirmed request's PurgeAt is kept, and a write
// without one (the confirmation) clears it, so the request is kept.
func testPurgeAt(t *testing.T, s trust.Store) {
	r := newRequest("req-purge", trust.Unconfirmed, t0)
	r.PurgeAt = future().Add(17 * time.Nanosecond).In(plus5)
	stored := create(t, s, r)
	equal(t, "unconfirmed", getRequest(t, s, r.ID), stored, normRequest)

	next := stored
	next.Status = trust.Pending
	next.PurgeAt = time.Time{}
	commit(t, s, trust.Tx{Request: &next, IfVersion: stored.Version})
	next.Version = stored.Version + 1
	got := getRequest(t, s, r.ID)
	equal(t, "confirmed", got, next, normRequest)
	if !got.PurgeAt.IsZero() {
		t.Fatalf("PurgeAt after a write without one: %v", got.PurgeAt)
	}
}

func countDownload(t *testing.T, s trust.Store, doc string, at time.Time) {
	t.Helper()
	if err := s.CountDownload(t.Context(), doc, at); err != nil {
		t.Fatalf("CountDownload(%q, %v): %v", doc, at, err)
	}
}

func downloadCount(t *testing.T, s trust.Store, doc string, first, last time.Time) int {
	t.Helper()
	n, err := s.DownloadCount(t.Context(), doc, first, last)
	if err != nil {
		t.Fatalf("DownloadCount(%q, %v, %v): %v", doc, first, last, err)
	}
	return n
}

// testDownloadCounts: counts are per document and UTC day, and a span of
// days sums them. The days are in the future so that TTL engines keep them.
func testDownloadCounts(t *testing.T, s trust.Store) {
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 3)
	next := day.AddDate(0, 0, 1)
	// The last instant of day, written in another zone, is still that UTC day.
	lastOfDay := next.Add(-time.Nanosecond).In(plus5)
	for _, at := range []time.Time{day, day.Add(13 * time.Hour), lastOfDay} {
		countDownload(t, s, "soc3", at)
	}
	countDownload(t, s, "soc3", next)
	countDownload(t, s, "soc3", next.Add(time.Hour))
	// A document whose id starts like another's is counted apart.
	countDownload(t, s, "soc3-2024", day)

	for _, c := range []struct {
		name        string
		doc         string
		first, last time.Time
		want        int
	}{
		{"one day", "soc3", day, day, 3},
		{"one day, any instants in it", "soc3", lastOfDay, day.Add(time.Minute), 3},
		{"the next day", "soc3", next, next, 2},
		{"both days", "soc3", day.AddDate(0, 0, -30), next.Add(time.Hour), 5},
		{"days before", "soc3", day.AddDate(0, 0, -10), day.Add(-time.Nanosecond), 0},
		{"days after", "soc3", next.AddDate(0, 0, 1), next.AddDate(0, 0, 5), 0},
		{"another document", "soc3-2024", day, next, 1},
		{"a document never downloaded", "soc2", day, next, 0},
	} {
		if got := downloadCount(t, s, c.doc, c.first, c.last); got != c.want {
			t.Errorf("%s: DownloadCount = %d, want %d", c.name, got, c.want)
		}
	}
}

func testDownloadCountArguments(t *testing.T, s trust.Store) {
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 3)
	wantCode(t, s.CountDownload(t.Context(), "", day), trust.EInvalid, "CountDownload without a document")
	_, err := s.DownloadCount(t.Context(), "", day, day)
	wantCode(t, err, trust.EInvalid, "DownloadCount without a document")
	_, err = s.DownloadCount(t.Context(), "soc3", day, day.Add(-time.Nanosecond))
	wantCode(t, err, trust.EInvalid, "DownloadCount ending the day before it starts")
}

// testDownloadCountConcurrent: concurrent downloads all count.
func testDownloadCountConcurrent(t *testing.T, s trust.Store) {
	const n = 20
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 3)
	concurrently(t, n, "CountDownload", func(i int) error {
		return s.CountDownload(t.Context(), "soc3", day.Add(time.Duration(i)*time.Minute))
	})
	if got := downloadCount(t, s, "soc3", day, day); got != n {
		t.Fatalf("%d concurrent downloads counted as %d", n, got)
	}
}

// race runs call(0) … call(n-1) at once, released together, and returns
// their errors by index.
func race(n int, call func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = call(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// concurrently is race for calls that must all succeed.
func concurrently(t *testing.T, n int, what string, call func(i int) error) {
	t.Helper()
	for i, err := range race(n, call) {
		if err != nil {
			t.Fatalf("%s %d: %v", what, i, err)
		}
	}
}

// oneWinner checks that exactly one of racing conditional writes succeeded
// and every other lost with EConflict, and returns the winner's index.
func oneWinner(t *testing.T, what string, errs []error) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("both %s %d and %s %d won", what, winner, what, i)
		case err == nil:
			winner = i
		case trust.ErrorCode(err) != trust.EConflict:
			t.Fatalf("%s %d: got %v (code %s), want EConflict", what, i, err, trust.ErrorCode(err))
		}
	}
	if winner < 0 {
		t.Fatalf("no %s won", what)
	}
	return winner
}

func newCopy(id, grant, doc string, version int) trust.Copy {
	return trust.Copy{
		WatermarkID: id, Request: "req-" + grant, Grant: grant, Document: doc, Version: version,
		BlobKey: fmt.Sprintf("copies/%s/%s/v%d-%s.pdf", grant, doc, version, id), Size: 1234, SHA256: "ab12",
		Name: "Ada Lovelace", Company: "Analytical Engines", Email: "ada@example.com", CreatedAt: t0.In(plus5),
	}
}

func normCopy(c trust.Copy) trust.Copy {
	c.CreatedAt = c.CreatedAt.UTC()
	return c
}

func testCopies(t *testing.T, s trust.Store) {
	ctx := t.Context()
	a := newCopy("WM-AAAA-0001", "gnt_a", "soc2", 1)
	commit(t, s, trust.Tx{Copy: &a, Events: []trust.Event{{ID: "evt-copy", Subject: a.Request, Type: "copy.stamped", At: t0, Watermark: a.WatermarkID}}})
	// A grant whose id extends another's must not see its copies.
	b := newCopy("WM-AAAA-0002", "gnt_a", "soc2", 2)
	c := newCopy("WM-AAAA-0003", "gnt_a", "soc1", 1)
	d := newCopy("WM-AAAA-0004", "gnt_ab", "soc2", 1)
	for _, cp := range []trust.Copy{b, c, d} {
		commit(t, s, trust.Tx{Copy: &cp})
	}

	got, err := s.GetCopy(ctx, "gnt_a", "soc2", 1)
	if err != nil {
		t.Fatalf("GetCopy: %v", err)
	}
	equal(t, "copy", got, a, normCopy)
	got, err = s.CopyByWatermark(ctx, "WM-AAAA-0004")
	if err != nil {
		t.Fatalf("CopyByWatermark: %v", err)
	}
	equal(t, "copy by watermark", got, d, normCopy)
	_, err = s.GetCopy(ctx, "gnt_a", "soc2", 3)
	wantCode(t, err, trust.ENotFound, "GetCopy of a version never copied")
	_, err = s.CopyByWatermark(ctx, "WM-ZZZZ-ZZZZ")
	wantCode(t, err, trust.ENotFound, "CopyByWatermark of an unknown id")

	list, err := s.ListCopies(ctx, "gnt_a")
	if err != nil {
		t.Fatalf("ListCopies: %v", err)
	}
	var ids []string
	for _, cp := range list {
		ids = append(ids, cp.WatermarkID)
	}
	slices.Sort(ids)
	if want := []string{"WM-AAAA-0001", "WM-AAAA-0002", "WM-AAAA-0003"}; !slices.Equal(ids, want) {
		t.Fatalf("ListCopies(gnt_a) = %v, want %v", ids, want)
	}
	if list, err := s.ListCopies(ctx, "gnt_none"); err != nil || len(list) != 0 {
		t.Fatalf("ListCopies of a grant without copies = %v, %v; want none", list, err)
	}

	// The same version again under a new ID, or a new version under a
	// used ID, is a conflict, and nothing of its transaction lands.
	again := newCopy("WM-AAAA-0009", "gnt_a", "soc2", 1)
	err = s.Commit(ctx, trust.Tx{Copy: &again, Events: []trust.Event{{ID: "evt-again", Subject: "req-gnt_a", Type: "copy.stamped", At: t0}}})
	wantCode(t, err, trust.EConflict, "a second copy of one version")
	reused := newCopy("WM-AAAA-0001", "gnt_b", "soc2", 1)
	wantCode(t, s.Commit(ctx, trust.Tx{Copy: &reused}), trust.EConflict, "a copy under a used watermark id")
	if _, err := s.CopyByWatermark(ctx, "WM-AAAA-0009"); trust.ErrorCode(err) != trust.ENotFound {
		t.Fatalf("the refused copy was kept: %v", err)
	}
	if _, err := s.GetCopy(ctx, "gnt_b", "soc2", 1); trust.ErrorCode(err) != trust.ENotFound {
		t.Fatalf("the copy with a reused id was kept: %v", err)
	}
	evs, err := s.ListEvents(ctx, "req-gnt_a")
	if err != nil {
		t.Fatalf("ListEvents: %v", err)
	}
	if len(evs) != 1 || evs[0].ID != "evt-copy" || evs[0].Watermark != a.WatermarkID {
		t.Fatalf("events = %+v, want only evt-copy with its watermark", evs)
	}
	bad := newCopy("", "gnt_a", "soc2", 5)
	wantCode(t, s.Commit(ctx, trust.Tx{Copy: &bad}), trust.EInvalid, "a copy without a watermark id")
}

// testConcurrentCopies is many first downloads of one version at once:
// exactly one copy record is created, and every loser is told so.
func testConcurrentCopies(t *testing.T, s trust.Store) {
	const n = 12
	ctx := t.Context()
	errs := race(n, func(i int) error {
		cp := newCopy(fmt.Sprintf("WM-RACE-%04d", i), "gnt_race", "soc2", 1)
		return s.Commit(ctx, trust.Tx{Copy: &cp})
	})
	winner := oneWinner(t, "copy", errs)
	got, err := s.GetCopy(ctx, "gnt_race", "soc2", 1)
	if err != nil || got.WatermarkID != fmt.Sprintf("WM-RACE-%04d", winner) {
		t.Fatalf("GetCopy = %+v, %v; want the winner's", got, err)
	}
	list, err := s.ListCopies(ctx, "gnt_race")
	if err != nil || len(list) != 1 {
		t.Fatalf("ListCopies = %d copies, %v; want 1", len(list), err)
	}
}
