package trust_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

// TestLifecycle enumerates every (status, action) pair: the service moves a
// request in that status exactly as the lifecycle table says, and refuses
// every pair the table does not name without changing anything. A
// confirmation link opened again is not refused: it shows where the
// request stands.
func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	confirmLink := func(t *testing.T, f *fixture, r trust.Request) string {
		return lastLink(t, f.mail.to(r.Email), "/access-requests/confirm/")
	}
	approve := func(f *fixture, id string) error {
		_, err := f.svc.Approve(ctx, staff, id, 30, trust.Client{})
		return err
	}
	deny := func(f *fixture, id string) error {
		_, err := f.svc.Deny(ctx, staff, id, "no", trust.Client{})
		return err
	}
	revoke := func(f *fixture, id string) error {
		_, err := f.svc.Revoke(ctx, staff, id, "no longer needed", trust.Client{})
		return err
	}
	// reach brings a fresh request into each status.
	reach := map[trust.Status]func(t *testing.T, f *fixture) trust.Request{
		trust.Unconfirmed: func(t *testing.T, f *fixture) trust.Request {
			r, err := f.svc.Submit(ctx, validInput(), trust.Client{})
			if err != nil {
				t.Fatal(err)
			}
			return r
		},
		trust.Pending: func(t *testing.T, f *fixture) trust.Request { return f.pending(t) },
		trust.Approved: func(t *testing.T, f *fixture) trust.Request {
			r := f.pending(t)
			if err := approve(f, r.ID); err != nil {
				t.Fatal(err)
			}
			return r
		},
		trust.Denied: func(t *testing.T, f *fixture) trust.Request {
			r := f.pending(t)
			if err := deny(f, r.ID); err != nil {
				t.Fatal(err)
			}
			return r
		},
		trust.Revoked: func(t *testing.T, f *fixture) trust.Request {
			r := f.pending(t)
			if err := approve(f, r.ID); err != nil {
				t.Fatal(err)
			}
			if err := revoke(f, r.ID); err != nil {
				t.Fatal(err)
			}
			return r
		},
	}
	act := map[trust.Action]func(t *testing.T, f *fixture, r trust.Request) error{
		trust.Confirm: func(t *testing.T, f *fixture, r trust.Request) error {
			_, err := f.svc.Confirm(ctx, confirmLink(t, f, r), trust.Client{})
			return err
		},
		trust.Approve: func(_ *testing.T, f *fixture, r trust.Request) error { return approve(f, r.ID) },
		trust.Deny:    func(_ *testing.T, f *fixture, r trust.Request) error { return deny(f, r.ID) },
		trust.Revoke:  func(_ *testing.T, f *fixture, r trust.Request) error { return revoke(f, r.ID) },
		trust.Extend: func(_ *testing.T, f *fixture, r trust.Request) error {
			_, err := f.svc.Extend(ctx, staff, r.ID, 90, time.Time{}, trust.Client{})
			return err
		},
		trust.ResendAccess: func(_ *testing.T, f *fixture, r trust.Request) error {
			_, err := f.svc.ResendAccess(ctx, staff, r.ID, trust.Client{})
			return err
		},
		trust.Reinstate: func(_ *testing.T, f *fixture, r trust.Request) error {
			_, err := f.svc.Reinstate(ctx, staff, r.ID, 30, time.Time{}, trust.Client{})
			return err
		},
	}
	allowed := 0
	for _, from := range trust.Statuses {
		for _, a := range trust.Actions {
			if reach[from] == nil || act[a] == nil {
				t.Fatalf("the test cannot reach %s or take %s: extend it with the lifecycle", from, a)
			}
			want, ok := trust.Next(from, a)
			if ok {
				allowed++
			}
			t.Run(string(from)+"/"+string(a), func(t *testing.T) {
				f := newFixture(t)
				r := reach[from](t, f)
				err := act[a](t, f, r)
				got, gerr := f.store.GetRequest(ctx, r.ID)
				if gerr != nil {
					t.Fatal(gerr)
				}
				switch {
				case ok && (err != nil || got.Status != want):
					t.Fatalf("%s on %s: %v, now %s; the table says %s", a, from, err, got.Status, want)
				case !ok && a == trust.Confirm && (err != nil || got.Status != from):
					t.Fatalf("confirmation link opened again on %s: %v, now %s", from, err, got.Status)
				case !ok && a != trust.Confirm && (trust.ErrorCode(err) != trust.EConflict || got.Status != from):
					t.Fatalf("%s on %s: %v, now %s; want a conflict and no change", a, from, err, got.Status)
				}
			})
		}
	}
	// The product's arrows: confirm, then approve or deny, then revoke;
	// an approved grant extended or its link resent, a revoked one
	// reinstated.
	if allowed != 7 {
		t.Errorf("the lifecycle allows %d (status, action) pairs, want 7", allowed)
	}
}

