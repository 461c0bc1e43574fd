package token

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"trustcenter/shared/trust"
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

// mustFor returns a must for t: must(tok, err) is tok, failing the test if
// making it failed. A forgery that could not be built would otherwise be an
// empty string, which every parser refuses, and its case would pass without
// testing anything.
func mustFor(t *testing.T) func(string, error) string {
	return func(tok string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
}

// reencode rewrites one part of a compact JWT.
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
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	parts[part] = base64.RawURLEncoding.EncodeToString(b)
	return strings.Join(parts, ".")
}

// legacyJWT is a link as Sign made them before the compact format: an
// Ed25519 JWT under the keyring's key.
func legacyJWT(t *testing.T, keys *Keyring, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	tok.Header["kid"] = keys.Active
	s, err := tok.SignedString(keys.Keys[0].Private)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// editCompact decodes a compact token, lets edit change its bytes and
// encodes it again, tag and all: a forger's edit.
func editCompact(t *testing.T, tok string, edit func([]byte) []byte) string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(edit(raw))
}

func TestParseRefusesEveryForgery(t *testing.T) {
	keys := newKeys(t)
	tokens := New(keys, "trustcenter")
	must := mustFor(t)
	dl := trust.Claims{Request: "req_1", Grant: "gnt_1", Document: "soc2", ExpiresAt: t0.Add(time.Hour)}
	good := must(tokens.Sign(trust.DownloadLink, dl, t0))
	other := newKeys(t)
	other.Keys[0].ID, other.Active = keys.Active, keys.Active // same kid, different key
	forged := must(New(other, "trustcenter").Sign(trust.DownloadLink, dl, t0))
	wrongAud := must(tokens.Sign(trust.AccessLink, trust.Claims{Request: "req_1", Grant: "gnt_1", ExpiresAt: t0.Add(time.Hour)}, t0))
	expired := must(tokens.Sign(trust.DownloadLink, trust.Claims{Request: "req_1", ExpiresAt: t0.Add(-time.Second)}, t0.Add(-time.Hour)))
	wrongIss := must(New(keys, "someone-else").Sign(trust.DownloadLink, dl, t0))
	// Where the fields start: version, purpose, hint, iat, exp, jti.
	fields := headerLen

	none := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"iss": "trustcenter", "aud": string(trust.DownloadLink), "exp": t0.Add(time.Hour).Unix(), "jti": "x"})
	noneTok := must(none.SignedString(jwt.UnsafeAllowNoneSignatureType))
	// Algorithm confusion: an HMAC keyed with the public key.
	pub := keys.Keys[0].Private.Public().(ed25519.PublicKey)
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": "trustcenter", "aud": string(trust.DownloadLink), "exp": t0.Add(time.Hour).Unix(), "jti": "x"})
	hs.Header["kid"] = keys.Active
	hsTok := must(hs.SignedString([]byte(pub)))
	legacy := legacyJWT(t, keys, jwt.MapClaims{"iss": "trustcenter", "aud": string(trust.DownloadLink), "exp": t0.Add(time.Hour).Unix(),
		"iat": t0.Unix(), "jti": "j1", "req": "req_1", "gnt": "gnt_1", "doc": "soc2"})
	noExpTok := legacyJWT(t, keys, jwt.MapClaims{"iss": "trustcenter", "aud": string(trust.DownloadLink), "jti": "x"})
	// No jti, properly signed: single-use links are consumed by their jti,
	// so a token without one could be used again and again.
	noJTITok := legacyJWT(t, keys, jwt.MapClaims{"iss": "trustcenter", "aud": string(trust.DownloadLink), "exp": t0.Add(time.Hour).Unix(),
		"iat": t0.Unix(), "req": "req_1", "gnt": "gnt_1", "doc": "soc2"})

	cases := []struct {
		name, tok string
	}{
		{"alg none", noneTok},
		{"HS256 keyed with the public key", hsTok},
		{"legacy JWT with a modified claim", reencode(t, legacy, 1, func(m map[string]any) { m["doc"] = "soc1" })},
		{"legacy JWT kid swapped", reencode(t, legacy, 0, func(m map[string]any) { m["kid"] = "nope" })},
		{"legacy JWT without exp", noExpTok},
		{"legacy JWT without jti", noJTITok},
		{"signed by another key", forged},
		{"modified field", editCompact(t, good, func(b []byte) []byte { b[len(b)-tagLen-1] ^= 1; return b })},
		{"expiry moved", editCompact(t, good, func(b []byte) []byte { b[11]++; return b })},
		{"purpose changed", editCompact(t, wrongAud, func(b []byte) []byte { b[1] = purposeCodes[trust.DownloadLink]; return b })},
		{"key hint swapped", editCompact(t, good, func(b []byte) []byte { b[2] ^= 0xff; return b })},
		{"version changed", editCompact(t, good, func(b []byte) []byte { b[0] = 2; return b })},
		{"tag stripped", editCompact(t, good, func(b []byte) []byte { return b[:len(b)-tagLen] })},
		{"tag truncated", editCompact(t, good, func(b []byte) []byte { return b[:len(b)-1] })},
		{"byte appended", editCompact(t, good, func(b []byte) []byte { return append(b, 0) })},
		{"fields cut", editCompact(t, good, func(b []byte) []byte { return append(b[:fields+2], b[len(b)-tagLen:]...) })},
		{"padded base64", good + "=="},
		{"wrong audience", wrongAud},
		{"expired", expired},
		{"wrong issuer", wrongIss},
		{"garbage", "not.a.token"},
		{"not base64", "%%%"},
		{"empty", ""},
		{"oversized", strings.Repeat("A", 4000)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := tokens.Parse(trust.DownloadLink, c.tok, t0); !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid", err)
			}
		})
	}
	claims, err := tokens.Parse(trust.DownloadLink, good, t0)
	if err != nil || claims.Document != "soc2" || claims.Grant != "gnt_1" || claims.Request != "req_1" || claims.ID == "" {
		t.Fatalf("the genuine token: %+v %v", claims, err)
	}
	// Links sent as JWTs before the compact format keep working.
	claims, err = tokens.Parse(trust.DownloadLink, legacy, t0)
	if err != nil || claims.Document != "soc2" || claims.ID != "j1" {
		t.Fatalf("the genuine legacy token: %+v %v", claims, err)
	}
}

