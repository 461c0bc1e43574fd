package trust

import (
	"context"
	"fmt"
	"time"
)

// StatusTTL is how long a status link works. Every mail to a requester
// carries one, and the request outlives its grant (its trail is kept for
// good), so the link is meant to be kept: it outlives the longest grant
// and its grace. What the page shows is read from the store on every use,
// so a long life costs nothing but the page of a request that is gone.
const StatusTTL = MaxDays*24*time.Hour + grantLinkGrace + 30*24*time.Hour

// State is where a request stands as its requester sees it: its status,
// except that an approved request past its grant's end is Expired.
type State string

const (
	StateUnconfirmed State = "unconfirmed"
	StatePending     State = "pending"
	StateApproved    State = "approved"
	StateDenied      State = "denied"
	StateExpired     State = "expired"
	StateRevoked     State = "revoked"
)

// States lists every state a status page can show, in the order a request
// meets them.
var States = []State{StateUnconfirmed, StatePending, StateApproved, StateDenied, StateExpired, StateRevoked}

// StateAt is r's state at now.
func (r Request) StateAt(now time.Time) State {
	if r.Status == Approved && !r.Active(now) {
		return StateExpired
	}
	return State(r.Status)
}

// Ref is the short reference a requester quotes to staff: enough of the id
// to find the request, short enough to read over the phone.
func (r Request) Ref() string {
	id := r.ID
	if len(id) > 4 && id[:4] == "req_" {
		id = id[4:]
	}
	if len(id) > 8 {
		id = id[:8]
	}
	return "REQ-" + id
}

// StatusView is what a requester's status page shows.
type StatusView struct {
	Request Request
	State   State
	// Token is the status link's own, for the page's forms (resend).
	Token string
	// Access is an access link token while the grant is active.
	Access string
	// Linked is the status link token of the request split from this one
	// (Request.SplitTo) or of the one this was split from (SplitFrom).
	Linked string
}

// statusToken mints r's status link token.
func (s *Service) statusToken(r Request, now time.Time) (string, error) {
	return s.signer.Sign(StatusLink, Claims{Request: r.ID, ExpiresAt: now.Add(StatusTTL)}, now)
}

// statusURL is the address of r's status page, for a mail.
func (s *Service) statusURL(r Request) (string, error) {
	tok, err := s.statusToken(r, s.now())
	if err != nil {
		return "", err
	}
	return s.link("/requests/" + tok), nil
}

// StatusOf is the status view of r as it stands, for a page shown right
// after a change (the confirmation link's), with a fresh status token.
func (s *Service) StatusOf(r Request) (StatusView, error) {
	now := s.now()
	tok, err := s.statusToken(r, now)
	if err != nil {
		return StatusView{}, err
	}
	return s.statusView(r, tok, now)
}

func (s *Service) statusView(r Request, tok string, now time.Time) (StatusView, error) {
	v := StatusView{Request: r, State: r.StateAt(now), Token: tok}
	if v.State == StateApproved {
		access, err := s.signer.Sign(AccessLink, Claims{Request: r.ID, Grant: r.GrantID, ExpiresAt: r.ExpiresAt.Add(grantLinkGrace)}, now)
		if err != nil {
			return StatusView{}, err
		}
		v.Access = access
	}
	if other := r.SplitTo + r.SplitFrom; other != "" {
		linked, err := s.statusToken(Request{ID: other}, now)
		if err != nil {
			return StatusView{}, err
		}
		v.Linked = linked
	}
	return v, nil
}

// requestOf resolves a status link to its request, read from the store
// now: a request deleted (an unconfirmed one past its retention) makes the
// link as invalid as a forged one.
func (s *Service) requestOf(ctx context.Context, tok string, now time.Time) (Request, error) {
	claims, err := s.parse(StatusLink, tok, now)
	if err != nil {
		return Request{}, err
	}
	r, err := s.store.GetRequest(ctx, claims.Request)
	if ErrorCode(err) == ENotFound {
		return Request{}, invalidLink()
	}
	return r, err
}

// RequestStatus opens a requester's status page.
func (s *Service) RequestStatus(ctx context.Context, tok string) (StatusView, error) {
	now := s.now()
	r, err := s.requestOf(ctx, tok, now)
	if err != nil {
		return StatusView{}, err
	}
	return s.statusView(r, tok, now)
}

// resendPerRequest bounds the confirmation mails one request can be sent
// again: the address is the requester's own, but a status link in someone
// else's hands must not make us a mail cannon.
var resendPerRequest = rateLimit{"resend", 3, time.Hour}

// Resend mails the confirmation link of an unconfirmed request again, to
// the address it was made with, with a fresh link. A request confirmed
// already has nothing to resend: EConflict.
func (s *Service) Resend(ctx context.Context, tok string, c Client) (Request, error) {
	now := s.now()
	r, err := s.requestOf(ctx, tok, now)
	if err != nil {
		return Request{}, err
	}
	if r.Status != Unconfirmed {
		return Request{}, stateConflict(r)
	}
	if err := s.allow(ctx, resendPerRequest, r.ID); err != nil {
		return Request{}, err
	}
	if err := s.allow(ctx, submitPerNetwork, network(c.IP)); err != nil {
		return Request{}, err
	}
	m, err := s.confirmMail(r, now)
	if err != nil {
		return Request{}, err
	}
	if err := s.commit(ctx, Tx{Mails: []Mail{m}}); err != nil {
		return Request{}, fmt.Errorf("resend %s: %w", r.ID, err)
	}
	return r, nil
}

// confirmMail is the mail that asks r's requester to confirm their
// address, with a confirmation link minted now.
func (s *Service) confirmMail(r Request, now time.Time) (Mail, error) {
	tok, err := s.signer.Sign(ConfirmLink, Claims{Request: r.ID, ExpiresAt: now.Add(ConfirmTTL)}, now)
	if err != nil {
		return Mail{}, err
	}
	status, err := s.statusURL(r)
	if err != nil {
		return Mail{}, err
	}
	return s.mail(r.Email, r.Lang, "mail.confirm", quoted(r.Name), r.Email, s.cfg.Company, int(ConfirmTTL/time.Hour),
		s.link("/access-requests/confirm/"+tok), status), nil
}

// StatusToken is a status link token for r, for the page shown right
// after its submission.
func (s *Service) StatusToken(r Request) (string, error) {
	return s.statusToken(r, s.now())
}