// Staff decisions need a role that may take them, and publishing is for
// admins only: the service refuses, whatever the console shows.
func TestStaffActionsNeedTheirRole(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := f.pending(t)
	nobody := trust.Session{Email: "eve@evil.example"}
	checks := map[string]error{}
	_, checks["approve"] = f.svc.Approve(ctx, nobody, r.ID, 30, trust.Client{})
	_, checks["deny"] = f.svc.Deny(ctx, nobody, r.ID, "no", trust.Client{})
	_, checks["revoke"] = f.svc.Revoke(ctx, nobody, r.ID, "no longer needed", trust.Client{})
	for name, err := range checks {
		if trust.ErrorCode(err) != trust.EForbidden {
			t.Errorf("%s without a role: %v", name, err)
		}
	}
	if got, _ := f.store.GetRequest(ctx, r.ID); got.Status != trust.Pending {
		t.Fatalf("a refused decision moved the request to %s", got.Status)
	}
	for _, by := range []trust.Session{staff, nobody} {
		_, err := f.svc.Publish(ctx, by, trust.Document{ID: "soc2", Title: "SOC 2 Type II", Access: trust.Gated}, []byte("%PDF-1.7 mine"), trust.Client{})
		var e *trust.Error
		if !errors.As(err, &e) || e.Code != trust.EForbidden || e.Key != "error.admins_only" {
			t.Errorf("publish by %q (%s): %v", by.Email, by.Role, err)
		}
	}
	if d, _ := f.store.GetDocument(ctx, "soc2"); d.Version != 1 {
		t.Fatalf("a refused upload published version %d", d.Version)
	}
	if !trust.Admin.May(trust.Publish) || trust.Approver.May(trust.Publish) || !trust.Approver.May(trust.Revoke) {
		t.Error("the roles' permissions are not the product's")
	}
}

