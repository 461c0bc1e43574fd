package trust

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// Erasure of a requester's personal data. The requester asks from their
// status page (the status link reaches only them); staff confirm in the
// console, which erases in one transaction:
//
//   - the request keeps its id, documents, dates, status and the NDA
//     evidence's version and SHA-256, and loses name, company, reason, the
//     typed signature, the IP addresses and browsers; its address becomes
//     a pseudonym (Pseudonym), so the trail still groups by person without
//     naming them;
//   - its events keep type and time; their actor becomes the pseudonym and
//     their address, browser and any typed text go;
//   - its stamped copies' records keep the watermark ID (a leaked copy still
//     traces to the request) without the name, company or address;
//   - the address's remembered NDA acceptance is forgotten;
//   - the erasure is itself an event, "request.erased".
//
// An approved grant is revoked and a pending request denied, since nobody
// could be mailed about them any more.

// Pseudonym is what an erased address becomes: the same for the same
// address, and not the address.
func Pseudonym(email string) string { return "erased-" + HashText(normalizeEmail(email))[:16] }

// RequestErasure records the requester's request to erase their data,
// for staff to confirm.
func (s *Service) RequestErasure(ctx context.Context, tok string, c Client) (Request, error) {
	now := s.now()
	r, err := s.requestOf(ctx, tok, now)
	if err != nil {
		return Request{}, err
	}
	if !r.ErasureRequestedAt.IsZero() || !r.ErasedAt.IsZero() {
		return r, nil
	}
	next := r
	next.ErasureRequestedAt = now
	tx := Tx{Request: &next, IfVersion: r.Version, Events: []Event{s.event(r.ID, "request.erasure_requested", r.Email, "", c)}}
	if err := s.commit(ctx, tx); err != nil {
		return Request{}, fmt.Errorf("request erasure %s: %w", r.ID, err)
	}
	next.Version = r.Version + 1
	return next, nil
}

var uaDetail = regexp.MustCompile(` ua=.*$`)

// Erase removes request id's personal data, as the package comment says.
func (s *Service) Erase(ctx context.Context, by Session, id string, c Client) (Request, error) {
	if err := authorize(by, Revoke); err != nil {
		return Request{}, err
	}
	r, events, err := s.Request(ctx, id)
	if err != nil {
		return Request{}, err
	}
	if !r.ErasedAt.IsZero() {
		return Request{}, errorMsg(EConflict, msg("error.erased"))
	}
	pseudonym := Pseudonym(r.Email)
	var typed []string
	for _, v := range []string{r.Email, r.Name, r.Company, r.NDA.Signature, existingNote(r)} {
		if strings.TrimSpace(v) != "" {
			typed = append(typed, v)
		}
	}
	scrub := func(text string) string {
		for _, v := range typed {
			text = strings.ReplaceAll(text, v, "[erased]")
		}
		return uaDetail.ReplaceAllString(text, "")
	}
	now := s.now()
	next := r
	switch r.Status {
	case Approved:
		_ = transition(&next, Revoke)
		next.RevokedAt, next.RevokedBy = now, by.Email
	case Pending:
		_ = transition(&next, Deny)
		next.DecidedAt, next.DecidedBy, next.DenyReason = now, by.Email, "erased"
	}
	next.Name, next.Email, next.Company, next.Reason, next.ErasedAt = "", pseudonym, "", "", now
	forget := func(a Acceptance) Acceptance { a.Signature, a.IP, a.UserAgent = "", "", ""; return a }
	next.NDA = forget(r.NDA)
	next.Reacceptances = nil
	for _, a := range r.Reacceptances {
		next.Reacceptances = append(next.Reacceptances, forget(a))
	}
	if e := r.ExistingNDA; e != nil {
		cp := *e
		cp.Note = ""
		next.ExistingNDA = &cp
	}
	tx := Tx{Request: &next, IfVersion: r.Version, ForgetAcceptances: []string{normalizeEmail(r.Email)}, ErasedEmail: r.Email}
	for _, e := range events {
		if e.Actor == r.Email {
			e.Actor = pseudonym
		}
		e.IP, e.Detail = "", scrub(e.Detail)
		tx.ReplaceEvents = append(tx.ReplaceEvents, e)
	}
	if r.GrantID != "" {
		copies, err := s.store.ListCopies(ctx, r.GrantID)
		if err != nil {
			return Request{}, err
		}
		for _, cp := range copies {
			cp.Name, cp.Company, cp.Email = "", "", pseudonym
			tx.ReplaceCopies = append(tx.ReplaceCopies, cp)
		}
	}
	tx.Events = []Event{s.event(r.ID, "request.erased", by.Email, "pseudonym="+pseudonym, c)}
	if err := s.cancelMailsTo(ctx, r.Email); err != nil {
		return Request{}, err
	}
	if err := s.commit(ctx, tx); err != nil {
		if ErrorCode(err) == EConflict {
			return Request{}, stateConflict(r)
		}
		return Request{}, fmt.Errorf("erase %s: %w", id, err)
	}
	if r.Status == Approved {
		s.removeCopies(ctx, r.GrantID)
	}
	next.Version = r.Version + 1
	return next, nil
}
