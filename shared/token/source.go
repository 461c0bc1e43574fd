package token

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"sync"
	"time"

	"trustcenter/shared/trust"
)

// Source is where a keyring is kept: the Secrets Manager secret of a
// deployment, or the key file of one machine.
type Source interface {
	Load(ctx context.Context) (*Keyring, error)
}

// SourceFunc is a Source written as a function.
type SourceFunc func(ctx context.Context) (*Keyring, error)

// Load calls f.
func (f SourceFunc) Load(ctx context.Context) (*Keyring, error) { return f(ctx) }

// File is the keyring kept in a key file.
type File string

// Load reads and checks the file.
func (f File) Load(context.Context) (*Keyring, error) {
	data, err := os.ReadFile(string(f))
	if err != nil {
		return nil, fmt.Errorf("read keyring: %w", err)
	}
	return ParseKeyring(data)
}

// The bounds of a Holder: how stale its keyring may get, and how often
// tokens naming a kid it does not know may make it look again.
const (
	// MaxAge bounds how long a rotation or removal takes to reach every
	// function: the README's runbook waits this long.
	MaxAge = 5 * time.Minute
	// UnknownKidGap keeps forged kids from turning every request into a
	// read of the secret: at most one reload per gap, whatever they name.
	UnknownKidGap = 30 * time.Second
	// loadTimeout bounds one reload, which runs inside a request.
	loadTimeout = 5 * time.Second
)

// Holder keeps the keyring a signer uses and reloads it from its source
// at least every MaxAge, and sooner (at most once per UnknownKidGap) when
// a token names a kid it does not hold: a key another function already
// signs with after a rotation. A failed reload keeps the keys it has and
// is retried after UnknownKidGap, so an unreachable secret slows no more
// than one request in that gap and does not stop links working.
//
// A reload runs under the lock, so concurrent requests wait for it; a
// Lambda environment serves one request at a time, and the local source
// is a small file.
type Holder struct {
	src   Source
	clock trust.Clock
	// OnError, if set, hears of reloads that failed (the function logs them).
	OnError func(error)

	mu     sync.Mutex
	keys   *Keyring
	loaded time.Time // when keys were read
	tried  time.Time // the last reload, failed or not
}

// NewHolder reads the keyring from src once, failing as a cold start
// should when it cannot.
func NewHolder(ctx context.Context, src Source, clock trust.Clock) (*Holder, error) {
	if clock == nil {
		clock = trust.SystemClock
	}
	k, err := src.Load(ctx)
	if err != nil {
		return nil, err
	}
	// tried stays zero: the gap limits the reloads that requests cause,
	// and the cold start's read is not one of them.
	return &Holder{src: src, clock: clock, keys: k, loaded: clock.Now()}, nil
}

// Fixed holds k for good: for tests and tools that sign with a keyring
// they were given.
func Fixed(k *Keyring) *Holder {
	return &Holder{keys: k}
}

// Keyring is the keyring as last loaded, reloading it first when it is
// older than MaxAge.
func (h *Holder) Keyring() *Keyring {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.now()
	if h.src != nil && now.Sub(h.loaded) >= MaxAge && now.Sub(h.tried) >= UnknownKidGap {
		h.reload(now)
	}
	return h.keys
}

// public finds kid's public key, looking in the source again when kid is
// unknown (see lookup).
func (h *Holder) public(kid string) (ed25519.PublicKey, bool) {
	k := h.lookup(func(k *Keyring) bool { _, ok := k.public(kid); return ok })
	return k.public(kid)
}

// lookup is the keyring, read from the source again when has finds
// nothing in it and the last reload is at least UnknownKidGap old: a link
// naming a key the holder does not know may be signed by one just added.
func (h *Holder) lookup(has func(*Keyring) bool) *Keyring {
	k := h.Keyring()
	if has(k) || h.src == nil {
		return k
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if now := h.now(); now.Sub(h.tried) >= UnknownKidGap {
		h.reload(now)
	}
	return h.keys
}

func (h *Holder) now() time.Time {
	if h.clock == nil {
		return time.Time{}
	}
	return h.clock.Now()
}

// reload runs with h.mu held.
func (h *Holder) reload(now time.Time) {
	h.tried = now
	ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
	defer cancel()
	k, err := h.src.Load(ctx)
	if err != nil {
		if h.OnError != nil {
			h.OnError(fmt.Errorf("reload keyring (keeping the keys loaded %s ago): %w", now.Sub(h.loaded).Round(time.Second), err))
		}
		return
	}
	h.keys, h.loaded = k, now
}
