package token

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

// fakeSource serves a keyring that a test replaces, as an operator does the
// secret's value, and counts the reads.
type fakeSource struct {
	mu    sync.Mutex
	data  []byte // the stored form, so each load is a fresh copy
	err   error
	loads int
}

func (s *fakeSource) set(k *Keyring) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data = k.Marshal()
}

func (s *fakeSource) Load(context.Context) (*Keyring, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loads++
	if s.err != nil {
		return nil, s.err
	}
	return ParseKeyring(s.data)
}

func (s *fakeSource) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loads
}

// fakeClock is a trust.Clock a test moves by hand.
type fakeClock struct{ now time.Time }

func (c *fakeClock) clock() trust.Clock      { return func() time.Time { return c.now } }
func (c *fakeClock) advance(d time.Duration) { c.now = c.now.Add(d) }
func copyKeyring(t *testing.T, k *Keyring) *Keyring {
	t.Helper()
	c, err := ParseKeyring(k.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// heldSetup is one function's signer on src, and a second function's signer
// (with a keyring of its own) that signs with what the source holds now.
func heldSetup(t *testing.T) (*fakeSource, *fakeClock, *Tokens, *Keyring) {
	t.Helper()
	k := newKeys(t)
	src := &fakeSource{}
	src.set(k)
	clk := &fakeClock{now: t0}
	h, err := NewHolder(t.Context(), src, clk.clock())
	if err != nil {
		t.Fatal(err)
	}
	return src, clk, Held(h, "iss"), k
}

// kidOf is the key hint a compact token carries, in hex; hintOf is that
// of a kid.
func kidOf(t *testing.T, tok string) string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(raw) < headerLen {
		t.Fatalf("not a compact token: %q", tok)
	}
	return hex.EncodeToString(raw[2 : 2+hintLen])
}

func hintOf(kid string) string {
	h := kidHint(kid)
	return hex.EncodeToString(h[:])
}

var linkClaims = trust.Claims{Subject: "a@example.com", Request: "r1"}

func signAt(t *testing.T, tk *Tokens, now time.Time) string {
	t.Helper()
	c := linkClaims
	c.ExpiresAt = now.Add(24 * time.Hour)
	tok, err := tk.Sign(trust.DownloadLink, c, now)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestRotatedKeySignsAfterMaxAge(t *testing.T) {
	src, clk, tk, k := heldSetup(t)
	old := k.Active
	rotated := copyKeyring(t, k)
	if err := rotated.Rotate(clk.now); err != nil {
		t.Fatal(err)
	}
	src.set(rotated)

	clk.advance(MaxAge - time.Second)
	if kid := kidOf(t, signAt(t, tk, clk.now)); kid != hintOf(old) {
		t.Errorf("before MaxAge: signed with %q, want the old key %q", kid, old)
	}
	clk.advance(time.Second)
	tok := signAt(t, tk, clk.now)
	if kid := kidOf(t, tok); kid != hintOf(rotated.Active) {
		t.Errorf("at MaxAge: signed with %q, want the rotated key %q", kid, rotated.Active)
	}
	if _, err := tk.Parse(trust.DownloadLink, tok, clk.now); err != nil {
		t.Errorf("a token of the rotated key: %v", err)
	}
	if n := src.count(); n != 2 {
		t.Errorf("%d loads, want 2 (cold start and one at MaxAge)", n)
	}
}

func TestUnknownKidVerifiesAfterOneReload(t *testing.T) {
	src, clk, tk, k := heldSetup(t)
	// Another function's environment picked up the rotation first and
	// signs with the new key.
	rotated := copyKeyring(t, k)
	if err := rotated.Rotate(clk.now); err != nil {
		t.Fatal(err)
	}
	src.set(rotated)
	clk.advance(UnknownKidGap)
	tok := signAt(t, New(rotated, "iss"), clk.now)

	if _, err := tk.Parse(trust.DownloadLink, tok, clk.now); err != nil {
		t.Fatalf("a token of a key added since the cold start: %v", err)
	}
	if n := src.count(); n != 2 {
		t.Errorf("%d loads, want 2 (cold start and one reload)", n)
	}
	// The reload also made the new key the signing key here.
	if kid := kidOf(t, signAt(t, tk, clk.now)); kid != hintOf(rotated.Active) {
		t.Errorf("after the reload: signed with %q, want %q", kid, rotated.Active)
	}
}

func TestRemovedKeyRefusedAfterMaxAge(t *testing.T) {
	src, clk, tk, k := heldSetup(t)
	old := signAt(t, tk, clk.now)
	next := copyKeyring(t, k)
	if err := next.Rotate(clk.now); err != nil {
		t.Fatal(err)
	}
	if err := next.Remove(k.Active); err != nil {
		t.Fatal(err)
	}
	src.set(next)

	clk.advance(MaxAge - time.Second)
	if _, err := tk.Parse(trust.DownloadLink, old, clk.now); err != nil {
		t.Errorf("before MaxAge the old key still verifies: %v", err)
	}
	clk.advance(time.Second)
	if _, err := tk.Parse(trust.DownloadLink, old, clk.now); !errors.Is(err, ErrInvalid) {
		t.Errorf("after MaxAge a token of the removed key: err %v, want ErrInvalid", err)
	}
}

func TestForgedKidsReloadAtMostOncePerGap(t *testing.T) {
	src, clk, tk, _ := heldSetup(t)
	stranger := newKeys(t)
	forge := func(i int) string {
		k := copyKeyring(t, stranger)
		k.Keys[0].ID = strings.Repeat("x", i+1)
		k.Active = k.Keys[0].ID
		return signAt(t, New(k, "iss"), clk.now)
	}
	for i := range 50 {
		if _, err := tk.Parse(trust.DownloadLink, forge(i), clk.now); !errors.Is(err, ErrInvalid) {
			t.Fatalf("forged kid %d: err %v, want ErrInvalid", i, err)
		}
	}
	if n := src.count(); n != 2 {
		t.Errorf("50 forged kids in one gap: %d loads, want 2 (cold start and one reload)", n)
	}
	clk.advance(UnknownKidGap - time.Second)
	tk.Parse(trust.DownloadLink, forge(60), clk.now)
	if n := src.count(); n != 2 {
		t.Errorf("a forged kid within the gap: %d loads, want still 2", n)
	}
	clk.advance(time.Second)
	tk.Parse(trust.DownloadLink, forge(61), clk.now)
	if n := src.count(); n != 3 {
		t.Errorf("a forged kid after the gap: %d loads, want 3", n)
	}
}

func TestFailedReloadKeepsKeys(t *testing.T) {
	src, clk, tk, k := heldSetup(t)
	var reported []error
	tk.keys.OnError = func(err error) { reported = append(reported, err) }
	src.mu.Lock()
	src.err = errors.New("secret unreachable")
	src.mu.Unlock()

	clk.advance(MaxAge)
	tok := signAt(t, tk, clk.now)
	if kid := kidOf(t, tok); kid != hintOf(k.Active) {
		t.Errorf("signed with %q, want the loaded key %q", kid, k.Active)
	}
	if len(reported) != 1 || !strings.Contains(reported[0].Error(), "secret unreachable") {
		t.Errorf("reported %v, want the one failed reload", reported)
	}
	// Every request until the gap passes gets the loaded keys at once.
	for range 10 {
		if _, err := tk.Parse(trust.DownloadLink, tok, clk.now); err != nil {
			t.Fatal(err)
		}
	}
	if n := src.count(); n != 2 {
		t.Errorf("%d loads, want 2: a failed reload waits UnknownKidGap before the next", n)
	}
}

func TestNewHolderFailsWhenSourceFails(t *testing.T) {
	_, err := NewHolder(t.Context(), &fakeSource{err: errors.New("no secret")}, nil)
	if err == nil || !strings.Contains(err.Error(), "no secret") {
		t.Fatalf("NewHolder: err %v, want the source's error", err)
	}
}

func TestFileSource(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	k, err := LoadOrCreateFile(path, t0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := File(path).Load(t.Context())
	if err != nil || got.Active != k.Active {
		t.Fatalf("File.Load: %v, active %v; want %q", err, got, k.Active)
	}
	if err := os.WriteFile(path, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := File(path).Load(t.Context()); err == nil {
		t.Error("File.Load accepted a keyring without keys")
	}
}

func TestRemove(t *testing.T) {
	k := newKeys(t)
	first := k.Active
	if err := k.Remove(first); err == nil || !strings.Contains(err.Error(), "signing key") {
		t.Errorf("Remove(signing key): err %v, want a refusal", err)
	}
	if err := k.Rotate(t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := k.Remove("nope"); err == nil {
		t.Error("Remove of an unknown kid succeeded")
	}
	if err := k.Remove(first); err != nil {
		t.Fatal(err)
	}
	// The publication key stays: removing a link key touches no other.
	if len(k.Keys) != 2 || k.Keys[1].ID != k.Active || k.Keys[0].ID != k.Publishing {
		t.Errorf("after Remove: %v", k.Keys)
	}
	if _, err := ParseKeyring(k.Marshal()); err != nil {
		t.Errorf("the keyring after Remove does not parse: %v", err)
	}
}
