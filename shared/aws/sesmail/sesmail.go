// Package sesmail delivers the outbox's mails through Amazon SES (API v2).
package sesmail

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"trustcenter/shared/aws/awsenv"
	"trustcenter/shared/trust"
)

// Mailer is the SES engine for trust.Mailer. It makes its one call,
// SendEmail, through awsenv.Service rather than the sesv2 client (binary
// size); a test holds the request to the client's.
type Mailer struct {
	ses  *awsenv.Service
	from string
}

var _ trust.Mailer = (*Mailer)(nil)

// New returns a mailer that sends through ses from the address from, which
// must be a verified SES identity.
func New(ses *awsenv.Service, from string) *Mailer {
	return &Mailer{ses: ses, from: from}
}

// FromConfig is the engine of a Lambda function, sending from from;
// AWS_ENDPOINT_URL_SESV2 points it elsewhere.
func FromConfig(cfg aws.Config, from string) trust.Mailer {
	return New(awsenv.NewService(cfg, "SESV2", "email", "ses"), from)
}

type content struct {
	Data    string
	Charset string
}

// sendEmailInput is SES v2 SendEmail's body, as far as a plain-text mail
// to one recipient needs it.
type sendEmailInput struct {
	FromEmailAddress string
	Destination      struct{ ToAddresses []string }
	Content          struct {
		Simple struct {
			Subject content
			Body    struct{ Text content }
		}
	}
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
	var in sendEmailInput
	in.FromEmailAddress = m.from
	in.Destination.ToAddresses = []string{msg.To}
	in.Content.Simple.Subject = content{msg.Subject, "UTF-8"}
	in.Content.Simple.Body.Text = content{msg.Text, "UTF-8"}
	body, err := json.Marshal(in)
	if err != nil {
		return trust.Unavailable(err)
	}
	_, err = m.ses.Call(ctx, http.MethodPost, "/v2/email/outbound-emails",
		http.Header{"Content-Type": {"application/json"}}, body)
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
// The other refusals of a 4xx status (access denied, sending paused, an
// account suspended or over its quota, a configuration set not found) are
// about our set-up rather than the mail: every mail meets them alike, so
// dropping the mail would lose it without letting any other through.
// Throttling, 5xx answers and network failures are not refusals at all.
func refusedForGood(err error) bool {
	var api *awsenv.APIError
	if !errors.As(err, &api) || api.Status < 400 || api.Status >= 500 || api.Status == http.StatusTooManyRequests {
		return false
	}
	switch api.Code {
	case "BadRequestException":
		return true
	case "MessageRejected":
		return !strings.Contains(strings.ToLower(api.Message), "not verified")
	}
	return false
}
