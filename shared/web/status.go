package web

import (
	"net/http"
	"net/url"
	"time"

	"trustcenter/shared/i18n"
	"trustcenter/shared/trust"
	"trustcenter/site/pages"
)

// The requester's own pages, each reached with their request's status
// link: where it stands, and "check your email" with a resend.
func (s *server) mountStatus(m router) {
	m.handle("GET", "/access-requests/sent/{token}", s.sentPage)
	m.handle("POST", "/access-requests/sent/{token}", s.resend)
	m.handle("GET", "/requests/{token}", s.statusPage)
	m.handle("POST", "/requests/{token}/erase", s.requestErasure)
}

// requestLang is the language of a request's pages: the one it was made
// in, unless the reader picks another with ?lang=.
func (s *server) requestLang(r *http.Request, req trust.Request) string {
	if r.URL.Query().Get("lang") != "" || req.Lang == "" {
		return s.lang(r)
	}
	return i18n.Negotiate("", req.Lang)
}

func (s *server) statusPage(w http.ResponseWriter, r *http.Request) {
	v, err := s.svc.RequestStatus(r.Context(), r.PathValue("token"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderStatus(w, r, v)
}

func (s *server) renderStatus(w http.ResponseWriter, r *http.Request, v trust.StatusView) {
	p := s.newPageIn(r, s.requestLang(r, v.Request), "reqstatus.heading")
	req := v.Request
	// Every state's name is its catalog key: reqstatus.unconfirmed,
	// reqstatus.pending, reqstatus.approved, reqstatus.denied,
	// reqstatus.expired, reqstatus.revoked.
	d := pages.StatusData{View: v, State: p.T("reqstatus." + string(v.State))}
	switch v.State {
	case trust.StateUnconfirmed:
		d.Next = p.T("reqstatus.unconfirmed.next", req.Email)
	case trust.StatePending:
		d.Next = p.T("reqstatus.pending.next")
	case trust.StateApproved:
		d.Next = p.T("reqstatus.approved.next", p.DateTime(req.ExpiresAt))
		d.Again = againURL(&p.Page, req, false)
	case trust.StateDenied:
		d.Next = p.T("reqstatus.denied.next")
		d.Again = againURL(&p.Page, req, true)
	case trust.StateExpired:
		d.Next = p.T("reqstatus.expired.next", p.DateTime(req.ExpiresAt))
		d.Again = againURL(&p.Page, req, true)
	case trust.StateRevoked:
		d.Next = p.T("reqstatus.revoked.next", p.DateTime(req.RevokedAt))
		d.Again = againURL(&p.Page, req, true)
	}
	if s.site != nil {
		d.Turnaround = s.site.Requests.Turnaround.In(p.Lang)
		d.Contact = s.site.RequestContact()
	}
	s.render(w, r, p, pages.RequestStatus(&p.Page, d), nil)
}

// againURL is the request form filled in from req: the requester's
// details, and its documents when they ask for the same again (not when
// an approved requester asks for more).
func againURL(p *pages.Page, req trust.Request, docs bool) string {
	params := []string{"name", req.Name, "email", req.Email, "company", req.Company}
	if docs {
		for _, id := range req.Documents {
			params = append(params, "document", id)
		}
	}
	return "/access-requests/new" + p.LangQuery(params...)
}

func (s *server) sentPage(w http.ResponseWriter, r *http.Request) {
	v, err := s.svc.RequestStatus(r.Context(), r.PathValue("token"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderSent(w, r, v, r.URL.Query().Get("resent") != "", nil)
}

// renderSent is "check your email" for an unconfirmed request, or, once
// the address is confirmed, the status page, which says what came of it.
func (s *server) renderSent(w http.ResponseWriter, r *http.Request, v trust.StatusView, resent bool, err error) {
	if v.State != trust.StateUnconfirmed {
		s.renderStatus(w, r, v)
		return
	}
	p := s.newPageIn(r, s.requestLang(r, v.Request), "confirm.check_email.title")
	p.postedFrom("/access-requests/sent/" + url.PathEscape(v.Token))
	d := pages.SentData{Email: v.Request.Email, Token: v.Token, ConfirmHours: int(trust.ConfirmTTL / time.Hour),
		StartAgain: againURL(&p.Page, v.Request, true), Resent: resent}
	if err != nil {
		d.Error = p.errorText(err)
	}
	s.render(w, r, p, pages.RequestSent(&p.Page, d), err)
}

// resend mails the confirmation link again and comes back to "check your
// email", saying so; past the limit, the page says that instead.
func (s *server) resend(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	if err := readForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	_, err := s.svc.Resend(r.Context(), tok, client(r))
	switch code := trust.ErrorCode(err); {
	case err == nil:
	case code == trust.ERateLimited || code == trust.EConflict:
		// The page shows where the request stands: still unconfirmed,
		// with the refusal, or confirmed meanwhile.
		v, verr := s.svc.RequestStatus(r.Context(), tok)
		if verr != nil {
			s.fail(w, r, verr)
			return
		}
		if trust.ErrorCode(err) == trust.EConflict {
			err = nil
		} else {
			s.log.Warn("confirmation not resent", "err", err)
		}
		s.renderSent(w, r, v, false, err)
		return
	default:
		s.fail(w, r, err)
		return
	}
	q := url.Values{"resent": {"1"}}
	s.keepLang(r, q)
	http.Redirect(w, r, "/access-requests/sent/"+url.PathEscape(tok)+"?"+q.Encode(), http.StatusSeeOther)
}
