package trust_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

func published(updates ...trust.Notice) trust.Published {
	return trust.Published{Updates: updates, Subprocessors: []trust.ListedSubprocessor{{Name: "Zendesk", Purpose: "Support", Location: "United States"}}}
}

func notice(id string, topic trust.Topic) trust.Notice {
	return trust.Notice{ID: id, Topic: topic, Date: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
		Title: map[string]string{"en": "Title " + id, "zh-CN": "标题 " + id}, Link: "https://trust.example/#" + id}
}

// subscribe signs addr up for topics and opens the mailed link.
func (f *fixture) subscribe(t *testing.T, addr, lang string, topics ...trust.Topic) {
	t.Helper()
	if err := f.svc.Subscribe(context.Background(), addr, lang, topics, trust.Client{IP: "198.51.100.7"}); err != nil {
		t.Fatal(err)
	}
	tok := lastLink(t, f.mail.to(addr), "/subscriptions/confirm/")
	tok, _, _ = strings.Cut(tok, "?")
	sub, err := f.svc.ConfirmSubscription(context.Background(), tok, trust.Client{})
	if err != nil || !sub.Confirmed() {
		t.Fatalf("confirm %s: %+v, %v", addr, sub, err)
	}
}

// TestSubscriptionDoubleOptIn: a sign-up mails a link and nothing else;
// until it is opened, announcements pass the address by; the link
// confirms, and opening it twice is harmless.
func TestSubscriptionDoubleOptIn(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if _, err := f.svc.Announce(ctx, published(notice("old", trust.TopicReports))); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Subscribe(ctx, "Ada@Buyer.example", "zh-CN", []trust.Topic{trust.TopicReports, "bogus"}, trust.Client{IP: "198.51.100.7"}); err != nil {
		t.Fatal(err)
	}
	mails := f.mail.to("ada@buyer.example")
	if len(mails) != 1 || !strings.Contains(mails[0].Text, "/subscriptions/confirm/") || !strings.Contains(mails[0].Subject, "确认") {
		t.Fatalf("after sign-up: %d mails %+v, want one confirmation in Chinese", len(mails), mails)
	}
	n, err := f.svc.Announce(ctx, published(notice("old", trust.TopicReports), notice("new", trust.TopicReports)))
	if err != nil || n != 0 || len(f.mail.to("ada@buyer.example")) != 1 {
		t.Fatalf("announce before confirmation: %d mails, %v; want none for an unconfirmed address", n, err)
	}
	tok, _, _ := strings.Cut(lastLink(t, mails, "/subscriptions/confirm/"), "?")
	for range 2 {
		sub, err := f.svc.ConfirmSubscription(ctx, tok, trust.Client{})
		if err != nil || !sub.Confirmed() || len(sub.Topics) != 1 || sub.Topics[0] != trust.TopicReports {
			t.Fatalf("confirm: %+v, %v", sub, err)
		}
	}
	if _, err := f.svc.ConfirmSubscription(ctx, "forged", trust.Client{}); trust.ErrorCode(err) != trust.EForbidden {
		t.Errorf("a forged link: %v, want EForbidden", err)
	}
	for _, bad := range [][]trust.Topic{nil, {"bogus"}} {
		if err := f.svc.Subscribe(ctx, "bob@buyer.example", "en", bad, trust.Client{}); trust.ErrorCode(err) != trust.EInvalid {
			t.Errorf("topics %v: %v, want EInvalid", bad, err)
		}
	}
	if err := f.svc.Subscribe(ctx, "not an address", "en", []trust.Topic{trust.TopicReports}, trust.Client{}); trust.ErrorCode(err) != trust.EInvalid {
		t.Errorf("a bad address: %v, want EInvalid", err)
	}
}

