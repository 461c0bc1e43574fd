package trust

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Publishing a report takes three steps, so that nothing reaches a
// requester unchecked: the browser sends the file straight to the blob
// store under incoming/ (UploadForm; on S3 a presigned POST, so a report
// never passes through a Lambda function and its payload limit); the admin
// sees what the file is and what publishing it would do (Review); and only
// their confirmation makes it the next version (PublishUpload), copied
// under reports/.

// IncomingPrefix is where uploads wait for review; ReportsPrefix is where
// published files live. Only the admin function reaches either.
const (
	IncomingPrefix = "incoming/"
	ReportsPrefix  = "reports/"
)

// uploadTTL is how long an upload form stays usable: the documents page
// may sit open while the admin finds the file.
const uploadTTL = time.Hour

// Version is one published file of a document, as its history keeps it.
// A document carries its whole history: a few versions a year at most.
type Version struct {
	Version int       `json:"version"`
	BlobKey string    `json:"blob_key"`
	SHA256  string    `json:"sha256"`
	Size    int64     `json:"size"`
	Pages   int       `json:"pages,omitempty"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
	// RollbackOf is the earlier version whose file this one serves again.
	RollbackOf int `json:"rollback_of,omitempty"`
}

// FileInfo is what an Inspector found in an uploaded file.
type FileInfo struct {
	Pages          int
	Size           int64
	SHA256         string
	Title, Subject string
}

// Inspector checks that a file can be delivered (opened and stamped) and
// describes it. A file it refuses gives an error whose text tells the
// uploader what to do instead (see Refusal).
type Inspector interface {
	Inspect(pdf []byte) (FileInfo, error)
}

// Refusal wraps an Inspector's verdict on a file: message is shown to the
// uploader as it is.
func Refusal(message string, cause error) error {
	e := errorMsg(EInvalid, msg("error.file_refused", message))
	e.Err = cause
	return e
}

// UploadForm is an HTML form that sends one file (the field "file", last)
// to URL with Fields before it. Direct is true when URL is the blob store
// itself, which takes no field its policy does not name.
type UploadForm struct {
	URL    string
	Fields [][2]string
	Direct bool
}

// Uploader is a blob engine that takes uploads from the browser itself
// (S3's presigned POST): the form it presigns accepts one object under key,
// of contentType and at most maxSize bytes, until ttl has passed, and then
// sends the browser to redirect.
type Uploader interface {
	PresignUpload(ctx context.Context, key string, maxSize int64, contentType, redirect string, ttl time.Duration) (UploadForm, error)
}

// incomingKey names a new upload for document id: a random part, so that
// one form cannot overwrite another's file.
func incomingKey(id string) string {
	return IncomingPrefix + id + "/" + RandomID(18) + ".pdf"
}

var incomingName = regexp.MustCompile(`^[A-Za-z0-9_-]{24}\.pdf$`)

// checkIncoming refuses any key but one incomingKey made for document id,
// so a review or publish cannot be pointed at a published file or at
// another document's upload.
func checkIncoming(id, key string) error {
	rest, ok := strings.CutPrefix(key, IncomingPrefix+id+"/")
	if !ok || !incomingName.MatchString(rest) {
		return errorMsg(EInvalid, msg("error.upload_key"))
	}
	return nil
}

// ConfirmPath is where the browser lands after an upload, to review it.
func ConfirmPath(id string) string { return "/admin/documents/" + id + "/confirm" }

// UploadPath is the local server's stand-in for the blob store's POST.
func UploadPath(id string) string { return "/admin/documents/" + id + "/upload" }

// UploadForm returns the form that uploads a new file for document id.
// With an Uploader engine it posts to the blob store, which sends the
// browser on to ConfirmPath with the key added (as S3 adds bucket, key and
// etag to success_action_redirect); without one it posts to UploadPath,
// whose handler stores the file with Receive and sends the browser to the
// same page.
func (s *Service) UploadForm(ctx context.Context, by Session, id string) (UploadForm, error) {
	if err := authorize(by, Publish); err != nil {
		return UploadForm{}, err
	}
	key := incomingKey(id)
	if s.uploads == nil {
		return UploadForm{URL: UploadPath(id), Fields: [][2]string{{"key", key}}}, nil
	}
	f, err := s.uploads.PresignUpload(ctx, key, MaxFileSize, "application/pdf", s.link(ConfirmPath(id)), uploadTTL)
	if err != nil {
		return UploadForm{}, fmt.Errorf("upload form %s: %w", id, err)
	}
	f.Direct = true
	return f, nil
}

// Receive stores an upload that came through the service (the local
// server) under the key its form named. Where the blob store takes uploads
// itself, files must not come this way: a Lambda function would truncate
// a large report.
func (s *Service) Receive(ctx context.Context, by Session, id, key string, body io.Reader, size int64) error {
	if err := authorize(by, Publish); err != nil {
		return err
	}
	if s.uploads != nil {
		return errorMsg(EInvalid, msg("error.upload_direct"))
	}
	if err := checkIncoming(id, key); err != nil {
		return err
	}
	if size > MaxFileSize {
		m := msg("error.file_too_large", MaxFileSize>>20)
		return invalid(m, map[string]Msg{"file": m})
	}
	if err := s.blobs.Put(ctx, key, body, size, "application/pdf"); err != nil {
		return fmt.Errorf("receive %s: %w", id, err)
	}
	return nil
}

// Review is what publishing an upload would do, for the admin to confirm.
type Review struct {
	Document Document // as it would be described; Version is the current one (0: none yet)
	Key      string
	Info     FileInfo
	// Refused is why the file cannot be published; nothing else is set then.
	Refused error
	// Warnings need an explicit confirmation before publishing.
	Warnings []Msg
	// Holders are the active grants that include the document: who gets
	// the new version, and whom the new-version mail would go to.
	Holders []Request
}

// NextVersion is the version publishing would make.
func (r Review) NextVersion() int { return r.Document.Version + 1 }

// Review inspects the upload under key for document d (described as the
// content has it) and says what publishing it would do.
func (s *Service) Review(ctx context.Context, by Session, d Document, key string) (Review, error) {
	if err := authorize(by, Publish); err != nil {
		return Review{}, err
	}
	r, _, err := s.review(ctx, d, key)
	return r, err
}

func (s *Service) review(ctx context.Context, d Document, key string) (Review, []byte, error) {
	if err := checkIncoming(d.ID, key); err != nil {
		return Review{}, nil, err
	}
	docs, err := s.store.ListDocuments(ctx)
	if err != nil {
		return Review{}, nil, err
	}
	if i := slices.IndexFunc(docs, func(x Document) bool { return x.ID == d.ID }); i >= 0 {
		cur := docs[i]
		d.Version, d.History, d.SHA256, d.Size, d.Pages, d.BlobKey, d.UpdatedAt = cur.Version, cur.History, cur.SHA256, cur.Size, cur.Pages, cur.BlobKey, cur.UpdatedAt
	}
	r := Review{Document: d, Key: key}
	pdf, err := s.readUpload(ctx, key)
	if err != nil {
		return Review{}, nil, err
	}
	if r.Info, err = s.inspect(pdf); err != nil {
		if ErrorCode(err) != EInvalid {
			return Review{}, nil, err
		}
		r.Refused = err
		return r, nil, nil
	}
	r.Warnings = warnings(d, r.Info, docs)
	if r.Holders, err = s.holders(ctx, d.ID); err != nil {
		return Review{}, nil, err
	}
	return r, pdf, nil
}

// readUpload reads the whole upload: it is checked, and hashed, as one.
func (s *Service) readUpload(ctx context.Context, key string) ([]byte, error) {
	body, err := s.blobs.Open(ctx, key)
	if ErrorCode(err) == ENotFound {
		return nil, errorMsg(ENotFound, msg("error.upload_missing"))
	}
	if err != nil {
		return nil, fmt.Errorf("read upload: %w", err)
	}
	defer body.Close()
	pdf, err := io.ReadAll(io.LimitReader(body, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read upload: %w", Unavailable(err))
	}
	if len(pdf) > MaxFileSize {
		return nil, errorMsg(EInvalid, msg("error.file_too_large", MaxFileSize>>20))
	}
	return pdf, nil
}

func (s *Service) inspect(pdf []byte) (FileInfo, error) {
	if s.inspector == nil {
		return FileInfo{}, noEngine("inspector", "Inspect")
	}
	info, err := s.inspector.Inspect(pdf)
	if err != nil {
		return FileInfo{}, err
	}
	return info, nil
}

// holders are the people whose grant is active now and includes doc: one
// request each (the newest), so that nobody is counted or mailed twice.
func (s *Service) holders(ctx context.Context, doc string) ([]Request, error) {
	now := s.now()
	var out []Request
	seen := map[string]bool{}
	cursor := ""
	for {
		page, next, err := s.store.ListRequests(ctx, Approved, cursor, 100)
		if err != nil {
			return nil, fmt.Errorf("holders of %s: %w", doc, err)
		}
		for _, r := range page {
			if r.Active(now) && slices.Contains(r.Documents, doc) && !seen[r.Email] {
				seen[r.Email] = true
				out = append(out, r)
			}
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}

// shrunk is how much smaller than the current version a new file may be
// before it looks like the wrong file (a summary, an excerpt).
const shrunk = 0.5

// warnings are the signs that info is not the file meant for d: a file
// already published (here or as another document), metadata that names
// another framework or type, or a file much smaller than the current one.
func warnings(d Document, info FileInfo, docs []Document) []Msg {
	var w []Msg
	for _, other := range docs {
		for _, v := range other.versions() {
			if v.SHA256 == info.SHA256 {
				if other.ID == d.ID {
					w = append(w, msg("publish.warn.same_version", v.Version))
				} else {
					w = append(w, msg("publish.warn.same_other", other.Title, v.Version))
				}
			}
		}
	}
	meta := strings.TrimSpace(info.Title + " " + info.Subject)
	row := d.Kind + " " + d.Title
	if f, g := framework(meta), framework(row); f != "" && g != "" && f != g {
		w = append(w, msg("publish.warn.framework", meta, f, g))
	} else if t, u := reportType(meta), reportType(row); t != "" && u != "" && t != u {
		w = append(w, msg("publish.warn.type", meta, t, u))
	}
	if d.Size > 0 && float64(info.Size) < shrunk*float64(d.Size) {
		w = append(w, msg("publish.warn.smaller", ByteSize(info.Size), d.Version, ByteSize(d.Size)))
	}
	return w
}

var (
	frameworkName = regexp.MustCompile(`(?i)\b(SOC)[\s-]*([123])\b|\b(ISO)(?:/IEC)?[\s-]*(\d{4,5})\b`)
	typeName      = regexp.MustCompile(`(?i)\bType[\s-]*(II|I|2|1)\b`)
)

// framework is the audit framework text names ("SOC 2", "ISO 27001"), or "".
func framework(text string) string {
	m := frameworkName.FindStringSubmatch(text)
	switch {
	case m == nil:
		return ""
	case m[1] != "":
		return "SOC " + m[2]
	}
	return "ISO " + m[4]
}

// reportType is the SOC report type text names ("Type I", "Type II"), or "".
func reportType(text string) string {
	m := typeName.FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	if n := strings.ToUpper(m[1]); n == "II" || n == "2" {
		return "Type II"
	}
	return "Type I"
}

// ByteSize is n in the unit a person reads: "812 KB", "4.2 MB".
func ByteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", (n+1<<9)>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// versions is d's history; a document published before histories were kept
// has its current file as its one known version.
func (d Document) versions() []Version {
	if len(d.History) > 0 || d.Version == 0 {
		return d.History
	}
	return []Version{{Version: d.Version, BlobKey: d.BlobKey, SHA256: d.SHA256, Size: d.Size, Pages: d.Pages, At: d.UpdatedAt}}
}

// PublishOptions are the admin's answers on the review page.
type PublishOptions struct {
	// SHA256 is the file the admin reviewed: a different file under the
	// same key (the form posted twice) is refused.
	SHA256 string
	// Confirmed accepts the review's warnings.
	Confirmed bool
	// Notify mails every holder of an active grant that a new version is
	// ready.
	Notify bool
}

// PublishUpload makes the reviewed upload under key the next version of
// document d: it checks the file again, requires the warnings' confirmation,
// copies it under reports/ and records the version, its event and any
// mails in one commit.
func (s *Service) PublishUpload(ctx context.Context, by Session, d Document, key string, o PublishOptions, c Client) (Document, error) {
	if err := authorize(by, Publish); err != nil {
		return Document{}, err
	}
	r, _, err := s.review(ctx, d, key)
	if err != nil {
		return Document{}, err
	}
	if r.Refused != nil {
		return Document{}, r.Refused
	}
	if o.SHA256 != r.Info.SHA256 {
		return Document{}, errorMsg(EConflict, msg("error.upload_changed"))
	}
	if len(r.Warnings) > 0 && !o.Confirmed {
		m := msg("error.confirm_warnings")
		return Document{}, invalid(m, map[string]Msg{"confirm": m})
	}
	d = r.Document
	v := Version{Version: d.Version + 1, SHA256: r.Info.SHA256, Size: r.Info.Size, Pages: r.Info.Pages, By: by.Email, At: s.now()}
	v.BlobKey = fmt.Sprintf("%s%s/v%d-%s.pdf", ReportsPrefix, d.ID, v.Version, v.SHA256[:12])
	if err := s.blobs.Copy(ctx, key, v.BlobKey); err != nil {
		return Document{}, fmt.Errorf("publish %s: %w", d.ID, err)
	}
	detail := fmt.Sprintf("version=%d sha256=%s size=%d pages=%d upload=%s", v.Version, v.SHA256, v.Size, v.Pages, key)
	if len(r.Warnings) > 0 {
		keys := make([]string, len(r.Warnings))
		for i, w := range r.Warnings {
			keys[i] = w.Key
		}
		detail += " confirmed=" + strings.Join(keys, ",")
	}
	tx := Tx{Events: []Event{s.event("doc:"+d.ID, "document.published", by.Email, detail, c)}}
	if o.Notify {
		if err := s.notifyHolders(&tx, d, v.Version, r.Holders); err != nil {
			return Document{}, err
		}
	}
	return s.commitVersion(ctx, d, v, tx)
}

// notifyHolders queues, for each holder, a mail that version is ready,
// with a fresh link to their access page.
func (s *Service) notifyHolders(tx *Tx, d Document, version int, holders []Request) error {
	now := s.now()
	for _, h := range holders {
		tok, err := s.signer.Sign(AccessLink, Claims{Request: h.ID, Grant: h.GrantID, ExpiresAt: h.ExpiresAt.Add(grantLinkGrace)}, now)
		if err != nil {
			return err
		}
		tx.Mails = append(tx.Mails, s.mail(h.Email, h.Lang, "mail.new_version", quoted(h.Name), d.Title, version, s.link("/access/"+tok)))
	}
	return nil
}

// commitVersion writes v as d's current version and the end of its
// history, with tx's events and mails.
func (s *Service) commitVersion(ctx context.Context, d Document, v Version, tx Tx) (Document, error) {
	d.History = append(slices.Clone(d.versions()), v)
	d.Version, d.BlobKey, d.SHA256, d.Size, d.Pages, d.UpdatedAt = v.Version, v.BlobKey, v.SHA256, v.Size, v.Pages, v.At
	tx.Document = &d
	if err := s.commit(ctx, tx); err != nil {
		return Document{}, fmt.Errorf("publish %s: %w", d.ID, err)
	}
	return d, nil
}

// History is document id as stored, with every version it has had,
// oldest first, and its audit trail (publishes, rollbacks, downloads).
func (s *Service) History(ctx context.Context, by Session, id string) (Document, []Version, []Event, error) {
	if err := authorize(by, Publish); err != nil {
		return Document{}, nil, nil, err
	}
	d, err := s.store.GetDocument(ctx, id)
	if err != nil {
		return Document{}, nil, nil, err
	}
	events, err := s.store.ListEvents(ctx, "doc:"+id)
	if err != nil {
		return Document{}, nil, nil, fmt.Errorf("history %s: %w", id, err)
	}
	return d, d.versions(), events, nil
}

// Rollback makes an earlier version's file current again, as a new
// version that records which one it restores: the history only grows, and
// links already sent serve the restored file.
func (s *Service) Rollback(ctx context.Context, by Session, id string, version int, c Client) (Document, error) {
	d, old, err := s.storedVersion(ctx, by, id, version)
	if err != nil {
		return Document{}, err
	}
	if version == d.Version {
		return Document{}, errorMsg(EInvalid, msg("error.rollback_current", version))
	}
	v := old
	v.Version, v.By, v.At, v.RollbackOf = d.Version+1, by.Email, s.now(), old.Version
	detail := fmt.Sprintf("version=%d rollback_of=%d sha256=%s", v.Version, old.Version, v.SHA256)
	tx := Tx{Events: []Event{s.event("doc:"+d.ID, "document.rolled_back", by.Email, detail, c)}}
	return s.commitVersion(ctx, d, v, tx)
}

// storedVersion is document id and its version n, for an admin.
func (s *Service) storedVersion(ctx context.Context, by Session, id string, n int) (Document, Version, error) {
	if err := authorize(by, Publish); err != nil {
		return Document{}, Version{}, err
	}
	d, err := s.store.GetDocument(ctx, id)
	if err != nil {
		return Document{}, Version{}, err
	}
	vs := d.versions()
	if i := slices.IndexFunc(vs, func(v Version) bool { return v.Version == n }); i >= 0 {
		return d, vs[i], nil
	}
	return Document{}, Version{}, errorMsg(ENotFound, msg("error.no_such_version", n))
}

// OpenVersion is document id as it was at version, for an admin to
// download that version's file (with Open); the download is recorded.
func (s *Service) OpenVersion(ctx context.Context, by Session, id string, version int, c Client) (Document, error) {
	d, v, err := s.storedVersion(ctx, by, id, version)
	if err != nil {
		return Document{}, err
	}
	detail := fmt.Sprintf("version=%d sha256=%s", v.Version, v.SHA256)
	if err := s.commit(ctx, Tx{Events: []Event{s.event("doc:"+d.ID, "document.version_downloaded", by.Email, detail, c)}}); err != nil {
		return Document{}, fmt.Errorf("record download: %w", err)
	}
	d.BlobKey, d.SHA256, d.Size, d.Pages, d.Version = v.BlobKey, v.SHA256, v.Size, v.Pages, v.Version
	d.FileName = fmt.Sprintf("%s-v%d.pdf", strings.TrimSuffix(d.FileName, ".pdf"), v.Version)
	return d, nil
}
