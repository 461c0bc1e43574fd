package trust_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

// TestMailHealthFollowsDelivery: a mail refused for good marks delivery
// failing, with the refusal; a mail that goes out while failures keep
// coming (the SES sandbox lets the verified addresses through) does not end
// it; one that goes out after a quiet quarter hour does.
func TestMailHealthFollowsDelivery(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.mail.drain = nil
	health := func() trust.MailHealth {
		t.Helper()
		h, err := f.svc.MailHealth(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	if health().Failing() {
		t.Fatal("failing before any mail")
	}
	f.mail.refuse = map[string]bool{"ada@buyer.example": true}
	f.queue(t, "mail_refused", "ada@buyer.example")
	drain(t, f)
	h := health()
	if !h.Failing() || !h.FailingSince.Equal(f.now) || !strings.Contains(h.Reason, "does not accept mail") {
		t.Fatalf("after a refusal: %+v", h)
	}
	since := f.now

	f.now = f.now.Add(5 * time.Minute)
	f.queue(t, "mail_staff", "sales@lumen.example")
	if r := drain(t, f); r.Sent != 1 {
		t.Fatalf("report %+v", r)
	}
	if h := health(); !h.Failing() || !h.FailingSince.Equal(since) {
		t.Fatalf("a send five minutes after a refusal ended the failure: %+v", h)
	}

	f.now = f.now.Add(20 * time.Minute)
	f.queue(t, "mail_refused2", "ada@buyer.example")
	drain(t, f)
	if h := health(); !h.FailingSince.Equal(since) || !h.LastFailure.Equal(f.now) {
		t.Fatalf("a second refusal: %+v, want failing since %v, last now", h, since)
	}

	f.now = f.now.Add(16 * time.Minute)
	f.queue(t, "mail_fixed", "sales@lumen.example")
	drain(t, f)
	if h := health(); h.Failing() {
		t.Fatalf("a send after a quiet quarter hour left delivery failing: %+v", h)
	}
}
