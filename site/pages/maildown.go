package pages

import "time"

// MailDown is what a page says while mail delivery is failing: to a
// requester, that no email will arrive and whom to write to; to staff,
// since when and why, and where the runbook is.
type MailDown struct {
	Since   time.Time
	Reason  string
	Contact string // the address requesters write to; may be empty
}
