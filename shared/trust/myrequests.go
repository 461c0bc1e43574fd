package trust

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// "My requests": a requester signs in by an emailed link, single use and
// short-lived, and sees every request of their address, its grant and its
// documents on one page. The session is a link of its own purpose
// (MySessionLink) in an HttpOnly cookie: it names one request of the
// address, whose address is read from the store on every view, and lives
// MySessionTTL. No password, and nothing else to keep in the store.

const (
	MyRequestsLinkTTL = 15 * time.Minute
	MySessionTTL      = time.Hour
	// myRequestsLimit bounds the page: more requests than this from one
	// address is not a requester but a test of our patience.
	myRequestsLimit = 100
)

var (
	myRequestsPerNetwork = rateLimit{"my-ip", 20, time.Hour}
	myRequestsPerAddress = rateLimit{"my", 5, time.Hour}
)

// AddressKey names an address in the audit trail's subjects without
// spelling it: the SHA-256 of the normalized address.
func AddressKey(email string) string {
	sum := sha256.Sum256([]byte(normalizeEmail(email)))
	return hex.EncodeToString(sum[:])
}

// StartMyRequests emails the address a sign-in link to its requests, or,
// when it has made none, a note saying so. The answer is the same either
// way, so the form tells no one which addresses asked us for reports.
func (s *Service) StartMyRequests(ctx context.Context, email, lang string, c Client) error {
	email = normalizeEmail(email)
	if m := validEmail(email); m.Key != "" {
		return invalid(m, map[string]Msg{"email": m})
	}
	if err := s.allow(ctx, myRequestsPerNetwork, network(c.IP)); err != nil {
		return err
	}
	if err := s.allow(ctx, myRequestsPerAddress, addressKey(email, c)); err != nil {
		return err
	}
	reqs, err := s.store.PriorRequests(ctx, ByEmail, email, 1)
	if err != nil {
		return fmt.Errorf("my requests of an address: %w", err)
	}
	now := s.now()
	// The trail names no address that never asked us for anything.
	ev := s.event("my:"+AddressKey(email), "my_requests.unknown_address", "visitor", "", c)
	m := s.mail(email, lang, "mail.my_requests_none", s.cfg.Company, s.link("/access-requests/new"))
	if len(reqs) > 0 {
		tok, err := s.signer.Sign(MyRequestsLink, Claims{Request: reqs[0].ID, ExpiresAt: now.Add(MyRequestsLinkTTL)}, now)
		if err != nil {
			return err
		}
		ev = s.event(reqs[0].ID, "my_requests.link_sent", email, "", c)
		m = s.mail(email, lang, "mail.my_requests", s.cfg.Company, int(MyRequestsLinkTTL/time.Minute), s.link("/my-requests/sign-in/"+tok))
	}
	return s.commit(ctx, Tx{Events: []Event{ev}, Mails: []Mail{m}})
}

// CheckMyRequestsLink tells whether a sign-in link would work, without
// using it up: the page it opens has the button that signs in, so a mail
// scanner that follows links leaves it for its owner.
func (s *Service) CheckMyRequestsLink(tok string) error {
	_, err := s.parse(MyRequestsLink, tok, s.now())
	return err
}

// OpenMyRequests consumes a sign-in link and returns the session token
// the cookie carries.
func (s *Service) OpenMyRequests(ctx context.Context, tok string, c Client) (string, error) {
	now := s.now()
	claims, err := s.parse(MyRequestsLink, tok, now)
	if err != nil {
		return "", err
	}
	r, err := s.store.GetRequest(ctx, claims.Request)
	if ErrorCode(err) == ENotFound {
		return "", invalidLink()
	}
	if err != nil {
		return "", err
	}
	tx := Tx{
		Uses:   []Use{{ID: claims.ID, ExpiresAt: claims.ExpiresAt}},
		Events: []Event{s.event(r.ID, "my_requests.signed_in", r.Email, "", c)},
	}
	if err := s.commit(ctx, tx); err != nil {
		if ErrorCode(err) == EConflict {
			return "", invalidLink()
		}
		return "", err
	}
	return s.signer.Sign(MySessionLink, Claims{Request: r.ID, ExpiresAt: now.Add(MySessionTTL)}, now)
}

// MyRequest is one request on the page, with the links it offers now.
type MyRequest struct {
	Request Request
	State   State
	Status  string // status link token
	Access  string // access link token, while the grant is active
}

// MyRequestsView is the page: the address and its requests, newest first.
type MyRequestsView struct {
	Email    string
	Requests []MyRequest
	Until    time.Time // when the session ends
}

// MyRequests reads the page for a session token. Every grant is read as
// it stands now, as on any other use of a link: a revoked or lapsed
// grant offers no access link.
func (s *Service) MyRequests(ctx context.Context, session string) (MyRequestsView, error) {
	now := s.now()
	claims, err := s.signer.Parse(MySessionLink, session, now)
	if err != nil {
		return MyRequestsView{}, errorMsg(EUnauthorized, msg("error.sign_in"))
	}
	anchor, err := s.store.GetRequest(ctx, claims.Request)
	if ErrorCode(err) == ENotFound {
		return MyRequestsView{}, errorMsg(EUnauthorized, msg("error.sign_in"))
	}
	if err != nil {
		return MyRequestsView{}, err
	}
	reqs, err := s.store.PriorRequests(ctx, ByEmail, anchor.Email, myRequestsLimit)
	if err != nil {
		return MyRequestsView{}, fmt.Errorf("my requests: %w", err)
	}
	v := MyRequestsView{Email: anchor.Email, Until: claims.ExpiresAt}
	for _, r := range reqs {
		sv, err := s.StatusOf(r)
		if err != nil {
			return MyRequestsView{}, err
		}
		v.Requests = append(v.Requests, MyRequest{Request: r, State: sv.State, Status: sv.Token, Access: sv.Access})
	}
	return v, nil
}
