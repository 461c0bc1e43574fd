package token

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func newKeys(t *testing.T) *Keyring {
	t.Helper()
	k := &Keyring{}
	if err := k.Rotate(t0); err != nil {
		t.Fatal(err)
	}
	return k
}

// segments rewrites one part of a compact JWT.
func reencode(t *testing.T, tok string, part int, edit func(map[string]any)) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[part])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	b, _ := json.Marshal(m)
	parts[part] = base64.RawURLEncoding.EncodeToString(b)
	return strings.Join(parts, ".")
}

func TestParseRefusesEveryForgery(t *testing.T) {
	keys := newKeys(t)
	tokens := New(keys, "trustcenter", func() time.Time { return t0 })
	good, err := tokens.Sign(Download, Claims{Request: "req_1", Grant: "gnt_1", Document: "soc2"}, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	other := newKeys(t)
	other.Keys[0].ID, other.Active = keys.Active, keys.Active // same kid, different key
	forged, _ := New(other, "trustcenter", func() time.Time { return t0 }).Sign(Download, Claims{Request: "req_1", Grant: "gnt_1", Document: "soc2"}, t0.Add(time.Hour))
	wrongAud, _ := tokens.Sign(Access, Claims{Request: "req_1", Grant: "gnt_1"}, t0.Add(time.Hour))
	expired, _ := tokens.Sign(Download, Claims{Request: "req_1"}, t0.Add(-time.Second))
	wrongIss, _ := New(keys, "someone-else", func() time.Time { return t0 }).Sign(Download, Claims{Request: "req_1"}, t0.Add(time.Hour))

	none := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"iss": "trustcenter", "aud": string(Download), "exp": t0.Add(time.Hour).Unix(), "jti": "x"})
	noneTok, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	// Algorithm confusion: an HMAC keyed with the public key.
	pub := keys.Keys[0].Private.Public().(ed25519.PublicKey)
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": "trustcenter", "aud": string(Download), "exp": t0.Add(time.Hour).Unix(), "jti": "x"})
	hs.Header["kid"] = keys.Active
	hsTok, _ := hs.SignedString([]byte(pub))
	// No exp at all, properly signed.
	noExp := jwt.NewWithClaims(jwt.SigningMethodEdDSA, jwt.MapClaims{"iss": "trustcenter", "aud": string(Download), "jti": "x"})
	noExp.Header["kid"] = keys.Active
	noExpTok, _ := noExp.SignedString(keys.Keys[0].Private)

	cases := []struct {
		name, tok string
	}{
		{"alg none", noneTok},
		{"HS256 keyed with the public key", hsTok},
		{"signed by another key", forged},
		{"modified claim", reencode(t, good, 1, func(m map[string]any) { m["doc"] = "soc1" })},
		{"header kid swapped", reencode(t, good, 0, func(m map[string]any) { m["kid"] = "nope" })},
		{"wrong audience", wrongAud},
		{"expired", expired},
		{"wrong issuer", wrongIss},
		{"no exp", noExpTok},
		{"garbage", "not.a.token"},
		{"empty", ""},
		{"signature stripped", good[:strings.LastIndexByte(good, '.')+1]},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := tokens.Parse(Download, c.tok); !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid", err)
			}
		})
	}
	claims, err := tokens.Parse(Download, good)
	if err != nil || claims.Document != "soc2" || claims.Grant != "gnt_1" || claims.ID == "" {
		t.Fatalf("the genuine token: %+v %v", claims, err)
	}
}

func TestRotationKeepsOldLinksWorking(t *testing.T) {
	keys := newKeys(t)
	tokens := New(keys, "trustcenter", func() time.Time { return t0 })
	old, _ := tokens.Sign(Access, Claims{Request: "r"}, t0.Add(time.Hour))
	oldKid := keys.Active
	if err := keys.Rotate(t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if keys.Active == oldKid {
		t.Fatal("rotation did not change the signing key")
	}
	if _, err := tokens.Parse(Access, old); err != nil {
		t.Fatalf("a link signed before rotation: %v", err)
	}
	fresh, _ := tokens.Sign(Access, Claims{Request: "r"}, t0.Add(time.Hour))
	reencode(t, fresh, 0, func(m map[string]any) {
		if m["kid"] != keys.Active {
			t.Errorf("new tokens carry kid %v, want %s", m["kid"], keys.Active)
		}
	})
	// Removing the old key retires its links.
	keys.Keys = keys.Keys[1:]
	if _, err := tokens.Parse(Access, old); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a link of a removed key: %v", err)
	}
}

func TestKeyringFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	a, err := LoadOrCreateFile(path, t0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadOrCreateFile(path, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if a.Active != b.Active || !a.Keys[0].Private.Equal(b.Keys[0].Private) {
		t.Fatal("the second start did not read the key the first one made")
	}
	for _, bad := range []string{`{`, `{"active":"x","keys":[]}`, `{"active":"k","keys":[{"kid":"k","seed":"c2hvcnQ="}]}`} {
		if _, err := ParseKeyring([]byte(bad)); err == nil {
			t.Errorf("ParseKeyring(%s) accepted", bad)
		}
	}
}
