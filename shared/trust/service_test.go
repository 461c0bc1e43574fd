package trust_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"trustcenter/shared/local/boltstore"
	"trustcenter/shared/local/fileblob"
	"trustcenter/shared/token"
	"trustcenter/shared/trust"
)

// mailbox records sent mail; fail makes the next sends fail for now, and
// mail to an address in refuse is refused for good, as a provider refuses an
// address it will never deliver to.
//
// Commits only queue mail, so to() first runs drain (the fixture's
// scheduler, DrainMail), as a person reading their inbox finds what the
// scheduler delivered.
type mailbox struct {
	mu     sync.Mutex
	sent   []trust.Mail
	fail   bool
	refuse map[string]bool
	drain  func()
}

func (m *mailbox) Send(_ context.Context, mail trust.Mail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail {
		return trust.Unavailable(errors.New("smtp down"))
	}
	if m.refuse[mail.To] {
		return trust.Errorf(trust.EInvalid, "The address %s does not accept mail.", mail.To)
	}
	m.sent = append(m.sent, mail)
	return nil
}

func (m *mailbox) to(addr string) []trust.Mail {
	if m.drain != nil {
		m.drain()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []trust.Mail
	for _, x := range m.sent {
		if x.To == addr {
			out = append(out, x)
		}
	}
	return out
}

// flakyStore fails Commit while down is set, as DynamoDB does when throttled.
type flakyStore struct {
	trust.Store
	down bool
}

func (f *flakyStore) Commit(ctx context.Context, tx trust.Tx) error {
	if f.down {
		return trust.Unavailable(errors.New("throttled"))
	}
	return f.Store.Commit(ctx, tx)
}

type fixture struct {
	svc   *trust.Service
	mail  *mailbox
	store *flakyStore
	stamp *fakeStamper
	blobs fileblob.Dir
	now   time.Time
}

var nda = trust.NDA{Version: "2026-01", Text: "The recipient keeps the reports confidential."}

// newFixture builds a service on a fresh store; edits change its
// configuration or engines before it is built.
func newFixture(t *testing.T, edits ...func(*trust.Config, *trust.Engines)) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{mail: &mailbox{}, stamp: &fakeStamper{}, blobs: fileblob.Dir(filepath.Join(dir, "blobs")), now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return f.now }
	bolt, err := boltstore.Open(filepath.Join(dir, "db"), clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bolt.Close() })
	f.store = &flakyStore{Store: bolt}
	keys := &token.Keyring{}
	if err := keys.Rotate(time.Now()); err != nil {
		t.Fatal(err)
	}
	c := trust.Config{BaseURL: "https://trust.example", Company: "Lumen Ledger",
		Staff: []trust.Staff{{Email: "sales@lumen.example", Role: trust.Approver}}, NDA: nda}
	e := trust.Engines{Store: f.store, Blobs: f.blobs, Mail: f.mail,
		Signer: token.New(keys, "test"), Stamper: f.stamp, Clock: clock, SignedNDA: fakeNDAPDF{}}
	for _, edit := range edits {
		edit(&c, &e)
	}
	f.svc = trust.New(c, e)
	ctx := context.Background()
	f.mail.drain = func() {
		if _, err := f.svc.DrainMail(ctx); err != nil {
			t.Errorf("DrainMail: %v", err)
		}
	}
	for _, d := range []trust.Document{
		{ID: "soc2", Title: "SOC 2 Type II", Access: trust.Gated, FileName: "soc2.pdf"},
		{ID: "soc3", Title: "SOC 3", Access: trust.Public, FileName: "soc3.pdf"},
	} {
		if _, err := f.svc.Publish(ctx, admin, d, []byte("%PDF-1.4 "+d.ID), trust.Client{}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func validInput() trust.RequestInput {
	return trust.RequestInput{Name: "Ada Lovelace", Email: "ada@buyer.example", Company: "Buyer", Documents: []string{"soc2"},
		NDAVersion: nda.Version, NDASHA256: nda.Hash(), NDAAccept: true, NDASignature: "ada lovelace"}
}

var linkRe = regexp.MustCompile(`https://trust\.example(/[^\s]+)`)

func lastLink(t *testing.T, mails []trust.Mail, prefix string) string {
	t.Helper()
	for i := len(mails) - 1; i >= 0; i-- {
		for _, m := range linkRe.FindAllStringSubmatch(mails[i].Text, -1) {
			if strings.HasPrefix(m[1], prefix) {
				return strings.TrimPrefix(m[1], prefix)
			}
		}
	}
	t.Fatalf("no link under %s", prefix)
	return ""
}

// pending files and confirms a request, returning it.
func (f *fixture) pending(t *testing.T) trust.Request {
	t.Helper()
	ctx := context.Background()
	r, err := f.svc.Submit(ctx, validInput(), trust.Client{IP: "192.0.2.1", UserAgent: "test"})
	if err != nil {
		t.Fatal(err)
	}
	r, err = f.svc.Confirm(ctx, lastLink(t, f.mail.to(r.Email), "/access-requests/confirm/"), trust.Client{})
	if err != nil || r.Status != trust.Pending {
		t.Fatalf("confirm: %v %v", r.Status, err)
	}
	return r
}

var (
	staff = trust.Session{Email: "sales@lumen.example", Role: trust.Approver}
	admin = trust.Session{Email: "admin@lumen.example", Role: trust.Admin}
)

func TestValidate(t *testing.T) {
	docs := []trust.Document{{ID: "soc2", Access: trust.Gated}, {ID: "soc3", Title: "SOC 3", Access: trust.Public}}
	cases := []struct {
		name  string
		edit  func(*trust.RequestInput)
		field string
	}{
		{"no name", func(in *trust.RequestInput) { in.Name = "" }, "name"},
		{"long name", func(in *trust.RequestInput) { in.Name = strings.Repeat("a", 101) }, "name"},
		{"control character", func(in *trust.RequestInput) { in.Company = "A\x00B" }, "company"},
		{"bad email", func(in *trust.RequestInput) { in.Email = "ada@" }, "email"},
		{"email with header", func(in *trust.RequestInput) { in.Email = "ada@buyer.example\r\nBcc: x@evil.example" }, "email"},
		{"email with name", func(in *trust.RequestInput) { in.Email = "Ada <ada@buyer.example>" }, "email"},
		{"email without dot", func(in *trust.RequestInput) { in.Email = "ada@localhost" }, "email"},
		{"no documents", func(in *trust.RequestInput) { in.Documents = nil }, "document"},
		{"unknown document", func(in *trust.RequestInput) { in.Documents = []string{"nope"} }, "document"},
		{"public document", func(in *trust.RequestInput) { in.Documents = []string{"soc3"} }, "document"},
		{"NDA not accepted", func(in *trust.RequestInput) { in.NDAAccept = false }, "nda_accept"},
		{"old NDA version", func(in *trust.RequestInput) { in.NDAVersion = "2025-01" }, "nda_version"},
		{"signature mismatch", func(in *trust.RequestInput) { in.NDASignature = "Someone Else" }, "nda_signature"},
		{"no signature", func(in *trust.RequestInput) { in.NDASignature = "" }, "nda_signature"},
		{"long reason", func(in *trust.RequestInput) { in.Reason = strings.Repeat("x", 1001) }, "reason"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := validInput()
			c.edit(&in)
			err := in.Validate(docs, nda)
			if trust.ErrorCode(err) != trust.EInvalid || trust.FieldErrors(err)[c.field] == "" {
				t.Fatalf("got %v (fields %v), want an error on %s", err, trust.FieldErrors(err), c.field)
			}
		})
	}
	if err := validInput().Validate(docs, nda); err != nil {
		t.Fatalf("valid input refused: %v", err)
	}
}

func TestNDAEvidence(t *testing.T) {
	f := newFixture(t)
	r, err := f.svc.Submit(context.Background(), validInput(), trust.Client{IP: "192.0.2.7", UserAgent: "Firefox"})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(nda.Text))
	want := trust.Acceptance{Version: "2026-01", Seq: 1, Series: 1, TextSHA256: hex.EncodeToString(sum[:]), Signature: "ada lovelace",
		AcceptedAt: f.now, IP: "192.0.2.7", UserAgent: "Firefox"}
	got, err := f.store.GetRequest(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.NDA.AcceptedAt.Equal(want.AcceptedAt) {
		t.Fatalf("accepted at %v, want %v", got.NDA.AcceptedAt, want.AcceptedAt)
	}
	got.NDA.AcceptedAt = want.AcceptedAt
	if got.NDA != want {
		t.Fatalf("acceptance %+v, want %+v", got.NDA, want)
	}
	if got.Status != trust.Unconfirmed {
		t.Fatalf("status %s", got.Status)
	}
}

func TestTransitions(t *testing.T) {
	ctx := context.Background()
	type step func(f *fixture, id string) (trust.Request, error)
	approve := func(f *fixture, id string) (trust.Request, error) {
		return f.svc.Approve(ctx, staff, id, 30, trust.Client{})
	}
	deny := func(f *fixture, id string) (trust.Request, error) {
		return f.svc.Deny(ctx, staff, id, "no", trust.Client{})
	}
	revoke := func(f *fixture, id string) (trust.Request, error) {
		return f.svc.Revoke(ctx, staff, id, "no longer needed", trust.Client{})
	}
	cases := []struct {
		name   string
		steps  []step
		status trust.Status
		code   trust.Code // of the last step; "" for success
	}{
		{"approve pending", []step{approve}, trust.Approved, ""},
		{"deny pending", []step{deny}, trust.Denied, ""},
		{"approve twice", []step{approve, approve}, trust.Approved, trust.EConflict},
		{"approve denied", []step{deny, approve}, trust.Denied, trust.EConflict},
		{"deny approved", []step{approve, deny}, trust.Approved, trust.EConflict},
		{"revoke approved", []step{approve, revoke}, trust.Revoked, ""},
		{"revoke pending", []step{revoke}, trust.Pending, trust.EConflict},
		{"approve revoked", []step{approve, revoke, approve}, trust.Revoked, trust.EConflict},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			r := f.pending(t)
			var err error
			for _, s := range c.steps {
				_, err = s(f, r.ID)
			}
			if trust.ErrorCode(err) != c.code && !(c.code == "" && err == nil) {
				t.Fatalf("last step: %v, want %q", err, c.code)
			}
			got, _ := f.store.GetRequest(ctx, r.ID)
			if got.Status != c.status {
				t.Fatalf("status %s, want %s", got.Status, c.status)
			}
		})
	}
}

