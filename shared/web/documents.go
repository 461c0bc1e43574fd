package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"trustcenter/shared/trust"
	"trustcenter/site/pages"
)

// The documents pages: the list, where each document has an upload form
// (to the blob store itself on AWS, to the local server otherwise); the
// review of an upload, where the admin confirms what publishing does; and
// each document's version history, with downloads and rollbacks.
func (s *server) mountDocuments(m router) {
	m.handle("GET", "/admin/documents", s.staff(s.documentList))
	m.handle("GET", "/admin/documents/{id}", s.staff(s.documentHistory))
	m.handle("POST", "/admin/documents/{id}/upload", s.staff(s.receiveUpload))
	m.handle("GET", "/admin/documents/{id}/confirm", s.staff(s.reviewUpload))
	m.handle("POST", "/admin/documents/{id}/publish", s.staff(s.publishUpload))
	m.handle("POST", "/admin/documents/{id}/rollback", s.staff(s.rollback))
	m.handle("GET", "/admin/documents/{id}/versions/{version}", s.staff(s.downloadVersion))
}

// maxUpload bounds an upload request: the largest report plus the form.
const maxUpload = trust.MaxFileSize + 1<<20

// readStaffForm reads a console form: url-encoded, or multipart for uploads.
func readStaffForm(w http.ResponseWriter, r *http.Request) error {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return readForm(w, r)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		return userError(trust.EInvalid, "error.upload_too_large")
	}
	return nil
}

func (s *server) documentList(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	s.showDocuments(w, r, sess, nil)
}

// adminsOnly refuses the documents pages to approvers: they would offer
// what the service refuses them.
func adminsOnly(sess trust.Session) error {
	if !sess.Role.May(trust.Publish) {
		return userError(trust.EForbidden, "error.admins_only")
	}
	return nil
}

