package trust_test

import (
	"context"
	"strings"
	"testing"

	"trustcenter/shared/trust"
)

// TestRequesterMailsPointToMyRequests: a requester's mails end with the
// way to all their requests, in their language; the mail to staff does not.
func TestRequesterMailsPointToMyRequests(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	in := validInput()
	in.Lang = "zh-CN"
	client := trust.Client{IP: "192.0.2.1", UserAgent: "test"}
	r, err := f.svc.Submit(ctx, in, client)
	if err != nil {
		t.Fatal(err)
	}
	mails := f.mail.to(r.Email)
	if len(mails) == 0 {
		t.Fatal("no confirmation mail")
	}
	m := mails[len(mails)-1]
	if !strings.Contains(m.Text, "/my-requests?lang=zh-CN\n") || !strings.Contains(m.Text, "全部申请") {
		t.Errorf("confirmation mail does not point to my requests:\n%s", m.Text)
	}
	if !strings.Contains(m.HTML, `/my-requests?lang=zh-CN"`) {
		t.Errorf("HTML part has no link to my requests:\n%s", m.HTML)
	}
	if _, err := f.svc.Confirm(ctx, lastLink(t, mails, "/access-requests/confirm/"), client); err != nil {
		t.Fatal(err)
	}
	f.mail.to("") // delivers what the confirmation queued
	f.mail.mu.Lock()
	defer f.mail.mu.Unlock()
	for _, m := range f.mail.sent {
		if m.To != r.Email && strings.Contains(m.Text, "/my-requests") {
			t.Errorf("mail to %s points to my requests:\n%s", m.To, m.Text)
		}
	}
}
