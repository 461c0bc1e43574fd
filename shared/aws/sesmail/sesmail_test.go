package sesmail_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"trustcenter/shared/aws/sesmail"
	"trustcenter/shared/testkit/sigv4test"
	"trustcenter/shared/trust"
)

const from = "Trust Center <trust@example.com>"

var creds = aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret-test", SessionToken: "session-test"}

// newMailer points a mailer at h behind a signature check, and returns it
// with the check (which counts the requests that passed it).
func newMailer(t *testing.T, h http.HandlerFunc) (*sesmail.Mailer, *sigv4test.Handler) {
	t.Helper()
	check := &sigv4test.Handler{T: t, Creds: creds, Region: "eu-west-1", Service: "ses", Next: h}
	srv := httptest.NewServer(check)
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ENDPOINT_URL_SESV2", srv.URL)
	m := sesmail.FromConfig(aws.Config{Region: "eu-west-1", Credentials: credentials.StaticCredentialsProvider{Value: creds}}, from, "security@example.com", "trust-mail").(*sesmail.Mailer)
	return m, check
}

// sendEmailRequest is the part of the SES v2 SendEmail body we rely on.
type sendEmailRequest struct {
	FromEmailAddress     string
	ReplyToAddresses     []string
	ConfigurationSetName string
	Destination          struct {
		ToAddresses  []string
		CcAddresses  []string
		BccAddresses []string
	}
	Content struct {
		Simple struct {
			Subject struct{ Data, Charset string }
			Body    struct {
				Text *struct{ Data, Charset string }
				Html *struct{ Data, Charset string }
			}
		}
	}
}