// Every kind of link, with fields as long as the service makes them, fits
// in 200 characters behind a 40-character origin and its longest path.
func TestCompactLinksAreShort(t *testing.T) {
	tokens := New(newKeys(t), "trustcenter")
	id := func(prefix string) string { return prefix + strings.Repeat("x", 16) }
	origin := "https://" + strings.Repeat("t", 32) // 40 characters
	cases := []struct {
		purpose trust.Purpose
		path    string
		c       trust.Claims
	}{
		{trust.ConfirmLink, "/access-requests/confirm/", trust.Claims{Request: id("req_")}},
		{trust.AccessLink, "/access/", trust.Claims{Request: id("req_"), Grant: id("gnt_")}},
		{trust.DownloadLink, "/download/", trust.Claims{Request: id("req_"), Grant: id("gnt_"), Document: strings.Repeat("d", 32)}},
		{trust.SignInLink, "/admin/login/", trust.Claims{Subject: strings.Repeat("s", 30) + "@example.com"}},
		{trust.StatusLink, "/requests/", trust.Claims{Request: id("req_")}},
		{trust.MyRequestsLink, "/my-requests/sign-in/", trust.Claims{Request: id("req_")}},
	}
	for _, c := range cases {
		c.c.ExpiresAt = t0.Add(400 * 24 * time.Hour)
		tok, err := tokens.Sign(c.purpose, c.c, t0)
		if err != nil {
			t.Fatal(err)
		}
		link := origin + c.path + tok
		t.Logf("%s: %d characters", c.purpose, len(link))
		if len(link) > 200 {
			t.Errorf("%s link is %d characters: %s", c.purpose, len(link), link)
		}
		if _, err := tokens.Parse(c.purpose, tok, t0); err != nil {
			t.Errorf("%s: %v", c.purpose, err)
		}
	}
}

