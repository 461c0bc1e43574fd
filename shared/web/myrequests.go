package web

import (
	"net/http"
	"net/url"

	"trustcenter/shared/trust"
	"trustcenter/site/pages"
)

// myCookie carries a signed-in requester's session (trust.MySessionLink),
// only ever sent back to /my-requests.
const myCookie = "tc_my"

func (s *server) mountMyRequests(m router) {
	m.handle("GET", "/my-requests", s.myRequests)
	m.handle("POST", "/my-requests", s.startMyRequests)
	m.handle("GET", "/my-requests/sign-in/{token}", s.confirmMyRequests)
	m.handle("POST", "/my-requests/sign-in/{token}", s.openMyRequests)
	m.handle("POST", "/my-requests/sign-out", s.signOutMyRequests)
}

// myRequests is the page of a signed-in requester, else the form that
// emails a sign-in link.
func (s *server) myRequests(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if c, err := r.Cookie(myCookie); err == nil {
		v, err := s.svc.MyRequests(r.Context(), c.Value)
		if err == nil {
			p := s.newPage(r, "my.title")
			s.render(w, r, p, pages.MyRequests(&p.Page, v), nil)
			return
		}
		if trust.ErrorCode(err) != trust.EUnauthorized {
			s.fail(w, r, err)
			return
		}
	}
	p := s.newPage(r, "my.title")
	s.render(w, r, p, pages.MyRequestsForm(&p.Page, pages.MyRequestsData{Sent: r.URL.Query().Get("sent") != ""}), nil)
}

func (s *server) startMyRequests(w http.ResponseWriter, r *http.Request) {
	if err := readForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	email := r.PostForm.Get("email")
	if err := s.svc.StartMyRequests(r.Context(), email, s.lang(r), client(r)); err != nil {
		p := s.newPage(r, "my.title")
		p.postedFrom("/my-requests")
		s.render(w, r, p, pages.MyRequestsForm(&p.Page, pages.MyRequestsData{Email: email, Error: p.errorText(err)}), err)
		return
	}
	q := url.Values{"sent": {"1"}}
	s.keepLang(r, q)
	http.Redirect(w, r, "/my-requests?"+q.Encode(), http.StatusSeeOther)
}

func (s *server) confirmMyRequests(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.CheckMyRequestsLink(r.PathValue("token")); err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.newPage(r, "my.signin.title")
	// The page's address holds the token: language links must not repeat it.
	p.Address = "/my-requests"
	s.render(w, r, p, pages.MyRequestsSignIn(&p.Page, "/my-requests/sign-in/"+url.PathEscape(r.PathValue("token"))), nil)
}

func (s *server) openMyRequests(w http.ResponseWriter, r *http.Request) {
	if err := readForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.sameOrigin(r) {
		s.fail(w, r, userError(trust.EForbidden, "error.form_expired"))
		return
	}
	session, err := s.svc.OpenMyRequests(r.Context(), r.PathValue("token"), client(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: myCookie, Value: session, Path: "/my-requests", MaxAge: int(trust.MySessionTTL.Seconds()),
		HttpOnly: true, Secure: isHTTPS(r), SameSite: http.SameSiteLaxMode,
	})
	q := url.Values{}
	s.keepLang(r, q)
	to := "/my-requests"
	if len(q) > 0 {
		to += "?" + q.Encode()
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func (s *server) signOutMyRequests(w http.ResponseWriter, r *http.Request) {
	if !s.sameOrigin(r) {
		s.fail(w, r, userError(trust.EForbidden, "error.form_expired"))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: myCookie, Value: "", Path: "/my-requests", MaxAge: -1, HttpOnly: true, Secure: isHTTPS(r), SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/my-requests", http.StatusSeeOther)
}
