package token

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"trustcenter/shared/trust"
)

// Key is one Ed25519 signing key, its id (the JWT kid) and what it signs.
type Key struct {
	ID      string
	Private ed25519.PrivateKey
	Purpose KeyPurpose
}

// KeyPurpose says what a key may sign. Each purpose has its own keys, so a
// key that signs what the world may read (the published trust.json, whose
// public keys are at /.well-known/jwks.json) never verifies a link, and a
// link key is never published.
type KeyPurpose string

const (
	// ForLinks keys sign the trust center's single-purpose JWTs; the
	// stored form leaves this purpose unnamed, as keyrings made before
	// purposes existed did.
	ForLinks KeyPurpose = ""
	// ForPublication keys sign published documents (a detached JWS over
	// trust.json).
	ForPublication KeyPurpose = "publication"
)

// Keyring holds the active signing key of each purpose and every key still
// trusted for verification. Rotation: add a key, make it active; older keys
// keep verifying what they signed until they are removed.
type Keyring struct {
	Active string // the link-signing key
	// Publishing is the publication key; "" in a keyring made before
	// publication keys existed, until EnsurePublication gives it one.
	Publishing string
	Keys       []Key
}

func (k *Keyring) active() Key {
	for _, key := range k.Keys {
		if key.ID == k.Active {
			return key
		}
	}
	// ParseKeyring refuses a keyring whose active key is missing, and Rotate
	// adds the key it makes active; a keyring built by hand must hold to
	// the same.
	panic("keyring: active key missing")
}

// public finds a link key's public half: a publication key is no link key.
func (k *Keyring) public(kid string) (ed25519.PublicKey, bool) {
	key, ok := k.find(kid, ForLinks)
	if !ok {
		return nil, false
	}
	return key.Private.Public().(ed25519.PublicKey), true
}

func (k *Keyring) find(kid string, p KeyPurpose) (Key, bool) {
	for _, key := range k.Keys {
		if key.ID == kid && key.Purpose == p {
			return key, true
		}
	}
	return Key{}, false
}

// Published are the publication keys still trusted, the signing one
// included: the keys a JWKS lists, so that a copy of trust.json signed
// before a rotation still verifies until its key is removed.
func (k *Keyring) Published() []Key {
	var out []Key
	for _, key := range k.Keys {
		if key.Purpose == ForPublication {
			out = append(out, key)
		}
	}
	return out
}

// publishing is the publication signing key, if the keyring has one.
func (k *Keyring) publishing() (Key, bool) {
	if k.Publishing == "" {
		return Key{}, false
	}
	return k.find(k.Publishing, ForPublication)
}

// keyringJSON is the stored form, shared by the key file and the Secrets
// Manager secret: {"active":"k1","publishing":"p1","keys":[{"kid":"k1","seed":"<base64>"},
// {"kid":"p1","seed":"<base64>","purpose":"publication"}]}.
type keyringJSON struct {
	Active     string    `json:"active"`
	Publishing string    `json:"publishing,omitempty"`
	Keys       []keyJSON `json:"keys"`
}

type keyJSON struct {
	ID      string     `json:"kid"`
	Seed    string     `json:"seed"`
	Purpose KeyPurpose `json:"purpose,omitempty"`
}

// ParseKeyring reads the stored form and checks it: every key has a kid of
// its own and a valid seed, and the active kid names one of them.
func ParseKeyring(data []byte) (*Keyring, error) {
	var kj keyringJSON
	if err := json.Unmarshal(data, &kj); err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	k := &Keyring{Active: kj.Active, Publishing: kj.Publishing}
	seen := make(map[string]bool, len(kj.Keys))
	for _, e := range kj.Keys {
		seed, err := base64.StdEncoding.DecodeString(e.Seed)
		if err != nil || len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("keyring: key %q: seed must be %d bytes of base64", e.ID, ed25519.SeedSize)
		}
		if e.ID == "" {
			return nil, errors.New("keyring: a key has no kid")
		}
		// A token names its key by kid alone, so two keys under one kid
		// would leave verification to whichever comes first.
		if seen[e.ID] {
			return nil, fmt.Errorf("keyring: kid %q is used by more than one key", e.ID)
		}
		seen[e.ID] = true
		if e.Purpose != ForLinks && e.Purpose != ForPublication {
			return nil, fmt.Errorf("keyring: key %q: unknown purpose %q (want %q or none)", e.ID, e.Purpose, ForPublication)
		}
		k.Keys = append(k.Keys, Key{ID: e.ID, Private: ed25519.NewKeyFromSeed(seed), Purpose: e.Purpose})
	}
	if _, ok := k.public(k.Active); !ok {
		return nil, fmt.Errorf("keyring: active key %q is not among the link keys", k.Active)
	}
	if _, ok := k.publishing(); k.Publishing != "" && !ok {
		return nil, fmt.Errorf("keyring: publishing key %q is not among the publication keys", k.Publishing)
	}
	return k, nil
}

