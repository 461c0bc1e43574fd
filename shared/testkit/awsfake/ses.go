package awsfake

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"strings"
	"sync"
)

// Mail is one message the SES fake accepted.
type Mail struct {
	Principal     string
	From          string
	To            []string
	Subject, Text string
}

// SES is a fake SES v2 endpoint that accepts SendEmail with simple content
// (what shared/aws/sesmail sends) and keeps every mail. Put it behind
// Signed; point AWS_ENDPOINT_URL_SESV2 at it.
type SES struct {
	Rec             *Recorder
	Region, Account string

	mu      sync.Mutex
	mails   []Mail
	changed chan struct{} // closed and replaced at every new mail
}

func (s *SES) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v2/email/outbound-emails" {
		s.Rec.add(Call{Principal: PrincipalOf(r), Service: "ses", Action: "ses:Unknown", Resources: []string{r.Method + " " + r.URL.Path}})
		sesError(w, http.StatusNotFound, "NotFoundException", "this fake answers only SendEmail")
		return
	}
	var in struct {
		FromEmailAddress string
		Destination      struct{ ToAddresses, CcAddresses, BccAddresses []string }
		Content          struct {
			Simple *struct {
				Subject struct{ Data string }
				Body    struct{ Text, HTML *struct{ Data string } }
			}
		}
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&in); err != nil {
		sesError(w, http.StatusBadRequest, "BadRequestException", err.Error())
		return
	}
	from, err := mail.ParseAddress(in.FromEmailAddress)
	if err != nil {
		sesError(w, http.StatusBadRequest, "BadRequestException", "FromEmailAddress: "+err.Error())
		return
	}
	domain := from.Address[strings.LastIndex(from.Address, "@")+1:]
	identity := "arn:aws:ses:" + s.Region + ":" + s.Account + ":identity/"
	s.Rec.add(Call{Principal: PrincipalOf(r), Service: "ses", Action: "ses:SendEmail",
		Resources: []string{identity + from.Address, identity + strings.ToLower(domain)}})
	if in.Content.Simple == nil || in.Content.Simple.Body.Text == nil {
		sesError(w, http.StatusBadRequest, "BadRequestException", "this fake takes simple content with a text body")
		return
	}
	m := Mail{Principal: PrincipalOf(r), From: in.FromEmailAddress, Subject: in.Content.Simple.Subject.Data, Text: in.Content.Simple.Body.Text.Data}
	m.To = append(append(append(m.To, in.Destination.ToAddresses...), in.Destination.CcAddresses...), in.Destination.BccAddresses...)
	s.mu.Lock()
	s.mails = append(s.mails, m)
	n := len(s.mails)
	if s.changed != nil {
		close(s.changed)
		s.changed = nil
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"MessageId":"fake-%06d"}`, n)
}

// Mails returns every mail accepted so far.
func (s *SES) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// WaitFor returns the first mail to addr whose text contains substr,
// waiting for it to arrive until ctx ends.
func (s *SES) WaitFor(ctx context.Context, addr, substr string) (Mail, error) {
	for {
		s.mu.Lock()
		for _, m := range s.mails {
			for _, to := range m.To {
				if strings.EqualFold(to, addr) && strings.Contains(m.Text, substr) {
					s.mu.Unlock()
					return m, nil
				}
			}
		}
		if s.changed == nil {
			s.changed = make(chan struct{})
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return Mail{}, fmt.Errorf("no mail to %s containing %q (%d mails in all): %w", addr, substr, len(s.Mails()), ctx.Err())
		}
	}
}

func sesError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

// Secrets records the calls to a Secrets Manager endpoint (the JSON
// protocol's X-Amz-Target and SecretId) and passes them on; arn resolves
// the SecretId as given (a name or an ARN) to the secret's ARN, the
// resource IAM authorises.
func Secrets(rec *Recorder, arn func(id string) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		var in struct{ SecretId string }
		json.Unmarshal(body, &in)
		action := "secretsmanager:" + strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "secretsmanager.")
		rec.add(Call{Principal: PrincipalOf(r), Service: "secretsmanager", Action: action, Resources: []string{arn(in.SecretId)}})
		next.ServeHTTP(w, r)
	})
}
