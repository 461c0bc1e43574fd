package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"trustcenter/shared/content"
	"trustcenter/shared/token"
	"trustcenter/shared/trust"
)

// verifyIndependently checks a detached JWS over payload against a JWKS
// with go-jose, a JOSE implementation that shares no code with the signer
// (golang-jwt), as a reviewer's tooling would; it returns the kid used.
func verifyIndependently(t *testing.T, jwsText string, payload, jwksJSON []byte) (string, error) {
	t.Helper()
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(jwksJSON, &set); err != nil {
		t.Fatalf("the JWKS does not parse: %v\n%s", err, jwksJSON)
	}
	sig, err := jose.ParseDetached(jwsText, payload, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		return "", err
	}
	kid := sig.Signatures[0].Header.KeyID
	keys := set.Key(kid)
	if len(keys) != 1 {
		return kid, &missingKey{kid}
	}
	if !keys[0].Valid() || !keys[0].IsPublic() || keys[0].Use != "sig" {
		t.Fatalf("JWKS key %s: valid %v public %v use %q", kid, keys[0].Valid(), keys[0].IsPublic(), keys[0].Use)
	}
	return kid, sig.DetachedVerify(payload, keys[0].Key)
}

type missingKey struct{ kid string }

func (m *missingKey) Error() string { return "no key " + m.kid + " in the JWKS" }

// TestTrustJSONSignature: trust.json as the public function serves it
// verifies against the signature and keys the access function serves
// (two handlers, two caches: the bytes must agree by construction); one
// changed byte does not; after a rotation of the publication key the old
// signature still verifies and new ones use the new key; link keys are
// never published.
func TestTrustJSONSignature(t *testing.T) {
	keys := &token.Keyring{}
	if err := keys.Rotate(time.Now()); err != nil {
		t.Fatal(err)
	}
	store := &fakeStore{docs: []trust.Document{{ID: "soc3-2026", Title: "SOC 3", Access: trust.Public, Version: 2,
		SHA256: strings.Repeat("ab", 32), Size: 1234, UpdatedAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}}}
	deps := func() Deps {
		return newDeps(t, store, nil, func(e *trust.Engines) { e.Attester = token.Publishing(token.Fixed(keys)) })
	}
	public, access := New(deps(), Public), New(deps(), Access)
	get := func(h http.Handler, path string) []byte {
		t.Helper()
		rec := serve(h, "GET", path, nil, nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
		}
		return rec.Body.Bytes()
	}
	doc := get(public, "/trust.json")
	jws, jwks := string(get(access, content.PathTrustJWS)), get(access, content.PathJWKS)
	if parts := strings.Split(jws, "."); len(parts) != 3 || parts[1] != "" {
		t.Fatalf("not a detached compact JWS: %q", jws)
	}
	kid, err := verifyIndependently(t, jws, doc, jwks)
	if err != nil || kid != keys.Publishing {
		t.Fatalf("trust.json's signature: kid %q, %v; want it verified with %q", kid, err, keys.Publishing)
	}
	if !strings.Contains(string(doc), `"sha256": "`+strings.Repeat("ab", 32)+`"`) {
		t.Error("trust.json does not list the document's SHA-256")
	}
	tampered := []byte(strings.Replace(string(doc), `"version": 2`, `"version": 3`, 1))
	if _, err := verifyIndependently(t, jws, tampered, jwks); err == nil {
		t.Error("a changed trust.json verifies")
	}
	for _, k := range keys.Keys {
		if k.Purpose == token.ForLinks && strings.Contains(string(jwks), k.ID) {
			t.Errorf("the JWKS publishes link key %s", k.ID)
		}
	}

	if err := keys.RotatePublication(time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	// New handlers: nothing is cached across a rotation here.
	access = New(deps(), Access)
	jwks = get(access, content.PathJWKS)
	if kid, err := verifyIndependently(t, jws, doc, jwks); err != nil {
		t.Errorf("after rotation, the signature by %s: %v; want it still verified", kid, err)
	}
	if kid, err := verifyIndependently(t, string(get(access, content.PathTrustJWS)), doc, jwks); err != nil || kid != keys.Publishing {
		t.Errorf("after rotation: signed by %q, %v; want %q", kid, err, keys.Publishing)
	}
}

// TestNoPublicationKeyNoSignature: a function without an attester serves a
// 500, never an unsigned or empty signature.
func TestNoPublicationKeyNoSignature(t *testing.T) {
	h := New(newDeps(t, &fakeStore{}, nil), Access)
	if rec := serve(h, "GET", content.PathTrustJWS, nil, nil); rec.Code != http.StatusInternalServerError {
		t.Errorf("GET %s without keys: %d, want 500", content.PathTrustJWS, rec.Code)
	}
}

// TestDiscoveryOutputs: llms.txt names the company and leads to the signed
// trust.json, its signature and keys; the trust page carries the company
// as a schema.org Organization with every certification.
func TestDiscoveryOutputs(t *testing.T) {
	d := newDeps(t, &fakeStore{}, nil)
	h := New(d, Public)
	rec := serve(h, "GET", content.PathLLMs, nil, nil)
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.HasPrefix(body, "# "+d.Site.Company.Name+" Trust Center\n") {
		t.Fatalf("llms.txt: %d\n%s", rec.Code, body)
	}
	for _, want := range []string{"https://trust.example/trust.json.jws", "https://trust.example/.well-known/jwks.json", "https://trust.example/verify", "## Certifications and reports"} {
		if !strings.Contains(body, want) {
			t.Errorf("llms.txt lacks %q", want)
		}
	}
	for _, lang := range []string{"en", "zh-CN"} {
		page := serve(h, "GET", "/?lang="+lang, nil, nil).Body.String()
		const open = `<script type="application/ld+json">`
		i := strings.Index(page, open)
		j := strings.Index(page[max(i, 0):], "</script>")
		if i < 0 || j < 0 {
			t.Fatalf("%s: the trust page has no JSON-LD", lang)
		}
		var org struct {
			Context string `json:"@context"`
			Type    string `json:"@type"`
			Name    string `json:"name"`
			Certs   []struct {
				Type                      string `json:"@type"`
				Name, CertificationStatus string
			} `json:"hasCertification"`
		}
		if err := json.Unmarshal([]byte(page[i+len(open):i+j]), &org); err != nil {
			t.Fatalf("%s: JSON-LD: %v", lang, err)
		}
		if org.Context != "https://schema.org" || org.Type != "Organization" || org.Name != d.Site.Company.Name || len(org.Certs) != len(d.Site.Certifications) {
			t.Errorf("%s: JSON-LD %+v, want the Organization with %d certifications", lang, org, len(d.Site.Certifications))
		}
		for _, c := range org.Certs {
			if c.Type != "Certification" || c.Name == "" || !strings.HasPrefix(c.CertificationStatus, "https://schema.org/Certification") {
				t.Errorf("%s: certification %+v", lang, c)
			}
		}
	}
}
