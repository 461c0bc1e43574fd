// Package token signs and verifies the trust center's links: single-purpose
// compact tokens (compact.go) under the keyring's keys, the engine behind
// trust.Signer; JWTs signed with Ed25519 before it still verify. Each
// trust.Purpose is its own audience, so a token minted for one job (say,
// confirming an email) is refused by every other. The parser pins the
// algorithm, issuer and audience and requires exp. The JWT types stay in
// here: the domain sees trust.Claims only.
package token

import (
	"errors"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"trustcenter/shared/trust"
)

// claims are a link's claims as the JWT carries them: the registered claims
// plus what the trust center binds a link to.
type claims struct {
	jwt.RegisteredClaims
	Request  string `json:"req,omitempty"`
	Document string `json:"doc,omitempty"`
	Grant    string `json:"gnt,omitempty"`
}

// Tokens signs with the keyring's active key and verifies with any of its
// keys. It is the service's trust.Signer.
type Tokens struct {
	keys   *Holder
	issuer string
}

var _ trust.Signer = (*Tokens)(nil)

// New returns a signer/verifier on a keyring that never changes. issuer is
// pinned on both sides.
func New(keys *Keyring, issuer string) *Tokens {
	return Held(Fixed(keys), issuer)
}

// Held returns a signer/verifier on the keyring h keeps up to date, so a
// rotation reaches it without a restart.
func Held(h *Holder, issuer string) *Tokens {
	return &Tokens{keys: h, issuer: issuer}
}

// ErrInvalid is the one error every refused token gets, whatever check
// failed, so a caller learns nothing about which part was wrong.
var ErrInvalid = errors.New("token: invalid")

// Sign mints a link token for purpose, issued at now and valid until c.ExpiresAt, in the
// compact format (compact.go) with a random jti; subject and the binding
// fields come from c.
func (t *Tokens) Sign(purpose trust.Purpose, c trust.Claims, now time.Time) (string, error) {
	return t.signCompact(purpose, c, now)
}

// ClockSkew is how far in the future a token's iat (or nbf) may lie and
// still be accepted: the function that signs a link and the one that
// checks it run on different machines, whose clocks may disagree by a few
// seconds, and a link opened at once must not be refused for that. More
// than this is a token from the future, refused.
//
// The skew is allowed at the start of a token's life only. jwt.WithLeeway
// would stretch exp by the same amount; Parse checks exp again without it,
// so a link ends exactly when its ExpiresAt says.
const ClockSkew = 30 * time.Second

// Parse verifies s for purpose at now and returns its claims. Any failure
// is ErrInvalid. A JWT (it has dots, which base64url has not) is one sent
// before the compact format: it keeps working until it expires.
func (t *Tokens) Parse(purpose trust.Purpose, s string, now time.Time) (trust.Claims, error) {
	if !strings.Contains(s, ".") {
		c, err := t.parseCompact(purpose, s, now)
		if err != nil {
			return trust.Claims{}, ErrInvalid
		}
		return c, nil
	}
	return t.parseJWT(purpose, s, now)
}

func (t *Tokens) parseJWT(purpose trust.Purpose, s string, now time.Time) (trust.Claims, error) {
	var c claims
	p := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(t.issuer),
		jwt.WithAudience(string(purpose)),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(ClockSkew),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	_, err := p.ParseWithClaims(s, &c, func(tok *jwt.Token) (any, error) {
		kid, _ := tok.Header["kid"].(string)
		pub, ok := t.keys.public(kid)
		if !ok {
			return nil, errors.New("unknown kid")
		}
		return pub, nil
	})
	if err != nil || c.ID == "" || !now.Before(c.ExpiresAt.Time) {
		return trust.Claims{}, ErrInvalid
	}
	return trust.Claims{ID: c.ID, Subject: c.Subject, Request: c.Request, Grant: c.Grant, Document: c.Document,
		ExpiresAt: c.ExpiresAt.Time}, nil
}
