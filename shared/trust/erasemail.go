package trust

import (
	"context"
	"fmt"
)

// ReasonErased is why a mail to an erased requester was given up. It names
// no one: the given-up record is what staff read when they ask what became
// of a mail.
const ReasonErased = "cancelled: the recipient's data was erased"

// eraseOutboxScan bounds the outbox read for one erasure. The outbox holds
// what the scheduler has not sent yet, normally a handful of mails.
const eraseOutboxScan = 1000

// cancelMailsTo gives up every mail still waiting to go to email, so that
// nothing reaches a requester after their erasure. It runs before the
// erasure commits: should it fail, nothing is erased and staff can retry,
// and mails given up for an erasure that then fails were to someone who
// asked to hear no more. A sender claiming one of the mails at the same
// moment wins the race (EConflict): that mail is on its way or gone, and
// the next pass finds what is left.
func (s *Service) cancelMailsTo(ctx context.Context, email string) error {
	email = normalizeEmail(email)
	for range 3 {
		pending, err := s.store.PendingMails(ctx, eraseOutboxScan)
		if err != nil {
			return fmt.Errorf("erase: read outbox: %w", err)
		}
		raced := false
		for _, m := range pending {
			if normalizeEmail(m.To) != email {
				continue
			}
			attempts := m.Attempts
			m.State, m.Reason = MailUndeliverable, ReasonErased
			if err := s.store.SaveMailAttempt(ctx, m, attempts); err != nil {
				if c := ErrorCode(err); c != EConflict && c != ENotFound {
					return fmt.Errorf("erase: cancel mail %s: %w", m.ID, err)
				}
				raced = true
			}
		}
		if !raced {
			return nil
		}
	}
	return nil
}
