// Package token signs and verifies the trust center's links: single-purpose
// JWTs signed with Ed25519. Each purpose has its own audience, so a token
// minted for one job (say, confirming an email) is refused by every other.
// The parser pins the algorithm, issuer and audience and requires exp.
package token

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Purpose is what a token may be used for; it becomes the audience.
type Purpose string

const (
	Confirm  Purpose = "confirm-email" // requester proves they own their email (single use)
	Access   Purpose = "access-page"   // requester's page listing granted documents
	Download Purpose = "download"      // one granted document
	SignIn   Purpose = "staff-sign-in" // staff magic link (single use)
)

// Claims are the registered claims plus what the trust center binds a link to.
type Claims struct {
	jwt.RegisteredClaims
	Request  string `json:"req,omitempty"`
	Document string `json:"doc,omitempty"`
	Grant    string `json:"gnt,omitempty"`
}

// Tokens signs with the keyring's active key and verifies with any of its keys.
type Tokens struct {
	keys   *Keyring
	issuer string
	now    func() time.Time
}

// New returns a signer/verifier. issuer is pinned on both sides.
func New(keys *Keyring, issuer string, now func() time.Time) *Tokens {
	if now == nil {
		now = time.Now
	}
	return &Tokens{keys: keys, issuer: issuer, now: now}
}

// ErrInvalid is the one error every refused token gets, whatever check
// failed, so a caller learns nothing about which part was wrong.
var ErrInvalid = errors.New("token: invalid")

// Sign mints a token for purpose, valid until exp. It fills iss, aud, iat,
// exp and a random jti; subject and the binding fields come from c.
func (t *Tokens) Sign(purpose Purpose, c Claims, exp time.Time) (string, error) {
	now := t.now()
	c.Issuer = t.issuer
	c.Audience = jwt.ClaimStrings{string(purpose)}
	c.IssuedAt = jwt.NewNumericDate(now)
	c.ExpiresAt = jwt.NewNumericDate(exp)
	c.ID = RandomID(16)
	key := t.keys.active()
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, &c)
	tok.Header["kid"] = key.ID
	s, err := tok.SignedString(key.Private)
	if err != nil {
		return "", fmt.Errorf("sign %s token: %w", purpose, err)
	}
	return s, nil
}

// Parse verifies s for purpose and returns its claims. Any failure is
// ErrInvalid.
func (t *Tokens) Parse(purpose Purpose, s string) (Claims, error) {
	var c Claims
	p := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(t.issuer),
		jwt.WithAudience(string(purpose)),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(t.now),
	)
	_, err := p.ParseWithClaims(s, &c, func(tok *jwt.Token) (any, error) {
		kid, _ := tok.Header["kid"].(string)
		pub, ok := t.keys.public(kid)
		if !ok {
			return nil, errors.New("unknown kid")
		}
		return pub, nil
	})
	if err != nil || c.ID == "" {
		return Claims{}, ErrInvalid
	}
	return c, nil
}

// RandomID returns n random bytes, base64url without padding.
func RandomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
