package trust

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"trustcenter/shared/i18n"
)

// Lifetimes of the links the service mints. The mails state ConfirmTTL in
// whole hours and SignInTTL in whole minutes.
const (
	ConfirmTTL  = 24 * time.Hour
	SignInTTL   = 15 * time.Minute
	SessionTTL  = 8 * time.Hour
	DefaultDays = 30
	MaxDays     = 365
)

// grantLinkGrace is how long access and download links outlive the grant
// they name. The grant record decides whether a link works: its expiry and
// its revocation are read from the store on every use, and the token only
// says which grant it is for. Were the token to end with the grant, a
// requester opening their link a minute late would be told it is not valid
// (the signature check refuses first) instead of that their access has
// expired and they can ask again. Past the grace the link is refused like
// any other stale one.
const grantLinkGrace = 7 * 24 * time.Hour

// Service is the trust center's behaviour, written once against the engine
// interfaces. Every Lambda function and the local server build one with
// New; each function only calls the methods its routes need, and its IAM
// role only allows the engine calls those methods make.
type Service struct {
	cfg      Config
	store    Store
	blobs    Blobs
	links    Presigner // nil: files are streamed from blobs
	mailer   Mailer
	signer   Signer
	attester Attester
	stamp    Stamper
	clock    Clock
	log      *slog.Logger
	queued   func()
	// uploads, when set, takes uploads straight from the browser; nil:
	// they come through Receive.
	uploads   Uploader
	inspector Inspector
	ndaPDF    NDARenderer
	// mailOK: no mail failure is recorded (see mailWent); false until a
	// read says so.
	mailOK atomic.Bool
}

// Config is what the service is told about the trust center it runs.
type Config struct {
	BaseURL string // no trailing slash; links in emails start with it
	Company string // shown in email subjects; ours, never the requester's
	Staff   []Staff
	NDA     NDA
	// AutoApprove lists email domains of known customers whose confirmed
	// requests are approved without waiting for a person.
	AutoApprove []string
	// LapseWarning is how long before a grant ends its holder is mailed;
	// 0 means DefaultLapseWarningDays.
	LapseWarning time.Duration
	// UnconfirmedRetention is how long a request never confirmed is kept;
	// 0 means DefaultUnconfirmedRetention.
	UnconfirmedRetention time.Duration
	// NDAReuse is how long an acceptance spares the same address the
	// click-through of the same major version; 0 means DefaultNDAReuse.
	NDAReuse time.Duration
	// Slack announces pending requests and takes decisions from a channel
	// (shared/trust/slack.go); its zero value leaves Slack out.
	Slack SlackConfig
	// SSO maps the identity provider's groups to roles (shared/trust/sso.go).
	SSO SSOConfig
}

// Engines are what the service works with. A function leaves out the
// engines its routes do not use (the public pages send no mail, only the
// download and admin functions read files); the service stands in a
// refusing engine for each, which answers ErrNoEngine, so a route wired to
// the wrong function fails with that error instead of a nil dereference.
type Engines struct {
	Store Store
	Blobs Blobs
	// Links, when set, hands files out as short-lived direct links (S3)
	// instead of streaming them from Blobs; see Open.
	Links Presigner
	// Uploads, when set, presigns forms that upload straight to the blob
	// store (S3); without it uploads pass through the service (Receive).
	Uploads Uploader
	// Inspect checks uploads before they are published (shared/stamp).
	Inspect Inspector
	Mail    Mailer
	Signer  Signer
	// Stamper makes the recipients' copies (download) and reads leaked
	// ones back (the console's trace).
	Stamper Stamper
	Clock   Clock // nil: the system clock
	Log     *slog.Logger
	// MailQueued, when set, is called after a commit that queued mail. The
	// local server wakes its mail scheduler with it; it must not block.
	// On AWS the table's stream does this.
	MailQueued func()
	// SignedNDA writes signed NDAs as PDFs (shared/ndapdf): the console's.
	SignedNDA NDARenderer
	// Attester signs published documents (trust.json).
	Attester Attester
}

