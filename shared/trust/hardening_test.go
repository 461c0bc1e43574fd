package trust_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

// opLog records the store calls the service makes and the shape of each
// commit, so two paths can be shown to do the same work.
type opLog struct {
	trust.Store
	mu  sync.Mutex
	ops []string
}

func (o *opLog) note(op string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.ops = append(o.ops, op)
}

func (o *opLog) Commit(ctx context.Context, tx trust.Tx) error {
	o.note(fmt.Sprintf("Commit(events=%d mails=%d uses=%d session=%v request=%v)", len(tx.Events), len(tx.Mails), len(tx.Uses), tx.Session != nil, tx.Request != nil))
	return o.Store.Commit(ctx, tx)
}

func (o *opLog) Hit(ctx context.Context, key string, window time.Duration, now time.Time) (trust.Hits, error) {
	o.note("Hit")
	return o.Store.Hit(ctx, key, window, now)
}

func (o *opLog) MarkMailSent(ctx context.Context, id string) error {
	o.note("MarkMailSent")
	return o.Store.MarkMailSent(ctx, id)
}

func (o *opLog) PendingMails(ctx context.Context, limit int) ([]trust.Mail, error) {
	o.note("PendingMails")
	return o.Store.PendingMails(ctx, limit)
}

func (o *opLog) take() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	ops := o.ops
	o.ops = nil
	return ops
}

// TestSignInAnswersAlike: asking for a sign-in link with a staff address and
// with anyone else's gives the same answer after the same store work and
// one mail each, so neither the answer nor its cost tells staff apart.
func TestSignInAnswersAlike(t *testing.T) {
	ctx := context.Background()
	var ops *opLog
	f := newFixture(t, func(_ *trust.Config, e *trust.Engines) {
		ops = &opLog{Store: e.Store}
		e.Store = ops
	})
	// The scheduler's work is not the request's: each count of delivered
	// mail drains the outbox and leaves its store calls out.
	delivered := func() int {
		f.mail.drain()
		ops.take()
		f.mail.mu.Lock()
		defer f.mail.mu.Unlock()
		return len(f.mail.sent)
	}

	before := delivered()
	staffErr := f.svc.StartSignIn(ctx, staff.Email, trust.Client{IP: "192.0.2.1"})
	staffOps := ops.take()
	staffMails := delivered() - before
	before = delivered()
	otherErr := f.svc.StartSignIn(ctx, "someone@buyer.example", trust.Client{IP: "192.0.2.2"})
	otherOps := ops.take()
	otherMails := delivered() - before

	if staffErr != nil || otherErr != nil {
		t.Fatalf("answers: staff %v, not staff %v; want nil for both", staffErr, otherErr)
	}
	if !slices.Equal(staffOps, otherOps) {
		t.Errorf("store work differs:\nstaff:     %v\nnot staff: %v", staffOps, otherOps)
	}
	if staffMails != 1 || otherMails != 1 {
		t.Errorf("mails delivered: staff %d, not staff %d; want one each", staffMails, otherMails)
	}
	if m := f.mail.to("someone@buyer.example"); len(m) != 1 || strings.Contains(m[0].Text, "/admin/login/") {
		t.Errorf("the mail to a stranger carries a sign-in link: %+v", m)
	}
	lastLink(t, f.mail.to(staff.Email), "/admin/login/")
}

// TestSignInLimitsEveryAddress: the per-address limit counts any address,
// so whether it refuses says nothing about who is staff; and a stranger who
// uses up the limit for a staff address from their network does not lock
// the staff member out on theirs.
func TestSignInLimitsEveryAddress(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	for _, addr := range []string{staff.Email, "nobody@buyer.example"} {
		stranger := trust.Client{IP: "198.51.100.7"}
		for i := range 5 {
			if err := f.svc.StartSignIn(ctx, addr, stranger); err != nil {
				t.Fatalf("%s, attempt %d: %v", addr, i+1, err)
			}
		}
		if err := f.svc.StartSignIn(ctx, addr, stranger); trust.ErrorCode(err) != trust.ERateLimited {
			t.Errorf("%s, sixth attempt from one network: %v, want ERateLimited", addr, err)
		}
		// A spelling of the same mailbox counts against it too.
		if err := f.svc.StartSignIn(ctx, strings.Replace(strings.ToUpper(addr), "@", "+x@", 1), stranger); trust.ErrorCode(err) != trust.ERateLimited {
			t.Errorf("%s with a plus tag and capitals: %v, want ERateLimited", addr, err)
		}
		f.now = f.now.Add(time.Second)
	}
	if err := f.svc.StartSignIn(ctx, staff.Email, trust.Client{IP: "203.0.113.9"}); err != nil {
		t.Fatalf("the staff member on their own network after a stranger's attempts: %v", err)
	}
}

