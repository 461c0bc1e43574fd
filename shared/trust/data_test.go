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
