package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"trustcenter/shared/content"
	"trustcenter/shared/trust"
	"trustcenter/site/pages"
)

func (s *server) mountAccess(m router) {
	m.handle("GET", "/access-requests/new", s.requestForm)
	m.handle("POST", "/access-requests", s.submitRequest)
	m.handle("GET", "/access-requests/sent", s.requestSent)
	m.handle("GET", "/access-requests/confirm/{token}", s.confirmEmail)
	m.handle("GET", "/access/{token}", s.accessPage)
	m.handle("POST", "/access/{token}/nda", s.acceptAtAccess)
	s.mountStatus(m)
	s.mountProof(m)
	s.mountSubscriptions(m)
	s.mountMyRequests(m)
}

// renderForm shows the request form filled with in, and err's messages when
// it comes back from a submission.
func (s *server) renderForm(w http.ResponseWriter, r *http.Request, in trust.RequestInput, err error) {
	docs, _, derr := s.documents(r.Context()) // the short-lived copy: a form view needs no fresh query
	if derr != nil {
		s.fail(w, r, derr)
		return
	}
	cur, nerr := s.svc.CurrentNDA(r.Context())
	if nerr != nil {
		s.fail(w, r, nerr)
		return
	}
	if trust.FieldErrors(err)["nda_version"] != "" {
		// A text they have not read: the box is theirs to tick again.
		in.NDAAccept = false
	}
	data := pages.FormData{Input: in, NDA: cur.NDA(), NDAHash: cur.SHA256, NDASeq: cur.Seq}
	p := s.newPage(r, "form.heading")
	p.Robots = ""
	data.NDAReuse = reusePeriod(&p.Page, s.svc.NDAReuse())
	p.postedFrom("/access-requests/new")
	for _, d := range docs {
		if d.Access.Restricted() {
			fd := pages.FormDoc{ID: d.ID, Title: p.DocTitle(d), Kind: d.Kind, Level: p.T("form.level." + string(d.Access)), Checked: slices.Contains(in.Documents, d.ID)}
			// A title that names the kind already needs no "(SOC 2 Type II)".
			if strings.Contains(fd.Title, fd.Kind) {
				fd.Kind = ""
			}
			data.Documents = append(data.Documents, fd)
		}
	}
	slices.SortStableFunc(data.Documents, func(a, b pages.FormDoc) int {
		return readingRank(s.docFramework(a.ID)) - readingRank(s.docFramework(b.ID))
	})
	if err != nil {
		data.Error = p.errorText(err)
		data.Fields = p.fieldErrors(err)
		for _, f := range formFields {
			if m := data.Fields[f.name]; m != "" {
				data.Problems = append(data.Problems, pages.Problem{Field: f.target, Message: m})
			}
		}
	}
	s.render(w, r, p, pages.RequestForm(&p.Page, data), err)
}

// formFields are the form's fields in the order it shows them, each with
// the id its error summary links to: a group's first box, the NDA's
// fieldset for a version that changed under the reader.
var formFields = []struct{ name, target string }{
	{"name", "name"}, {"email", "email"}, {"company", "company"}, {"reason", "reason"},
	{"document", "document"}, {"nda_version", "nda"}, {"nda_mode", "nda_mode"}, {"nda_accept", "nda_accept"}, {"nda_signature", "nda_signature"},
	{"existing_note", "existing_note"},
}

// docFramework is the framework of the certification document id belongs
// to, "" when the content does not link one.
func (s *server) docFramework(id string) content.Framework {
	if s.site == nil {
		return ""
	}
	d, _ := s.site.Document(id)
	c, _ := s.site.Certification(d.Certification)
	return c.Framework
}

// requestForm shows the form, filled in from the query: the documents a
// link asks for, and the requester's own details from "request again".
func (s *server) requestForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.renderForm(w, r, trust.RequestInput{Name: q.Get("name"), Email: q.Get("email"), Company: q.Get("company"), Documents: q["document"]}, nil)
}

func (s *server) submitRequest(w http.ResponseWriter, r *http.Request) {
	if err := readForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	in := trust.RequestInput{
		Name:         f.Get("name"),
		Email:        f.Get("email"),
		Company:      f.Get("company"),
		Reason:       f.Get("reason"),
		Documents:    f["document"],
		NDAVersion:   f.Get("nda_version"),
		NDASHA256:    f.Get("nda_sha256"),
		NDAMode:      ndaMode(f.Get("nda_mode")),
		ExistingNote: f.Get("existing_note"),
		NDAAccept:    f.Get("nda_accept") != "",
		NDASignature: f.Get("nda_signature"),
		Lang:         s.lang(r),
	}
	req, err := s.svc.Submit(r.Context(), in, client(r))
	if err != nil {
		switch trust.ErrorCode(err) {
		case trust.EInvalid, trust.ERateLimited, trust.EUnavailable:
			// The form comes back with everything the visitor typed. An
			// unavailable store is logged as every 5xx is, by render.
			if trust.ErrorCode(err) == trust.ERateLimited {
				s.log.Warn("request not submitted", "err", err)
			}
			s.renderForm(w, r, in, err)
		default:
			s.fail(w, r, err)
		}
		return
	}
	tok, err := s.svc.StatusToken(req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := url.Values{}
	s.keepLang(r, q)
	target := "/access-requests/sent/" + url.PathEscape(tok)
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (s *server) requestSent(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "confirm.check_email.title")
	s.render(w, r, p, pages.RequestSent(&p.Page, pages.SentData{}), nil)
}

func (s *server) confirmEmail(w http.ResponseWriter, r *http.Request) {
	v, open, err := s.svc.ConfirmLanding(r.Context(), r.PathValue("token"), client(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if open {
		// Approved by a rule this moment: the documents, not a page
		// saying they are in the mail.
		http.Redirect(w, r, "/access/"+v.Access, http.StatusSeeOther)
		return
	}
	s.renderStatus(w, r, v)
}

func (s *server) accessPage(w http.ResponseWriter, r *http.Request) {
	g, err := s.svc.AccessPage(r.Context(), r.PathValue("token"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if g.AcceptNDA != nil {
		s.showAccessNDA(w, r, g, r.PathValue("token"), "", nil)
		return
	}
	p := s.newPage(r, "access.heading")
	s.render(w, r, p, pages.Access(&p.Page, g, s.approvedKnowledge(&p.Page, g.Documents)), nil)
}

// ndaMode reads the form's choice; a form without one (an older page, a
// script) means the click-through, which asks the most.
func ndaMode(v string) string {
	switch v {
	case "", "accept":
		return trust.NDAClicked
	}
	return v
}
