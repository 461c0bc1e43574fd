package web

import (
	"net/http"
	"net/url"

	"trustcenter/shared/content"
	"trustcenter/shared/trust"
	"trustcenter/site/pages"
)

// PathSubscribe is the sign-up form, a public page the sitemap lists.
const PathSubscribe = "/subscriptions/new"

// mountSubscriptions serves sign-up with double opt-in, the one-click
// unsubscribe of every update mail, and objections to subprocessor
// changes: all on the access function, which writes the store and queues
// mail.
func (s *server) mountSubscriptions(m router) {
	m.handle("GET", PathSubscribe, s.subscribeForm)
	m.handle("POST", "/subscriptions", s.subscribe)
	m.handle("GET", "/subscriptions/sent", s.notice("subscribe.sent.title", "subscribe.sent.lead"))
	m.handle("GET", "/subscriptions/confirm/{token}", s.confirmSubscription)
	m.handle("GET", "/subscriptions/unsubscribe/{token}", s.unsubscribePage)
	// RFC 8058: the mail client POSTs here itself, with
	// List-Unsubscribe=One-Click and no cookie or page in between.
	m.handle("POST", "/subscriptions/unsubscribe/{token}", s.unsubscribe)
	m.handle("GET", content.PathObject, s.objectForm)
	m.handle("POST", "/subprocessors/objections", s.object)
	m.handle("GET", "/subprocessors/objections/sent", s.notice("object.sent.title", "object.sent.lead"))
}

func (s *server) notice(title, lead string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(r, title)
		s.render(w, r, p, pages.Notice(&p.Page, p.T(title), p.T(lead), "", ""), nil)
	}
}

func (s *server) subscribeForm(w http.ResponseWriter, r *http.Request) {
	s.renderSubscribe(w, r, pages.SubscribeData{Topics: trust.Topics}, nil)
}

func (s *server) renderSubscribe(w http.ResponseWriter, r *http.Request, d pages.SubscribeData, err error) {
	p := s.newPage(r, "subscribe.title")
	p.Robots = ""
	p.postedFrom(PathSubscribe)
	if err != nil {
		d.Error, d.Fields = p.errorText(err), p.fieldErrors(err)
	}
	s.render(w, r, p, pages.Subscribe(&p.Page, d), err)
}

func (s *server) subscribe(w http.ResponseWriter, r *http.Request) {
	if err := readForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	d := pages.SubscribeData{Email: r.PostForm.Get("email")}
	for _, t := range r.PostForm["topic"] {
		d.Topics = append(d.Topics, trust.Topic(t))
	}
	if err := s.svc.Subscribe(r.Context(), d.Email, s.lang(r), d.Topics, client(r)); err != nil {
		switch trust.ErrorCode(err) {
		case trust.EInvalid, trust.ERateLimited, trust.EUnavailable:
			s.renderSubscribe(w, r, d, err)
		default:
			s.fail(w, r, err)
		}
		return
	}
	s.seeOther(w, r, "/subscriptions/sent")
}

// seeOther sends a posted form on to path, keeping an explicit language.
func (s *server) seeOther(w http.ResponseWriter, r *http.Request, path string) {
	q := url.Values{}
	s.keepLang(r, q)
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

func (s *server) confirmSubscription(w http.ResponseWriter, r *http.Request) {
	sub, err := s.svc.ConfirmSubscription(r.Context(), r.PathValue("token"), client(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.newPageIn(r, sub.Lang, "subscribe.confirmed.title")
	if r.URL.Query().Get("lang") != "" {
		p = s.newPage(r, "subscribe.confirmed.title")
	}
	lead := p.T("subscribe.confirmed.lead", sub.Email, trust.TopicNames(p.Lang, sub.Topics))
	s.render(w, r, p, pages.Notice(&p.Page, p.T("subscribe.confirmed.title"), lead, "", ""), nil)
}

// unsubscribePage asks before it erases: a GET is what link scanners and
// previews fetch, so it must change nothing.
func (s *server) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	email, err := s.svc.Unsubscriber(tok)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.newPage(r, "subscribe.unsub.title")
	action := "/subscriptions/unsubscribe/" + url.PathEscape(tok) + p.LangQuery()
	s.render(w, r, p, pages.Notice(&p.Page, p.T("subscribe.unsub.title"), p.T("subscribe.unsub.lead", email), action, p.T("subscribe.unsub.submit")), nil)
}

func (s *server) unsubscribe(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.Unsubscribe(r.Context(), r.PathValue("token"), client(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.newPage(r, "subscribe.unsub.done.title")
	s.render(w, r, p, pages.Notice(&p.Page, p.T("subscribe.unsub.done.title"), p.T("subscribe.unsub.done.lead"), "", ""), nil)
}

// objectable is the update id names, if it announces a subprocessor change
// one can still object to.
func (s *server) objectable(id string) (content.Update, bool) {
	u, ok := s.site.Update(id)
	return u, ok && !u.Change.IsZero() && !u.Change.Effective.IsZero()
}

func (s *server) objectForm(w http.ResponseWriter, r *http.Request) {
	s.renderObject(w, r, pages.ObjectData{Update: r.URL.Query().Get("update")}, nil)
}

func (s *server) renderObject(w http.ResponseWriter, r *http.Request, d pages.ObjectData, err error) {
	u, ok := s.objectable(d.Update)
	if !ok {
		s.fail(w, r, userError(trust.ENotFound, "object.valid.update"))
		return
	}
	p := s.newPage(r, "object.title")
	p.postedFrom(content.PathObject + "?update=" + url.QueryEscape(u.ID))
	d.Title, d.Change = u.Title.In(p.Lang), s.site.ChangeLines(u, p.Lang)
	if err != nil {
		d.Error, d.Fields = p.errorText(err), p.fieldErrors(err)
	}
	s.render(w, r, p, pages.Object(&p.Page, d), err)
}

func (s *server) object(w http.ResponseWriter, r *http.Request) {
	if err := readForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	d := pages.ObjectData{Update: f.Get("update"), Email: f.Get("email"), Company: f.Get("company"), Message: f.Get("message")}
	u, ok := s.objectable(d.Update)
	if !ok {
		s.fail(w, r, userError(trust.ENotFound, "object.valid.update"))
		return
	}
	err := s.svc.Object(r.Context(), s.site.Notice(u, s.svc.BaseURL()),
		trust.Objection{Update: u.ID, Email: d.Email, Company: d.Company, Message: d.Message}, client(r))
	if err != nil {
		switch trust.ErrorCode(err) {
		case trust.EInvalid, trust.ERateLimited, trust.EUnavailable:
			s.renderObject(w, r, d, err)
		default:
			s.fail(w, r, err)
		}
		return
	}
	s.seeOther(w, r, "/subprocessors/objections/sent")
}
