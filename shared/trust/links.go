package trust

import (
	"crypto/rand"
	"encoding/base64"
	"time"
)

// Purpose is what a signed link may be used for. A link minted for one
// purpose is refused for every other, so a confirmation link cannot open an
// access page. The values are written into every link (shared/token makes
// them the audience): links already sent depend on them staying the same.
type Purpose string

const (
	ConfirmLink  Purpose = "confirm-email"  // requester proves they own their email (single use)
	AccessLink   Purpose = "access-page"    // requester's page listing granted documents
	DownloadLink Purpose = "download"       // one granted document
	SignInLink   Purpose = "staff-sign-in"  // staff magic link (single use)
	StatusLink   Purpose = "request-status" // requester's page of where their request stands
	// SignedNDALink is a staff member's short-lived link to a request's
	// signed NDA, which the console mints and the download function, the
	// one with the PDF library, serves.
	SignedNDALink Purpose = "signed-nda"
	// A subscriber proves they own the address; an unsubscribe link, in
	// every update mail, erases them. Both carry the address as subject.
	SubscribeLink   Purpose = "subscription-confirm"
	UnsubscribeLink Purpose = "unsubscribe"
	// MyRequestsLink signs a requester in to every request of their
	// address (single use).
	MyRequestsLink Purpose = "my-requests-sign-in"
	// MySessionLink is a signed-in requester's session cookie.
	MySessionLink Purpose = "my-requests-session"
)

// Claims are what a link says. The signer sets ID; the service sets the rest.
type Claims struct {
	// ID is unique to each link, so that a single-use link can be
	// recorded as used (Tx.Uses).
	ID        string
	Subject   string // a staff member's email, on sign-in links
	Request   string
	Grant     string
	Document  string
	ExpiresAt time.Time
}

// Signer mints and checks the service's links. Sign gives c a fresh ID and
// signs it for purpose, valid from now until c.ExpiresAt. Parse returns the
// claims of a link signed for purpose and still valid at now; every refusal,
// whatever check failed, is one error, so that a caller learns nothing
// about which part was wrong. The engine: shared/token (signed JWTs).
type Signer interface {
	Sign(purpose Purpose, c Claims, now time.Time) (string, error)
	Parse(purpose Purpose, link string, now time.Time) (Claims, error)
}

// RandomID returns n random bytes, base64url without padding: the ids the
// service gives requests, events, mails and sessions, and those of links.
func RandomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Clock tells the time. The service and the stores take one, so a test can
// move the time instead of waiting for it.
type Clock func() time.Time

// SystemClock is the real time.
var SystemClock Clock = time.Now

// Now is c's time in UTC; a nil clock is the system's.
func (c Clock) Now() time.Time {
	if c == nil {
		return time.Now().UTC()
	}
	return c().UTC()
}
