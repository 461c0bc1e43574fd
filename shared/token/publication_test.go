package token

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"trustcenter/shared/trust"
)

// TestPublicationKeyIsNoLinkKey: a token signed with the publication key,
// whose public half anyone can fetch, is refused as a link, and the key
// survives the stored form with its purpose.
func TestPublicationKeyIsNoLinkKey(t *testing.T) {
	k := &Keyring{}
	if err := k.Rotate(t0); err != nil {
		t.Fatal(err)
	}
	k2, err := ParseKeyring(k.Marshal())
	if err != nil || k2.Publishing != k.Publishing || len(k2.Published()) != 1 {
		t.Fatalf("round trip: %v, publishing %q, want %q", err, k2.Publishing, k.Publishing)
	}
	pub, _ := k.publishing()
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, jwt.RegisteredClaims{Issuer: "test", Audience: jwt.ClaimStrings{string(trust.DownloadLink)},
		IssuedAt: jwt.NewNumericDate(t0), ExpiresAt: jwt.NewNumericDate(t0.Add(time.Hour)), ID: "j1"})
	tok.Header["kid"] = pub.ID
	s, err := tok.SignedString(pub.Private)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(k, "test").Parse(trust.DownloadLink, s, t0); err != ErrInvalid {
		t.Errorf("a link signed with the publication key: %v, want ErrInvalid", err)
	}
	if err := k.Remove(k.Publishing); err == nil {
		t.Error("the publishing key was removed")
	}
}

func TestParseKeyringRefusesUnknownPurpose(t *testing.T) {
	data := `{"active":"k1","keys":[{"kid":"k1","seed":"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="},{"kid":"p1","seed":"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=","purpose":"billing"}]}`
	if _, err := ParseKeyring([]byte(data)); err == nil {
		t.Error("a key of unknown purpose was accepted")
	}
	links := `{"active":"k1","publishing":"k1","keys":[{"kid":"k1","seed":"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="}]}`
	if _, err := ParseKeyring([]byte(links)); err == nil {
		t.Error("a link key was accepted as the publishing key")
	}
}