// ErrNoEngine is what a refusing engine answers: the function was built
// without the engine the call needs. It carries no code, so it is an
// internal error, logged in full and shown as a generic one.
var ErrNoEngine = errors.New("trust: this function has no engine for that")

// New builds the service on e.
func New(c Config, e Engines) *Service {
	s := &Service{cfg: c, store: e.Store, blobs: e.Blobs, links: e.Links, uploads: e.Uploads, inspector: e.Inspect, mailer: e.Mail, signer: e.Signer, stamp: e.Stamper, clock: e.Clock, log: e.Log, queued: e.MailQueued, ndaPDF: e.SignedNDA}
	if s.stamp == nil {
		s.stamp = noStamper{}
	}
	if s.store == nil {
		s.store = noStore{}
	}
	if s.blobs == nil {
		s.blobs = noBlobs{}
	}
	if s.mailer == nil {
		s.mailer = noMail{}
	}
	if s.signer == nil {
		s.signer = noSigner{}
	}
	s.attester = e.Attester
	if s.attester == nil {
		s.attester = noAttester{}
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.ndaPDF == nil {
		s.ndaPDF = noNDAPDF{}
	}
	return s
}

// BaseURL is the trust center's address, without a trailing slash.
func (s *Service) BaseURL() string { return s.cfg.BaseURL }

// staffLang is the language of mail to staff, who have no stated preference.
const staffLang = i18n.English

func (s *Service) now() time.Time { return s.clock.Now() }

// Client is what the service records about the person behind a call.
type Client struct {
	IP        string
	UserAgent string
}

// commit writes tx. Its mails are only queued: the mail scheduler delivers
// them (DeliverMail), so no request waits on the mail provider, and a
// provider that is down or slow changes nothing a visitor sees. Mail to an
// address that bounced or complained is left out (see dropSuppressed); the
// state change stands. Every write of the service goes through here.
func (s *Service) commit(ctx context.Context, tx Tx) error {
	if tx.Request != nil {
		s.retain(tx.Request)
	}
	tx.Mails = s.dropSuppressed(ctx, tx.Mails)
	if err := s.store.Commit(ctx, tx); err != nil {
		return err
	}
	if len(tx.Mails) > 0 && s.queued != nil {
		s.queued()
	}
	return nil
}

func (s *Service) newID(prefix string) string { return prefix + RandomID(12) }

func (s *Service) event(subject, typ, actor, detail string, c Client) Event {
	return Event{ID: s.newID("evt_"), Subject: subject, Type: typ, Actor: actor, At: s.now(), Detail: detail, IP: c.IP}
}

func (s *Service) mail(to, lang, key string, args ...any) Mail {
	subject := i18n.T(lang, key+".subject") + " — " + s.cfg.Company
	text := i18n.T(lang, key+".body", args...)
	if requesterMails[key] {
		text += "\n" + i18n.T(lang, "mail.requester.footer", s.link("/my-requests"+langQuery(lang)))
	}
	return Mail{ID: s.newID("mail_"), To: to, Subject: subject, Text: text, HTML: s.mailHTML(lang, key, subject, text), CreatedAt: s.now()}
}

func (s *Service) link(path string) string { return s.cfg.BaseURL + path }

// Documents lists every document, public and gated.
func (s *Service) Documents(ctx context.Context) ([]Document, error) {
	return s.store.ListDocuments(ctx)
}

// Submit records a new access request with its NDA acceptance and emails
// the requester a link that confirms their address.
func (s *Service) Submit(ctx context.Context, in RequestInput, c Client) (Request, error) {
	in.normalize()
	docs, err := s.store.ListDocuments(ctx)
	if err != nil {
		return Request{}, err
	}
	cur, err := s.CurrentNDA(ctx)
	if err != nil {
		return Request{}, err
	}
	if err := in.Validate(docs, cur.NDA()); err != nil {
		return Request{}, err
	}
	if err := s.allow(ctx, submitPerNetwork, network(c.IP)); err != nil {
		return Request{}, err
	}
	if err := s.allow(ctx, submitPerAddress, addressKey(in.Email, c)); err != nil {
		return Request{}, err
	}
	now := s.now()
	r := Request{
		ID:        s.newID("req_"),
		Name:      in.Name,
		Email:     in.Email,
		Company:   in.Company,
		Reason:    in.Reason,
		Documents: in.Documents,
		Lang:      in.Lang,
		Status:    Unconfirmed,
		CreatedAt: now,
		// The hash recorded is the one the form posted, which Validate
		// found equal to the current version's: the text the requester saw.
		NDA: Acceptance{
			Version:    cur.Label,
			TextSHA256: in.NDASHA256,
			Signature:  in.NDASignature,
			AcceptedAt: now,
			IP:         c.IP,
			UserAgent:  truncate(c.UserAgent, 512),
			Seq:        cur.Seq,
			Series:     cur.Series,
			Mode:       in.NDAMode,
		},
	}
	if in.NDAMode != NDAClicked {
		// Nothing was accepted on the form: no version, no signature.
		r.NDA.Version, r.NDA.TextSHA256, r.NDA.Signature, r.NDA.Seq, r.NDA.Series = "", "", "", 0, 0
	}
	if in.NDAMode == NDAExisting {
		r.ExistingNDA = &ExistingNDA{Note: in.ExistingNote}
	}
	m, err := s.confirmMail(r, now)
	if err != nil {
		return Request{}, err
	}
	// The request itself is the record of the submission until the address
	// is confirmed: its trail is written then (see submissionEvents), so an
	// unconfirmed request is one item that expires whole, personal data and
	// all.
	tx := Tx{
		Request: &r,
		Mails:   []Mail{m},
	}
	if err := s.commit(ctx, tx); err != nil {
		return Request{}, fmt.Errorf("submit request: %w", err)
	}
	r.Version = 1
	return r, nil
}

// Confirm consumes a confirmation link: the request becomes pending and
// every approver is emailed, or the rules (rules.go) decide it at once. Opening the link
// again shows where the request stands instead of failing.
func (s *Service) Confirm(ctx context.Context, tok string, c Client) (Request, error) {
	r, _, err := s.confirm(ctx, tok, c)
	return r, err
}

// ConfirmLanding is Confirm for the browser that opened the link: the
// status view of the request, and whether to go straight to the access
// page, which is so only when this very use of the link confirmed the
// address and the rules approved it. Opening the link again (a mail
// scanner, a forwarded mail) shows the status page, as before.
func (s *Service) ConfirmLanding(ctx context.Context, tok string, c Client) (StatusView, bool, error) {
	r, fresh, err := s.confirm(ctx, tok, c)
	if err != nil {
		return StatusView{}, false, err
	}
	v, err := s.StatusOf(r)
	if err != nil {
		return StatusView{}, false, err
	}
	return v, fresh && v.Access != "", nil
}

// confirm is Confirm, also saying whether this call made the change.
func (s *Service) confirm(ctx context.Context, tok string, c Client) (Request, bool, error) {
	claims, err := s.parse(ConfirmLink, tok, s.now())
	if err != nil {
		return Request{}, false, err
	}
	r, err := s.store.GetRequest(ctx, claims.Request)
	if err != nil {
		if ErrorCode(err) == ENotFound {
			return Request{}, false, invalidLink()
		}
		return Request{}, false, err
	}
	next := r
	if transition(&next, Confirm) != nil {
		// Confirmed before: the link shows where the request stands.
		return r, false, nil
	}
	next.ConfirmedAt = s.now()
	tx := Tx{
		Request:   &next,
		IfVersion: r.Version,
		Uses:      []Use{{ID: claims.ID, ExpiresAt: claims.ExpiresAt}},
		Events:    append(s.submissionEvents(r), s.event(r.ID, "email.confirmed", r.Email, "", c)),
	}
	if err := s.settleNDAOnConfirm(ctx, &tx, &next, c); err != nil {
		return Request{}, false, err
	}
	if err := s.decideByRules(ctx, &tx, &next, c); err != nil {
		return Request{}, false, err
	}
	if err := s.commit(ctx, tx); err != nil {
		if ErrorCode(err) == EConflict {
			// Someone else consumed the link or moved the request first.
			if cur, gerr := s.store.GetRequest(ctx, r.ID); gerr == nil {
				if _, again := Next(cur.Status, Confirm); !again {
					return cur, false, nil
				}
			}
			return Request{}, false, invalidLink()
		}
		return Request{}, false, fmt.Errorf("confirm %s: %w", r.ID, err)
	}
	next.Version = r.Version + 1
	return next, true, nil
}

// submissionEvents are the trail of r's submission, dated and placed as
// they happened, from what the request recorded of it.
func (s *Service) submissionEvents(r Request) []Event {
	from := Client{IP: r.NDA.IP}
	submitted := s.event(r.ID, "request.submitted", r.Email, "documents="+strings.Join(r.Documents, ","), from)
	submitted.At = r.CreatedAt
	var accepted Event
	switch r.NDA.Mode {
	case NDAClicked:
		accepted = s.event(r.ID, "nda.accepted", r.Email, "version="+r.NDA.Version+" sha256="+r.NDA.TextSHA256, from)
	case NDAPrior:
		accepted = s.event(r.ID, "nda.prior_claimed", r.Email, "", from)
	default:
		accepted = s.event(r.ID, "nda.existing_claimed", r.Email, fmt.Sprintf("note=%q", existingNote(r)), from)
	}
	accepted.At = r.NDA.AcceptedAt
	return []Event{submitted, accepted}
}

// approveInto turns next into an approved request inside tx, its access
// ending at end (days is the period the trail records), and queues the
// requester's email with their access link.
func (s *Service) approveInto(ctx context.Context, tx *Tx, next *Request, actor string, end time.Time, days int, c Client, why string) error {
	if err := transition(next, Approve); err != nil {
		return err
	}
	next.DecidedAt = s.now()
	next.DecidedBy = actor
	return s.grantInto(ctx, tx, next, actor, end, days, c, "request.approved", why)
}

// grantInto gives next a new grant ending at end inside tx, records it as
// an event of type typ, and queues the requester's email with their access
// link.
func (s *Service) grantInto(ctx context.Context, tx *Tx, next *Request, actor string, end time.Time, days int, c Client, typ, why string) error {
	// The mail names the documents by title.
	docs, err := s.store.ListDocuments(ctx)
	if err != nil {
		return err
	}
	next.GrantID = s.newID("gnt_")
	next.ExpiresAt = end
	link, err := s.accessLink(*next)
	if err != nil {
		return err
	}
	status, err := s.statusURL(*next)
	if err != nil {
		return err
	}
	detail := fmt.Sprintf("grant=%s days=%d", next.GrantID, days)
	if why != "" {
		detail += " " + why
	}
	tx.Events = append(tx.Events, s.event(next.ID, typ, actor, detail, c))
	tx.Mails = append(tx.Mails, s.mail(next.Email, next.Lang, "mail.approved", quoted(next.Name), s.cfg.Company,
		titleList(next.Documents, docs), mailTime(next.Lang, next.ExpiresAt), link, status))
	return nil
}

// SignOut ends the session whose cookie carries id.
func (s *Service) SignOut(ctx context.Context, id string) error {
	err := s.store.DeleteSession(ctx, SessionKey(id))
	if ErrorCode(err) == ENotFound {
		return nil
	}
	return err
}

// Requests lists one page of the queue for a status.
func (s *Service) Requests(ctx context.Context, status Status, cursor string) ([]Request, string, error) {
	if !slices.Contains(Statuses, status) {
		return nil, "", errorMsg(EInvalid, msg("error.unknown_status", string(status)))
	}
	return s.store.ListRequests(ctx, status, cursor, 50)
}

// Request returns a request and its audit trail.
func (s *Service) Request(ctx context.Context, id string) (Request, []Event, error) {
	r, err := s.store.GetRequest(ctx, id)
	if err != nil {
		return Request{}, nil, err
	}
	events, err := s.store.ListEvents(ctx, id)
	return r, events, err
}

// decide applies one staff decision to a request, with a conditional
// write so that concurrent decisions cannot both land. by must be allowed
// to take action, and the lifecycle must allow it from the request's
// status; change fills in the rest.
func (s *Service) decide(ctx context.Context, by Session, id string, action Action, change func(tx *Tx, next *Request) error) (Request, error) {
	if err := authorize(by, action); err != nil {
		return Request{}, err
	}
	r, err := s.store.GetRequest(ctx, id)
	if err != nil {
		return Request{}, err
	}
	next := r
	tx := Tx{Request: &next, IfVersion: r.Version}
	if err := change(&tx, &next); err != nil {
		return Request{}, err
	}
	if err := s.commit(ctx, tx); err != nil {
		if ErrorCode(err) == EConflict {
			if cur, gerr := s.store.GetRequest(ctx, id); gerr == nil {
				return Request{}, stateConflict(cur)
			}
		}
		return Request{}, fmt.Errorf("%s %s: %w", action, id, err)
	}
	next.Version = r.Version + 1
	return next, nil
}

// Approve grants a pending request for days and emails the requester
// their access link.
func (s *Service) Approve(ctx context.Context, by Session, id string, days int, c Client) (Request, error) {
	return s.ApproveWith(ctx, by, id, Approval{Days: days}, c)
}

// Deny refuses a pending request and tells the requester why.
func (s *Service) Deny(ctx context.Context, by Session, id, reason string, c Client) (Request, error) {
	return s.DenyWith(ctx, by, id, reason, "", c)
}

// Grant is what a requester's access page shows: the request and a
// download link token per document; or, while the NDA in effect is not
// agreed for this grant (a major version since, an acceptance relied on
// that was not found, staff asking for the click-through), that version to
// accept first, and no links.
type Grant struct {
	Request   Request
	Documents []Document
	Links     map[string]string // document id → download token
	AcceptNDA *NDAVersion
}

// grant resolves a link's claims to a request whose grant allows use now.
func (s *Service) grant(ctx context.Context, claims Claims) (Request, error) {
	r, err := s.store.GetRequest(ctx, claims.Request)
	if ErrorCode(err) == ENotFound {
		return Request{}, invalidLink()
	}
	if err != nil {
		return Request{}, err
	}
	if r.GrantID == "" || r.GrantID != claims.Grant {
		return Request{}, invalidLink()
	}
	switch {
	case r.Status == Revoked:
		return Request{}, errorMsg(EForbidden, msg("error.revoked"))
	case r.Status != Approved:
		return Request{}, invalidLink()
	case !r.Active(s.now()):
		return Request{}, errorMsg(EGone, msg("error.expired"))
	}
	return r, nil
}

// AccessPage opens a requester's access page.
func (s *Service) AccessPage(ctx context.Context, tok string) (Grant, error) {
	now := s.now()
	claims, err := s.parse(AccessLink, tok, now)
	if err != nil {
		return Grant{}, err
	}
	r, err := s.grant(ctx, claims)
	if err != nil {
		return Grant{}, err
	}
	// One query for the few documents there are, rather than a read per
	// granted document.
	docs, err := s.store.ListDocuments(ctx)
	if err != nil {
		return Grant{}, fmt.Errorf("access page %s: %w", r.ID, err)
	}
	g := Grant{Request: r, Links: map[string]string{}}
	cur, pending, err := s.NDAPending(ctx, r)
	if err != nil {
		return Grant{}, err
	}
	if pending {
		g.AcceptNDA = &cur
	}
	for _, id := range r.Documents {
		i := slices.IndexFunc(docs, func(d Document) bool { return d.ID == id })
		if i < 0 {
			return Grant{}, fmt.Errorf("access page %s: document %s: %w", r.ID, id, Errorf(ENotFound, "The document was not found."))
		}
		d := docs[i]
		link, err := s.signer.Sign(DownloadLink, Claims{Request: r.ID, Grant: r.GrantID, Document: id, ExpiresAt: r.ExpiresAt.Add(grantLinkGrace)}, now)
		if err != nil {
			return Grant{}, err
		}
		g.Documents = append(g.Documents, d)
		if !pending {
			g.Links[id] = link
		}
	}
	return g, nil
}

// Download checks a download link against the grant as it stands now,
// records the download, and returns the document as this recipient gets
// it: for a gated document, BlobKey, Size and SHA256 are those of their
// stamped copy (made on the grant's first download of this version, kept
// and served again after).
func (s *Service) Download(ctx context.Context, tok string, c Client) (Document, error) {
	r, d, err := s.CheckDownload(ctx, tok)
	if err != nil {
		return Document{}, err
	}
	detail := fmt.Sprintf("document=%s version=%d sha256=%s ua=%s", d.ID, d.Version, d.SHA256, truncate(c.UserAgent, 200))
	e := s.event(r.ID, "document.downloaded", r.Email, detail, c)
	if d.Access != Public {
		cp, err := s.copyFor(ctx, r, d, c)
		if err != nil {
			return Document{}, err
		}
		d.BlobKey, d.Size, d.SHA256 = cp.BlobKey, cp.Size, cp.SHA256
		e.Watermark = cp.WatermarkID
	}
	if err := s.commit(ctx, Tx{Events: []Event{e}, DownloadBy: r.Email}); err != nil {
		return Document{}, fmt.Errorf("record download: %w", err)
	}
	return d, nil
}

// CheckDownload answers whether a download link works now, as Download
// would, without making a copy or recording anything: for HEAD, which
// asks about a file without taking it.
func (s *Service) CheckDownload(ctx context.Context, tok string) (Request, Document, error) {
	claims, err := s.parse(DownloadLink, tok, s.now())
	if err != nil {
		return Request{}, Document{}, err
	}
	r, err := s.grant(ctx, claims)
	if err != nil {
		return Request{}, Document{}, err
	}
	if !slices.Contains(r.Documents, claims.Document) {
		return Request{}, Document{}, invalidLink()
	}
	if _, pending, err := s.NDAPending(ctx, r); err != nil {
		return Request{}, Document{}, err
	} else if pending {
		return Request{}, Document{}, errorMsg(EForbidden, msg("error.nda_required"))
	}
	d, err := s.store.GetDocument(ctx, claims.Document)
	if err != nil {
		return Request{}, Document{}, err
	}
	return r, d, nil
}

// PublicDocument returns a public document and counts the download (see
// downloads.go): the visitor is anonymous, so nothing about them is kept.
// A gated document is refused with EForbidden, carrying the document so the
// caller can point to the request form.
func (s *Service) PublicDocument(ctx context.Context, id string, _ Client) (Document, error) {
	d, err := s.CheckPublicDocument(ctx, id)
	if err != nil {
		return d, err
	}
	if err := s.store.CountDownload(ctx, d.ID, s.now()); err != nil {
		// A count lost costs a statistic; refusing would cost the
		// visitor the report.
		s.log.Error("count download", "document", d.ID, "err", err)
	}
	return d, nil
}

// CheckPublicDocument answers as PublicDocument does without counting: for
// a HEAD request, which takes no file.
func (s *Service) CheckPublicDocument(ctx context.Context, id string) (Document, error) {
	d, err := s.store.GetDocument(ctx, id)
	if err != nil {
		return Document{}, err
	}
	if d.Access != Public {
		return d, errorMsg(EForbidden, msg("error.confidential"))
	}
	return d, nil
}

// parse checks a link for purpose. Every refusal is the same invalid link
// to the caller; a function without a signer says so instead.
func (s *Service) parse(purpose Purpose, tok string, now time.Time) (Claims, error) {
	claims, err := s.signer.Parse(purpose, tok, now)
	if errors.Is(err, ErrNoEngine) {
		return Claims{}, err
	}
	if err != nil {
		return Claims{}, invalidLink()
	}
	return claims, nil
}

func invalidLink() error {
	return errorMsg(EForbidden, msg("error.invalid_link"))
}

// MaxFileSize bounds an uploaded report. It is a whole number of MB, the
// unit the refusal states it in.
const MaxFileSize = 50 << 20

// Publish stores pdf as the next version of document d at once, without
// the review an upload gets: it is how a fresh local server seeds its
// sample reports. The file is stored first, under a name of its own, then
// the record, so a failure never leaves a record pointing at a missing
// file.
func (s *Service) Publish(ctx context.Context, by Session, d Document, pdf []byte, c Client) (Document, error) {
	if err := authorize(by, Publish); err != nil {
		return Document{}, err
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		m := msg("error.not_pdf")
		return Document{}, invalid(m, map[string]Msg{"file": m})
	}
	if len(pdf) > MaxFileSize {
		m := msg("error.file_too_large", MaxFileSize>>20)
		return Document{}, invalid(m, map[string]Msg{"file": m})
	}
	if cur, err := s.store.GetDocument(ctx, d.ID); err == nil {
		d.Version, d.History, d.SHA256, d.Size, d.BlobKey, d.UpdatedAt = cur.Version, cur.History, cur.SHA256, cur.Size, cur.BlobKey, cur.UpdatedAt
	} else if ErrorCode(err) != ENotFound {
		return Document{}, err
	}
	sum := sha256.Sum256(pdf)
	v := Version{Version: d.Version + 1, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(pdf)), By: by.Email, At: s.now()}
	if s.inspector != nil {
		info, err := s.inspector.Inspect(pdf)
		if err != nil {
			return Document{}, fmt.Errorf("publish %s: %w", d.ID, err)
		}
		v.Pages = info.Pages
	}
	v.BlobKey = fmt.Sprintf("%s%s/v%d-%s.pdf", ReportsPrefix, d.ID, v.Version, v.SHA256[:12])
	if err := s.blobs.Put(ctx, v.BlobKey, bytes.NewReader(pdf), v.Size, "application/pdf"); err != nil {
		return Document{}, fmt.Errorf("publish %s: %w", d.ID, err)
	}
	detail := fmt.Sprintf("version=%d sha256=%s size=%d", v.Version, v.SHA256, v.Size)
	return s.commitVersion(ctx, d, v, Tx{Events: []Event{s.event("doc:"+d.ID, "document.published", by.Email, detail, c)}})
}

