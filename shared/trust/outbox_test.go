package trust_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

// scriptedMailer answers each Send with the next error of script (nil once
// it runs out), and counts the sends per mail id.
type scriptedMailer struct {
	mu     sync.Mutex
	script []error
	sends  map[string]int
}

func (s *scriptedMailer) Send(_ context.Context, m trust.Mail) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sends == nil {
		s.sends = map[string]int{}
	}
	s.sends[m.ID]++
	if len(s.script) == 0 {
		return nil
	}
	err := s.script[0]
	s.script = s.script[1:]
	return err
}

func (s *scriptedMailer) count(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sends[id]
}

// queue commits one mail straight to the store, as a commit would.
func (f *fixture) queue(t *testing.T, id, to string) trust.Mail {
	t.Helper()
	m := trust.Mail{ID: id, To: to, Subject: "s", Text: "t", CreatedAt: f.now}
	if err := f.store.Commit(context.Background(), trust.Tx{Mails: []trust.Mail{m}}); err != nil {
		t.Fatal(err)
	}
	return m
}

func (f *fixture) stored(t *testing.T, id string) trust.Mail {
	t.Helper()
	m, err := f.store.GetMail(context.Background(), id)
	if err != nil {
		t.Fatalf("GetMail(%s): %v", id, err)
	}
	return m
}

func drain(t *testing.T, f *fixture) trust.MailReport {
	t.Helper()
	r, err := f.svc.DrainMail(context.Background())
	if err != nil {
		t.Fatalf("DrainMail: %v", err)
	}
	return r
}

