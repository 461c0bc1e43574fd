package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"trustcenter/shared/trust"
	"trustcenter/site/pages"
)

// A request's page beyond approve and deny: the grant's later life
// (extend, resend, reinstate), internal notes, and the way on to the next
// pending request. Every decision answers with a redirect to the page
// with ?done=<what>, which shows the banner saying what happened.
func (s *server) mountDecisions(m router) {
	m.handle("POST", "/admin/requests/{id}/extend", s.staff(s.extend))
	m.handle("POST", "/admin/requests/{id}/resend", s.staff(s.resendAccess))
	m.handle("POST", "/admin/requests/{id}/reinstate", s.staff(s.reinstate))
	m.handle("POST", "/admin/requests/{id}/notes", s.staff(s.addNote))
	m.handle("GET", "/admin/requests/{id}/next", s.staff(s.nextPending))
}

// Banners a decision can leave: the value of ?done=.
const (
	doneApprove   = "approve"
	doneTrusted   = "approve_trusted"
	doneDeny      = "deny"
	doneRevoke    = "revoke"
	doneExtend    = "extend"
	doneResend    = "resend"
	doneReinstate = "reinstate"
	doneNote      = "note"
)

// period reads a grant's period from a form: a date ("until", YYYY-MM-DD)
// wins over a number of days ("days", a preset or typed).
func period(r *http.Request) (int, time.Time, error) {
	if v := strings.TrimSpace(r.PostForm.Get("until")); v != "" {
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return 0, time.Time{}, userError(trust.EInvalid, "decide.error.until_format")
		}
		return 0, t, nil
	}
	days := trust.DefaultDays
	if v := strings.TrimSpace(r.PostForm.Get("days")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, time.Time{}, userError(trust.EInvalid, "error.days_whole")
		}
		days = n
	}
	return days, time.Time{}, nil
}

// decidedAs answers a decision: the page with the error, or a redirect to
// it with the banner for done.
func (s *server) decidedAs(w http.ResponseWriter, r *http.Request, sess trust.Session, done string, err error) {
	if err != nil {
		s.decided(w, r, sess, err)
		return
	}
	http.Redirect(w, r, "/admin/requests/"+url.PathEscape(r.PathValue("id"))+"?done="+done, http.StatusSeeOther)
}

func (s *server) extend(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	days, until, err := period(r)
	if err == nil {
		_, err = s.svc.Extend(r.Context(), sess, r.PathValue("id"), days, until, client(r))
	}
	s.decidedAs(w, r, sess, doneExtend, err)
}

func (s *server) resendAccess(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	_, err := s.svc.ResendAccess(r.Context(), sess, r.PathValue("id"), client(r))
	s.decidedAs(w, r, sess, doneResend, err)
}

func (s *server) reinstate(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	days, until, err := period(r)
	if err == nil {
		_, err = s.svc.Reinstate(r.Context(), sess, r.PathValue("id"), days, until, client(r))
	}
	s.decidedAs(w, r, sess, doneReinstate, err)
}

func (s *server) addNote(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	err := s.svc.AddNote(r.Context(), sess, r.PathValue("id"), r.PostForm.Get("note"), client(r))
	s.decidedAs(w, r, sess, doneNote, err)
}

// nextPending goes to the newest pending request other than this one, or
// to the queue, which then says none is left.
func (s *server) nextPending(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	next, err := s.svc.NextPending(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if next == "" {
		http.Redirect(w, r, "/admin/requests?status=pending", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/admin/requests/"+url.PathEscape(next), http.StatusSeeOther)
}

// banner is what ?done= says happened, read from the request as it now
// stands, and whether its requester was emailed at all.
func (s *server) banner(r *http.Request, p *page, req trust.Request) string {
	done := r.URL.Query().Get("done")
	if done == "" {
		return ""
	}
	if done == doneNote {
		return p.T("decide.banner.note")
	}
	// A banner only describes the state the request is in: ?done= kept in
	// an address opened later must not announce what no longer holds.
	status := map[string]trust.Status{doneApprove: trust.Approved, doneTrusted: trust.Approved, doneDeny: trust.Denied,
		doneRevoke: trust.Revoked, doneExtend: trust.Approved, doneResend: trust.Approved, doneReinstate: trust.Approved}
	if st, ok := status[done]; !ok || st != req.Status {
		return ""
	}
	var what string
	switch {
	case done == doneApprove || done == doneTrusted:
		what = p.T("decide.banner.approved", p.DateTime(req.ExpiresAt))
	case done == doneDeny:
		what = p.T("decide.banner.denied")
	case done == doneRevoke:
		what = p.T("decide.banner.revoked")
	case done == doneExtend:
		what = p.T("decide.banner.extended", p.DateTime(req.ExpiresAt))
	case done == doneResend:
		what = p.T("decide.banner.resent", p.DateTime(req.ExpiresAt))
	default:
		what = p.T("decide.banner.reinstated", p.DateTime(req.ExpiresAt))
	}
	who := p.T("decide.banner.emailed", req.Name, req.Email)
	if !s.svc.Emailable(r.Context(), req.Email) {
		who = p.T("decide.banner.not_emailed", req.Name, req.Email)
	}
	text := who + " " + what
	if done == doneTrusted {
		text += " " + p.T("decide.banner.trusted", req.Email[strings.LastIndexByte(req.Email, '@')+1:])
	}
	return text
}

// requestPage is everything a request's page shows.
func (s *server) requestPage(r *http.Request, p *page, req trust.Request, events []trust.Event) (pages.RequestData, error) {
	info, err := s.svc.RequestContext(r.Context(), req, events)
	if err != nil {
		return pages.RequestData{}, err
	}
	return pages.RequestData{
		Request: req, Events: events, Context: info, Banner: s.banner(r, p, req),
		Templates: trust.DenyTemplates, Presets: []int{7, 30, 90, 365},
		Today: s.svc.Now(),
	}, nil
}
