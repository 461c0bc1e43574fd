package trust_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

// TestStatusFollowsTheRequest: one status link, read against the store on
// every use, shows each state the request passes through, and links to the
// access page only while the grant is active.
func TestStatusFollowsTheRequest(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r, err := f.svc.Submit(ctx, validInput(), trust.Client{IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	status := lastLink(t, f.mail.to(r.Email), "/requests/")
	state := func(want trust.State) trust.StatusView {
		t.Helper()
		v, err := f.svc.RequestStatus(ctx, status)
		if err != nil || v.State != want || v.Request.ID != r.ID {
			t.Fatalf("status: %v %v, want %s", v.State, err, want)
		}
		if (want == trust.StateApproved) != (v.Access != "") {
			t.Fatalf("%s: access link %q", want, v.Access)
		}
		return v
	}
	state(trust.StateUnconfirmed)
	if _, err := f.svc.Confirm(ctx, lastLink(t, f.mail.to(r.Email), "/access-requests/confirm/"), trust.Client{}); err != nil {
		t.Fatal(err)
	}
	state(trust.StatePending)
	if _, err := f.svc.Approve(ctx, staff, r.ID, 1, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	v := state(trust.StateApproved)
	if _, err := f.svc.AccessPage(ctx, v.Access); err != nil {
		t.Fatalf("the status page's access link: %v", err)
	}
	f.now = f.now.Add(25 * time.Hour)
	state(trust.StateExpired)
	if _, err := f.svc.AccessPage(ctx, v.Access); trust.ErrorCode(err) != trust.EGone {
		t.Fatalf("access link past the grant: %v", err)
	}
	// Long-lived, but not for ever.
	f.now = f.now.Add(trust.StatusTTL)
	if _, err := f.svc.RequestStatus(ctx, status); trust.ErrorCode(err) != trust.EForbidden {
		t.Fatalf("status link past its life: %v", err)
	}
}

func TestStatusDeniedAndRevoked(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := f.pending(t)
	if _, err := f.svc.Deny(ctx, staff, r.ID, "No contract yet.", trust.Client{}); err != nil {
		t.Fatal(err)
	}
	v, err := f.svc.RequestStatus(ctx, lastLink(t, f.mail.to(r.Email), "/requests/"))
	if err != nil || v.State != trust.StateDenied || v.Request.DenyReason != "No contract yet." {
		t.Fatalf("denied: %+v %v", v, err)
	}
	in := validInput()
	in.Email = "lin@buyer.example"
	r2, err := f.svc.Submit(ctx, in, trust.Client{IP: "192.0.2.2"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Confirm(ctx, lastLink(t, f.mail.to(r2.Email), "/access-requests/confirm/"), trust.Client{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Approve(ctx, staff, r2.ID, 30, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Revoke(ctx, staff, r2.ID, "no longer needed", trust.Client{}); err != nil {
		t.Fatal(err)
	}
	v, err = f.svc.RequestStatus(ctx, lastLink(t, f.mail.to(r2.Email), "/requests/"))
	if err != nil || v.State != trust.StateRevoked || v.Access != "" {
		t.Fatalf("revoked: %+v %v", v, err)
	}
}

// TestMailsToTheRequesterLinkTheStatus: the confirmation, signed NDA,
// approval and denial mails each carry a status link that opens the
// request's page.
func TestMailsToTheRequesterLinkTheStatus(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := f.pending(t)
	if _, err := f.svc.Approve(ctx, staff, r.ID, 30, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	ms := f.mail.to(r.Email)
	if len(ms) != 3 {
		t.Fatalf("%d mails to the requester", len(ms))
	}
	for _, m := range ms {
		tok := lastLink(t, []trust.Mail{m}, "/requests/")
		if v, err := f.svc.RequestStatus(ctx, tok); err != nil || v.Request.ID != r.ID {
			t.Errorf("%q: status link: %v", m.Subject, err)
		}
	}
	if staffMails := f.mail.to(staff.Email); len(staffMails) == 0 || strings.Contains(staffMails[0].Text, "https://trust.example/requests/") {
		t.Error("the approvers' mail carries a requester's status link")
	}
}

// TestResend: an unconfirmed request's confirmation goes again, to its own
// address, with a fresh link that confirms, up to the limit; a confirmed
// one has nothing to resend.
func TestResend(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r, err := f.svc.Submit(ctx, validInput(), trust.Client{IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	status := lastLink(t, f.mail.to(r.Email), "/requests/")
	first := lastLink(t, f.mail.to(r.Email), "/access-requests/confirm/")
	for i := range 3 {
		if _, err := f.svc.Resend(ctx, status, trust.Client{IP: "198.51.100.7"}); err != nil {
			t.Fatalf("resend %d: %v", i+1, err)
		}
	}
	if n := len(f.mail.to(r.Email)); n != 4 {
		t.Fatalf("%d mails after three resends", n)
	}
	if _, err := f.svc.Resend(ctx, status, trust.Client{IP: "203.0.113.9"}); trust.ErrorCode(err) != trust.ERateLimited {
		t.Fatalf("fourth resend within the hour, from another network: %v", err)
	}
	// The window passes; it may go again.
	f.now = f.now.Add(2 * time.Hour)
	if _, err := f.svc.Resend(ctx, status, trust.Client{IP: "198.51.100.7"}); err != nil {
		t.Fatalf("resend after the window: %v", err)
	}
	fresh := lastLink(t, f.mail.to(r.Email), "/access-requests/confirm/")
	if fresh == first {
		t.Fatal("the resent link is the first one")
	}
	if c, err := f.svc.Confirm(ctx, fresh, trust.Client{}); err != nil || c.Status != trust.Pending {
		t.Fatalf("confirm with the resent link: %v %v", c.Status, err)
	}
	if _, err := f.svc.Resend(ctx, status, trust.Client{IP: "198.51.100.7"}); trust.ErrorCode(err) != trust.EConflict {
		t.Fatalf("resend once confirmed: %v", err)
	}
	for name, tok := range map[string]string{"confirmation link": fresh, "garbage": "x.y.z"} {
		if _, err := f.svc.Resend(ctx, tok, trust.Client{}); trust.ErrorCode(err) != trust.EForbidden {
			t.Errorf("resend with a %s: %v", name, err)
		}
	}
}

func TestRef(t *testing.T) {
	if got := (trust.Request{ID: "req_AbCdEfGhIjKl"}).Ref(); got != "REQ-AbCdEfGh" {
		t.Errorf("Ref = %q", got)
	}
}
