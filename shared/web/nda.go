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

// PathNDAVersion serves one version's text, old ones included:
// /nda/v<seq>.txt.
const PathNDAVersion = "/nda/{file}"

// ndaText serves a version's exact text, the bytes its SHA-256 is over.
// Briefly cached: a version published a minute ago may show the old text
// for that minute, while the form, rendered per request, already carries
// the new one and its hash.
func (s *server) ndaText(w http.ResponseWriter, r *http.Request, v trust.NDAVersion) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=60")
	w.Header().Set("X-NDA-Version", strconv.Itoa(v.Seq))
	w.Header().Set("X-NDA-SHA256", v.SHA256)
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write([]byte(v.Text))
}

func (s *server) currentNDAText(w http.ResponseWriter, r *http.Request) {
	v, err := s.svc.CurrentNDA(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ndaText(w, r, v)
}

func (s *server) ndaVersionText(w http.ResponseWriter, r *http.Request) {
	f := r.PathValue("file")
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(f, "v"), ".txt"))
	if err != nil || !strings.HasPrefix(f, "v") || !strings.HasSuffix(f, ".txt") {
		s.fail(w, r, userError(trust.ENotFound, "error.nda_unknown"))
		return
	}
	v, err := s.svc.NDAVersionBySeq(r.Context(), n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ndaText(w, r, v)
}

// mountNDAAdmin adds the NDA versions page to the console.
func (s *server) mountNDAAdmin(m router) {
	m.handle("GET", "/admin/nda", s.staff(s.ndaAdmin))
	m.handle("POST", "/admin/nda", s.staff(s.publishNDA))
	m.handle("POST", "/admin/requests/{id}/nda", s.staff(s.existingNDA))
	m.handle("GET", "/admin/requests/{id}/nda.pdf", s.staff(s.signedNDALink))
	m.handle("POST", "/admin/requests/{id}/erase", s.staff(s.erase))
	m.handle("GET", "/admin/nda/evidence.csv", s.staff(s.evidenceCSV))
	m.handle("GET", "/admin/nda/evidence.json", s.staff(s.evidenceJSON))
}

func (s *server) ndaAdmin(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	s.showNDAAdmin(w, r, sess, trust.NDAInput{}, r.URL.Query().Get("published"), nil)
}

func (s *server) showNDAAdmin(w http.ResponseWriter, r *http.Request, sess trust.Session, in trust.NDAInput, published string, actionErr error) {
	vs, err := s.svc.NDAVersions(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cur, err := s.svc.CurrentNDA(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.adminPage(r, "ndaui.admin.title", &sess)
	p.postedFrom("/admin/nda")
	data := pages.NDAAdminData{Versions: vs, Current: cur.Seq, Input: in, CanEdit: sess.Role.May(trust.Publish), Published: published}
	if in.Text == "" && actionErr == nil {
		data.Input.Text = cur.Text
	}
	if actionErr != nil {
		data.Error = p.errorText(actionErr)
		data.Fields = p.fieldErrors(actionErr)
	}
	s.render(w, r, p, pages.AdminNDA(&p.Page, data), actionErr)
}

func (s *server) publishNDA(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	f := r.PostForm
	in := trust.NDAInput{Label: f.Get("label"), Text: f.Get("text"), Major: f.Get("change") == "major", Effective: f.Get("effective")}
	v, err := s.svc.PublishNDA(r.Context(), sess, in, client(r))
	if err != nil {
		switch trust.ErrorCode(err) {
		case trust.EInvalid, trust.EConflict:
			s.showNDAAdmin(w, r, sess, in, "", err)
		default:
			s.fail(w, r, err)
		}
		return
	}
	http.Redirect(w, r, "/admin/nda?published="+url.QueryEscape(v.Label), http.StatusSeeOther)
}

// existingNDA is staff's answer to "we already have an NDA with you".
func (s *server) existingNDA(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	f := r.PostForm
	_, err := s.svc.SettleExistingNDA(r.Context(), sess, r.PathValue("id"), f.Get("action") == "confirm", f.Get("reference"), f.Get("date"), client(r))
	s.decided(w, r, sess, err)
}

// acceptAtAccess takes the acceptance the access page asked for, then
// shows the page again: with the links, or with what to fix.
func (s *server) acceptAtAccess(w http.ResponseWriter, r *http.Request) {
	if err := readForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	tok := r.PathValue("token")
	_, err := s.svc.AcceptAtAccess(r.Context(), tok, f.Get("nda_version"), f.Get("nda_sha256"), f.Get("nda_accept") != "", f.Get("nda_signature"), client(r))
	if err != nil && trust.ErrorCode(err) != trust.EInvalid {
		s.fail(w, r, err)
		return
	}
	if err == nil {
		http.Redirect(w, r, "/access/"+url.PathEscape(tok), http.StatusSeeOther)
		return
	}
	g, gerr := s.svc.AccessPage(r.Context(), tok)
	if gerr != nil {
		s.fail(w, r, gerr)
		return
	}
	s.showAccessNDA(w, r, g, tok, f.Get("nda_signature"), err)
}

// showAccessNDA is the access page while the NDA in effect is not agreed:
// the version to accept, and no download links.
func (s *server) showAccessNDA(w http.ResponseWriter, r *http.Request, g trust.Grant, tok, signature string, err error) {
	p := s.newPage(r, "ndaui.access.title")
	p.postedFrom("/access/" + url.PathEscape(tok))
	data := pages.AccessNDAData{Grant: g, Token: tok, Signature: signature}
	if err != nil {
		data.Error = p.errorText(err)
		data.Fields = p.fieldErrors(err)
	}
	s.render(w, r, p, pages.AccessNDA(&p.Page, data), err)
}

// signedNDALink sends a staff member on to their request's signed NDA,
// which the download function renders (the console's binary has no room
// for the PDF library's writer): by a link that works two minutes.
// ?n=1, 2, … are the acceptances given later at the access page.
func (s *server) signedNDALink(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	tok, err := s.svc.SignedNDALink(r.Context(), sess, r.PathValue("id"), n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/signed-nda/"+url.PathEscape(tok), http.StatusSeeOther)
}

// signedNDA serves the PDF a staff link names (download function).
func (s *server) signedNDA(w http.ResponseWriter, r *http.Request) {
	name, pdf, err := s.svc.SignedNDA(r.Context(), r.PathValue("token"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, _ = w.Write(pdf)
}

// requestErasure takes a requester's request to erase their data, from
// their status page, and shows the page again saying so.
func (s *server) requestErasure(w http.ResponseWriter, r *http.Request) {
	if err := readForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.svc.RequestErasure(r.Context(), r.PathValue("token"), client(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/requests/"+url.PathEscape(r.PathValue("token")), http.StatusSeeOther)
}

// erase is staff's confirmation of an erasure.
func (s *server) erase(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	_, err := s.svc.Erase(r.Context(), sess, r.PathValue("id"), client(r))
	s.decided(w, r, sess, err)
}

// reusePeriod states d in months when it is a whole number of them (as
// 365 days is twelve), else in days.
func reusePeriod(p *pages.Page, d time.Duration) string {
	days := int(d / (24 * time.Hour))
	if days%365 == 0 {
		return p.T("ndaui.form.period_months", days/365*12)
	}
	if days%30 == 0 {
		return p.T("ndaui.form.period_months", days/30)
	}
	return p.T("ndaui.form.period_days", days)
}
