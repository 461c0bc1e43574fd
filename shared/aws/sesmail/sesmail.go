// Package sesmail delivers the outbox's mails through Amazon SES (API v2).
package sesmail

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"trustcenter/shared/aws/awsenv"
	"trustcenter/shared/trust"
)

// Mailer is the SES engine for trust.Mailer.
type Mailer struct {
	ses  *sesv2.Client
	from string
}

var _ trust.Mailer = (*Mailer)(nil)

// FromConfig is the engine of a Lambda function, sending from from, which
// must be a verified SES identity, with awsenv.Bounded retries;
// AWS_ENDPOINT_URL_SESV2 points it elsewhere.
func FromConfig(cfg aws.Config, from string) trust.Mailer {
	endpoint := awsenv.Endpoint(cfg, "SESV2")
	ses := sesv2.NewFromConfig(awsenv.Bounded.Apply(cfg), func(o *sesv2.Options) { o.BaseEndpoint = endpoint })
	return &Mailer{ses: ses, from: from}
}

// Send delivers m as a plain-text UTF-8 message. A recipient or subject that
// could smuggle extra headers or recipients is refused (EInvalid) before SES
// is called: the address comes from a public form, so it is never trusted.
//
// SES refusing this one mail for good (see refusedForGood) is EInvalid too,
// which tells the outbox to stop trying it. Every other failure, throttling,
// 5xx answers, no answer at all and refusals about our account or set-up, is
// EUnavailable; the outbox keeps the mail and tries again.
func (m *Mailer) Send(ctx context.Context, msg trust.Mail) error {
	if err := trust.CheckAddress(msg.To); err != nil {
		return err
	}
	if strings.ContainsAny(msg.Subject, "\r\n") {
		return trust.Errorf(trust.EInvalid, "The email subject must be a single line.")
	}
	utf8 := func(s string) *types.Content { return &types.Content{Data: &s, Charset: aws.String("UTF-8")} }
	_, err := m.ses.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: &m.from,
		Destination:      &types.Destination{ToAddresses: []string{msg.To}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: utf8(msg.Subject),
			Body:    &types.Body{Text: utf8(msg.Text)},
		}},
	})
	if err != nil {
		if refusedForGood(err) {
			e := trust.Errorf(trust.EInvalid, "The email service refused this email; it will not be sent again.")
			e.Err = err
			return e
		}
		return trust.Unavailable(err)
	}
	return nil
}

// refusedForGood reports whether SES refused this particular mail in a way
// that sending it again cannot change: a request SES finds malformed
// (BadRequestException) or a message it rejects (MessageRejected, an address
// it will not send to, say). A rejection because an identity is not verified
// (our sender, or a recipient while the account is in the SES sandbox) is
// not one: the operator fixes it, and the mail should then go out.
//
// The other refusals (access denied, sending paused, an account suspended
// or over its quota, a configuration set not found) are about our set-up
// rather than the mail: every mail meets them alike, so dropping the mail
// would lose it without letting any other through. Throttling, 5xx answers
// and network failures are not refusals at all.
func refusedForGood(err error) bool {
	if _, ok := errors.AsType[*types.BadRequestException](err); ok {
		return true
	}
	if rejected, ok := errors.AsType[*types.MessageRejected](err); ok {
		return !strings.Contains(strings.ToLower(rejected.ErrorMessage()), "not verified")
	}
	return false
}
