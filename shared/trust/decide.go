package trust

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"trustcenter/shared/i18n"
)

// This file is what an approver does from a request's page beyond the
// plain approve and deny: approve for a date or some documents only, and
// trust the domain in the same step; deny with a saved reason; revoke with
// a reason the requester is told; extend, resend and reinstate a grant;
// and keep internal notes. Every status change goes through the lifecycle
// table (lifecycle.go).

// Staff actions outside the lifecycle: they change no status.
const (
	Note        Action = "note"         // an internal note on a request
	TrustDomain Action = "trust_domain" // approve a domain from now on
)

// MaxNote bounds an internal note.
const MaxNote = 2000

// Approval is an approver's grant of a pending request.
type Approval struct {
	// Days is the period from now, or Until the last day of access (its
	// date in UTC, access ending at the end of that day): exactly one.
	Days  int
	Until time.Time
	// Documents is what is granted, some of what was asked for; none
	// means everything asked for.
	Documents []string
	// Trust also approves the requester's domain from now on: an allow
	// rule for the granted documents and period, saved in the same step.
	Trust bool
}

// accessEnd is the end of a grant given by days from now or by its last
// day, and the period in whole days (rounded up), which rules and the
// trail record.
func (s *Service) accessEnd(days int, until time.Time) (time.Time, int, error) {
	now := s.now()
	if until.IsZero() {
		if days < 1 || days > MaxDays {
			m := msg("error.days_range", MaxDays)
			return time.Time{}, 0, invalid(m, map[string]Msg{"days": m})
		}
		return now.AddDate(0, 0, days), days, nil
	}
	u := until.UTC()
	end := time.Date(u.Year(), u.Month(), u.Day(), 23, 59, 59, 0, time.UTC)
	if !end.After(now) || end.After(now.AddDate(0, 0, MaxDays+1)) {
		m := msg("decide.error.until", MaxDays)
		return time.Time{}, 0, invalid(m, map[string]Msg{"until": m})
	}
	n := int((end.Sub(now) + 24*time.Hour - 1) / (24 * time.Hour))
	return end, min(n, MaxDays), nil
}

// granted is the documents an approval grants: some of asked, in asked's
// order, or all of it.
func granted(asked, chosen []string) ([]string, error) {
	if len(chosen) == 0 {
		return asked, nil
	}
	var out []string
	for _, d := range asked {
		if slices.Contains(chosen, d) {
			out = append(out, d)
		}
	}
	for _, d := range chosen {
		if !slices.Contains(asked, d) {
			m := msg("decide.error.documents")
			return nil, invalid(m, map[string]Msg{"documents": m})
		}
	}
	return out, nil
}

// ApproveWith grants a pending request as the approval says and emails the
// requester their access link.
func (s *Service) ApproveWith(ctx context.Context, by Session, id string, a Approval, c Client) (Request, error) {
	if a.Trust {
		if err := authorize(by, TrustDomain); err != nil {
			return Request{}, err
		}
	}
	end, days, err := s.accessEnd(a.Days, a.Until)
	if err != nil {
		return Request{}, err
	}
	return s.decide(ctx, by, id, Approve, func(tx *Tx, next *Request) error {
		docs, err := granted(next.Documents, a.Documents)
		if err != nil {
			return err
		}
		if len(docs) < len(next.Documents) {
			next.Asked, next.Documents = next.Documents, docs
		}
		why := ""
		if len(next.Asked) > 0 {
			why = "documents=" + strings.Join(docs, ",") + " asked=" + strings.Join(next.Asked, ",")
		}
		if a.Trust {
			rule, err := s.trustInto(ctx, tx, *next, by, days, c)
			if err != nil {
				return err
			}
			why = strings.TrimSpace(why + " trusted=" + rule)
		}
		return s.approveInto(ctx, tx, next, by.Email, end, days, c, why)
	})
}