func TestApproveBounds(t *testing.T) {
	f := newFixture(t)
	r := f.pending(t)
	for _, days := range []int{0, -1, 366} {
		if _, err := f.svc.Approve(context.Background(), staff, r.ID, days, trust.Client{}); trust.ErrorCode(err) != trust.EInvalid {
			t.Errorf("days=%d: %v", days, err)
		}
	}
}

// Links are bound to their purpose: each one is refused where another kind
// is expected.
func TestTokenPurposes(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := f.pending(t)
	confirm := lastLink(t, f.mail.to(r.Email), "/access-requests/confirm/")
	if _, err := f.svc.Approve(ctx, staff, r.ID, 30, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	access := lastLink(t, f.mail.to(r.Email), "/access/")
	g, err := f.svc.AccessPage(ctx, access)
	if err != nil {
		t.Fatal(err)
	}
	download := g.Links["soc2"]
	if _, err := f.svc.Download(ctx, download, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.StartSignIn(ctx, staff.Email, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	signin := lastLink(t, f.mail.to(staff.Email), "/admin/login/")
	forbidden := func(err error) bool { return trust.ErrorCode(err) == trust.EForbidden }
	checks := map[string]error{}
	_, checks["confirm link as access page"] = f.svc.AccessPage(ctx, confirm)
	_, checks["access link as download"] = f.svc.Download(ctx, access, trust.Client{})
	_, checks["download link as access page"] = f.svc.AccessPage(ctx, download)
	_, checks["sign-in link as download"] = f.svc.Download(ctx, signin, trust.Client{})
	_, checks["access link as sign-in"] = f.svc.CompleteSignIn(ctx, access, false, trust.Client{})
	_, checks["download link as confirmation"] = f.svc.Confirm(ctx, download, trust.Client{})
	for name, err := range checks {
		if !forbidden(err) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := f.svc.CompleteSignIn(ctx, signin, false, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CompleteSignIn(ctx, signin, false, trust.Client{}); !forbidden(err) {
		t.Errorf("sign-in link used twice: %v", err)
	}
}

func TestGrantExpiresAndSessionsEnd(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := f.pending(t)
	if _, err := f.svc.Approve(ctx, staff, r.ID, 1, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	access := lastLink(t, f.mail.to(r.Email), "/access/")
	g, err := f.svc.AccessPage(ctx, access)
	if err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(24*time.Hour - time.Second)
	if _, err := f.svc.Download(ctx, g.Links["soc2"], trust.Client{}); err != nil {
		t.Fatalf("a second before the end: %v", err)
	}
	if err := f.svc.StartSignIn(ctx, staff.Email, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	sess, err := f.svc.CompleteSignIn(ctx, lastLink(t, f.mail.to(staff.Email), "/admin/login/"), false, trust.Client{})
	if err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Second)
	// The links outlive the grant, so the grant check is what refuses here,
	// and the requester learns that their access expired (not that their
	// link is broken) and that they can ask again.
	if _, err := f.svc.Download(ctx, g.Links["soc2"], trust.Client{}); trust.ErrorCode(err) != trust.EGone {
		t.Fatalf("download after the access period: %v", err)
	}
	if _, err := f.svc.AccessPage(ctx, access); trust.ErrorCode(err) != trust.EGone {
		t.Fatalf("access page after the access period: %v", err)
	}
	if _, err := f.svc.Session(ctx, sess.ID); err != nil {
		t.Fatalf("session within 8 h: %v", err)
	}
	f.now = f.now.Add(trust.SessionTTL)
	if _, err := f.svc.Session(ctx, sess.ID); trust.ErrorCode(err) != trust.EUnauthorized {
		t.Fatalf("session after 8 h: %v", err)
	}
}

func TestAutoApproval(t *testing.T) {
	f := newFixture(t, func(c *trust.Config, _ *trust.Engines) { c.AutoApprove = []string{"buyer.example"} })
	r, err := f.svc.Submit(context.Background(), validInput(), trust.Client{})
	if err != nil {
		t.Fatal(err)
	}
	r, err = f.svc.Confirm(context.Background(), lastLink(t, f.mail.to(r.Email), "/access-requests/confirm/"), trust.Client{})
	if err != nil || r.Status != trust.Approved || r.DecidedBy != "rule:allow:domain:buyer.example" || r.DecisionReason != "rule.allow.domain" {
		t.Fatalf("%s by %q: %v", r.Status, r.DecidedBy, err)
	}
	if len(f.mail.to(staff.Email)) != 0 {
		t.Fatal("approvers were asked about an auto-approved request")
	}
	lastLink(t, f.mail.to(r.Email), "/access/")
}

// A failed dependency leaves nothing half done: the state, the event and
// the mail land together or not at all.
func TestDependencyFailures(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := f.pending(t)
	before := len(f.mail.to(r.Email))
	f.store.down = true
	if _, err := f.svc.Approve(ctx, staff, r.ID, 30, trust.Client{}); trust.ErrorCode(err) != trust.EUnavailable {
		t.Fatalf("approve with the store down: %v", err)
	}
	f.store.down = false
	got, _ := f.store.GetRequest(ctx, r.ID)
	if got.Status != trust.Pending || len(f.mail.to(r.Email)) != before {
		t.Fatal("a failed approval changed something")
	}
	// Mail that fails waits in the outbox and goes after its backoff.
	f.mail.fail = true
	if _, err := f.svc.Approve(ctx, staff, r.ID, 30, trust.Client{}); err != nil {
		t.Fatalf("approve with mail down: %v", err)
	}
	if len(f.mail.to(r.Email)) != before {
		t.Fatal("mail sent while down")
	}
	f.mail.fail = false
	if len(f.mail.to(r.Email)) != before {
		t.Fatal("mail sent again before its backoff")
	}
	f.now = f.now.Add(2 * time.Minute)
	lastLink(t, f.mail.to(r.Email), "/access/")
	if pending, _ := f.store.PendingMails(ctx, 10); len(pending) != 0 {
		t.Fatalf("%d mails still pending", len(pending))
	}
}

func TestRateLimit(t *testing.T) {
	f := newFixture(t)
	for i := range 5 {
		if _, err := f.svc.Submit(context.Background(), validInput(), trust.Client{IP: "192.0.2.9"}); err != nil {
			t.Fatalf("request %d from one email within the hour: %v", i+1, err)
		}
	}
	_, err := f.svc.Submit(context.Background(), validInput(), trust.Client{IP: "192.0.2.9"})
	if trust.ErrorCode(err) != trust.ERateLimited {
		t.Fatalf("sixth request from one email within the hour: %v", err)
	}
}

func TestPublish(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if _, err := f.svc.Publish(ctx, admin, trust.Document{ID: "soc2"}, []byte("GIF89a"), trust.Client{}); trust.ErrorCode(err) != trust.EInvalid {
		t.Fatalf("a non-PDF: %v", err)
	}
	d, err := f.svc.Publish(ctx, admin, trust.Document{ID: "soc2", Title: "SOC 2 Type II", Access: trust.Gated}, []byte("%PDF-1.7 new"), trust.Client{})
	if err != nil || d.Version != 2 {
		t.Fatalf("version %d: %v", d.Version, err)
	}
	events, _ := f.store.ListEvents(ctx, "doc:soc2")
	if len(events) != 2 || events[1].Type != "document.published" {
		t.Fatalf("events %+v", events)
	}
}

func TestCheckAddress(t *testing.T) {
	for a, ok := range map[string]bool{
		"ada@buyer.example":                     true,
		"Ada <ada@buyer.example>":               false,
		"ada@buyer.example, eve@evil.example":   false,
		"ada@buyer.example\r\nBcc: x@evil.test": false,
		"":                                      false,
	} {
		if err := trust.CheckAddress(a); (err == nil) != ok {
			t.Errorf("CheckAddress(%q) = %v", a, err)
		}
	}
}