// TestAnnounceOncePerChange: the first run records a starting point and
// mails no one; each new update then reaches the subscribers of its topic
// in one mail, whatever the number of runs (redeploys) that follow; a
// changed subprocessor list reaches those who follow subprocessors.
func TestAnnounceOncePerChange(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	pub := published(notice("r1", trust.TopicReports))
	if n, err := f.svc.Announce(ctx, pub); err != nil || n != 0 {
		t.Fatalf("first announcement: %d, %v; want the baseline and no mail", n, err)
	}
	f.subscribe(t, "ada@buyer.example", "en", trust.TopicReports, trust.TopicSubprocessors)
	f.subscribe(t, "bo@buyer.example", "zh-CN", trust.TopicIncidents)
	count := func(addr string) int { return len(f.mail.to(addr)) - 1 } // less the confirmation

	pub.Updates = append([]trust.Notice{notice("r2", trust.TopicReports)}, pub.Updates...)
	for deploy := range 3 {
		n, err := f.svc.Announce(ctx, pub)
		if want := map[bool]int{true: 1, false: 0}[deploy == 0]; err != nil || n != want {
			t.Fatalf("deploy %d: %d mails, %v; want %d", deploy, n, err, want)
		}
	}
	if count("ada@buyer.example") != 1 || count("bo@buyer.example") != 0 {
		t.Fatalf("after three deploys of one report: ada %d, bo %d mails; want 1 and 0", count("ada@buyer.example"), count("bo@buyer.example"))
	}
	m := f.mail.to("ada@buyer.example")[1]
	if !strings.Contains(m.Text, "Title r2") || strings.Contains(m.Text, "Title r1") || m.Subject != "Title r2 — Lumen Ledger" {
		t.Errorf("the announcement says %q / %q", m.Subject, m.Text)
	}
	unsub := m.Headers["List-Unsubscribe"]
	if m.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" || !strings.HasPrefix(unsub, "<https://trust.example/subscriptions/unsubscribe/") {
		t.Errorf("headers %v, want RFC 8058 one-click unsubscribe", m.Headers)
	}

	pub.Subprocessors = append(pub.Subprocessors, trust.ListedSubprocessor{Name: "Datadog", Purpose: "Monitoring", Location: "United States"})
	inc := notice("i1", trust.TopicIncidents)
	inc.Object = "https://trust.example/subprocessors/objections/new?update=i1"
	pub.Updates = append([]trust.Notice{inc}, pub.Updates...)
	for range 2 {
		if _, err := f.svc.Announce(ctx, pub); err != nil {
			t.Fatal(err)
		}
	}
	if count("ada@buyer.example") != 2 || count("bo@buyer.example") != 1 {
		t.Fatalf("after a list change and an incident: ada %d, bo %d; want 2 and 1", count("ada@buyer.example"), count("bo@buyer.example"))
	}
	if got := f.mail.to("ada@buyer.example")[2]; !strings.Contains(got.Text, "The list of subprocessors changed.") {
		t.Errorf("the list change mail says %q", got.Text)
	}
	if got := f.mail.to("bo@buyer.example")[1]; !strings.Contains(got.Text, "objections/new?update=i1&lang=zh-CN") {
		t.Errorf("the objection link in Chinese mail: %q", got.Text)
	}
	if got := f.mail.to("bo@buyer.example")[1]; !strings.Contains(got.Subject, "标题 i1") || !strings.Contains(got.Text, "退订") {
		t.Errorf("bo's mail is not in Chinese: %q %q", got.Subject, got.Text)
	}

	// One click erases ada: no further mail, and the link may be used again.
	tok := strings.TrimSuffix(strings.TrimPrefix(unsub, "<https://trust.example/subscriptions/unsubscribe/"), ">")
	for range 2 {
		if err := f.svc.Unsubscribe(ctx, tok, trust.Client{}); err != nil {
			t.Fatalf("unsubscribe: %v", err)
		}
	}
	if _, err := f.store.GetSubscriber(ctx, "ada@buyer.example"); trust.ErrorCode(err) != trust.ENotFound {
		t.Errorf("after unsubscribing the address is kept: %v", err)
	}
	events, _ := f.store.ListEvents(ctx, "subscriptions")
	for _, e := range events {
		if strings.Contains(e.Detail+e.Actor+e.Subject, "ada@") {
			t.Errorf("event %s keeps the address: %+v", e.Type, e)
		}
	}
	pub.Updates = append([]trust.Notice{notice("r3", trust.TopicReports)}, pub.Updates...)
	if _, err := f.svc.Announce(ctx, pub); err != nil {
		t.Fatal(err)
	}
	if count("ada@buyer.example") != 2 {
		t.Errorf("an erased subscriber was mailed")
	}
}