func TestSendCallsSESWithTheMail(t *testing.T) {
	var got sendEmailRequest
	var calls atomic.Int32
	m, check := newMailer(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Method != http.MethodPost || r.URL.Path != "/v2/email/outbound-emails" {
			t.Errorf("request %s %s, want POST /v2/email/outbound-emails", r.Method, r.URL.Path)
		}
		if r.Header.Get("Authorization") == "" {
			t.Error("request is not signed")
		}
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &got); err != nil {
			t.Errorf("body is not JSON: %v: %s", err, body)
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"MessageId":"0100018f-test"}`)
	})
	mail := trust.Mail{
		ID:      "m1",
		To:      "zoe@example.org", // the domain only ever sends bare addresses
		Subject: "Confirm your request — ACME Trust Center",
		Text:    "Hello Zoë,\n\nconfirm here: https://trust.example.com/c/abc\n",
		HTML:    "<p>Hello Zoë,</p>",
	}
	if err := m.Send(t.Context(), mail); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if calls.Load() != 1 || check.Checked.Load() != 1 {
		t.Fatalf("SES called %d times (%d with a valid signature), want 1", calls.Load(), check.Checked.Load())
	}
	if got.FromEmailAddress != from {
		t.Errorf("from = %q, want %q", got.FromEmailAddress, from)
	}
	if len(got.ReplyToAddresses) != 1 || got.ReplyToAddresses[0] != "security@example.com" {
		t.Errorf("reply-to = %q, want security@example.com", got.ReplyToAddresses)
	}
	if got.ConfigurationSetName != "trust-mail" {
		t.Errorf("configuration set = %q, want trust-mail (its event destination reports bounces)", got.ConfigurationSetName)
	}
	d := got.Destination
	if len(d.ToAddresses) != 1 || d.ToAddresses[0] != mail.To || len(d.CcAddresses)+len(d.BccAddresses) != 0 {
		t.Errorf("destination = %+v, want only To %q", d, mail.To)
	}
	s := got.Content.Simple
	if s.Subject.Data != mail.Subject || s.Subject.Charset != "UTF-8" {
		t.Errorf("subject = %+v, want %q in UTF-8", s.Subject, mail.Subject)
	}
	if s.Body.Text == nil || s.Body.Text.Data != mail.Text || s.Body.Text.Charset != "UTF-8" {
		t.Errorf("text body = %+v, want %q in UTF-8", s.Body.Text, mail.Text)
	}
	if s.Body.Html == nil || s.Body.Html.Data != mail.HTML || s.Body.Html.Charset != "UTF-8" {
		t.Errorf("html body = %+v, want %q in UTF-8", s.Body.Html, mail.HTML)
	}
}

func TestSESFailureIsUnavailable(t *testing.T) {
	for name, answer := range map[string]struct {
		status int
		kind   string
	}{
		"server error": {http.StatusInternalServerError, "InternalFailure"},
		"unavailable":  {http.StatusServiceUnavailable, "ServiceUnavailable"},
		"throttled":    {http.StatusTooManyRequests, "TooManyRequestsException"},
		// The SDK counts this as throttling, as SES sends it for a sending
		// rate or quota exceeded: worth a retry, and the mail is kept.
		"over a limit": {http.StatusBadRequest, "LimitExceededException"},
	} {
		t.Run(name, func(t *testing.T) {
			var calls atomic.Int32
			m, _ := newMailer(t, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("X-Amzn-ErrorType", answer.kind)
				w.WriteHeader(answer.status)
				io.WriteString(w, `{"message":"internal detail 7f3a"}`)
			})
			err := m.Send(t.Context(), trust.Mail{To: "a@example.org", Subject: "s", Text: "t"})
			if code := trust.ErrorCode(err); code != trust.EUnavailable {
				t.Fatalf("code %q (err %v), want %q", code, err, trust.EUnavailable)
			}
			if msg := trust.ErrorMessage(err); msg == "" || strings.Contains(msg, "7f3a") {
				t.Errorf("user message %q is empty or leaks the SES answer", msg)
			}
			if calls.Load() != 3 {
				t.Errorf("SES called %d times, want 3 (a failure that may pass is tried again)", calls.Load())
			}
		})
	}
}

func TestBadRecipientIsRefusedBeforeSES(t *testing.T) {
	m, _ := newMailer(t, func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("SES called for a mail that should have been refused")
		w.WriteHeader(http.StatusInternalServerError)
	})
	for _, tc := range []trust.Mail{
		{To: "a@example.org\r\nBcc: victim@example.net", Subject: "s", Text: "t"},
		{To: "a@example.org\nx", Subject: "s", Text: "t"},
		{To: "not an address", Subject: "s", Text: "t"},
		{To: "a@example.org, b@example.net", Subject: "s", Text: "t"},
		{To: "", Subject: "s", Text: "t"},
		{To: "a@example.org", Subject: "hi\r\nBcc: victim@example.net", Text: "t"},
	} {
		err := m.Send(t.Context(), tc)
		if code := trust.ErrorCode(err); code != trust.EInvalid {
			t.Errorf("Send(to %q, subject %q): code %q (err %v), want %q", tc.To, tc.Subject, code, err, trust.EInvalid)
		}
	}
}

// sesAnswers points a mailer at an SES that refuses every mail with status,
// code and message, and returns it with the count of calls.
func sesAnswers(t *testing.T, status int, code, message string) (*sesmail.Mailer, *atomic.Int32) {
	t.Helper()
	calls := new(atomic.Int32)
	m, _ := newMailer(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		body, _ := json.Marshal(map[string]string{"__type": code, "message": message})
		w.Write(body)
	})
	return m, calls
}

// A refusal of this one mail, which no later try can change, is EInvalid:
// the outbox stops trying it instead of letting it hold back later mails.
func TestSESPermanentRefusalIsInvalid(t *testing.T) {
	for name, answer := range map[string]struct {
		status        int
		code, message string
	}{
		"message rejected": {http.StatusBadRequest, "MessageRejected", "Illegal address 7f3a"},
		"bad request":      {http.StatusBadRequest, "BadRequestException", "Invalid email address 7f3a"},
		// The sandbox, an unverified sender, sending paused: every mail
		// meets them until the operator acts, and the alarm on permanent
		// failures tells them to.
		"sandbox recipient":   {http.StatusBadRequest, "MessageRejected", "Email address is not verified. The following identities failed the check in region EU-WEST-1: zoe@example.org 7f3a"},
		"sender not verified": {http.StatusBadRequest, "MessageRejected", "Email address is not verified. The following identities failed the check: trust@example.com 7f3a"},
		"sending paused":      {http.StatusBadRequest, "SendingPausedException", "sending is paused 7f3a"},
		"account suspended":   {http.StatusBadRequest, "AccountSuspendedException", "account suspended 7f3a"},
		"mail-from domain":    {http.StatusBadRequest, "MailFromDomainNotVerifiedException", "not verified 7f3a"},
	} {
		t.Run(name, func(t *testing.T) {
			m, calls := sesAnswers(t, answer.status, answer.code, answer.message)
			err := m.Send(t.Context(), trust.Mail{ID: "m1", To: "a@example.org", Subject: "s", Text: "t"})
			if code := trust.ErrorCode(err); code != trust.EInvalid {
				t.Fatalf("code %q (err %v), want %q", code, err, trust.EInvalid)
			}
			if !strings.Contains(err.Error(), answer.code) {
				t.Errorf("error %q does not name SES's reason, for the log", err)
			}
			if msg := trust.ErrorMessage(err); msg == "" || strings.Contains(msg, "7f3a") {
				t.Errorf("user message %q is empty or leaks the SES answer", msg)
			}
			if calls.Load() != 1 {
				t.Errorf("SES called %d times, want 1", calls.Load())
			}
		})
	}
}

// A deployment half done (the role or the configuration set not there yet)
// is fixed by the next deploy: the mail is kept (EUnavailable) for a later
// attempt.
func TestSESSetupRefusalKeepsTheMail(t *testing.T) {
	for name, answer := range map[string]struct {
		status        int
		code, message string
	}{
		"access denied": {http.StatusForbidden, "AccessDeniedException", "not authorized to perform ses:SendEmail"},
		"not found":     {http.StatusNotFound, "NotFoundException", "configuration set does not exist"},
	} {
		t.Run(name, func(t *testing.T) {
			m, calls := sesAnswers(t, answer.status, answer.code, answer.message)
			err := m.Send(t.Context(), trust.Mail{ID: "m1", To: "a@example.org", Subject: "s", Text: "t"})
			if code := trust.ErrorCode(err); code != trust.EUnavailable || errors.Is(err, trust.ErrAnswerLost) {
				t.Fatalf("code %q (err %v), want %q with an answer", code, err, trust.EUnavailable)
			}
			if calls.Load() != 1 {
				t.Errorf("SES called %d times, want 1", calls.Load())
			}
		})
	}
}

// Throttled once, the mail goes out on the next attempt.
func TestSESThrottlingIsRetried(t *testing.T) {
	var calls atomic.Int32
	m, _ := newMailer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"__type":"TooManyRequestsException"}`)
			return
		}
		io.WriteString(w, `{"MessageId":"m"}`)
	})
	if err := m.Send(t.Context(), trust.Mail{To: "a@example.org", Subject: "s", Text: "t"}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if calls.Load() != 2 {
		t.Errorf("SES called %d times, want 2", calls.Load())
	}
}

