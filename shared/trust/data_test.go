package trust_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

// signIn opens a session for the staff member, as the console does.
func (f *fixture) signIn(t *testing.T, endOthers bool) trust.Session {
	t.Helper()
	ctx := context.Background()
	if err := f.svc.StartSignIn(ctx, staff.Email, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	sess, err := f.svc.CompleteSignIn(ctx, lastLink(t, f.mail.to(staff.Email), "/admin/login/"), endOthers, trust.Client{})
	if err != nil {
		t.Fatal(err)
	}
	return sess
}

// The store keeps a session under the hash of the cookie's id only: what a
// copy of the table holds cannot be sent back as a cookie.
func TestSessionIDsAreStoredHashed(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	sess := f.signIn(t, false)
	sum := sha256.Sum256([]byte(sess.ID))
	key := hex.EncodeToString(sum[:])

	if _, err := f.store.GetSession(ctx, sess.ID); trust.ErrorCode(err) != trust.ENotFound {
		t.Fatalf("the store holds the cookie's id itself: %v", err)
	}
	stored, err := f.store.GetSession(ctx, key)
	if err != nil {
		t.Fatalf("no session under the id's hash: %v", err)
	}
	if stored.ID == sess.ID {
		t.Fatal("the stored session names the cookie's id")
	}
	// Replaying the dump: its key as a cookie is no session.
	if _, err := f.svc.Session(ctx, stored.ID); trust.ErrorCode(err) != trust.EUnauthorized {
		t.Fatalf("the stored key used as a cookie: %v, want EUnauthorized", err)
	}
	got, err := f.svc.Session(ctx, sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != sess.ID || got.Email != staff.Email || got.CSRF != sess.CSRF {
		t.Fatalf("Session = %+v, want the cookie's session %+v", got, sess)
	}

	// Ending the others keeps the new one and ends the old one.
	f.now = f.now.Add(time.Minute)
	other := f.signIn(t, true)
	if _, err := f.svc.Session(ctx, sess.ID); trust.ErrorCode(err) != trust.EUnauthorized {
		t.Fatalf("the old session after ending the others: %v", err)
	}
	if _, err := f.svc.Session(ctx, other.ID); err != nil {
		t.Fatalf("the session that ended the others: %v", err)
	}

	// Signing out removes the stored session, and twice is no error.
	for range 2 {
		if err := f.svc.SignOut(ctx, other.ID); err != nil {
			t.Fatal(err)
		}
	}
	sum = sha256.Sum256([]byte(other.ID))
	if _, err := f.store.GetSession(ctx, hex.EncodeToString(sum[:])); trust.ErrorCode(err) != trust.ENotFound {
		t.Fatalf("the session after sign-out: %v", err)
	}
	if _, err := f.svc.Session(ctx, other.ID); trust.ErrorCode(err) != trust.EUnauthorized {
		t.Fatalf("Session after sign-out: %v", err)
	}
}

// An unconfirmed request is one item that expires, personal data and all:
// its PurgeAt is its retention after submission, nothing else of it is
// written until the address is confirmed, and the confirmation keeps it
// for good and writes the trail of the submission as it happened.
func TestUnconfirmedRequestsExpire(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name      string
		retention time.Duration
		want      time.Duration
	}{
		{"default", 0, trust.DefaultUnconfirmedRetention},
		{"configured", 7 * 24 * time.Hour, 7 * 24 * time.Hour},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, func(cfg *trust.Config, _ *trust.Engines) { cfg.UnconfirmedRetention = c.retention })
			submittedAt := f.now
			r, err := f.svc.Submit(ctx, validInput(), trust.Client{IP: "192.0.2.1", UserAgent: "test"})
			if err != nil {
				t.Fatal(err)
			}
			stored, err := f.store.GetRequest(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if want := submittedAt.Add(c.want); !stored.PurgeAt.Equal(want) {
				t.Fatalf("PurgeAt = %v, want %v", stored.PurgeAt, want)
			}
			if events, _ := f.store.ListEvents(ctx, r.ID); len(events) != 0 {
				t.Fatalf("an unconfirmed request has a trail outside its own item: %+v", events)
			}

			f.now = f.now.Add(time.Hour)
			if _, err := f.svc.Confirm(ctx, lastLink(t, f.mail.to(r.Email), "/access-requests/confirm/"), trust.Client{IP: "198.51.100.9"}); err != nil {
				t.Fatal(err)
			}
			confirmed, err := f.store.GetRequest(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !confirmed.PurgeAt.IsZero() {
				t.Fatalf("a confirmed request still expires at %v", confirmed.PurgeAt)
			}
			events, err := f.store.ListEvents(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			byType := map[string]trust.Event{}
			for _, e := range events {
				byType[e.Type] = e
			}
			for typ, want := range map[string]struct {
				at time.Time
				ip string
			}{
				"request.submitted": {submittedAt, "192.0.2.1"},
				"nda.accepted":      {submittedAt, "192.0.2.1"},
				"email.confirmed":   {f.now, "198.51.100.9"},
			} {
				e, ok := byType[typ]
				if !ok || !e.At.Equal(want.at) || e.IP != want.ip || e.Actor != r.Email {
					t.Errorf("%s = %+v (found %v), want at %v from %s by %s", typ, e, ok, want.at, want.ip, r.Email)
				}
			}
			if len(events) != 3 {
				t.Errorf("trail %+v, want three events", events)
			}
		})
	}
}

// Anonymous downloads of a public document are counted, not recorded one
// by one; the console reads the counts of the last days.
func TestPublicDownloadsAreCounted(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	before, err := f.store.ListEvents(ctx, "doc:soc3")
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := f.svc.PublicDocument(ctx, "soc3", trust.Client{IP: "203.0.113.5"}); err != nil {
			t.Fatal(err)
		}
	}
	// Still counted in the window a month later, not past it.
	f.now = f.now.AddDate(0, 0, trust.RecentDownloadDays-1)
	if _, err := f.svc.PublicDocument(ctx, "soc3", trust.Client{}); err != nil {
		t.Fatal(err)
	}
	if after, _ := f.store.ListEvents(ctx, "doc:soc3"); len(after) != len(before) {
		t.Fatalf("public downloads wrote events: %+v", after[len(before):])
	}
	docs, err := f.svc.Documents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	counts, err := f.svc.RecentDownloads(ctx, docs)
	if err != nil {
		t.Fatal(err)
	}
	if counts["soc3"] != 4 || counts["soc2"] != 0 {
		t.Fatalf("recent downloads %v, want soc3: 4, soc2: 0", counts)
	}
	f.now = f.now.AddDate(0, 0, 1)
	if counts, _ := f.svc.RecentDownloads(ctx, docs); counts["soc3"] != 1 {
		t.Fatalf("a day later, %d recent downloads, want the last day's 1", counts["soc3"])
	}

	// A gated document is refused and not counted; HEAD's check counts
	// nothing either.
	if _, err := f.svc.PublicDocument(ctx, "soc2", trust.Client{}); trust.ErrorCode(err) != trust.EForbidden {
		t.Fatalf("the gated document: %v", err)
	}
	if _, err := f.svc.CheckPublicDocument(ctx, "soc3"); err != nil {
		t.Fatal(err)
	}
	if counts, _ := f.svc.RecentDownloads(ctx, docs); counts["soc3"] != 1 || counts["soc2"] != 0 {
		t.Fatalf("after a refusal and a check: %v", counts)
	}
}

// A granted download stays an event (it is evidence of who took which
// report); checking the link for HEAD records nothing.
func TestGrantedDownloadsAreRecorded(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := f.pending(t)
	if _, err := f.svc.Approve(ctx, staff, r.ID, 30, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	g, err := f.svc.AccessPage(ctx, lastLink(t, f.mail.to(r.Email), "/access/"))
	if err != nil {
		t.Fatal(err)
	}
	downloads := func() int {
		events, err := f.store.ListEvents(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range events {
			if e.Type == "document.downloaded" {
				n++
			}
		}
		return n
	}
	if _, d, err := f.svc.CheckDownload(ctx, g.Links["soc2"]); err != nil || d.ID != "soc2" {
		t.Fatalf("check: %+v %v", d, err)
	}
	if n := downloads(); n != 0 {
		t.Fatalf("a check recorded %d downloads", n)
	}
	if _, err := f.svc.Download(ctx, g.Links["soc2"], trust.Client{}); err != nil {
		t.Fatal(err)
	}
	if n := downloads(); n != 1 {
		t.Fatalf("a download recorded %d downloads", n)
	}
}