// presignTTL is how long a direct link to a file lives: just long enough
// for the browser to follow the redirect.
const presignTTL = 60 * time.Second

// File is how a document reaches the client: a short-lived direct link to
// the file (URL), or its bytes (Body, which the caller closes).
type File struct {
	URL  string
	Body io.ReadCloser
}

// Open hands out d's file, checked by Download or PublicDocument first: a
// direct link where the function has a link engine (S3), else a stream
// from the blob engine.
func (s *Service) Open(ctx context.Context, d Document) (File, error) {
	if s.links != nil {
		u, err := s.links.PresignGet(ctx, d.BlobKey, d.FileName, presignTTL)
		if err != nil {
			return File{}, fmt.Errorf("open %s: %w", d.ID, err)
		}
		return File{URL: u}, nil
	}
	body, err := s.blobs.Open(ctx, d.BlobKey)
	if err != nil {
		return File{}, fmt.Errorf("open %s: %w", d.ID, err)
	}
	return File{Body: body}, nil
}

// Attester signs what the trust center publishes, so a reader can check a
// copy came from it (shared/token: a detached JWS, and the public keys as a
// JWKS). Its keys are not the link signer's.
type Attester interface {
	SignDetached(payload []byte) (string, error)
	JWKS() ([]byte, error)
}

type noAttester struct{}

func (noAttester) SignDetached([]byte) (string, error) {
	return "", noEngine("attester", "SignDetached")
}
func (noAttester) JWKS() ([]byte, error) { return nil, noEngine("attester", "JWKS") }

// Attest is a detached signature over payload, exactly as published.
func (s *Service) Attest(payload []byte) (string, error) { return s.attester.SignDetached(payload) }

// PublicKeys is the JWKS of the keys Attest signs with, old ones included.
func (s *Service) PublicKeys() ([]byte, error) { return s.attester.JWKS() }
