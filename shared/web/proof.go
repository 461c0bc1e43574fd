package web

import (
	"net/http"
	"time"

	"trustcenter/shared/content"
)

// trustJSONUses is what trust.json depends on; its signature depends on
// the same, since it signs those bytes.
const trustJSONUses = usesDocs | usesDay

// trustJSON is built as of the start of the day it describes, not the
// moment of the request: every instance of the function then builds the
// same bytes from the same documents, so the signature one instance serves
// verifies the trust.json another served (Ed25519 signatures are
// deterministic too).
func (s *server) trustJSON(in bodyInput) ([]byte, error) {
	return content.TrustJSON(s.site, in.Docs, s.svc.BaseURL(), in.Now.Truncate(24*time.Hour))
}

// The proof is served by the access function, which holds the keyring
// (its publication key signs) and reads the document list; the public
// function holds no keys at all. trust.json's bytes depend only on the
// documents and the day, so the two functions build the same ones.
func (s *server) mountProof(m router) {
	m.handle("GET", content.PathTrustJWS, s.trustJWS)
	m.handle("GET", content.PathJWKS, s.machine("application/jwk-set+json", 0, func(bodyInput) ([]byte, error) {
		return s.svc.PublicKeys()
	}))
}

// trustJWS signs the very trust.json this instance serves under the same
// inputs: it is taken from the cache (or built into it) by trust.json's
// own key, so the two cannot drift apart within an instance.
func (s *server) trustJWS(w http.ResponseWriter, r *http.Request) {
	in, key, maxAge, err := s.inputs(w, r, trustJSONUses)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	doc, err := s.built(content.PathTrustJSON+key, "application/json", func() ([]byte, error) { return s.trustJSON(in) })
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sig, err := s.built(content.PathTrustJWS+key, "application/jose", func() ([]byte, error) {
		jws, err := s.svc.Attest(doc.body)
		return []byte(jws), err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sig.serve(w, r, maxAge, false)
}
