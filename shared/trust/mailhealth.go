package trust

import (
	"context"
	"fmt"
	"time"
)

// MailHealth is whether mail can go out, as the mail scheduler last saw it:
// a mail given up for good (the provider refused it: SES in its sandbox,
// an unverified sender, a paused account; or every attempt failed) marks
// delivery failing, and the next mail that goes out marks it working
// again. The web pages that promise an email read it, so a requester is
// told at once that nothing will arrive and whom to write to instead.
type MailHealth struct {
	// FailingSince is the first failure since mail last went out; zero
	// while mail goes out.
	FailingSince time.Time
	// LastFailure and Reason are the latest failure's.
	LastFailure time.Time
	Reason      string
}

// Failing reports whether mail delivery is failing.
func (h MailHealth) Failing() bool { return !h.FailingSince.IsZero() }

// MailHealth is the delivery state the scheduler recorded; a store that
// never recorded one reads as mail going out.
func (s *Service) MailHealth(ctx context.Context) (MailHealth, error) {
	h, err := s.store.MailHealth(ctx)
	if ErrorCode(err) == ENotFound {
		return MailHealth{}, nil
	}
	if err != nil {
		return MailHealth{}, fmt.Errorf("mail health: %w", err)
	}
	return h, nil
}

// mailFailed records a mail given up for good. Its own failure is only
// logged: the mail's state is already saved, and the next failure records
// it again.
func (s *Service) mailFailed(ctx context.Context, reason string) {
	now := s.now()
	h, err := s.MailHealth(ctx)
	if err != nil {
		s.log.Error("mail health not recorded", "err", err)
		return
	}
	if !h.Failing() {
		h.FailingSince = now
	}
	h.LastFailure, h.Reason = now, reason
	if err := s.store.SetMailHealth(ctx, h); err != nil {
		s.log.Error("mail health not recorded", "err", err)
		return
	}
	s.mailOK.Store(false)
}

// mailRecoveryQuiet is how long without a failure a mail that goes out
// must come after for delivery to count as working again. In the SES
// sandbox mail to the verified staff addresses goes out while every
// requester's is refused; the notice must not come and go with each.
const mailRecoveryQuiet = 15 * time.Minute

// mailWent records that a mail went out, which ends a failure that is
// quiet since mailRecoveryQuiet. It reads the store only while a failure
// may be recorded (from start until a read says none is), so a working
// outbox costs no extra call per mail.
func (s *Service) mailWent(ctx context.Context) {
	if s.mailOK.Load() {
		return
	}
	h, err := s.MailHealth(ctx)
	if err != nil {
		s.log.Warn("mail health not read", "err", err)
		return
	}
	if h.Failing() && s.now().Sub(h.LastFailure) < mailRecoveryQuiet {
		return
	}
	if h.Failing() {
		if err := s.store.SetMailHealth(ctx, MailHealth{}); err != nil {
			s.log.Warn("mail health not cleared", "err", err)
			return
		}
		s.log.Info("mail goes out again", "failing_since", h.FailingSince)
	}
	s.mailOK.Store(true)
}

func (noStore) SetMailHealth(context.Context, MailHealth) error {
	return noEngine("store", "SetMailHealth")
}
func (noStore) MailHealth(context.Context) (MailHealth, error) {
	return MailHealth{}, noEngine("store", "MailHealth")
}
