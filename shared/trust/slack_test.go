package trust_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

const slackChannel = "C0TRUST"

func withSlack(c *trust.Config, _ *trust.Engines) {
	c.Staff = append(c.Staff, trust.Staff{Email: "viewer@lumen.example", Role: "viewer"})
	c.Slack = trust.SlackConfig{
		Channel: slackChannel,
		Users: map[string]string{
			"U_SALES":  "sales@lumen.example",
			"U_GHOST":  "gone@lumen.example", // mapped, since removed from staff
			"U_VIEWER": "viewer@lumen.example",
		},
		RemindAfter: 24 * time.Hour,
	}
}

// slackNotices are the notices the outbox delivered to the channel.
func slackNotices(t *testing.T, f *fixture) []trust.SlackNotice {
	t.Helper()
	var out []trust.SlackNotice
	for _, m := range f.mail.to(trust.SlackRecipient + slackChannel) {
		var n trust.SlackNotice
		if err := json.Unmarshal([]byte(m.Text), &n); err != nil {
			t.Fatalf("notice %s: %v", m.ID, err)
		}
		out = append(out, n)
	}
	return out
}

func TestSlackNoticeOfPendingRequest(t *testing.T) {
	f := newFixture(t, withSlack)
	r := f.pending(t)
	ns := slackNotices(t, f)
	if len(ns) != 1 {
		t.Fatalf("%d notices, want 1", len(ns))
	}
	n := ns[0]
	if n.RequestID != r.ID || !n.Buttons || n.Approve != "Approve" || n.Deny != "Deny" || n.Link != "https://trust.example/admin/requests/"+r.ID {
		t.Errorf("notice: %+v", n)
	}
	want := map[string]string{"Requester": "Ada Lovelace <ada@buyer.example>", "Company": "Buyer", "Documents": "soc2", "NDA version": nda.Version}
	for _, fl := range n.Fields {
		if v, ok := want[fl.Label]; ok && v != fl.Value {
			t.Errorf("%s = %q, want %q", fl.Label, fl.Value, v)
		}
		delete(want, fl.Label)
	}
	if len(want) > 0 {
		t.Errorf("notice lacks %v", want)
	}
}

func TestSlackNoNoticeWithoutChannel(t *testing.T) {
	f := newFixture(t)
	f.pending(t)
	if ns := slackNotices(t, f); len(ns) != 0 {
		t.Errorf("notices without a channel: %v", ns)
	}
}

func TestSlackDecide(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name, user, action string
		code               trust.Code
	}{
		{"unmapped user", "U_NOBODY", trust.SlackApprove, trust.EForbidden},
		{"mapped but no longer staff", "U_GHOST", trust.SlackApprove, trust.EForbidden},
		{"staff who may not approve", "U_VIEWER", trust.SlackApprove, trust.EForbidden},
		{"unknown action", "U_SALES", "publish", trust.EInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, withSlack)
			r := f.pending(t)
			if _, err := f.svc.SlackDecide(ctx, tc.user, tc.action, r.ID, trust.Client{}); trust.ErrorCode(err) != tc.code {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
			got, _, err := f.svc.Request(ctx, r.ID)
			if err != nil || got.Status != trust.Pending {
				t.Errorf("request after a refused press: %v %v", got.Status, err)
			}
		})
	}
	for _, action := range []string{trust.SlackApprove, trust.SlackDeny} {
		t.Run(action, func(t *testing.T) {
			f := newFixture(t, withSlack)
			r := f.pending(t)
			n, err := f.svc.SlackDecide(ctx, "U_SALES", action, r.ID, trust.Client{IP: "192.0.2.9"})
			if err != nil {
				t.Fatal(err)
			}
			if n.Buttons || !strings.Contains(n.Text, "by sales@lumen.example") {
				t.Errorf("updated notice: %+v", n)
			}
			got, events, err := f.svc.Request(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantStatus, wantEvent := trust.Approved, "request.approved"
			if action == trust.SlackDeny {
				wantStatus, wantEvent = trust.Denied, "request.denied"
			}
			if got.Status != wantStatus || got.DecidedBy != "sales@lumen.example" {
				t.Errorf("request: %s by %s", got.Status, got.DecidedBy)
			}
			found := false
			for _, ev := range events {
				found = found || (ev.Type == wantEvent && ev.Actor == "sales@lumen.example")
			}
			if !found {
				t.Errorf("no %s event by the mapped staff member: %+v", wantEvent, events)
			}
			// The second press finds the request decided.
			if _, err := f.svc.SlackDecide(ctx, "U_SALES", action, r.ID, trust.Client{}); trust.ErrorCode(err) != trust.EConflict {
				t.Errorf("second press: %v, want conflict", err)
			}
		})
	}
}

func TestSlackOnceRefusesReplay(t *testing.T) {
	f := newFixture(t, withSlack)
	ctx := context.Background()
	if err := f.svc.SlackOnce(ctx, "v0=abc"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SlackOnce(ctx, "v0=abc"); trust.ErrorCode(err) != trust.EUnauthorized {
		t.Errorf("replay: %v, want unauthorized", err)
	}
}

func TestRemindPending(t *testing.T) {
	f := newFixture(t, withSlack)
	ctx := context.Background()
	r := f.pending(t)
	f.mail.to("") // deliver what the request queued
	before := len(f.mail.to("sales@lumen.example"))

	f.now = f.now.Add(23 * time.Hour)
	if n, err := f.svc.RemindPending(ctx); err != nil || n != 0 {
		t.Fatalf("at 23 h: %d reminded, %v", n, err)
	}
	f.now = f.now.Add(2 * time.Hour)
	if n, err := f.svc.RemindPending(ctx); err != nil || n != 1 {
		t.Fatalf("at 25 h: %d reminded, %v", n, err)
	}
	if n, err := f.svc.RemindPending(ctx); err != nil || n != 0 {
		t.Fatalf("again: %d reminded, %v (want each request reminded once)", n, err)
	}
	mails := f.mail.to("sales@lumen.example")
	if len(mails) != before+1 || !strings.Contains(mails[len(mails)-1].Text, "waiting for 25 hours") {
		t.Errorf("reminder mail: %d new, %+v", len(mails)-before, mails[len(mails)-1])
	}
	ns := slackNotices(t, f)
	if len(ns) != 2 || !strings.HasPrefix(ns[1].Text, "Reminder:") || !ns[1].Buttons || ns[1].RequestID != r.ID {
		t.Errorf("slack reminder: %+v", ns)
	}
	_, events, _ := f.svc.Request(ctx, r.ID)
	if events[len(events)-1].Type != "request.reminded" {
		t.Errorf("no reminder event: %+v", events[len(events)-1])
	}
}