// trustInto adds to tx the rule set with an allow rule for r's domain, for
// r's documents and days: a rule for the domain already there is widened
// to cover them, else the rule goes last, below the rules an admin
// ordered. A free-mail or disposable domain is refused: trusting it would
// approve strangers.
func (s *Service) trustInto(ctx context.Context, tx *Tx, r Request, by Session, days int, c Client) (string, error) {
	domain := EmailDomain(r.Email)
	if f := DomainKind(domain); f != "" {
		m := msg("decide.error.trust_freemail", domain)
		return "", invalid(m, map[string]Msg{"trust": m})
	}
	cur, err := s.Rules(ctx)
	if err != nil {
		return "", err
	}
	rule := Rule{Kind: RuleAllow, Match: MatchDomain, Value: domain, Documents: slices.Clone(r.Documents), Days: days}
	next := RuleSet{Version: cur.Version + 1, Rules: slices.Clone(cur.Rules), UpdatedAt: s.now(), UpdatedBy: by.Email}
	if i := slices.IndexFunc(next.Rules, func(x Rule) bool { return x.ID() == rule.ID() }); i >= 0 {
		old := next.Rules[i]
		if len(old.Documents) == 0 {
			rule.Documents = nil // the seed's "every document" covers these
		}
		for _, d := range old.Documents {
			if !slices.Contains(rule.Documents, d) {
				rule.Documents = append(rule.Documents, d)
			}
		}
		rule.Days = max(rule.Days, old.Days)
		next.Rules[i] = rule
	} else {
		if len(next.Rules) >= MaxRules {
			return "", errorMsg(EInvalid, msg("rules.error.too_many", MaxRules))
		}
		next.Rules = append(next.Rules, rule)
	}
	// An earlier rule for the address (a triage or deny rule) would still
	// decide first: saying the domain is now trusted would be untrue.
	if d := next.Evaluate(Request{Email: r.Email, Documents: r.Documents, NDA: r.NDA, ExistingNDA: r.ExistingNDA}); d.Outcome != OutcomeApprove {
		m := msg("decide.error.trust_shadowed", d.Position, d.Rule)
		return "", invalid(m, map[string]Msg{"trust": m})
	}
	tx.Rules = &next
	detail := fmt.Sprintf("version=%d before=%s after=%s request=%s", next.Version, cur, next, r.ID)
	tx.Events = append(tx.Events, s.event(rulesSubject, "rules.changed", by.Email, detail, c))
	return rule.ID(), nil
}

// DenyTemplates name the saved reasons an approver can deny with, in the
// order the console offers them. Their text is in the catalogs
// ("decide.deny_template.<name>"), so the requester reads it in their
// language.
var DenyTemplates = []string{"work_address", "no_relationship", "existing_nda", "more_info"}

// DenyTemplate is the text of a saved reason in lang.
func DenyTemplate(lang, name string) string {
	return i18n.T(lang, "decide.deny_template."+name)
}

// DenyWith refuses a pending request with reason, or, when reason is
// empty, with the saved reason template names in the requester's
// language, and tells the requester why.
func (s *Service) DenyWith(ctx context.Context, by Session, id, reason, template string, c Client) (Request, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" && template != "" && !slices.Contains(DenyTemplates, template) {
		m := msg("decide.error.template")
		return Request{}, invalid(m, map[string]Msg{"template": m})
	}
	return s.decide(ctx, by, id, Deny, func(tx *Tx, next *Request) error {
		reason := reason
		if reason == "" && template != "" {
			reason = DenyTemplate(next.Lang, template)
		}
		if m := checkLength("reason", reason, MaxReason, true); m.Key != "" {
			return invalid(m, map[string]Msg{"reason": m})
		}
		if err := transition(next, Deny); err != nil {
			return err
		}
		next.DecidedAt = s.now()
		next.DecidedBy = by.Email
		next.DenyReason = reason
		status, err := s.statusURL(*next)
		if err != nil {
			return err
		}
		tx.Events = append(tx.Events, s.event(next.ID, "request.denied", by.Email, reason, c))
		tx.Mails = append(tx.Mails, s.mail(next.Email, next.Lang, "mail.denied", quoted(next.Name), s.cfg.Company, quotedBlock(reason), s.cfg.Company, status))
		return nil
	})
}

// Revoke ends an approved request's grant at once and tells the requester
// why: every link minted for it is refused from the next use on, because
// each use re-reads the grant. The grant's kept copies are removed once the
// revocation stands.
func (s *Service) Revoke(ctx context.Context, by Session, id, reason string, c Client) (Request, error) {
	reason = strings.TrimSpace(reason)
	if m := checkLength("reason", reason, MaxReason, true); m.Key != "" {
		return Request{}, invalid(m, map[string]Msg{"reason": m})
	}
	r, err := s.decide(ctx, by, id, Revoke, func(tx *Tx, next *Request) error {
		if err := transition(next, Revoke); err != nil {
			return err
		}
		next.RevokedAt = s.now()
		next.RevokedBy = by.Email
		next.RevokeReason = reason
		status, err := s.statusURL(*next)
		if err != nil {
			return err
		}
		tx.Events = append(tx.Events, s.event(next.ID, "grant.revoked", by.Email, "grant="+next.GrantID+" reason="+reason, c))
		tx.Mails = append(tx.Mails, s.mail(next.Email, next.Lang, "decide.mail.revoked", quoted(next.Name), s.cfg.Company, quotedBlock(reason), status))
		return nil
	})
	if err != nil {
		return Request{}, err
	}
	s.removeCopies(ctx, r.GrantID)
	return r, nil
}

// accessLink is a fresh access link to r's grant, living as long as the
// grant and its grace.
func (s *Service) accessLink(r Request) (string, error) {
	tok, err := s.signer.Sign(AccessLink, Claims{Request: r.ID, Grant: r.GrantID, ExpiresAt: r.ExpiresAt.Add(grantLinkGrace)}, s.now())
	if err != nil {
		return "", err
	}
	return s.link("/access/" + tok), nil
}