// A function built without an engine gets a refusing one: every call that
// needs it answers ErrNoEngine, never a nil dereference.
func TestMissingEnginesRefuse(t *testing.T) {
	ctx := context.Background()
	svc := trust.New(trust.Config{BaseURL: "https://trust.example", NDA: nda}, trust.Engines{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	pdf := []byte("%PDF-1.7 report")
	calls := map[string]func() error{
		"Documents":      func() error { _, err := svc.Documents(ctx); return err },
		"Submit":         func() error { _, err := svc.Submit(ctx, validInput(), trust.Client{}); return err },
		"Confirm":        func() error { _, err := svc.Confirm(ctx, "x.y.z", trust.Client{}); return err },
		"AccessPage":     func() error { _, err := svc.AccessPage(ctx, "x.y.z"); return err },
		"RequestStatus":  func() error { _, err := svc.RequestStatus(ctx, "x.y.z"); return err },
		"Resend":         func() error { _, err := svc.Resend(ctx, "x.y.z", trust.Client{}); return err },
		"StatusOf":       func() error { _, err := svc.StatusOf(trust.Request{ID: "req"}); return err },
		"StatusToken":    func() error { _, err := svc.StatusToken(trust.Request{ID: "req"}); return err },
		"Download":       func() error { _, err := svc.Download(ctx, "x.y.z", trust.Client{}); return err },
		"PublicDocument": func() error { _, err := svc.PublicDocument(ctx, "soc3", trust.Client{}); return err },
		"CheckDownload":  func() error { _, _, err := svc.CheckDownload(ctx, "x.y.z"); return err },
		"CheckPublicDocument": func() error {
			_, err := svc.CheckPublicDocument(ctx, "soc3")
			return err
		},
		"RecentDownloads": func() error {
			_, err := svc.RecentDownloads(ctx, []trust.Document{{ID: "soc3"}})
			return err
		},
		"CompleteSignIn": func() error { _, err := svc.CompleteSignIn(ctx, "x.y.z", false, trust.Client{}); return err },
		"Session":        func() error { _, err := svc.Session(ctx, "sess"); return err },
		"SignOut":        func() error { return svc.SignOut(ctx, "sess") },
		"Requests":       func() error { _, _, err := svc.Requests(ctx, trust.Pending, ""); return err },
		"Request":        func() error { _, _, err := svc.Request(ctx, "req"); return err },
		"Approve":        func() error { _, err := svc.Approve(ctx, staff, "req", 30, trust.Client{}); return err },
		"Deny":           func() error { _, err := svc.Deny(ctx, staff, "req", "no", trust.Client{}); return err },
		"Revoke":         func() error { _, err := svc.Revoke(ctx, staff, "req", "no longer needed", trust.Client{}); return err },
		"Publish": func() error {
			_, err := svc.Publish(ctx, admin, trust.Document{ID: "soc3"}, pdf, trust.Client{})
			return err
		},
		"Open":        func() error { _, err := svc.Open(ctx, trust.Document{ID: "soc3", BlobKey: "k"}); return err },
		"DrainMail":   func() error { _, err := svc.DrainMail(ctx); return err },
		"DeliverMail": func() error { _, err := svc.DeliverMail(ctx, "mail_x"); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, trust.ErrNoEngine) || trust.ErrorCode(err) != trust.EInternal {
			t.Errorf("%s: %v, want ErrNoEngine", name, err)
		}
	}

	// With a store but no signer, a link cannot be checked, and the
	// function says so rather than calling the link invalid.
	f := newFixture(t, func(_ *trust.Config, e *trust.Engines) { e.Signer = nil })
	if _, err := f.svc.Confirm(ctx, "x.y.z", trust.Client{}); !errors.Is(err, trust.ErrNoEngine) {
		t.Errorf("confirm without a signer: %v", err)
	}
}

// A function without a mail engine records what it does through the same
// commit as every other, and leaves the outbox to the functions that can
// send: no delivery is tried, so nothing is logged as failed.
func TestNoMailEngineLeavesTheOutbox(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	f := newFixture(t, func(_ *trust.Config, e *trust.Engines) {
		e.Mail = nil
		e.Log = slog.New(slog.NewTextHandler(&logs, nil))
	})
	m := trust.Mail{ID: "mail_waiting", To: "ada@buyer.example", Subject: "s", Text: "t", CreatedAt: f.now}
	if err := f.store.Commit(ctx, trust.Tx{Mails: []trust.Mail{m}}); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Hour)
	if _, err := f.svc.Publish(ctx, admin, trust.Document{ID: "soc3", Title: "SOC 3", Access: trust.Public, FileName: "soc3.pdf"}, []byte("%PDF-1.4 v2"), trust.Client{}); err != nil {
		t.Fatal(err)
	}
	if events, _ := f.store.ListEvents(ctx, "doc:soc3"); len(events) != 2 || events[1].Type != "document.published" {
		t.Fatalf("events %+v", events)
	}
	if pending, _ := f.store.PendingMails(ctx, 10); len(pending) != 1 {
		t.Fatalf("%d mails pending, want the one waiting", len(pending))
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Fatalf("a function without mail tried to deliver:\n%s", logs.String())
	}
}

// presigner hands out a link to the key it is asked for.
type presigner struct{}

func (presigner) PresignGet(_ context.Context, key, fileName string, ttl time.Duration) (string, error) {
	return "https://bucket.example/" + key + "?name=" + fileName + "&ttl=" + ttl.String(), nil
}

// Open presigns where the function has a link engine and streams from the
// blob engine otherwise.
func TestOpen(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	d, err := f.svc.PublicDocument(ctx, "soc3", trust.Client{})
	if err != nil {
		t.Fatal(err)
	}
	file, err := f.svc.Open(ctx, d)
	if err != nil || file.URL != "" || file.Body == nil {
		t.Fatalf("stream: %+v %v", file, err)
	}
	body, _ := io.ReadAll(file.Body)
	file.Body.Close()
	if string(body) != "%PDF-1.4 soc3" {
		t.Fatalf("streamed %q", body)
	}
	linked := newFixture(t, func(_ *trust.Config, e *trust.Engines) { e.Links = presigner{} })
	file, err = linked.svc.Open(ctx, d)
	if err != nil || file.Body != nil || file.URL != "https://bucket.example/"+d.BlobKey+"?name=soc3.pdf&ttl=1m0s" {
		t.Fatalf("presign: %+v %v", file, err)
	}
}
