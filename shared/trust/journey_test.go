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

// TestRulesRequireNDA: an allow rule that requires one way of agreeing the
// NDA approves only requests that came that way; the others wait for a
// person with the reason recorded, and the dry run says the same. A rule
// that requires an existing NDA approves when staff confirm it.
func TestRulesRequireNDA(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	existing := rule(trust.RuleAllow, trust.MatchDomain, "buyer.example")
	existing.RequireNDA = trust.NDARequireExisting
	clicked := rule(trust.RuleAllow, trust.MatchDomain, "clicks.example")
	clicked.RequireNDA = trust.NDARequireClickthrough
	bogus := rule(trust.RuleAllow, trust.MatchDomain, "other.example")
	bogus.RequireNDA = "signed-in-blood"
	if _, err := trust.ParseRules([]trust.RuleInput{bogus}, gatedDocs); trust.FieldErrors(err)["rule.1.require_nda"] == "" {
		t.Fatalf("an unknown NDA requirement was taken: %v", err)
	}
	rules := mustRules(t, existing, clicked)
	if got := rules[0].String(); got != "allow:domain:buyer.example documents=soc2 days=14 nda=existing" {
		t.Errorf("audit form %q", got)
	}
	rs, _ := f.svc.Rules(ctx)
	if _, err := f.svc.SaveRules(ctx, admin, rs.Version, rules, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	submit := func(email string, existingNDA bool) trust.Request {
		t.Helper()
		in := validInput()
		in.Email = email
		if existingNDA {
			in.NDAMode, in.NDAAccept, in.NDASignature, in.ExistingNote = trust.NDAExisting, false, "", "MNDA 2024"
		}
		r, err := f.svc.Submit(ctx, in, trust.Client{IP: "192.0.2.1"})
		if err != nil {
			t.Fatal(err)
		}
		r, err = f.svc.Confirm(ctx, lastLink(t, f.mail.to(r.Email), "/access-requests/confirm/"), trust.Client{})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := submit("ada@clicks.example", false); r.Status != trust.Approved {
		t.Errorf("click-through under a click-through rule: %+v", r)
	}
	if r := submit("bob@clicks.example", true); r.Status != trust.Pending || r.DecisionReason != trust.ReasonNDAPath {
		t.Errorf("existing NDA under a click-through rule: %s %s", r.Status, r.DecisionReason)
	}
	if r := submit("cy@buyer.example", false); r.Status != trust.Pending || r.DecisionReason != trust.ReasonNDAPath {
		t.Errorf("click-through under an existing-NDA rule: %s %s", r.Status, r.DecisionReason)
	}
	held := submit("di@buyer.example", true)
	if held.Status != trust.Pending || held.DecisionReason != trust.ReasonNDAPath {
		t.Fatalf("existing NDA before staff confirmed it: %s %s", held.Status, held.DecisionReason)
	}
	rows, err := f.svc.DryRun(ctx, rules)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		want := trust.OutcomePerson
		if row.Request.Email == "ada@clicks.example" {
			want = trust.OutcomeApprove
		}
		if row.Would.Outcome != want {
			t.Errorf("dry run of %s: %+v", row.Request.Email, row.Would)
		}
	}
	got, err := f.svc.SettleExistingNDA(ctx, staff, held.ID, true, "Mutual NDA Buyer–Lumen", "2024-05-01", trust.Client{})
	if err != nil || got.Status != trust.Approved || got.DecidedBy != "rule:allow:domain:buyer.example" {
		t.Fatalf("after staff confirmed the existing NDA: %s %s %v", got.Status, got.DecidedBy, err)
	}
	if _, _, err := f.svc.Request(ctx, held.ID); err != nil {
		t.Fatal(err)
	}
	if len(lastLink(t, f.mail.to(held.Email), "/access/")) == 0 {
		t.Error("no access mail after the rule approved")
	}
}

// TestErasureCancelsPendingMail: a mail still waiting in the outbox for a
// requester when staff erase them never goes out; the given-up record's
// reason names no one, and mail to others is untouched.
func TestErasureCancelsPendingMail(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	client := trust.Client{IP: "198.51.100.77"}
	r, err := f.svc.Submit(ctx, validInput(), client)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Confirm(ctx, lastLink(t, f.mail.to(r.Email), "/access-requests/confirm/"), client); err != nil {
		t.Fatal(err)
	}
	status := lastLink(t, f.mail.to(r.Email), "/requests/")
	before := len(f.mail.to(r.Email))
	if _, err := f.svc.RequestErasure(ctx, status, client); err != nil {
		t.Fatal(err)
	}
	// Approved before the erasure: the approval mail is queued, not sent.
	if _, err := f.svc.Approve(ctx, staff, r.ID, 30, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	queued, err := f.store.PendingMails(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var held []trust.Mail
	for _, m := range queued {
		if m.To == r.Email {
			held = append(held, m)
		}
	}
	if len(held) == 0 {
		t.Fatal("no mail waiting for the requester: the test proves nothing")
	}
	if _, err := f.svc.Erase(ctx, staff, r.ID, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	if got := len(f.mail.to(r.Email)); got != before {
		t.Errorf("%d mails reached the erased address after the erasure", got-before)
	}
	for _, h := range held {
		m, err := f.store.GetMail(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.State != trust.MailUndeliverable || m.Reason != trust.ReasonErased || strings.Contains(m.Reason, "ada") {
			t.Errorf("held mail after the erasure: state %q reason %q", m.State, m.Reason)
		}
	}
}
