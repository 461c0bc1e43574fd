package boltstore

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"trustcenter/shared/testkit/storetest"
	"trustcenter/shared/trust"
)

func openTemp(t testing.TB) (*Store, string) {
	t.Helper()
	// A directory that does not exist yet: Open must create it.
	path := filepath.Join(t.TempDir(), "data", "trust.db")
	s, err := Open(path, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, path
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) trust.Store {
		s, _ := openTemp(t)
		return s
	})
}

func TestSurvivesReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "trust.db")
	s, err := Open(path, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	now := time.Now().UTC()
	exp := now.Add(time.Hour)
	r := trust.Request{ID: "req-1", Email: "ada@example.com", Status: trust.Pending, CreatedAt: now, Documents: []string{"soc2"}}
	sess := trust.Session{ID: "sess-1", Email: "admin@example.com", Role: trust.Admin, CreatedAt: now, ExpiresAt: exp}
	err = s.Commit(ctx, trust.Tx{
		Request:  &r,
		Uses:     []trust.Use{{ID: "use-1", ExpiresAt: exp}},
		Session:  &sess,
		Document: &trust.Document{ID: "soc2", Title: "SOC 2", Version: 1, UpdatedAt: now},
		Events:   []trust.Event{{ID: "evt-1", Subject: "req-1", Type: "submitted", At: now}},
		Mails: []trust.Mail{
			{ID: "mail-1", To: "ada@example.com", CreatedAt: now},
			{ID: "mail-2", To: "ada@example.com", CreatedAt: now},
		},
	})
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if err := s.MarkMailSent(ctx, "mail-2"); err != nil {
		t.Fatalf("MarkMailSent: %v", err)
	}
	if _, err := s.Hit(ctx, "k", time.Hour, now); err != nil {
		t.Fatalf("Hit: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s, err = Open(path, nil)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()

	got, err := s.GetRequest(ctx, "req-1")
	if err != nil || got.Version != 1 || !got.CreatedAt.Equal(now) || len(got.Documents) != 1 {
		t.Fatalf("GetRequest after reopen: %+v, %v", got, err)
	}
	reqs, _, err := s.ListRequests(ctx, trust.Pending, "", 10)
	if err != nil || len(reqs) != 1 {
		t.Fatalf("ListRequests after reopen: %+v, %v", reqs, err)
	}
	if _, err := s.GetSession(ctx, "sess-1"); err != nil {
		t.Fatalf("GetSession after reopen: %v", err)
	}
	if evs, err := s.ListEvents(ctx, "req-1"); err != nil || len(evs) != 1 {
		t.Fatalf("ListEvents after reopen: %+v, %v", evs, err)
	}
	if ms, err := s.PendingMails(ctx, 10); err != nil || len(ms) != 1 {
		t.Fatalf("PendingMails after reopen: %+v, %v", ms, err)
	}
	if err := s.MarkMailSent(ctx, "mail-2"); err != nil {
		t.Fatalf("marking a sent mail again after reopen: %v", err)
	}
	if err := s.Commit(ctx, trust.Tx{Mails: []trust.Mail{{ID: "mail-2", To: "ada@example.com", CreatedAt: now}}}); trust.ErrorCode(err) != trust.EConflict {
		t.Fatalf("reusing a sent mail's id after reopen: got %v, want EConflict", err)
	}
	if _, err := s.GetDocument(ctx, "soc2"); err != nil {
		t.Fatalf("GetDocument after reopen: %v", err)
	}
	if err := s.Commit(ctx, trust.Tx{Uses: []trust.Use{{ID: "use-1", ExpiresAt: exp}}}); trust.ErrorCode(err) != trust.EConflict {
		t.Fatalf("reusing a use after reopen: got %v, want EConflict", err)
	}
	if n, err := s.Hit(ctx, "k", time.Hour, now); err != nil || n.Current != 2 {
		t.Fatalf("Hit after reopen: %+v, %v; want 2", n, err)
	}
}

func TestOpenLocked(t *testing.T) {
	_, path := openTemp(t)
	s, err := open(path, 50*time.Millisecond, nil)
	if err == nil {
		s.Close()
		t.Fatal("second open of a locked file succeeded")
	}
	if !errors.Is(err, berrors.ErrTimeout) {
		t.Fatalf("second open: got %v, want a lock timeout", err)
	}
}

// TestSweepOnOpen checks that what DynamoDB would expire by TTL is removed
// at open, and nothing else.
func TestSweepOnOpen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "trust.db")
	s, err := Open(path, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	now := time.Now().UTC().Truncate(time.Minute)
	early, late := now.Add(time.Hour), now.Add(3*time.Hour)
	for _, tx := range []trust.Tx{
		{Uses: []trust.Use{{ID: "use-early", ExpiresAt: early}, {ID: "use-late", ExpiresAt: late}}},
		{Session: &trust.Session{ID: "sess-early", ExpiresAt: early}},
		{Session: &trust.Session{ID: "sess-late", ExpiresAt: late}},
	} {
		if err := s.Commit(ctx, tx); err != nil {
			t.Fatalf("Commit: %v", err)
		}
	}
	for _, at := range []time.Time{now, now, early.Add(time.Minute)} {
		if _, err := s.Hit(ctx, "k", time.Minute, at); err != nil {
			t.Fatalf("Hit: %v", err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	// Reopen two hours on: the early items have expired, the late ones not.
	s, err = open(path, time.Second, at(now.Add(2*time.Hour)))
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()

	for _, tc := range []struct {
		use  string
		want trust.Code
	}{
		{"use-early", ""},
		{"use-late", trust.EConflict},
	} {
		err := s.Commit(ctx, trust.Tx{Uses: []trust.Use{{ID: tc.use, ExpiresAt: late}}})
		if got := codeOf(err); got != tc.want {
			t.Fatalf("consuming %s after sweep: got %v, want code %q", tc.use, err, tc.want)
		}
	}
	for _, tc := range []struct {
		sess string
		want trust.Code
	}{
		{"sess-early", trust.ENotFound},
		{"sess-late", ""},
	} {
		_, err := s.GetSession(ctx, tc.sess)
		if got := codeOf(err); got != tc.want {
			t.Fatalf("GetSession(%s) after sweep: got %v, want code %q", tc.sess, err, tc.want)
		}
	}
	var rates int
	err = s.db.View(func(btx *bolt.Tx) error {
		return btx.Bucket(bucketRates).ForEach(func(k, v []byte) error {
			rates++
			return nil
		})
	})
	if err != nil || rates != 0 {
		t.Fatalf("rate counters after sweep: %d, %v; want 0", rates, err)
	}
}

// TestSweepForgetsSentMails: a sent mail's id is kept for
// trust.SentMailRetention, then forgotten; a pending mail never is.
func TestSweepForgetsSentMails(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "trust.db")
	now := time.Now()
	reopen := func(when time.Time) *Store {
		t.Helper()
		s, err := open(path, time.Second, at(when))
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	s := reopen(now)
	mails := []trust.Mail{{ID: "sent", To: "ada@example.com", CreatedAt: now}, {ID: "pending", To: "ada@example.com", CreatedAt: now}}
	if err := s.Commit(ctx, trust.Tx{Mails: mails}); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if err := s.MarkMailSent(ctx, "sent"); err != nil {
		t.Fatalf("MarkMailSent: %v", err)
	}
	s.Close()

	s = reopen(now.Add(trust.SentMailRetention - time.Hour))
	if err := s.MarkMailSent(ctx, "sent"); err != nil {
		t.Fatalf("MarkMailSent within the retention: %v", err)
	}
	s.Close()

	s = reopen(now.Add(trust.SentMailRetention + time.Hour))
	if got := codeOf(s.MarkMailSent(ctx, "sent")); got != trust.ENotFound {
		t.Fatalf("MarkMailSent after the retention: code %q, want %q", got, trust.ENotFound)
	}
	if ms, err := s.PendingMails(ctx, 10); err != nil || len(ms) != 1 || ms[0].ID != "pending" {
		t.Fatalf("PendingMails after the retention: %+v, %v; want the pending mail", ms, err)
	}
}

// at is a clock stopped at t.
func at(t time.Time) trust.Clock { return func() time.Time { return t } }

func codeOf(err error) trust.Code {
	if err == nil {
		return ""
	}
	return trust.ErrorCode(err)
}

func TestClosedIsUnavailable(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "trust.db"), nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	ctx := t.Context()
	r := trust.Request{ID: "req-1", Status: trust.Pending}
	for name, call := range map[string]func() error{
		"Commit":       func() error { return s.Commit(ctx, trust.Tx{Request: &r}) },
		"GetRequest":   func() error { _, err := s.GetRequest(ctx, "req-1"); return err },
		"ListRequests": func() error { _, _, err := s.ListRequests(ctx, trust.Pending, "", 10); return err },
		"Hit":          func() error { _, err := s.Hit(ctx, "k", time.Minute, time.Now()); return err },
	} {
		if got := trust.ErrorCode(call()); got != trust.EUnavailable {
			t.Errorf("%s on a closed store: code %s, want %s", name, got, trust.EUnavailable)
		}
	}
}

func BenchmarkCommit(b *testing.B) {
	s, _ := openTemp(b)
	ctx := b.Context()
	now := time.Now().UTC()
	i := 0
	for b.Loop() {
		i++
		id := fmt.Sprintf("req-%d", i)
		r := trust.Request{ID: id, Email: "ada@example.com", Status: trust.Unconfirmed, CreatedAt: now, Documents: []string{"soc2"}}
		err := s.Commit(ctx, trust.Tx{
			Request: &r,
			Events:  []trust.Event{{ID: "evt-" + id, Subject: id, Type: "submitted", At: now}},
			Mails:   []trust.Mail{{ID: "mail-" + id, To: r.Email, Subject: "Confirm", CreatedAt: now}},
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetRequest(b *testing.B) {
	s, _ := openTemp(b)
	ctx := b.Context()
	const n = 1000
	now := time.Now().UTC()
	// One bolt transaction for the setup: a thousand fsyncs would dwarf the
	// reads being measured.
	err := s.db.Update(func(btx *bolt.Tx) error {
		for i := range n {
			r := trust.Request{ID: fmt.Sprintf("req-%d", i), Email: "ada@example.com", Status: trust.Pending, CreatedAt: now.Add(time.Duration(i) * time.Second)}
			if err := writeRequest(btx, r, 0); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		if _, err := s.GetRequest(ctx, fmt.Sprintf("req-%d", i%n)); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSweepPurges: Sweep, as the local server's ticker calls it, deletes
// unconfirmed requests past their PurgeAt with their trail, and download
// counters past their end; a confirmed request and live counters stay.
func TestSweepPurges(t *testing.T) {
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Minute)
	clock := now
	s, err := Open(filepath.Join(t.TempDir(), "trust.db"), func() time.Time { return clock })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	old := trust.Request{ID: "req-old", Email: "ada@example.com", Status: trust.Unconfirmed, CreatedAt: now, PurgeAt: now.Add(time.Hour)}
	young := trust.Request{ID: "req-young", Email: "bob@example.com", Status: trust.Unconfirmed, CreatedAt: now, PurgeAt: now.Add(3 * time.Hour)}
	kept := trust.Request{ID: "req-kept", Email: "cy@example.com", Status: trust.Pending, CreatedAt: now}
	for _, r := range []trust.Request{old, young, kept} {
		tx := trust.Tx{Request: &r, Events: []trust.Event{{ID: "e-" + r.ID, Subject: r.ID, Type: "t", At: now}}}
		if err := s.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CountDownload(ctx, "soc3", now); err != nil {
		t.Fatal(err)
	}
	if err := s.CountDownload(ctx, "soc3", now.Add(trust.DownloadCountRetention)); err != nil {
		t.Fatal(err)
	}

	clock = now.Add(2 * time.Hour)
	if err := s.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetRequest(ctx, old.ID); trust.ErrorCode(err) != trust.ENotFound {
		t.Fatalf("the request past its PurgeAt: %v", err)
	}
	if evs, _ := s.ListEvents(ctx, old.ID); len(evs) != 0 {
		t.Fatalf("its trail is still there: %+v", evs)
	}
	if reqs, _, _ := s.ListRequests(ctx, trust.Unconfirmed, "", 10); len(reqs) != 1 || reqs[0].ID != young.ID {
		t.Fatalf("unconfirmed queue after the sweep: %+v", reqs)
	}
	for _, id := range []string{young.ID, kept.ID} {
		if _, err := s.GetRequest(ctx, id); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if evs, _ := s.ListEvents(ctx, id); len(evs) != 1 {
			t.Fatalf("trail of %s: %+v", id, evs)
		}
	}

	// The first day's counter ends DownloadCountRetention after that day.
	clock = trust.DownloadCounterEnd(now)
	if err := s.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	n, err := s.DownloadCount(ctx, "soc3", now, now.Add(trust.DownloadCountRetention))
	if err != nil || n != 1 {
		t.Fatalf("downloads after the first day's counter ended: %d, %v; want the later day's 1", n, err)
	}
}