// Marshal returns the stored form.
func (k *Keyring) Marshal() []byte {
	var kj keyringJSON
	kj.Active, kj.Publishing = k.Active, k.Publishing
	for _, key := range k.Keys {
		kj.Keys = append(kj.Keys, keyJSON{key.ID, base64.StdEncoding.EncodeToString(key.Private.Seed()), key.Purpose})
	}
	b, _ := json.MarshalIndent(kj, "", "  ")
	return b
}

// Rotate adds a fresh link key and makes it the signing key. A keyring
// without a publication key gets one too, so that a new keyring is whole.
func (k *Keyring) Rotate(now time.Time) error {
	id, err := k.add(now, ForLinks)
	if err != nil {
		return err
	}
	k.Active = id
	_, err = k.EnsurePublication(now)
	return err
}

// RotatePublication adds a fresh publication key and makes it the one
// that signs; the previous one stays in the JWKS until removed.
func (k *Keyring) RotatePublication(now time.Time) error {
	id, err := k.add(now, ForPublication)
	if err != nil {
		return err
	}
	k.Publishing = id
	return nil
}

// EnsurePublication gives a keyring made before publication keys existed
// its first one; added says whether it did.
func (k *Keyring) EnsurePublication(now time.Time) (added bool, err error) {
	if k.Publishing != "" {
		return false, nil
	}
	return true, k.RotatePublication(now)
}

func (k *Keyring) add(now time.Time, p KeyPurpose) (string, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	id := now.UTC().Format("20060102T150405Z") + "-" + trust.RandomID(3)
	if p == ForPublication {
		// A kid says what it is to whoever reads a JWKS or a keyring list.
		id = "pub-" + id
	}
	k.Keys = append(k.Keys, Key{ID: id, Private: priv, Purpose: p})
	return id, nil
}

// LoadOrCreateFile reads the keyring at path, creating it with one fresh key
// (mode 0600) on first run.
func LoadOrCreateFile(path string, now time.Time) (*Keyring, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		k, err := ParseKeyring(data)
		if err != nil {
			return nil, err
		}
		// A key file from before publication keys gets one on the next
		// start, as a deployment's secret does on the next deploy.
		if added, err := k.EnsurePublication(now); err != nil || !added {
			return k, err
		}
		return k, writeFile(path, k)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read keyring: %w", err)
	}
	k := &Keyring{}
	if err := k.Rotate(now); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	return k, writeFile(path, k)
}

// writeFile writes beside and renames, so a reader never sees half a
// keyring.
func writeFile(path string, k *Keyring) error {
	tmp := path + ".new"
	if err := os.WriteFile(tmp, k.Marshal(), 0o600); err != nil {
		return fmt.Errorf("write keyring: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write keyring: %w", err)
	}
	return nil
}

// Remove drops the key kid, after which what it signed is refused (a
// publication key leaves the JWKS). A signing key cannot be removed:
// rotate first.
func (k *Keyring) Remove(kid string) error {
	if kid == k.Active || kid == k.Publishing {
		return fmt.Errorf("keyring: %q is a signing key; rotate before removing it", kid)
	}
	for i, key := range k.Keys {
		if key.ID == kid {
			k.Keys = append(k.Keys[:i:i], k.Keys[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("keyring: no key %q", kid)
}
