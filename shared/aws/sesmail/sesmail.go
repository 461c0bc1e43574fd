// Package sesmail delivers the outbox's mails through Amazon SES (API v2).
package sesmail

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"trustcenter/shared/aws/awsenv"
	"trustcenter/shared/trust"
)

// Mailer is the SES engine for trust.Mailer.
type Mailer struct {
	ses       *sesv2.Client
	from      string
	replyTo   []string
	configSet string
}

var _ trust.Mailer = (*Mailer)(nil)

// FromConfig is the engine of the mail scheduler, sending from from (an
// address, with a display name or without; the address must be a verified
// SES identity), replies going to replyTo when it is set, with the configuration set configSet
// ("" for none) whose event destination reports bounces and complaints;
// AWS_ENDPOINT_URL_SESV2 points it elsewhere.
//
// The SDK tries a call again (within awsenv.Bounded) only when SES answered
// that it did not take it (throttling, 5xx). A call without an answer (a
// timeout, a connection dropped) is not sent again here: SES may have taken
// it, and the scheduler decides, once, whether to risk a second copy.
func FromConfig(cfg aws.Config, from, replyTo, configSet string) trust.Mailer {
	endpoint := awsenv.Endpoint(cfg, "SESV2")
	bounded := awsenv.Bounded
	ses := sesv2.NewFromConfig(bounded.Apply(cfg), func(o *sesv2.Options) {
		o.BaseEndpoint = endpoint
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts, so.MaxBackoff = bounded.Attempts, bounded.MaxBackoff
			so.Retryables = answeredRefusals
		})
	})
	m := &Mailer{ses: ses, from: from, configSet: configSet}
	if replyTo != "" {
		m.replyTo = []string{replyTo}
	}
	return m
}

// answeredRefusals are the SDK's retry checks less those for calls that got
// no answer: SES said no (a 5xx, throttling), so nothing was sent.
var answeredRefusals = []retry.IsErrorRetryable{
	retry.NoRetryCanceledError{},
	retry.RetryableHTTPStatusCode{Codes: map[int]struct{}{429: {}, 500: {}, 502: {}, 503: {}, 504: {}}},
	retry.RetryableErrorCode{Codes: retry.DefaultThrottleErrorCodes},
}

// Send delivers m as a UTF-8 message: plain text, and with its HTML part
// both, which SES sends as multipart/alternative. A recipient or subject that
// could smuggle extra headers or recipients is refused (EInvalid) before SES
// is called: the address comes from a public form, so it is never trusted.
//
// SES refusing for good (see refusedForGood) is EInvalid, which makes the
// mail undeliverable. Throttling and 5xx answers are EUnavailable: the
// scheduler tries again after a backoff. A call with no answer wraps
// trust.ErrAnswerLost.
func (m *Mailer) Send(ctx context.Context, msg trust.Mail) error {
	if err := trust.CheckAddress(msg.To); err != nil {
		return err
	}
	if strings.ContainsAny(msg.Subject, "\r\n") {
		return trust.Errorf(trust.EInvalid, "The email subject must be a single line.")
	}
	extra, err := msg.HeaderFields()
	if err != nil {
		return err
	}
	utf8 := func(s string) *types.Content { return &types.Content{Data: &s, Charset: aws.String("UTF-8")} }
	body := &types.Body{Text: utf8(msg.Text)}
	if msg.HTML != "" {
		body.Html = utf8(msg.HTML)
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: &m.from,
		Destination:      &types.Destination{ToAddresses: []string{msg.To}},
		ReplyToAddresses: m.replyTo,
		Content: &types.EmailContent{Simple: &types.Message{
			Subject:     utf8(msg.Subject),
			Body:        body,
			Attachments: attachments(msg),
		}},
		// The mail id comes back in bounce and complaint events.
		EmailTags: []types.MessageTag{{Name: aws.String("mail"), Value: aws.String(tagValue(msg.ID))}},
	}
	for _, h := range extra {
		in.Content.Simple.Headers = append(in.Content.Simple.Headers, types.MessageHeader{Name: aws.String(h[0]), Value: aws.String(h[1])})
	}
	if m.configSet != "" {
		in.ConfigurationSetName = &m.configSet
	}
	_, err = m.ses.SendEmail(ctx, in)
	switch {
	case err == nil:
		return nil
	case refusedForGood(err):
		e := trust.Errorf(trust.EInvalid, "The email service refused this email; it will not be sent again.")
		e.Err = err
		return e
	case !answered(err):
		return trust.Unavailable(fmt.Errorf("%w: %w", trust.ErrAnswerLost, err))
	}
	return trust.Unavailable(err)
}

// tagValue keeps to the characters SES allows in a tag value.
func tagValue(id string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 && (r == '_' || r == '-' || r == '.' || r == '@' || ('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z')) {
			return r
		}
		return '_'
	}, id)
}

// answered reports whether SES answered the call at all, or whether it
// never left (a refused connection): either way SES knows what it did.
// Anything else (a timeout, a connection reset mid-call) may have been
// taken.
func answered(err error) bool {
	if re, ok := errors.AsType[*smithyhttp.ResponseError](err); ok && re.HTTPStatusCode() > 0 {
		return true
	}
	if op, ok := errors.AsType[*net.OpError](err); ok && op.Op == "dial" {
		return true
	}
	return false
}

// refusedForGood reports whether SES refused in a way that sending the
// mail again cannot change by itself: a request it finds malformed
// (BadRequestException), a message it rejects (MessageRejected: an address
// it will not send to, or, in the SES sandbox, a recipient or sender that
// is not verified), sending paused or the account suspended, a MAIL FROM
// domain not verified. The last few are about our set-up, not the mail:
// the scheduler logs each as an ERROR that the MailPermanentFailure alarm
// catches, and the operator fixes the cause; retrying for hours would only
// hide it.
//
// Access denied and a missing configuration set are kept for retry: they
// are a deployment half done, which the next deploy fixes within the
// backoff. Throttling, 5xx answers and network failures are not refusals.
func refusedForGood(err error) bool {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return false
	}
	switch api.ErrorCode() {
	case "BadRequestException", "MessageRejected", "SendingPausedException", "AccountSuspendedException",
		"MailFromDomainNotVerifiedException":
		return true
	}
	return false
}

// attachments are msg's files as SES takes them.
func attachments(msg trust.Mail) []types.Attachment {
	var out []types.Attachment
	for _, a := range msg.Attachments {
		out = append(out, types.Attachment{FileName: aws.String(a.Name), ContentType: aws.String(a.ContentType), RawContent: a.Data,
			ContentDisposition: types.AttachmentContentDispositionAttachment})
	}
	return out
}