// showDocuments renders the document list, with the error of an upload
// (if any) shown above it and reflected in the status.
func (s *server) showDocuments(w http.ResponseWriter, r *http.Request, sess trust.Session, actionErr error) {
	if err := adminsOnly(sess); err != nil {
		s.fail(w, r, err)
		return
	}
	stored, err := s.svc.Documents(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Every document of the content, with its file where one was published
	// (a fresh deployment has none yet: this page is where they arrive),
	// then any stored document the content no longer names.
	var docs []trust.Document
	for _, cd := range s.site.Documents {
		if i := slices.IndexFunc(stored, func(d trust.Document) bool { return d.ID == cd.ID }); i >= 0 {
			docs = append(docs, stored[i])
			stored = slices.Delete(stored, i, i+1)
		} else if d, ok := s.site.StoreDocument(cd.ID); ok {
			docs = append(docs, d)
		}
	}
	docs = append(docs, stored...)
	p := s.adminPage(r, "doc.heading", &sess)
	p.postedFrom("/admin/documents")
	counts, err := s.svc.RecentDownloads(r.Context(), docs)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := pages.DocumentsData{Downloads: counts}
	for _, d := range docs {
		row := pages.DocumentRow{Document: d}
		// Only documents the content names take uploads: their description
		// comes from there.
		if _, ok := s.site.Document(d.ID); ok {
			form, err := s.svc.UploadForm(r.Context(), sess, d.ID)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if form.Direct {
				s.allowFormPost(w, form.URL)
			} else {
				form.Fields = append(form.Fields, [2]string{"csrf", sess.CSRF})
			}
			row.Upload = &form
		}
		data.Documents = append(data.Documents, row)
	}
	if actionErr != nil {
		data.Error = p.errorText(actionErr)
	}
	q := r.URL.Query()
	if v, err := strconv.Atoi(q.Get("published")); err == nil {
		name := p.DocName(q.Get("doc"))
		if from, err := strconv.Atoi(q.Get("from")); err == nil {
			data.Done = p.T("admin.history.rolled_back", name, v, from)
		} else {
			data.Done = p.T("admin.documents.published", name, v)
		}
	}
	s.render(w, r, p, pages.AdminDocuments(&p.Page, data), actionErr)
}

// allowFormPost lets this page's forms post to target's origin as well as
// ours: the bucket's, for uploads straight to S3, which the CSP's
// form-action would otherwise block in the browser. S3's redirect back
// comes to our own origin, which form-action allows already.
func (s *server) allowFormPost(w http.ResponseWriter, target string) {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || !cspHost.MatchString(u.Host) {
		return
	}
	w.Header().Set("Content-Security-Policy", strings.Replace(s.csp, "form-action 'self'", "form-action 'self' "+u.Scheme+"://"+u.Host, 1))
}

// describe is document id as the content describes it: uploads take the
// description afresh, so the first upload of a fresh deployment works and
// later ones carry the content's changes.
func (s *server) describe(id string) (trust.Document, error) {
	d, ok := s.site.StoreDocument(id)
	if !ok {
		return trust.Document{}, userError(trust.ENotFound, "error.no_such_document", id)
	}
	return d, nil
}

// receiveUpload is the local server's stand-in for S3's POST: it stores
// the file under the form's key and sends the browser to the review, as
// S3's success_action_redirect does.
func (s *server) receiveUpload(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	id := r.PathValue("id")
	if _, err := s.describe(id); err != nil {
		s.fail(w, r, err)
		return
	}
	key := r.PostForm.Get("key")
	f, fh, err := r.FormFile("file")
	if err != nil {
		s.showDocuments(w, r, sess, userError(trust.EInvalid, "error.choose_pdf"))
		return
	}
	defer f.Close()
	if err := s.svc.Receive(r.Context(), sess, id, key, f, fh.Size); err != nil {
		if trust.ErrorCode(err) == trust.EInvalid {
			s.showDocuments(w, r, sess, err)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, trust.ConfirmPath(id)+"?"+url.Values{"key": {key}}.Encode(), http.StatusSeeOther)
}

func (s *server) reviewUpload(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	s.showReview(w, r, sess, r.URL.Query().Get("key"), nil)
}

// showReview renders the review of the upload under key, with the
// refusal of a publish (if any) above the form.
func (s *server) showReview(w http.ResponseWriter, r *http.Request, sess trust.Session, key string, actionErr error) {
	d, err := s.describe(r.PathValue("id"))
	if err == nil {
		err = adminsOnly(sess)
	}
	var rv trust.Review
	if err == nil {
		rv, err = s.svc.Review(r.Context(), sess, d, key)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.adminPage(r, "admin.confirm.title", &sess)
	p.postedFrom(trust.ConfirmPath(d.ID) + "?" + url.Values{"key": {key}}.Encode())
	data := pages.ReviewData{Review: rv, Title: p.DocName(d.ID)}
	if rv.Refused != nil {
		data.Refused = p.errorText(rv.Refused)
	}
	for _, m := range rv.Warnings {
		data.Warnings = append(data.Warnings, p.msg(m))
	}
	if actionErr != nil {
		data.Error = p.errorText(actionErr)
	}
	s.render(w, r, p, pages.AdminReview(&p.Page, data), actionErr)
}

func (s *server) publishUpload(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	d, err := s.describe(r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	key := r.PostForm.Get("key")
	o := trust.PublishOptions{
		SHA256:    r.PostForm.Get("sha256"),
		Confirmed: r.PostForm.Get("confirm") != "",
		Notify:    r.PostForm.Get("notify") != "",
	}
	pub, err := s.svc.PublishUpload(r.Context(), sess, d, key, o, client(r))
	if err != nil {
		switch trust.ErrorCode(err) {
		case trust.EInvalid, trust.EConflict:
			s.showReview(w, r, sess, key, err)
		default:
			s.fail(w, r, err)
		}
		return
	}
	q := url.Values{"doc": {pub.ID}, "published": {strconv.Itoa(pub.Version)}}
	http.Redirect(w, r, "/admin/documents?"+q.Encode(), http.StatusSeeOther)
}

func (s *server) documentHistory(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	s.showHistory(w, r, sess, nil)
}

func (s *server) showHistory(w http.ResponseWriter, r *http.Request, sess trust.Session, actionErr error) {
	if err := adminsOnly(sess); err != nil {
		s.fail(w, r, err)
		return
	}
	d, versions, events, err := s.svc.History(r.Context(), sess, r.PathValue("id"))
	if trust.ErrorCode(err) == trust.ENotFound {
		// A document of the content with nothing published yet.
		if cd, derr := s.describe(r.PathValue("id")); derr == nil {
			d, err = cd, nil
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.adminPage(r, "admin.documents.history", &sess)
	p.postedFrom("/admin/documents/" + url.PathEscape(d.ID))
	data := pages.HistoryData{Document: d, Title: p.DocName(d.ID), Events: events}
	// Newest first: the current version heads the table.
	for i := len(versions) - 1; i >= 0; i-- {
		data.Versions = append(data.Versions, versions[i])
	}
	if actionErr != nil {
		data.Error = p.errorText(actionErr)
	}
	s.render(w, r, p, pages.AdminHistory(&p.Page, data), actionErr)
}

func (s *server) rollback(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	v, err := strconv.Atoi(r.PostForm.Get("version"))
	if err != nil {
		s.showHistory(w, r, sess, userError(trust.EInvalid, "error.invalid"))
		return
	}
	d, err := s.svc.Rollback(r.Context(), sess, r.PathValue("id"), v, client(r))
	if err != nil {
		switch trust.ErrorCode(err) {
		case trust.EInvalid, trust.EConflict, trust.ENotFound:
			s.showHistory(w, r, sess, err)
		default:
			s.fail(w, r, err)
		}
		return
	}
	q := url.Values{"doc": {d.ID}, "published": {strconv.Itoa(d.Version)}, "from": {strconv.Itoa(v)}}
	http.Redirect(w, r, "/admin/documents?"+q.Encode(), http.StatusSeeOther)
}

func (s *server) downloadVersion(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	v, err := strconv.Atoi(r.PathValue("version"))
	if err != nil {
		s.fail(w, r, userError(trust.ENotFound, "error.not_found.body"))
		return
	}
	d, err := s.svc.OpenVersion(r.Context(), sess, r.PathValue("id"), v, client(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.serveFile(w, r, d)
}
