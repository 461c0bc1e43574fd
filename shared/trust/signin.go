package trust

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// StaffMember returns the staff member with email, if any. Both sides are
// normalized addresses, so they compare byte for byte.
func (s *Service) StaffMember(email string) (Staff, bool) {
	for _, st := range s.cfg.Staff {
		if st.Email == email {
			return st, true
		}
	}
	return Staff{}, false
}

// StartSignIn emails a staff member a single-use sign-in link, and anyone
// else a note that the address has no access. Nothing in the answer tells
// the two apart: the same limits count every address, and both paths sign a
// token, commit one event and one mail, and deliver it, so neither the
// answer, the refusals nor the time taken say who works here.
func (s *Service) StartSignIn(ctx context.Context, email string, c Client) error {
	email = normalizeEmail(email)
	if m := validEmail(email); m.Key != "" {
		return invalid(m, map[string]Msg{"email": m})
	}
	if err := s.allow(ctx, signInPerNetwork, network(c.IP)); err != nil {
		return err
	}
	if err := s.allow(ctx, signInPerAddress, addressKey(email, c)); err != nil {
		return err
	}
	st, isStaff := s.StaffMember(email)
	now := s.now()
	tok, err := s.signer.Sign(SignInLink, Claims{Subject: email, ExpiresAt: now.Add(SignInTTL)}, now)
	if err != nil {
		return err
	}
	ev := s.event("signin:"+email, "signin.not_staff", email, "", c)
	m := s.mail(email, staffLang, "mail.signin_not_staff", s.cfg.Company)
	if isStaff {
		ev = s.event("staff:"+st.Email, "signin.requested", st.Email, "", c)
		m = s.mail(st.Email, staffLang, "mail.signin", int(SignInTTL/time.Minute), s.cfg.Company, s.link("/admin/login/"+tok))
	}
	return s.commit(ctx, Tx{Events: []Event{ev}, Mails: []Mail{m}})
}

// signInClaims checks a sign-in link without consuming it.
func (s *Service) signInClaims(tok string) (Claims, Staff, error) {
	claims, err := s.parse(SignInLink, tok, s.now())
	if err != nil {
		return Claims{}, Staff{}, err
	}
	st, ok := s.StaffMember(claims.Subject)
	if !ok {
		return Claims{}, Staff{}, invalidLink()
	}
	return claims, st, nil
}

// CheckSignIn tells whether a sign-in link would work, without using it up:
// opening the link only shows the button that signs in, so a mail scanner
// that follows links leaves it for its owner.
func (s *Service) CheckSignIn(tok string) error {
	_, _, err := s.signInClaims(tok)
	return err
}

// CompleteSignIn consumes a sign-in link and opens a session. With
// endOthers, every other session of the same person ends.
func (s *Service) CompleteSignIn(ctx context.Context, tok string, endOthers bool, c Client) (Session, error) {
	claims, st, err := s.signInClaims(tok)
	if err != nil {
		return Session{}, err
	}
	now := s.now()
	sess := Session{
		ID:        RandomID(32),
		Email:     st.Email,
		Role:      st.Role,
		CSRF:      RandomID(32),
		CreatedAt: now,
		ExpiresAt: now.Add(SessionTTL),
	}
	stored := sess
	stored.ID = SessionKey(sess.ID)
	tx := Tx{
		Uses:    []Use{{ID: claims.ID, ExpiresAt: claims.ExpiresAt}},
		Session: &stored,
		Events:  []Event{s.event("staff:"+st.Email, "signin.completed", st.Email, "", c)},
	}
	if endOthers {
		// Stamped with the new session's own start, which it outlives.
		ended := s.event(sessionsSubject(st.Email), sessionsEnded, st.Email, "", c)
		ended.At = now
		tx.Events = append(tx.Events, ended)
	}
	if err := s.commit(ctx, tx); err != nil {
		if ErrorCode(err) == EConflict {
			return Session{}, invalidLink()
		}
		return Session{}, err
	}
	return sess, nil
}

// Sessions are ended in bulk by an event, not by finding and deleting each
// one: a session opened before the latest "sessions.ended" of its owner is
// over. The event is the audit record of the sign-out too, and its trail
// holds nothing else, so reading it stays one short query.
const sessionsEnded = "sessions.ended"

func sessionsSubject(email string) string { return "sessions:" + email }

// SessionKey is what the store knows a session by: the SHA-256 of the id
// the cookie carries. A copy of the table (a backup, an export, a leaked
// dump) then holds no id a cookie could be made from. The id is 32 random
// characters, so a plain hash is enough: there is nothing to guess.
func SessionKey(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// Session returns the live session with id (the cookie's) for a member
// still on staff. The session returned carries id again, not its key.
func (s *Service) Session(ctx context.Context, id string) (Session, error) {
	if id == "" {
		return Session{}, errorMsg(EUnauthorized, msg("error.sign_in"))
	}
	sess, err := s.store.GetSession(ctx, SessionKey(id))
	if ErrorCode(err) == ENotFound {
		return Session{}, errorMsg(EUnauthorized, msg("error.sign_in"))
	}
	if err != nil {
		return Session{}, err
	}
	ended := errorMsg(EUnauthorized, msg("error.session_ended"))
	st, ok := s.StaffMember(sess.Email)
	if !ok && sess.GroupRole {
		st, ok = Staff{Email: sess.Email, Role: sess.Role}, true
	}
	if !ok || !s.now().Before(sess.ExpiresAt) {
		return Session{}, ended
	}
	events, err := s.store.ListEvents(ctx, sessionsSubject(sess.Email))
	if err != nil {
		return Session{}, err
	}
	for _, ev := range events {
		if ev.Type == sessionsEnded && sess.CreatedAt.Before(ev.At) {
			return Session{}, ended
		}
	}
	sess.ID = id
	sess.Role = st.Role
	return sess, nil
}
