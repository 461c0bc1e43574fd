package web

import (
	"net/http"
	"strconv"

	"trustcenter/shared/content"
	"trustcenter/shared/i18n"
	"trustcenter/site/pages"
)

// mountVerify serves the public page that says whether a watermark ID
// belongs to a genuine copy: on the download function, which holds the
// watermark engine and reads the copies' records.
func (s *server) mountVerify(m router) {
	m.handle("GET", content.PathVerify, s.verifyPage)
}

// verifyPage is a GET form: the answer is a page anyone may bookmark or
// send on, and looking an ID up changes nothing.
func (s *server) verifyPage(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "verify.title")
	p.Robots = ""
	typed, asked := r.URL.Query()["id"]
	d := pages.VerifyData{}
	if !asked {
		s.render(w, r, p, pages.Verify(&p.Page, d), nil)
		return
	}
	p.Robots = "noindex" // an answer is of no use to a search index
	d.ID = first(typed)
	if len(d.ID) > 40 {
		d.ID = d.ID[:40]
	}
	g, err := s.svc.VerifyCopy(r.Context(), d.ID)
	if err == nil {
		d.ID = g.WatermarkID
		d.Genuine = &pages.GenuineView{WatermarkID: g.WatermarkID, Document: p.DocName(g.Document),
			Version: strconv.Itoa(g.Version), Issued: i18n.FormatDate(p.Lang, g.Issued)}
	} else {
		d.Error, d.Fields = p.errorText(err), p.fieldErrors(err)
	}
	s.render(w, r, p, pages.Verify(&p.Page, d), err)
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}
