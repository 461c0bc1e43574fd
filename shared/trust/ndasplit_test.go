package trust_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

// failConfirm fails the commit that confirms a request while armed, as a
// throttled table would fail the second write of a split.
type failConfirm struct {
	trust.Store
	armed bool
}

func (f *failConfirm) Commit(ctx context.Context, tx trust.Tx) error {
	if f.armed && tx.Request != nil && tx.IfVersion > 0 && tx.Request.Status == trust.Pending {
		return trust.Unavailable(errors.New("throttled"))
	}
	return f.Store.Commit(ctx, tx)
}

const time2min = 2 * time.Minute

func TestNDALevelSplit(t *testing.T) {
	ctx := context.Background()
	fail := &failConfirm{}
	f := newFixture(t, func(_ *trust.Config, e *trust.Engines) { fail.Store = e.Store; e.Store = fail })
	pentest := trust.Document{ID: "pentest", Title: "Pentest summary", Access: trust.NDAOnly, FileName: "pentest.pdf"}
	if _, err := f.svc.Publish(ctx, admin, pentest, []byte("%PDF-1.4 pentest"), trust.Client{}); err != nil {
		t.Fatal(err)
	}
	in := validInput()
	in.Documents = []string{"soc2", "pentest"}
	r, err := f.svc.Submit(ctx, in, trust.Client{IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	confirm := lastLink(t, f.mail.to(r.Email), "/access-requests/confirm/")

	// The second write fails: the part is granted, the original is not
	// yet confirmed, and opening the link again finishes the split
	// without granting the part twice.
	fail.armed = true
	if _, err := f.svc.Confirm(ctx, confirm, trust.Client{}); trust.ErrorCode(err) != trust.EUnavailable {
		t.Fatalf("confirm with the store down: %v", err)
	}
	fail.armed = false
	f.now = f.now.Add(time2min)
	got, err := f.svc.Confirm(ctx, confirm, trust.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != trust.Pending || !slices.Equal(got.Documents, []string{"soc2"}) || got.SplitTo == "" {
		t.Fatalf("original after confirmation: %s %v split to %q", got.Status, got.Documents, got.SplitTo)
	}
	part, events, err := f.svc.Request(ctx, got.SplitTo)
	if err != nil {
		t.Fatal(err)
	}
	if part.Status != trust.Approved || !slices.Equal(part.Documents, []string{"pentest"}) || part.SplitFrom != r.ID ||
		part.DecidedBy != trust.ActorNDALevel || part.DecisionReason != trust.ReasonNDALevel || part.GrantID == "" {
		t.Fatalf("part: %+v", part)
	}
	// Granted at the first try, for the NDA level's period.
	first := f.now.Add(-time2min)
	if !part.DecidedAt.Equal(first) || !part.ExpiresAt.Equal(first.AddDate(0, 0, trust.NDALevelDays)) {
		t.Fatalf("part decided %v, expires %v", part.DecidedAt, part.ExpiresAt)
	}
	if !slices.ContainsFunc(events, func(e trust.Event) bool { return e.Type == "request.split_from" }) ||
		!slices.ContainsFunc(events, func(e trust.Event) bool { return e.Type == "request.approved" && e.Actor == trust.ActorNDALevel }) {
		t.Fatalf("part's trail: %+v", events)
	}
	_, events, err = f.svc.Request(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(events, func(e trust.Event) bool { return e.Type == "request.split" }) {
		t.Fatalf("original's trail: %+v", events)
	}
	approved := 0
	for _, m := range f.mail.to(r.Email) {
		if strings.Contains(m.Text, "https://trust.example/access/") {
			approved++
		}
	}
	if approved != 1 {
		t.Fatalf("%d access mails, want 1", approved)
	}
	if n := len(f.mail.to("sales@lumen.example")); n != 1 {
		t.Fatalf("%d staff mails, want 1 (for soc2)", n)
	}

	// The approver decides the rest as any pending request.
	if _, err := f.svc.Approve(ctx, staff, r.ID, 30, trust.Client{}); err != nil {
		t.Fatal(err)
	}
}
