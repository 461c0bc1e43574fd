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

// Key is one Ed25519 signing key and its id (the JWT kid).
type Key struct {
	ID      string
	Private ed25519.PrivateKey
}

// Keyring holds the active signing key and every key still trusted for
// verification. Rotation: add a key, make it active; older keys keep
// verifying the links they signed until they are removed.
type Keyring struct {
	Active string
	Keys   []Key
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

func (k *Keyring) public(kid string) (ed25519.PublicKey, bool) {
	for _, key := range k.Keys {
		if key.ID == kid {
			return key.Private.Public().(ed25519.PublicKey), true
		}
	}
	return nil, false
}

// keyringJSON is the stored form, shared by the key file and the Secrets
// Manager secret: {"active":"k1","keys":[{"kid":"k1","seed":"<base64>"}]}.
type keyringJSON struct {
	Active string `json:"active"`
	Keys   []struct {
		ID   string `json:"kid"`
		Seed string `json:"seed"`
	} `json:"keys"`
}

// ParseKeyring reads the stored form and checks it: every key has a kid of
// its own and a valid seed, and the active kid names one of them.
func ParseKeyring(data []byte) (*Keyring, error) {
	var kj keyringJSON
	if err := json.Unmarshal(data, &kj); err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	k := &Keyring{Active: kj.Active}
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
		k.Keys = append(k.Keys, Key{ID: e.ID, Private: ed25519.NewKeyFromSeed(seed)})
	}
	if _, ok := k.public(k.Active); !ok {
		return nil, fmt.Errorf("keyring: active key %q is not in keys", k.Active)
	}
	return k, nil
}

// Marshal returns the stored form.
func (k *Keyring) Marshal() []byte {
	var kj keyringJSON
	kj.Active = k.Active
	for _, key := range k.Keys {
		kj.Keys = append(kj.Keys, struct {
			ID   string `json:"kid"`
			Seed string `json:"seed"`
		}{key.ID, base64.StdEncoding.EncodeToString(key.Private.Seed())})
	}
	b, _ := json.MarshalIndent(kj, "", "  ")
	return b
}

// Rotate adds a fresh key and makes it the signing key.
func (k *Keyring) Rotate(now time.Time) error {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	id := now.UTC().Format("20060102T150405Z") + "-" + trust.RandomID(3)
	k.Keys = append(k.Keys, Key{ID: id, Private: priv})
	k.Active = id
	return nil
}

// LoadOrCreateFile reads the keyring at path, creating it with one fresh key
// (mode 0600) on first run.
func LoadOrCreateFile(path string, now time.Time) (*Keyring, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		return ParseKeyring(data)
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
	if err := os.WriteFile(path, k.Marshal(), 0o600); err != nil {
		return nil, fmt.Errorf("write keyring: %w", err)
	}
	return k, nil
}

// Remove drops the key kid, after which the links it signed are refused.
// The signing key cannot be removed: rotate first.
func (k *Keyring) Remove(kid string) error {
	if kid == k.Active {
		return fmt.Errorf("keyring: %q is the signing key; rotate before removing it", kid)
	}
	for i, key := range k.Keys {
		if key.ID == kid {
			k.Keys = append(k.Keys[:i:i], k.Keys[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("keyring: no key %q", kid)
}
