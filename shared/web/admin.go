package web

import (
	"crypto/subtle"
	"io"
	"net/http"
	"net/url"
	"strings"

	"trustcenter/shared/trust"
	"trustcenter/site/pages"
)

const sessionCookie = "tc_session"

func (s *server) mountAdmin(m router) {
	m.handle("GET", "/admin", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/admin/requests", http.StatusSeeOther)
	})
	m.handle("GET", "/admin/login", s.loginForm)
	m.handle("POST", "/admin/login", s.startLogin)
	m.handle("GET", "/admin/login/{token}", s.confirmLogin)
	m.handle("POST", "/admin/login/{token}", s.completeLogin)
	m.handle("POST", "/admin/logout", s.staff(s.logout))
	s.mountQueue(m)
	m.handle("GET", "/admin/requests/{id}", s.staff(s.requestDetail))
	m.handle("POST", "/admin/requests/{id}/approve", s.staff(s.approve))
	m.handle("POST", "/admin/requests/{id}/deny", s.staff(s.deny))
	m.handle("POST", "/admin/requests/{id}/revoke", s.staff(s.revoke))
	s.mountDecisions(m)
	s.mountDocuments(m)
	m.handle("GET", "/admin/trace", s.staff(s.traceByID))
	m.handle("POST", "/admin/trace", s.staff(s.traceFile))
	s.mountRules(m)
	s.mountNDAAdmin(m)
}

type staffHandler func(w http.ResponseWriter, r *http.Request, sess trust.Session)

// staff admits only a live session; every state change must also carry the
// session's CSRF token and, when the browser sends one, our own Origin.
func (s *server) staff(h staffHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := ""
		if c, err := r.Cookie(sessionCookie); err == nil {
			id = c.Value
		}
		sess, err := s.svc.Session(r.Context(), id)
		if err != nil {
			if trust.ErrorCode(err) == trust.EUnauthorized && r.Method == http.MethodGet {
				http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
				return
			}
			s.fail(w, r, err)
			return
		}
		if r.Method != http.MethodGet {
			if err := readStaffForm(w, r); err != nil {
				s.fail(w, r, err)
				return
			}
			if !s.sameOrigin(r) || subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(sess.CSRF)) != 1 {
				s.fail(w, r, userError(trust.EForbidden, "error.form_expired"))
				return
			}
		}
		w.Header().Set("Cache-Control", "no-store")
		h(w, r, sess)
	}
}

// sameOrigin refuses a cross-site form post. Browsers send Origin on
// POST; a client that sends none still needs the CSRF token. Our origin is
// the public base URL's: behind the edge, the Host a function sees is the
// API's, not the one in the reader's address bar. The scheme counts as much
// as the host: a page served over plain http on our name (anything between
// the browser and us could write one) is another origin.
func (s *server) sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Path != "" || u.User != nil || s.origin == nil {
		return false
	}
	return u.Scheme == s.origin.Scheme && strings.EqualFold(u.Host, s.origin.Host)
}

func (s *server) adminPage(r *http.Request, title string, sess *trust.Session) *page {
	p := s.newPage(r, title)
	p.Staff = sess
	return p
}

func (s *server) loginForm(w http.ResponseWriter, r *http.Request) {
	data := pages.LoginData{Sent: r.URL.Query().Get("sent") != "", SSO: s.sso != nil}
	p := s.adminPage(r, "admin.login.title", nil)
	s.render(w, r, p, pages.AdminLogin(&p.Page, data), nil)
}

func (s *server) startLogin(w http.ResponseWriter, r *http.Request) {
	if err := readForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	email := r.PostForm.Get("email")
	if err := s.svc.StartSignIn(r.Context(), email, client(r)); err != nil {
		p := s.adminPage(r, "admin.login.title", nil)
		p.postedFrom("/admin/login")
		s.render(w, r, p, pages.AdminLogin(&p.Page, pages.LoginData{Email: email, Error: p.errorText(err), SSO: s.sso != nil}), err)
		return
	}
	q := url.Values{"sent": {"1"}}
	s.keepLang(r, q)
	http.Redirect(w, r, "/admin/login?"+q.Encode(), http.StatusSeeOther)
}

// confirmLogin answers an opened sign-in link with a button, and only the
// button's post signs in: a mail scanner that follows the link to look at
// it leaves the single use to its owner.
func (s *server) confirmLogin(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.CheckSignIn(r.PathValue("token")); err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.adminPage(r, "admin.signin.title", nil)
	// The page's address holds the token: language links must not repeat it.
	p.Address = "/admin/login"
	s.render(w, r, p, pages.AdminSignIn(&p.Page, "/admin/login/"+url.PathEscape(r.PathValue("token"))), nil)
}

func (s *server) completeLogin(w http.ResponseWriter, r *http.Request) {
	if err := readForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.sameOrigin(r) {
		s.fail(w, r, userError(trust.EForbidden, "error.form_expired"))
		return
	}
	endOthers := r.PostForm.Get("end_others") != ""
	sess, err := s.svc.CompleteSignIn(r.Context(), r.PathValue("token"), endOthers, client(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.setSession(w, r, sess)
	http.Redirect(w, r, "/admin/requests", http.StatusSeeOther)
}

// setSession gives the browser the session's cookie, however it signed in.
func (s *server) setSession(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: sess.ID, Path: "/admin", Expires: sess.ExpiresAt,
		HttpOnly: true, Secure: isHTTPS(r), SameSite: http.SameSiteLaxMode,
	})
}