// TestRateLimitSlides: five requests late in one hour still count a few
// minutes into the next, where a fixed window would have forgotten them;
// they fade as the window slides on.
func TestRateLimitSlides(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c := trust.Client{IP: "192.0.2.9"}
	f.now = time.Date(2026, 11, 25, 9, 50, 0, 0, time.UTC)
	for i := range 5 {
		if _, err := f.svc.Submit(ctx, validInput(), c); err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
	}
	f.now = time.Date(2026, 11, 25, 10, 5, 0, 0, time.UTC)
	if _, err := f.svc.Submit(ctx, validInput(), c); trust.ErrorCode(err) != trust.ERateLimited {
		t.Fatalf("a sixth request 15 minutes after five: %v, want ERateLimited", err)
	}
	f.now = time.Date(2026, 11, 25, 10, 50, 0, 0, time.UTC)
	if _, err := f.svc.Submit(ctx, validInput(), c); err != nil {
		t.Fatalf("an hour after the five: %v", err)
	}
}

// TestRateLimitKeys: IPv6 clients are counted by /64, an address by its
// mailbox (case and plus tags aside), and an address posted by a stranger
// does not block its owner.
func TestRateLimitKeys(t *testing.T) {
	ctx := context.Background()
	t.Run("IPv6 /64", func(t *testing.T) {
		f := newFixture(t)
		for i := range 20 {
			in := validInput()
			in.Email = fmt.Sprintf("buyer%d@buyer.example", i)
			if _, err := f.svc.Submit(ctx, in, trust.Client{IP: fmt.Sprintf("2001:db8:1:2::%x", i+1)}); err != nil {
				t.Fatalf("request %d: %v", i+1, err)
			}
		}
		in := validInput()
		in.Email = "another@buyer.example"
		if _, err := f.svc.Submit(ctx, in, trust.Client{IP: "2001:db8:1:2:ffff::1"}); trust.ErrorCode(err) != trust.ERateLimited {
			t.Fatalf("a 21st request from the same /64: %v, want ERateLimited", err)
		}
		if _, err := f.svc.Submit(ctx, in, trust.Client{IP: "2001:db8:1:3::1"}); err != nil {
			t.Fatalf("from the next /64: %v", err)
		}
	})
	t.Run("mailbox", func(t *testing.T) {
		f := newFixture(t)
		c := trust.Client{IP: "192.0.2.9"}
		for i, addr := range []string{"ada@buyer.example", "ADA@Buyer.Example", "ada+1@buyer.example", "ada+2@buyer.example", "Ada+3@BUYER.example"} {
			in := validInput()
			in.Email = addr
			if _, err := f.svc.Submit(ctx, in, c); err != nil {
				t.Fatalf("request %d: %v", i+1, err)
			}
		}
		in := validInput()
		in.Email = "ada+6@buyer.example"
		if _, err := f.svc.Submit(ctx, in, c); trust.ErrorCode(err) != trust.ERateLimited {
			t.Fatalf("a sixth spelling of one mailbox: %v, want ERateLimited", err)
		}
		if _, err := f.svc.Submit(ctx, in, trust.Client{IP: "203.0.113.5"}); err != nil {
			t.Fatalf("the owner of the mailbox from their own network: %v", err)
		}
	})
}

// TestAutoApprovalComparesASCII: a customer domain matches only the same
// domain in its ASCII form, never one that Unicode case folding merely
// equates (final sigma folds to sigma; IDNA keeps them apart, and so does
// the mail).
func TestAutoApprovalComparesASCII(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		email    string
		approved bool
	}{
		{"ada@σ.example", true},
		{"ada@xn--4xa.example", true},
		{"ada@Σ.EXAMPLE", true},
		{"ada@ς.example", false},
	} {
		f := newFixture(t, func(c *trust.Config, _ *trust.Engines) { c.AutoApprove = []string{"σ.example"} })
		in := validInput()
		in.Email = c.email
		r, err := f.svc.Submit(ctx, in, trust.Client{IP: "192.0.2.1"})
		if err != nil {
			t.Fatalf("%s: %v", c.email, err)
		}
		r, err = f.svc.Confirm(ctx, lastLink(t, f.mail.to(r.Email), "/access-requests/confirm/"), trust.Client{})
		if err != nil {
			t.Fatalf("%s: confirm: %v", c.email, err)
		}
		if got := r.Status == trust.Approved; got != c.approved {
			t.Errorf("%s (stored as %s): approved %v, want %v", c.email, r.Email, got, c.approved)
		}
	}
}

