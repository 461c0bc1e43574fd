package lambdaapp

import (
	"context"
	"time"

	"trustcenter/shared/aws/lambdaweb"
	"trustcenter/shared/trust"
)

// businessMetrics names the audit events counted as CloudWatch metrics:
// what the business watches, taken from what the domain commits, so an
// approval by rule counts as much as one by a person.
var businessMetrics = map[string]string{
	"request.submitted":   "Submissions",
	"request.approved":    "Approvals",
	"document.downloaded": "Downloads",
}

// The mail metrics: sent, and failed (left in the outbox or refused).
const (
	mailSent   = "MailSent"
	mailFailed = "MailFailed"
)

// countingStore counts the business events of each commit that lands, in
// the request's log line (lambdaweb.Count).
type countingStore struct{ trust.Store }

func (s countingStore) Commit(ctx context.Context, tx trust.Tx) error {
	if err := s.Store.Commit(ctx, tx); err != nil {
		return err
	}
	for _, e := range tx.Events {
		if name, ok := businessMetrics[e.Type]; ok {
			lambdaweb.Count(ctx, name, 1)
		}
	}
	return nil
}

// CountDownload counts an anonymous download of a public document, which
// the domain keeps as a daily counter rather than an event, with the
// granted downloads.
func (s countingStore) CountDownload(ctx context.Context, doc string, at time.Time) error {
	if err := s.Store.CountDownload(ctx, doc, at); err != nil {
		return err
	}
	lambdaweb.Count(ctx, businessMetrics["document.downloaded"], 1)
	return nil
}

// countingMailer counts each mail sent and each that failed.
type countingMailer struct{ trust.Mailer }

func (m countingMailer) Send(ctx context.Context, mail trust.Mail) error {
	err := m.Mailer.Send(ctx, mail)
	if err != nil {
		lambdaweb.Count(ctx, mailFailed, 1)
	} else {
		lambdaweb.Count(ctx, mailSent, 1)
	}
	return err
}