func (s *server) logout(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	if err := s.svc.SignOut(r.Context(), sess.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/admin", MaxAge: -1, HttpOnly: true, Secure: isHTTPS(r), SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
}

func (s *server) requestDetail(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	s.showRequest(w, r, sess, nil)
}

// showRequest renders a request's page, with err (if any) shown above the
// actions and reflected in the status.
func (s *server) showRequest(w http.ResponseWriter, r *http.Request, sess trust.Session, actionErr error) {
	req, events, err := s.svc.Request(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.adminPage(r, "admin.request.title", &sess)
	p.postedFrom("/admin/requests/" + url.PathEscape(r.PathValue("id")))
	data, err := s.requestPage(r, p, req, events)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if actionErr != nil {
		data.Error = p.errorText(actionErr)
		data.Banner = ""
	}
	s.render(w, r, p, pages.AdminRequest(&p.Page, data), actionErr)
}

// decided answers a staff decision: back to the request's page on success
// (303, so a reload does not post again), or the page with the error.
func (s *server) decided(w http.ResponseWriter, r *http.Request, sess trust.Session, err error) {
	if err != nil {
		switch trust.ErrorCode(err) {
		case trust.EInvalid, trust.EConflict:
			s.showRequest(w, r, sess, err)
		default:
			s.fail(w, r, err)
		}
		return
	}
	http.Redirect(w, r, "/admin/requests/"+url.PathEscape(r.PathValue("id")), http.StatusSeeOther)
}

func (s *server) approve(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	days, until, err := period(r)
	if err != nil {
		s.decided(w, r, sess, err)
		return
	}
	a := trust.Approval{Days: days, Until: until, Documents: r.PostForm["documents"], Trust: r.PostForm.Get("trust") != ""}
	_, err = s.svc.ApproveWith(r.Context(), sess, r.PathValue("id"), a, client(r))
	done := doneApprove
	if a.Trust {
		done = doneTrusted
	}
	s.decidedAs(w, r, sess, done, err)
}

func (s *server) deny(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	_, err := s.svc.DenyWith(r.Context(), sess, r.PathValue("id"), r.PostForm.Get("reason"), r.PostForm.Get("template"), client(r))
	s.decidedAs(w, r, sess, doneDeny, err)
}

// revoke takes effect only with its confirmation ticked: the requester
// loses access at once, which a stray click must not do.
func (s *server) revoke(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	if r.PostForm.Get("confirm") == "" {
		s.decided(w, r, sess, userError(trust.EInvalid, "decide.error.revoke_confirm"))
		return
	}
	_, err := s.svc.Revoke(r.Context(), sess, r.PathValue("id"), r.PostForm.Get("reason"), client(r))
	s.decidedAs(w, r, sess, doneRevoke, err)
}

// traceByID shows the trace form, and with ?id= whose copy that is.
func (s *server) traceByID(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	id := strings.TrimSpace(r.URL.Query().Get("id"))
	if id == "" {
		s.showTrace(w, r, sess, pages.TraceData{}, nil)
		return
	}
	t, err := s.svc.Trace(r.Context(), sess, id, client(r))
	s.showTrace(w, r, sess, pages.TraceData{ID: id, Found: t}, err)
}

// traceFile reads the watermark from an uploaded PDF found somewhere.
func (s *server) traceFile(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	f, _, err := r.FormFile("file")
	if err != nil {
		s.showTrace(w, r, sess, pages.TraceData{}, userError(trust.EInvalid, "error.choose_pdf"))
		return
	}
	defer f.Close()
	pdf, err := io.ReadAll(io.LimitReader(f, trust.MaxFileSize+1))
	if err != nil {
		s.showTrace(w, r, sess, pages.TraceData{}, userError(trust.EInvalid, "error.upload_unreadable"))
		return
	}
	t, err := s.svc.TraceFile(r.Context(), sess, pdf, client(r))
	s.showTrace(w, r, sess, pages.TraceData{ID: t.Copy.WatermarkID, Found: t, FromFile: true}, err)
}

// showTrace renders the trace page: what was found, or why nothing was.
// Refusals a person can act on (a malformed ID, an unknown one, a file
// without a stamp) are shown on the page with their status; others fail.
func (s *server) showTrace(w http.ResponseWriter, r *http.Request, sess trust.Session, data pages.TraceData, err error) {
	if code := trust.ErrorCode(err); err != nil && code != trust.EInvalid && code != trust.ENotFound {
		s.fail(w, r, err)
		return
	}
	p := s.adminPage(r, "admin.trace.title", &sess)
	p.postedFrom("/admin/trace")
	if err != nil {
		data.Error = p.errorText(err)
		data.Found = trust.Traced{}
	}
	s.render(w, r, p, pages.AdminTrace(&p.Page, data), err)
}