// Extend moves an approved request's end of access later, keeping its
// grant, and mails the requester a fresh link (the old one ends with the
// old period's grace).
func (s *Service) Extend(ctx context.Context, by Session, id string, days int, until time.Time, c Client) (Request, error) {
	end, _, err := s.accessEnd(days, until)
	if err != nil {
		return Request{}, err
	}
	return s.decide(ctx, by, id, Extend, func(tx *Tx, next *Request) error {
		if !end.After(next.ExpiresAt) {
			m := msg("decide.error.not_later", next.ExpiresAt.Format("2006-01-02 15:04"))
			return invalid(m, map[string]Msg{"until": m})
		}
		if err := transition(next, Extend); err != nil {
			return err
		}
		before := next.ExpiresAt
		next.ExpiresAt = end
		link, err := s.accessLink(*next)
		if err != nil {
			return err
		}
		status, err := s.statusURL(*next)
		if err != nil {
			return err
		}
		detail := fmt.Sprintf("grant=%s before=%s after=%s", next.GrantID, before.Format(time.RFC3339), end.Format(time.RFC3339))
		tx.Events = append(tx.Events, s.event(next.ID, "grant.extended", by.Email, detail, c))
		tx.Mails = append(tx.Mails, s.mail(next.Email, next.Lang, "decide.mail.extended", quoted(next.Name), s.cfg.Company,
			end.Format("2006-01-02 15:04"), link, status))
		return nil
	})
}

// ResendAccess mails an active grant's access link again, freshly signed.
func (s *Service) ResendAccess(ctx context.Context, by Session, id string, c Client) (Request, error) {
	return s.decide(ctx, by, id, ResendAccess, func(tx *Tx, next *Request) error {
		if err := transition(next, ResendAccess); err != nil {
			return err
		}
		if !next.Active(s.now()) {
			return errorMsg(EConflict, msg("decide.error.grant_ended"))
		}
		link, err := s.accessLink(*next)
		if err != nil {
			return err
		}
		status, err := s.statusURL(*next)
		if err != nil {
			return err
		}
		tx.Events = append(tx.Events, s.event(next.ID, "access.resent", by.Email, "grant="+next.GrantID, c))
		tx.Mails = append(tx.Mails, s.mail(next.Email, next.Lang, "mail.approved", quoted(next.Name), s.cfg.Company,
			next.ExpiresAt.Format("2006-01-02 15:04"), link, status))
		return nil
	})
}

// Reinstate grants a revoked request again under a new grant, so links of
// the revoked one stay refused; the trail records both grants.
func (s *Service) Reinstate(ctx context.Context, by Session, id string, days int, until time.Time, c Client) (Request, error) {
	end, n, err := s.accessEnd(days, until)
	if err != nil {
		return Request{}, err
	}
	return s.decide(ctx, by, id, Reinstate, func(tx *Tx, next *Request) error {
		if err := transition(next, Reinstate); err != nil {
			return err
		}
		previous := next.GrantID
		next.RevokedAt, next.RevokedBy, next.RevokeReason = time.Time{}, "", ""
		return s.grantInto(ctx, tx, next, by.Email, end, n, c, "grant.reinstated", "previous="+previous)
	})
}

// AddNote records an internal note on a request: staff only, an event of
// its trail, never shown or mailed to the requester.
func (s *Service) AddNote(ctx context.Context, by Session, id, text string, c Client) error {
	if err := authorize(by, Note); err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	if m := checkLength("note", text, MaxNote, true); m.Key != "" {
		return invalid(m, map[string]Msg{"note": m})
	}
	if _, err := s.store.GetRequest(ctx, id); err != nil {
		return err
	}
	if err := s.commit(ctx, Tx{Events: []Event{s.event(id, NoteEvent, by.Email, text, c)}}); err != nil {
		return fmt.Errorf("note on %s: %w", id, err)
	}
	return nil
}

// NoteEvent is the type of a note's event.
const NoteEvent = "note.added"

// Emailable reports whether mail to address is queued at all: false for
// an address that bounced or complained (see dropSuppressed), so the
// console does not claim to have emailed it.
func (s *Service) Emailable(ctx context.Context, address string) bool {
	_, err := s.store.Suppressed(ctx, normalizeEmail(address))
	return err != nil
}

// NextPending is the newest pending request other than id ("" when none
// is left), for the "next pending" button after a decision.
func (s *Service) NextPending(ctx context.Context, id string) (string, error) {
	reqs, _, err := s.store.ListRequests(ctx, Pending, "", 2)
	if err != nil {
		return "", err
	}
	for _, r := range reqs {
		if r.ID != id {
			return r.ID, nil
		}
	}
	return "", nil
}
