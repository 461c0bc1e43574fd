package pages

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

// TestMailDownNotice: staff are told since when and the refusal; a
// requester gets the contact address (or to try later) and never the
// provider's words; no notice without a failure.
func TestMailDownNotice(t *testing.T) {
	d := &MailDown{Since: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC), Reason: "refused: MessageRejected: not verified", Contact: "sales@co.example"}
	render := func(p *Page) string {
		var b bytes.Buffer
		if err := mailDown(p).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	staff := render(&Page{Lang: "en", Staff: &trust.Session{Email: "a@co.example"}, MailDown: d})
	for _, want := range []string{`role="alert"`, "MessageRejected: not verified", "2026", "09:00 UTC", "runbook"} {
		if !strings.Contains(staff, want) {
			t.Errorf("staff notice lacks %q:\n%s", want, staff)
		}
	}
	if strings.Contains(staff, "mailto:") {
		t.Error("the staff notice offers the requesters' contact")
	}
	public := render(&Page{Lang: "zh-CN", MailDown: d})
	if !strings.Contains(public, `href="mailto:sales@co.example"`) || strings.Contains(public, "MessageRejected") {
		t.Errorf("requester notice:\n%s", public)
	}
	noContact := *d
	noContact.Contact = ""
	if got := render(&Page{Lang: "en", MailDown: &noContact}); !strings.Contains(got, "try again later") {
		t.Errorf("without a contact: %s", got)
	}
	if got := render(&Page{Lang: "en"}); got != "" {
		t.Errorf("a notice without a failure: %q", got)
	}
}
