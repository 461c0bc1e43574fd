package token

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"trustcenter/shared/trust"
)

// The compact link format. A JWT with an Ed25519 signature is 550 to 600
// characters once it binds a request, a grant and a document: too long to
// read, quote or paste, and mail clients wrap it. A link a person can read
// must stay within 200 characters with our own origin in front, so the
// token is a few binary fields and a MAC, base64url without padding:
//
//	version(1) purpose(1) key hint(2) iat(4) exp(4, Unix seconds) jti(8)
//	subject, request, grant, document (each: length(1) bytes)
//	tag(16) = HMAC-SHA256(key, "trustcenter link" 0 issuer 0 fields)[:16]
//
// What the JWTs guaranteed stays: the purpose is a field of its own and
// must be the one the parser is asked for (single purpose); exp is
// required and checked without leeway, and an iat further ahead than
// ClockSkew is refused (expiring); the jti is there for the
// single-use links to consume (Tx.Uses); the issuer is bound into the tag;
// the key is chosen by a hint of its kid, so rotation works as before. The
// tag is 128 bits of HMAC-SHA256 with a key derived (HKDF) from the
// keyring's Ed25519 seed of that kid: every function that checks links
// also signs them, so a public-key signature bought nothing but 64 bytes.
// Links signed as JWTs before keep verifying until they expire (parseJWT).
const (
	compactVersion = 1
	hintLen        = 2
	jtiLen         = 8
	tagLen         = 16
	headerLen      = 1 + 1 + hintLen + 4 + 4 + jtiLen
	// maxCompact bounds what Parse decodes: four fields of at most 255
	// bytes, in base64.
	maxCompact = (headerLen + 4*256 + tagLen) * 4 / 3
)

// purposeCodes number the purposes on the wire. A code is never reused:
// links already sent carry it.
var purposeCodes = map[trust.Purpose]byte{
	trust.ConfirmLink:     1,
	trust.AccessLink:      2,
	trust.DownloadLink:    3,
	trust.SignInLink:      4,
	trust.StatusLink:      5,
	trust.MyRequestsLink:  6,
	trust.MySessionLink:   7,
	trust.SignedNDALink:   8,
	trust.SubscribeLink:   9,
	trust.UnsubscribeLink: 10,
}

// macKey is the MAC key of one keyring key.
func macKey(k Key) []byte {
	b, err := hkdf.Key(sha256.New, k.Private.Seed(), nil, "trustcenter link mac v1", 32)
	if err != nil {
		panic(err) // only for lengths hkdf cannot give; 32 is fine
	}
	return b
}

// kidHint is the two bytes of a kid a compact link carries.
func kidHint(kid string) [hintLen]byte {
	sum := sha256.Sum256([]byte(kid))
	return [hintLen]byte{sum[0], sum[1]}
}

func (t *Tokens) tag(key Key, body []byte) []byte {
	m := hmac.New(sha256.New, macKey(key))
	m.Write([]byte("trustcenter link\x00" + t.issuer + "\x00"))
	m.Write(body)
	return m.Sum(nil)[:tagLen]
}

// signCompact is Sign in the compact format.
func (t *Tokens) signCompact(purpose trust.Purpose, c trust.Claims, now time.Time) (string, error) {
	code, ok := purposeCodes[purpose]
	if !ok {
		return "", fmt.Errorf("sign %s token: no code for this purpose", purpose)
	}
	if now.Unix() <= 0 || c.ExpiresAt.Unix() <= now.Unix() || c.ExpiresAt.Unix() > 1<<32-1 {
		return "", fmt.Errorf("sign %s token: expiry %v out of range", purpose, c.ExpiresAt)
	}
	key := t.keys.Keyring().active()
	hint := kidHint(key.ID)
	body := make([]byte, 0, 64)
	body = append(body, compactVersion, code, hint[0], hint[1])
	body = binary.BigEndian.AppendUint32(body, uint32(now.Unix()))
	body = binary.BigEndian.AppendUint32(body, uint32(c.ExpiresAt.Unix()))
	body = append(body, randomBytes(jtiLen)...)
	for _, f := range []string{c.Subject, c.Request, c.Grant, c.Document} {
		if len(f) > 255 {
			return "", fmt.Errorf("sign %s token: a field of %d bytes", purpose, len(f))
		}
		body = append(body, byte(len(f)))
		body = append(body, f...)
	}
	return base64.RawURLEncoding.EncodeToString(append(body, t.tag(key, body)...)), nil
}

var errMalformed = errors.New("malformed")

// parseCompact is Parse for the compact format.
func (t *Tokens) parseCompact(purpose trust.Purpose, s string, now time.Time) (trust.Claims, error) {
	if len(s) > maxCompact {
		return trust.Claims{}, errMalformed
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(raw) < headerLen+4+tagLen {
		return trust.Claims{}, errMalformed
	}
	body, tag := raw[:len(raw)-tagLen], raw[len(raw)-tagLen:]
	code, ok := purposeCodes[purpose]
	if !ok || body[0] != compactVersion || body[1] != code {
		return trust.Claims{}, errMalformed
	}
	hint := [hintLen]byte{body[2], body[3]}
	matches := func(k *Keyring) []Key {
		var ks []Key
		for _, key := range k.Keys {
			// A publication key never verifies a link (keyring.go).
			if key.Purpose == ForLinks && kidHint(key.ID) == hint {
				ks = append(ks, key)
			}
		}
		return ks
	}
	keys := matches(t.keys.lookup(func(k *Keyring) bool { return len(matches(k)) > 0 }))
	genuine := false
	for _, key := range keys {
		if hmac.Equal(tag, t.tag(key, body)) {
			genuine = true
		}
	}
	if !genuine {
		return trust.Claims{}, errMalformed
	}
	iat := time.Unix(int64(binary.BigEndian.Uint32(body[4:8])), 0)
	exp := time.Unix(int64(binary.BigEndian.Uint32(body[8:12])), 0).UTC()
	c := trust.Claims{ID: base64.RawURLEncoding.EncodeToString(body[12:headerLen]), ExpiresAt: exp}
	rest := body[headerLen:]
	for _, f := range []*string{&c.Subject, &c.Request, &c.Grant, &c.Document} {
		if len(rest) < 1 || len(rest) < 1+int(rest[0]) {
			return trust.Claims{}, errMalformed
		}
		*f, rest = string(rest[1:1+int(rest[0])]), rest[1+int(rest[0]):]
	}
	if len(rest) != 0 || !now.Before(exp) || iat.After(now.Add(ClockSkew)) {
		return trust.Claims{}, errMalformed
	}
	return c, nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails on supported platforms
	return b
}