// TestFormRefusesControlCharacters: every field, the reason included,
// refuses control and bidirectional characters; the reason may break lines.
func TestFormRefusesControlCharacters(t *testing.T) {
	for _, c := range []struct {
		field string
		set   func(in *trust.RequestInput)
	}{
		{"reason", func(in *trust.RequestInput) { in.Reason = "Due diligence\x1b[2J" }},
		{"reason", func(in *trust.RequestInput) { in.Reason = "Audit \u202egnp.exe" }},
		{"name", func(in *trust.RequestInput) { in.Name, in.NDASignature = "Ada \u2066Lovelace", "Ada \u2066Lovelace" }},
		{"company", func(in *trust.RequestInput) { in.Company = "Buyer\u202d" }},
		{"email", func(in *trust.RequestInput) { in.Email = "ada@[127.0.0.1]" }},
		{"email", func(in *trust.RequestInput) { in.Email = "ada@[IPv6:::1]" }},
	} {
		in := validInput()
		c.set(&in)
		_, err := newFixture(t).svc.Submit(context.Background(), in, trust.Client{IP: "192.0.2.1"})
		if _, ok := trust.FieldErrors(err)[c.field]; !ok {
			t.Errorf("%+v: %v, want a refusal of %s", in, err, c.field)
		}
	}
	in := validInput()
	in.Reason = "Vendor review.\r\nSecond paragraph."
	if _, err := newFixture(t).svc.Submit(context.Background(), in, trust.Client{IP: "192.0.2.1"}); err != nil {
		t.Errorf("a reason over two lines: %v", err)
	}
}

// TestVisitorTextInMailsIsQuoted: a name or company that carries a link
// reaches the approvers' mail quoted and with the link broken.
func TestVisitorTextInMailsIsQuoted(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	in := validInput()
	in.Name, in.NDASignature = "Ada www.evil.example", "Ada www.evil.example"
	in.Company = "Urgent: sign in at https://evil.example/login"
	r, err := f.svc.Submit(ctx, in, trust.Client{IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Confirm(ctx, lastLink(t, f.mail.to(r.Email), "/access-requests/confirm/"), trust.Client{}); err != nil {
		t.Fatal(err)
	}
	mails := f.mail.to(staff.Email)
	if len(mails) != 1 {
		t.Fatalf("%d mails to the approver", len(mails))
	}
	text := mails[0].Text
	for _, want := range []string{"\u201cAda www[.]evil[.]example\u201d", "\u201cUrgent[:] sign in at https[:]//evil[.]example/login\u201d"} {
		if !strings.Contains(text, want) {
			t.Errorf("the approver's mail lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "evil.example") {
		t.Errorf("the approver's mail carries the visitor's link:\n%s", text)
	}
}

// TestSignInCanEndOtherSessions: a sign-in that asks for it ends the
// person's earlier sessions, and only theirs; one that does not leaves them.
func TestSignInCanEndOtherSessions(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(c *trust.Config, _ *trust.Engines) {
		c.Staff = append(c.Staff, trust.Staff{Email: "other@lumen.example", Role: trust.Admin})
	})
	signIn := func(addr string, endOthers bool) trust.Session {
		t.Helper()
		if err := f.svc.StartSignIn(ctx, addr, trust.Client{IP: "192.0.2.1"}); err != nil {
			t.Fatal(err)
		}
		link := lastLink(t, f.mail.to(addr), "/admin/login/")
		// Looking at the link, as a mail scanner does, uses nothing up.
		for range 2 {
			if err := f.svc.CheckSignIn(link); err != nil {
				t.Fatalf("checking the link: %v", err)
			}
		}
		s, err := f.svc.CompleteSignIn(ctx, link, endOthers, trust.Client{})
		if err != nil {
			t.Fatal(err)
		}
		f.now = f.now.Add(time.Minute)
		return s
	}
	first := signIn(staff.Email, false)
	colleague := signIn("other@lumen.example", false)
	second := signIn(staff.Email, false)
	for _, s := range []trust.Session{first, colleague, second} {
		if _, err := f.svc.Session(ctx, s.ID); err != nil {
			t.Fatalf("session of %s after a plain sign-in: %v", s.Email, err)
		}
	}
	third := signIn(staff.Email, true)
	for _, c := range []struct {
		s    trust.Session
		live bool
	}{{first, false}, {second, false}, {colleague, true}, {third, true}} {
		_, err := f.svc.Session(ctx, c.s.ID)
		if live := err == nil; live != c.live {
			t.Errorf("session of %s opened %v: live %v (%v), want %v", c.s.Email, c.s.CreatedAt, live, err, c.live)
		}
	}
}
