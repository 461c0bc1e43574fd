package trust

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Delivery of the outbox. Commits only queue mail; the mail scheduler (a
// Lambda function woken by the table's stream and a five-minute schedule,
// or the local server's goroutine) calls DeliverMail and DrainMail. Each
// attempt is claimed in the store before the provider is called, so two
// schedulers never send the same attempt, and a crash mid-send is seen by
// the next attempt: delivery is at least once, with at most one resend of a
// mail whose answer was lost.

// MaxMailAttempts is how many times a mail is tried before it is given up
// as undeliverable. With mailBackoff doubling from a minute (capped at an
// hour) the last try comes about two hours after the first.
const MaxMailAttempts = 8

const (
	mailBackoffFirst = time.Minute
	mailBackoffMax   = time.Hour
	// drainBatch bounds one drain; the schedule comes back for the rest.
	drainBatch = 200
)

// ErrAnswerLost is what a mail engine wraps when it cannot tell whether
// the provider took the mail (a timeout, a dropped connection): the mail
// may have gone out. The scheduler tries such a mail once more, never
// twice, so a mail arrives at most twice rather than many times.
var ErrAnswerLost = errors.New("the mail provider's answer was lost")

// mailBackoff is the wait after the attempt-th attempt failed.
func mailBackoff(attempt int) time.Duration {
	d := mailBackoffFirst
	for i := 1; i < attempt && d < mailBackoffMax; i++ {
		d *= 2
	}
	return min(d, mailBackoffMax)
}

// MailReport is what one delivery run did, for its log line and metrics.
type MailReport struct {
	Sent          int
	Retrying      int // failed for now; due again after a backoff
	Undeliverable int // given up for good in this run
	Failed        int // of those, refused or exhausted (not suppressed): an operator should look
	// OldestPending is the age of the oldest mail still pending after the
	// run (zero: none), which an alarm watches.
	OldestPending time.Duration
}

func (r *MailReport) add(o outcome) {
	switch o {
	case outcomeSent:
		r.Sent++
	case outcomeRetrying:
		r.Retrying++
	case outcomeSuppressed:
		r.Undeliverable++
	case outcomeFailed:
		r.Undeliverable++
		r.Failed++
	}
}

type outcome int

const (
	outcomeSkipped outcome = iota // not due, not pending, or another sender has it
	outcomeSent
	outcomeRetrying
	outcomeSuppressed
	outcomeFailed
)

// DeliverMail tries the mails with these ids now, if they are due: the
// stream trigger names the mails just queued. An id that is unknown (a
// stream record of a mail since forgotten) is skipped.
func (s *Service) DeliverMail(ctx context.Context, ids ...string) (MailReport, error) {
	var r MailReport
	if !s.canMail() {
		return r, noEngine("mail", "DeliverMail")
	}
	for _, id := range ids {
		m, err := s.store.GetMail(ctx, id)
		if ErrorCode(err) == ENotFound {
			s.log.Warn("mail to deliver not found", "mail", id)
			continue
		}
		if err != nil {
			return r, fmt.Errorf("deliver %s: %w", id, err)
		}
		o, err := s.attempt(ctx, m)
		if err != nil {
			return r, err
		}
		r.add(o)
	}
	return r, nil
}

// DrainMail tries every pending mail that is due, oldest first, and
// reports the age of the oldest mail still pending afterwards. The
// schedule runs it, so mail left by a failed or lost attempt goes out
// once its backoff has passed.
func (s *Service) DrainMail(ctx context.Context) (MailReport, error) {
	var r MailReport
	if !s.canMail() {
		return r, noEngine("mail", "DrainMail")
	}
	mails, err := s.store.PendingMails(ctx, drainBatch)
	if err != nil {
		return r, fmt.Errorf("drain mail: %w", err)
	}
	for _, m := range mails {
		o, err := s.attempt(ctx, m)
		if err != nil {
			return r, err
		}
		r.add(o)
	}
	left, err := s.store.PendingMails(ctx, 1)
	if err != nil {
		return r, fmt.Errorf("drain mail: %w", err)
	}
	if len(left) > 0 {
		r.OldestPending = max(s.now().Sub(left[0].CreatedAt), 0)
	}
	return r, nil
}

// attempt delivers m if it is due: it claims the attempt in the store
// (count, next time, "sending since"), sends, and records the answer. An
// error is the store failing; every answer of the provider is an outcome.
func (s *Service) attempt(ctx context.Context, m Mail) (outcome, error) {
	now := s.now()
	if m.State != MailPending || m.NextAttemptAt.After(now) {
		return outcomeSkipped, nil
	}
	if sup, err := s.store.Suppressed(ctx, normalizeEmail(m.To)); err == nil {
		s.log.Warn("mail not sent: the address is suppressed", "mail", m.ID, "suppressed", sup.Reason)
		return s.giveUp(ctx, m, m.Attempts, "suppressed: "+sup.Reason, outcomeSuppressed)
	} else if ErrorCode(err) != ENotFound {
		return outcomeSkipped, fmt.Errorf("deliver %s: %w", m.ID, err)
	}
	claim := m
	if !m.SendingAt.IsZero() {
		claim.Lost++
	}
	switch {
	case claim.Lost >= 2:
		return s.giveUp(ctx, claim, m.Attempts, "the answer to two sends was lost; not sent again, so that it cannot arrive a third time", outcomeFailed)
	case m.Attempts >= MaxMailAttempts:
		return s.giveUp(ctx, m, m.Attempts, fmt.Sprintf("gave up after %d attempts: %s", m.Attempts, m.Reason), outcomeFailed)
	}
	claim.Attempts++
	claim.SendingAt = now
	claim.NextAttemptAt = now.Add(mailBackoff(claim.Attempts))
	if err := s.store.SaveMailAttempt(ctx, claim, m.Attempts); err != nil {
		if ErrorCode(err) == EConflict {
			return outcomeSkipped, nil // another sender claimed it first
		}
		return outcomeSkipped, fmt.Errorf("claim %s: %w", m.ID, err)
	}

	err := s.sendMail(ctx, claim)
	switch {
	case err == nil:
		if err := s.store.MarkMailSent(ctx, m.ID); err != nil {
			// Sent but not marked: the next attempt sees the claim and
			// counts the answer as lost, so at most one copy more.
			return outcomeSkipped, fmt.Errorf("mark %s sent: %w", m.ID, err)
		}
		s.mailWent(ctx)
		return outcomeSent, nil
	case errors.Is(err, ErrAnswerLost):
		// The claim stays: the next attempt, after the backoff, counts it.
		s.log.Warn("mail answer lost; tried again once after the backoff", "mail", m.ID, "attempt", claim.Attempts, "err", err)
		return outcomeRetrying, nil
	case ErrorCode(err) == EInvalid:
		return s.giveUp(ctx, claim, claim.Attempts, "refused: "+err.Error(), outcomeFailed)
	}
	failed := claim
	failed.SendingAt = time.Time{}
	failed.Reason = err.Error()
	if failed.Attempts >= MaxMailAttempts {
		return s.giveUp(ctx, failed, claim.Attempts, fmt.Sprintf("gave up after %d attempts: %s", failed.Attempts, failed.Reason), outcomeFailed)
	}
	if err := s.store.SaveMailAttempt(ctx, failed, claim.Attempts); err != nil {
		return outcomeSkipped, fmt.Errorf("record failed attempt of %s: %w", m.ID, err)
	}
	s.log.Warn("mail delivery failed; tried again after a backoff", "mail", m.ID, "attempt", failed.Attempts,
		"next_attempt_at", failed.NextAttemptAt, "err", err)
	return outcomeRetrying, nil
}

// giveUp records m as undeliverable with reason, out of the pending queue
// for good. A failure (not a suppression) is logged as an ERROR with the
// fields a metric filter keys on.
func (s *Service) giveUp(ctx context.Context, m Mail, ifAttempts int, reason string, o outcome) (outcome, error) {
	m.State = MailUndeliverable
	m.Reason = reason
	if err := s.store.SaveMailAttempt(ctx, m, ifAttempts); err != nil {
		if ErrorCode(err) == EConflict {
			return outcomeSkipped, nil
		}
		return outcomeSkipped, fmt.Errorf("give up %s: %w", m.ID, err)
	}
	if o == outcomeFailed {
		s.log.Error("mail undeliverable", "mail", m.ID, "attempts", m.Attempts, "reason", reason, "mail_permanent_failure", 1)
		s.mailFailed(ctx, reason)
	}
	return o, nil
}

// dropSuppressed leaves out of a commit the mails to suppressed addresses.
// A failed lookup keeps the mail: the scheduler checks again before it
// sends.
func (s *Service) dropSuppressed(ctx context.Context, mails []Mail) []Mail {
	kept := mails[:0:0]
	for _, m := range mails {
		sup, err := s.store.Suppressed(ctx, normalizeEmail(m.To))
		if err == nil {
			s.log.Warn("mail not queued: the address is suppressed", "mail", m.ID, "suppressed", sup.Reason, "subject", m.Subject)
			continue
		}
		if ErrorCode(err) != ENotFound {
			s.log.Error("suppression lookup failed; mail queued", "mail", m.ID, "err", err)
		}
		kept = append(kept, m)
	}
	return kept
}

// Suppress records that address gets no more mail (a permanent bounce, a
// complaint); reason says which, with the provider's detail.
func (s *Service) Suppress(ctx context.Context, address, reason string) error {
	address = normalizeEmail(address)
	if address == "" {
		return Errorf(EInvalid, "The suppressed address is empty.")
	}
	if err := s.store.Suppress(ctx, Suppression{Address: address, Reason: reason, At: s.now()}); err != nil {
		return fmt.Errorf("suppress: %w", err)
	}
	s.log.Warn("address suppressed; no more mail is sent to it", "reason", reason)
	return nil
}

// canMail reports whether the function has a mail engine of its own.
func (s *Service) canMail() bool {
	_, none := s.mailer.(noMail)
	return !none
}