func TestRotationKeepsOldLinksWorking(t *testing.T) {
	keys := newKeys(t)
	tokens := New(keys, "trustcenter")
	must := mustFor(t)
	old := must(tokens.Sign(trust.AccessLink, trust.Claims{Request: "r", ExpiresAt: t0.Add(time.Hour)}, t0))
	oldKid := keys.Active
	if err := keys.Rotate(t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if keys.Active == oldKid {
		t.Fatal("rotation did not change the signing key")
	}
	if _, err := tokens.Parse(trust.AccessLink, old, t0); err != nil {
		t.Fatalf("a link signed before rotation: %v", err)
	}
	fresh := must(tokens.Sign(trust.AccessLink, trust.Claims{Request: "r", ExpiresAt: t0.Add(time.Hour)}, t0))
	if kidOf(t, fresh) != hintOf(keys.Active) {
		t.Errorf("new tokens carry key hint %s, want that of %s", kidOf(t, fresh), keys.Active)
	}
	// Removing the old key retires its links.
	keys.Keys = keys.Keys[1:]
	if _, err := tokens.Parse(trust.AccessLink, old, t0); !errors.Is(err, ErrInvalid) {
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
	// Two keys under one kid: which of them verifies a token would depend
	// on their order.
	seed := func(b byte) string {
		return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, ed25519.SeedSize))
	}
	dup := `{"active":"k1","keys":[{"kid":"k1","seed":"` + seed(1) + `"},{"kid":"k2","seed":"` + seed(2) + `"},{"kid":"k1","seed":"` + seed(3) + `"}]}`
	if _, err := ParseKeyring([]byte(dup)); err == nil || !strings.Contains(err.Error(), `"k1"`) {
		t.Errorf("ParseKeyring with a duplicate kid: %v, want an error naming k1", err)
	}
	distinct := `{"active":"k1","keys":[{"kid":"k1","seed":"` + seed(1) + `"},{"kid":"k2","seed":"` + seed(2) + `"}]}`
	if _, err := ParseKeyring([]byte(distinct)); err != nil {
		t.Errorf("ParseKeyring with distinct kids: %v", err)
	}
}

// Parse hands the domain back what Sign was given, and judges expiry by
// the time the domain passes, not by a clock of its own.
func TestClaimsRoundTripAtTheCallersTime(t *testing.T) {
	tokens := New(newKeys(t), "trustcenter")
	exp := t0.Add(15 * time.Minute)
	tok, err := tokens.Sign(trust.SignInLink, trust.Claims{Subject: "admin@example.com", Request: "r", Grant: "g", Document: "d", ExpiresAt: exp}, t0)
	if err != nil {
		t.Fatal(err)
	}
	c, err := tokens.Parse(trust.SignInLink, tok, exp.Add(-time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if c.ID == "" || c.Subject != "admin@example.com" || c.Request != "r" || c.Grant != "g" || c.Document != "d" || !c.ExpiresAt.Equal(exp) {
		t.Fatalf("claims %+v", c)
	}
	if _, err := tokens.Parse(trust.SignInLink, tok, exp.Add(time.Second)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("after its expiry by the caller's clock: %v", err)
	}
	if _, err := tokens.Parse(trust.SignInLink, tok, t0.Add(-time.Hour)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("before it was issued by the caller's clock: %v", err)
	}
}

// A token issued a little ahead of the checking machine's clock is
// accepted, one from further ahead is not; the allowance never stretches
// the end of a token's life.
func TestClockSkew(t *testing.T) {
	tokens := New(newKeys(t), "trustcenter")
	exp := t0.Add(15 * time.Minute)
	sign := func(issued time.Time) string {
		t.Helper()
		tok, err := tokens.Sign(trust.SignInLink, trust.Claims{Subject: "admin@example.com", ExpiresAt: exp}, issued)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	onTime := sign(t0)
	cases := []struct {
		name string
		tok  string
		at   time.Time
		ok   bool
	}{
		{"issued 1s ahead", sign(t0.Add(time.Second)), t0, true},
		{"issued the full skew ahead", sign(t0.Add(ClockSkew)), t0, true},
		{"issued past the skew", sign(t0.Add(ClockSkew + time.Second)), t0, false},
		{"issued a minute ahead", sign(t0.Add(time.Minute)), t0, false},
		{"a second before exp", onTime, exp.Add(-time.Second), true},
		{"at exp", onTime, exp, false},
		{"within the skew after exp", onTime, exp.Add(ClockSkew / 2), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := tokens.Parse(trust.SignInLink, c.tok, c.at)
			if c.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !c.ok && !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid", err)
			}
		})
	}

	// nbf is not something Sign sets, but a token carrying one gets the
	// same allowance.
	keys := tokens.keys.Keyring()
	nbf := func(at time.Time) string {
		t.Helper()
		tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, jwt.MapClaims{"iss": "trustcenter", "aud": string(trust.SignInLink),
			"exp": exp.Unix(), "iat": t0.Unix(), "nbf": at.Unix(), "jti": "x"})
		tok.Header["kid"] = keys.Active
		s, err := tok.SignedString(keys.Keys[0].Private)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if _, err := tokens.Parse(trust.SignInLink, nbf(t0.Add(ClockSkew)), t0); err != nil {
		t.Errorf("nbf within the skew: %v", err)
	}
	if _, err := tokens.Parse(trust.SignInLink, nbf(t0.Add(ClockSkew+time.Second)), t0); !errors.Is(err, ErrInvalid) {
		t.Errorf("nbf past the skew: %v", err)
	}
}
