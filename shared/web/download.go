package web

import (
	"io"
	"mime"
	"net/http"
	"strconv"

	"trustcenter/shared/trust"
	"trustcenter/site/pages"
)

func (s *server) mountDownload(m router) {
	m.handle("GET", "/download/{token}", s.download)
	m.handle("GET", "/documents/{id}", s.publicDocument)
	m.handle("GET", "/signed-nda/{token}", s.signedNDA)
	s.mountVerify(m)
}

// A GET route answers HEAD too. HEAD takes no file, so it is answered as
// GET is but never recorded or counted as a download.
func (s *server) download(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead {
		s.checkDownload(w, r)
		return
	}
	d, err := s.svc.Download(r.Context(), r.PathValue("token"), client(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "private, no-store")
	s.serveFile(w, r, d)
}

// checkDownload answers HEAD (which the GET route also serves) with what a
// GET would answer, but makes no copy and records no download: a link
// checker or a mail scanner asking about the link has not taken the file.
func (s *server) checkDownload(w http.ResponseWriter, r *http.Request) {
	if _, _, err := s.svc.CheckDownload(r.Context(), r.PathValue("token")); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Type", "application/pdf")
	w.WriteHeader(http.StatusOK)
}

func (s *server) publicDocument(w http.ResponseWriter, r *http.Request) {
	var d trust.Document
	var err error
	if r.Method == http.MethodHead {
		d, err = s.svc.CheckPublicDocument(r.Context(), r.PathValue("id"))
	} else {
		d, err = s.svc.PublicDocument(r.Context(), r.PathValue("id"), client(r))
	}
	if err != nil {
		if trust.ErrorCode(err) == trust.EForbidden && d.ID != "" {
			p := s.newPage(r, "gated.title")
			s.render(w, r, p, pages.Gated(&p.Page, d), err)
			return
		}
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	s.serveFile(w, r, d)
}

// serveFile hands the client the document: a redirect to a short-lived
// presigned URL where the blob engine has them (S3), else the bytes.
func (s *server) serveFile(w http.ResponseWriter, r *http.Request, d trust.Document) {
	file, err := s.svc.Open(r.Context(), d)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if file.URL != "" {
		w.Header().Set("Cache-Control", "private, no-store")
		http.Redirect(w, r, file.URL, http.StatusFound)
		return
	}
	f := file.Body
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.FileName}))
	if d.Size > 0 {
		h.Set("Content-Length", itoa(d.Size))
	}
	if d.SHA256 != "" {
		h.Set("ETag", `"`+d.SHA256+`"`)
	}
	io.Copy(w, f)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