// A call SES did not answer in time may have been taken: it is not sent
// again by the SDK, and the error says the answer was lost, so that the
// scheduler risks at most one more copy.
func TestUnansweredSendIsNotRetried(t *testing.T) {
	var calls atomic.Int32
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	m, _ := newMailer(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	err := m.Send(ctx, trust.Mail{ID: "m1", To: "a@example.org", Subject: "s", Text: "t"})
	if !errors.Is(err, trust.ErrAnswerLost) || trust.ErrorCode(err) != trust.EUnavailable {
		t.Fatalf("err %v (code %q), want an unavailable lost answer", err, trust.ErrorCode(err))
	}
	if calls.Load() != 1 {
		t.Errorf("SES called %d times, want 1", calls.Load())
	}
}

// A connection SES never accepted carried no mail: it is an ordinary
// failure, tried again after a backoff, not a lost answer.
func TestRefusedConnectionIsNotALostAnswer(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close() // nothing listens there any more
	t.Setenv("AWS_ENDPOINT_URL_SESV2", addr)
	m := sesmail.FromConfig(aws.Config{Region: "eu-west-1", Credentials: credentials.StaticCredentialsProvider{Value: creds}}, from, "", "")
	err := m.Send(t.Context(), trust.Mail{ID: "m1", To: "a@example.org", Subject: "s", Text: "t"})
	if trust.ErrorCode(err) != trust.EUnavailable || errors.Is(err, trust.ErrAnswerLost) {
		t.Fatalf("err %v, want unavailable and not a lost answer", err)
	}
}
