// Package sesmail delivers the outbox's mails through Amazon SES (API v2).
package sesmail

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"trustcenter/shared/awsenv"
	"trustcenter/shared/trust"
)

// Mailer is the SES engine for trust.Mailer.
type Mailer struct {
	// The client's one method we call, as a value: see dynamostore's api
	// type for why (binary size).
	sendEmail func(context.Context, *sesv2.SendEmailInput, ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
	from      string
}

var _ trust.Mailer = (*Mailer)(nil)

// New returns a mailer that sends from the address from, which must be a
// verified SES identity.
func New(client *sesv2.Client, from string) *Mailer {
	return &Mailer{sendEmail: client.SendEmail, from: from}
}

// Send delivers m as a plain-text UTF-8 message. A recipient or subject that
// could smuggle extra headers or recipients is refused (EInvalid) before SES
// is called: the address comes from a public form, so it is never trusted.
// Every SES failure, throttling included, is EUnavailable; the outbox keeps
// the mail and tries again.
func (m *Mailer) Send(ctx context.Context, msg trust.Mail) error {
	if err := trust.CheckAddress(msg.To); err != nil {
		return err
	}
	if strings.ContainsAny(msg.Subject, "\r\n") {
		return trust.Errorf(trust.EInvalid, "The email subject must be a single line.")
	}
	_, err := m.sendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(m.from),
		Destination:      &types.Destination{ToAddresses: []string{msg.To}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(msg.Subject), Charset: aws.String("UTF-8")},
			Body: &types.Body{
				Text: &types.Content{Data: aws.String(msg.Text), Charset: aws.String("UTF-8")},
			},
		}},
	})
	if err != nil {
		return trust.Unavailable(err)
	}
	return nil
}

// FromConfig is the engine of a Lambda function, sending from from.
func FromConfig(cfg aws.Config, from string) trust.Mailer {
	return New(sesv2.NewFromConfig(cfg, func(o *sesv2.Options) { o.BaseEndpoint = awsenv.Endpoint(cfg, "SESV2") }), from)
}
