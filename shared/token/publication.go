package token

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/golang-jwt/jwt/v5"

	"trustcenter/shared/trust"
)

// Publisher signs published documents with the keyring's publication key
// (never a link key) and lists the publication keys as a JWKS. It is the
// service's trust.Attester.
type Publisher struct{ keys *Holder }

var _ trust.Attester = Publisher{}

// Publishing returns the publisher on the keyring h keeps up to date.
func Publishing(h *Holder) Publisher { return Publisher{keys: h} }

// errNoPublicationKey is a keyring made before publication keys existed
// that nothing has given one yet (Ensure on deploy, LoadOrCreateFile).
var errNoPublicationKey = errors.New("token: the keyring has no publication key; deploy again (secretkeys.Ensure adds one) or run `keyring rotate --purpose publication`")

// SignDetached is a compact JWS (RFC 7515) over payload with the payload
// left out (appendix F): header..signature. The reader verifies it
// against the exact bytes it fetched, with the key its kid names in the
// JWKS. EdDSA over Ed25519 (RFC 8037).
func (p Publisher) SignDetached(payload []byte) (string, error) {
	key, ok := p.keys.Keyring().publishing()
	if !ok {
		return "", errNoPublicationKey
	}
	header, err := json.Marshal(map[string]string{"alg": jwt.SigningMethodEdDSA.Alg(), "kid": key.ID})
	if err != nil {
		return "", err
	}
	h := base64.RawURLEncoding.EncodeToString(header)
	sig, err := jwt.SigningMethodEdDSA.Sign(h+"."+base64.RawURLEncoding.EncodeToString(payload), key.Private)
	if err != nil {
		return "", fmt.Errorf("sign publication: %w", err)
	}
	return h + ".." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// jwk is one public key as RFC 8037 writes an Ed25519 key.
type jwk struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
}

// JWKS is the publication keys' public halves, the signing one first, then
// the older ones that still verify copies signed before a rotation. Link
// keys are never in it.
func (p Publisher) JWKS() ([]byte, error) {
	k := p.keys.Keyring()
	keys := []jwk{}
	add := func(key Key) {
		keys = append(keys, jwk{Kty: "OKP", Crv: "Ed25519", Kid: key.ID, Use: "sig", Alg: jwt.SigningMethodEdDSA.Alg(),
			X: base64.RawURLEncoding.EncodeToString(key.Private.Public().(ed25519.PublicKey))})
	}
	if active, ok := k.publishing(); ok {
		add(active)
	}
	for _, key := range k.Published() {
		if key.ID != k.Publishing {
			add(key)
		}
	}
	b, err := json.MarshalIndent(struct {
		Keys []jwk `json:"keys"`
	}{keys}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