// A commit only queues its mail, whatever the mail provider would say: the
// request does not wait on it. The scheduler delivers the mail once, and
// delivering the same id again sends nothing.
func TestCommitOnlyQueuesMail(t *testing.T) {
	ctx := context.Background()
	mailer := &scriptedMailer{}
	var queued atomic.Int32
	f := newFixture(t, func(_ *trust.Config, e *trust.Engines) {
		e.Mail = mailer
		e.MailQueued = func() { queued.Add(1) }
	})
	r, err := f.svc.Submit(ctx, validInput(), trust.Client{IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	pending, err := f.store.PendingMails(ctx, 10)
	if err != nil || len(pending) != 1 || pending[0].To != r.Email {
		t.Fatalf("outbox after Submit: %+v, %v; want the confirmation", pending, err)
	}
	if n := mailer.count(pending[0].ID); n != 0 {
		t.Fatalf("Submit sent the mail itself (%d sends)", n)
	}
	if queued.Load() != 1 {
		t.Fatalf("MailQueued called %d times, want once", queued.Load())
	}
	id := pending[0].ID
	for range 3 {
		if _, err := f.svc.DeliverMail(ctx, id); err != nil {
			t.Fatal(err)
		}
		drain(t, f)
	}
	if n := mailer.count(id); n != 1 {
		t.Fatalf("the mail was sent %d times, want once", n)
	}
	if m := f.stored(t, id); m.State != trust.MailSent {
		t.Fatalf("state %q, want sent", m.State)
	}
	// An id the stream names that the store no longer knows is skipped.
	if _, err := f.svc.DeliverMail(ctx, "mail_forgotten"); err != nil {
		t.Fatalf("DeliverMail of an unknown id: %v", err)
	}
}

// A mail the provider cannot take now (throttling, 5xx) is tried again
// with a doubling backoff, not before it is due, and given up as
// undeliverable, with its reason and an ERROR line, after MaxMailAttempts.
func TestMailBacksOffThenGivesUp(t *testing.T) {
	var logs bytes.Buffer
	throttled := trust.Unavailable(errors.New("TooManyRequestsException: throttled"))
	mailer := &scriptedMailer{}
	for range trust.MaxMailAttempts {
		mailer.script = append(mailer.script, throttled)
	}
	f := newFixture(t, func(_ *trust.Config, e *trust.Engines) {
		e.Mail = mailer
		e.Log = slog.New(slog.NewJSONHandler(&logs, nil))
	})
	m := f.queue(t, "mail_throttled", "ada@buyer.example")
	wait := time.Minute
	for attempt := 1; attempt <= trust.MaxMailAttempts; attempt++ {
		if r := drain(t, f); (attempt < trust.MaxMailAttempts && r.Retrying != 1) || mailer.count(m.ID) != attempt {
			t.Fatalf("attempt %d: report %+v, %d sends", attempt, r, mailer.count(m.ID))
		}
		got := f.stored(t, m.ID)
		if attempt == trust.MaxMailAttempts {
			break
		}
		if got.Attempts != attempt || !got.NextAttemptAt.Equal(f.now.Add(wait)) || !got.SendingAt.IsZero() || got.Reason == "" {
			t.Fatalf("after attempt %d: %+v; want next attempt in %v", attempt, got, wait)
		}
		// Not due yet: nothing is sent.
		f.now = f.now.Add(wait - time.Second)
		drain(t, f)
		if mailer.count(m.ID) != attempt {
			t.Fatalf("sent before the backoff of attempt %d ended", attempt)
		}
		f.now = f.now.Add(time.Second)
		wait = min(2*wait, time.Hour)
	}
	got := f.stored(t, m.ID)
	if got.State != trust.MailUndeliverable || !strings.Contains(got.Reason, "throttled") {
		t.Fatalf("after %d attempts: %+v; want undeliverable with the last reason", trust.MaxMailAttempts, got)
	}
	if pending, _ := f.store.PendingMails(context.Background(), 10); len(pending) != 0 {
		t.Fatalf("an undeliverable mail is still pending: %+v", pending)
	}
	if !strings.Contains(logs.String(), `"level":"ERROR","msg":"mail undeliverable"`) {
		t.Fatalf("no ERROR line for the mail given up:\n%s", logs.String())
	}
}

// A mail the provider refuses for good is undeliverable at once, kept with
// the reason, and logged as an ERROR; mails behind it still go out.
func TestMailRefusedForGoodIsUndeliverable(t *testing.T) {
	var logs bytes.Buffer
	f := newFixture(t, func(_ *trust.Config, e *trust.Engines) { e.Log = slog.New(slog.NewTextHandler(&logs, nil)) })
	f.mail.drain = nil
	const bounce = "bounce@nowhere.example"
	f.mail.refuse = map[string]bool{bounce: true}
	for i := range 3 {
		f.queue(t, fmt.Sprintf("mail_refused%d", i), bounce)
	}
	f.now = f.now.Add(time.Second)
	later := f.queue(t, "mail_later", "ada@buyer.example")
	r := drain(t, f)
	if r.Sent != 1 || r.Undeliverable != 3 || r.Failed != 3 || r.OldestPending != 0 {
		t.Fatalf("report %+v", r)
	}
	if got := f.mail.to(later.To); len(got) != 1 || got[0].ID != later.ID {
		t.Fatalf("the later mail was not delivered: %+v", got)
	}
	got := f.stored(t, "mail_refused0")
	if got.State != trust.MailUndeliverable || !strings.Contains(got.Reason, "does not accept mail") || got.Attempts != 1 {
		t.Fatalf("refused mail: %+v", got)
	}
	for _, want := range []string{"level=ERROR", "mail=mail_refused0", "mail=mail_refused2", "does not accept mail", "mail_permanent_failure=1"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

// A send whose answer was lost (a timeout) may have gone out: it is tried
// once more after the backoff, and never a third time.
func TestLostAnswerIsRetriedOnce(t *testing.T) {
	lost := fmt.Errorf("post: %w", trust.ErrAnswerLost)
	mailer := &scriptedMailer{script: []error{lost, lost}}
	f := newFixture(t, func(_ *trust.Config, e *trust.Engines) { e.Mail = mailer })
	m := f.queue(t, "mail_lost", "ada@buyer.example")
	drain(t, f)
	if got := f.stored(t, m.ID); got.SendingAt.IsZero() || got.Attempts != 1 {
		t.Fatalf("after a lost answer: %+v; want the claim kept", got)
	}
	for range 3 {
		f.now = f.now.Add(time.Hour)
		drain(t, f)
	}
	if n := mailer.count(m.ID); n != 2 {
		t.Fatalf("sent %d times, want twice", n)
	}
	if got := f.stored(t, m.ID); got.State != trust.MailUndeliverable || got.Lost != 2 {
		t.Fatalf("after two lost answers: %+v; want undeliverable", got)
	}
}

// A sender that crashed after claiming an attempt leaves the claim: the
// next drain counts that answer as lost and sends once more, which then
// succeeds.
func TestCrashAfterClaimSendsOnceMore(t *testing.T) {
	mailer := &scriptedMailer{}
	f := newFixture(t, func(_ *trust.Config, e *trust.Engines) { e.Mail = mailer })
	m := f.queue(t, "mail_crash", "ada@buyer.example")
	claim := m
	claim.Attempts, claim.SendingAt, claim.NextAttemptAt = 1, f.now, f.now.Add(time.Minute)
	if err := f.store.SaveMailAttempt(context.Background(), claim, 0); err != nil {
		t.Fatal(err)
	}
	drain(t, f)
	if mailer.count(m.ID) != 0 {
		t.Fatal("a claimed attempt was sent again before its backoff")
	}
	f.now = f.now.Add(time.Minute)
	drain(t, f)
	drain(t, f)
	if got := f.stored(t, m.ID); mailer.count(m.ID) != 1 || got.State != trust.MailSent {
		t.Fatalf("%d sends, state %+v; want one send and sent", mailer.count(m.ID), got)
	}
}

// blockingMailer holds every Send until release is closed, and counts them.
type blockingMailer struct {
	entered chan struct{}
	release chan struct{}
	sent    atomic.Int32
}

func (b *blockingMailer) Send(context.Context, trust.Mail) error {
	b.entered <- struct{}{}
	<-b.release
	b.sent.Add(1)
	return nil
}

// Two schedulers at once (the stream and the schedule, or two instances)
// claim the attempt in the store: one sends, the other passes.
func TestConcurrentDeliveriesSendOnce(t *testing.T) {
	ctx := context.Background()
	mailer := &blockingMailer{entered: make(chan struct{}, 1), release: make(chan struct{})}
	f := newFixture(t, func(_ *trust.Config, e *trust.Engines) { e.Mail = mailer })
	m := f.queue(t, "mail_pending", "ada@buyer.example")
	first := make(chan error, 1)
	go func() { _, err := f.svc.DeliverMail(ctx, m.ID); first <- err }()
	<-mailer.entered // the first delivery is sending
	second := make(chan error, 1)
	go func() { _, err := f.svc.DrainMail(ctx); second <- err }()
	select {
	case err := <-second:
		if err != nil {
			t.Fatal(err)
		}
	case <-mailer.entered:
		t.Error("a second delivery sent the mail the first one is sending")
	}
	close(mailer.release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if n := mailer.sent.Load(); n != 1 {
		t.Fatalf("the mail was sent %d times, want once", n)
	}
}

// An address that bounced for good or complained gets no more mail: the
// state change that would mail it still happens (and is logged), and a
// mail queued before the bounce is given up when its turn comes.
func TestSuppressedAddressGetsNoMail(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	f := newFixture(t, func(_ *trust.Config, e *trust.Engines) { e.Log = slog.New(slog.NewTextHandler(&logs, nil)) })
	f.mail.drain = nil
	early := f.queue(t, "mail_early", "ada@buyer.example")
	if err := f.svc.Suppress(ctx, " Ada@Buyer.Example", "bounce: Permanent/General"); err != nil {
		t.Fatal(err)
	}
	r, err := f.svc.Submit(ctx, validInput(), trust.Client{IP: "192.0.2.1"})
	if err != nil {
		t.Fatalf("Submit to a suppressed address: %v", err)
	}
	if got, _ := f.store.GetRequest(ctx, r.ID); got.Status != trust.Unconfirmed {
		t.Fatalf("the request was not recorded: %+v", got)
	}
	pending, _ := f.store.PendingMails(ctx, 10)
	if len(pending) != 1 || pending[0].ID != early.ID {
		t.Fatalf("outbox %+v; want only the mail queued before the bounce", pending)
	}
	if !strings.Contains(logs.String(), "mail not queued: the address is suppressed") {
		t.Fatalf("the dropped mail is not logged:\n%s", logs.String())
	}
	rep := drain(t, f)
	if rep.Undeliverable != 1 || rep.Failed != 0 || len(f.mail.to(early.To)) != 0 {
		t.Fatalf("report %+v; want the early mail given up unsent, not as a failure", rep)
	}
	if got := f.stored(t, early.ID); got.State != trust.MailUndeliverable || !strings.HasPrefix(got.Reason, "suppressed: bounce") {
		t.Fatalf("early mail %+v", got)
	}
	if err := f.svc.Suppress(ctx, "  ", "complaint"); trust.ErrorCode(err) != trust.EInvalid {
		t.Fatalf("Suppress of no address: %v", err)
	}
}

// The drain reports how old the oldest mail still pending is, for the
// alarm on mail that does not leave.
func TestDrainReportsOldestPending(t *testing.T) {
	f := newFixture(t)
	f.mail.drain = nil
	f.mail.fail = true
	f.queue(t, "mail_old", "ada@buyer.example")
	f.now = f.now.Add(10 * time.Minute)
	f.queue(t, "mail_new", "grace@buyer.example")
	if r := drain(t, f); r.OldestPending != 10*time.Minute || r.Retrying != 2 {
		t.Fatalf("report %+v; want the oldest 10m old", r)
	}
}
