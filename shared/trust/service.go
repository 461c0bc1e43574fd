package trust

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"trustcenter/shared/token"
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
// interfaces. Every Lambda function and the local server build one; each
// function only calls the methods its routes need, and its IAM role only
// allows the engine calls those methods make.
type Service struct {
	Store Store
	Blobs Blobs
	// Links, when set, hands downloads out as short-lived direct links
	// (S3) instead of streaming the file from Blobs.
	Links   Presigner
	Mail    Mailer
	Tokens  *token.Tokens
	Now     func() time.Time
	Log     *slog.Logger
	BaseURL string // no trailing slash; links in emails start with it
	Company string // shown in email subjects; ours, never the requester's
	Staff   []Staff
	NDA     NDA
	// AutoApprove lists email domains of known customers whose confirmed
	// requests are approved without waiting for a person.
	AutoApprove []string
	// Translate renders a catalog message in a language (i18n.T); emails
	// to a requester are written in the language they used the form in.
	Translate func(lang, key string, args ...any) string

	// lastRetry is when this process last looked for undelivered mail
	// (unix seconds); see commit.
	lastRetry atomic.Int64
	// retrying is held while RetryMail runs: a retry that finds another
	// under way (the local server's ticker, a commit's) leaves it the work
	// rather than sending the same mails twice.
	retrying sync.Mutex
}

// staffLang is the language of mail to staff, who have no stated preference.
const staffLang = "en"

// retryEvery is how often a process that commits also delivers mail left
// over from earlier failures. Lambda functions have no timer of their own,
// so the next state changes carry the retry.
const retryEvery = 5 * time.Minute

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// Client is what the service records about the person behind a call.
type Client struct {
	IP        string
	UserAgent string
}

// commit writes tx and then delivers the mails it queued. A failed delivery
// leaves the mail in the outbox for RetryMail (unless the mail engine refused
// it for good; see deliver); the state change stands.
func (s *Service) commit(ctx context.Context, tx Tx) error {
	if err := s.Store.Commit(ctx, tx); err != nil {
		return err
	}
	for _, m := range tx.Mails {
		s.deliver(ctx, m)
	}
	now := s.now().Unix()
	if last := s.lastRetry.Load(); now-last >= int64(retryEvery/time.Second) && s.lastRetry.CompareAndSwap(last, now) {
		if err := s.RetryMail(ctx); err != nil {
			s.log().Error("retry mail", "err", err)
		}
	}
	return nil
}

// deliver sends m and takes it out of the outbox. A mail engine answers
// EInvalid for a mail it will never deliver, whatever the number of tries
// (an address or a message the provider refuses); any other failure may pass
// later. A mail refused for good leaves the outbox too: PendingMails hands
// out the oldest first, so enough of them kept there would hold back every
// mail queued after them. The log keeps the mail id and the reason.
func (s *Service) deliver(ctx context.Context, m Mail) {
	if err := s.Mail.Send(ctx, m); err != nil {
		if ErrorCode(err) != EInvalid {
			s.log().Error("mail delivery failed; left in outbox", "mail", m.ID, "err", err)
			return
		}
		s.log().Error("mail refused for good; taken out of the outbox unsent", "mail", m.ID, "reason", err)
	}
	if err := s.Store.MarkMailSent(ctx, m.ID); err != nil {
		s.log().Error("mark mail sent", "mail", m.ID, "err", err)
	}
}

// RetryMail delivers outbox mails older than a minute, for deliveries that
// failed after their state change committed. A mail refused for good is
// marked done, so it is not offered again.
func (s *Service) RetryMail(ctx context.Context) error {
	if !s.retrying.TryLock() {
		return nil
	}
	defer s.retrying.Unlock()
	mails, err := s.Store.PendingMails(ctx, 50)
	if err != nil {
		return err
	}
	for _, m := range mails {
		if s.now().Sub(m.CreatedAt) >= time.Minute {
			s.deliver(ctx, m)
		}
	}
	return nil
}

func (s *Service) newID(prefix string) string { return prefix + token.RandomID(12) }

func (s *Service) event(subject, typ, actor, detail string, c Client) Event {
	return Event{ID: s.newID("evt_"), Subject: subject, Type: typ, Actor: actor, At: s.now(), Detail: detail, IP: c.IP}
}

func (s *Service) mail(to, lang, key string, args ...any) Mail {
	return Mail{ID: s.newID("mail_"), To: to, Subject: s.text(lang, key+".subject") + " — " + s.Company,
		Text: s.text(lang, key+".body", args...), CreatedAt: s.now()}
}

// text is a catalog message in lang, through Translate when the service
// has one, else in the domain's own English.
func (s *Service) text(lang, key string, args ...any) string {
	if s.Translate != nil {
		return s.Translate(lang, key, args...)
	}
	return Msg{Key: key, Args: args}.english()
}

func (s *Service) link(path string) string { return s.BaseURL + path }

// Documents lists every document, public and gated.
func (s *Service) Documents(ctx context.Context) ([]Document, error) {
	return s.Store.ListDocuments(ctx)
}

// Submit records a new access request with its NDA acceptance and emails
// the requester a link that confirms their address.
func (s *Service) Submit(ctx context.Context, in RequestInput, c Client) (Request, error) {
	in.normalize()
	docs, err := s.Store.ListDocuments(ctx)
	if err != nil {
		return Request{}, err
	}
	if err := in.Validate(docs, s.NDA); err != nil {
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
		NDA: Acceptance{
			Version:    s.NDA.Version,
			TextSHA256: s.NDA.Hash(),
			Signature:  in.NDASignature,
			AcceptedAt: now,
			IP:         c.IP,
			UserAgent:  truncate(c.UserAgent, 512),
		},
	}
	tok, err := s.Tokens.Sign(token.Confirm, token.Claims{Request: r.ID}, now.Add(ConfirmTTL))
	if err != nil {
		return Request{}, err
	}
	tx := Tx{
		Request: &r,
		Events: []Event{
			s.event(r.ID, "request.submitted", r.Email, "documents="+strings.Join(r.Documents, ","), c),
			s.event(r.ID, "nda.accepted", r.Email, "version="+r.NDA.Version+" sha256="+r.NDA.TextSHA256, c),
		},
		Mails: []Mail{s.mail(r.Email, r.Lang, "mail.confirm", quoted(r.Name), r.Email, s.Company, int(ConfirmTTL/time.Hour),
			s.link("/access-requests/confirm/"+tok))},
	}
	if err := s.commit(ctx, tx); err != nil {
		return Request{}, fmt.Errorf("submit request: %w", err)
	}
	r.Version = 1
	return r, nil
}

// Confirm consumes a confirmation link: the request becomes pending and
// every approver is emailed, or a rule approves it at once. Opening the link
// again shows where the request stands instead of failing.
func (s *Service) Confirm(ctx context.Context, tok string, c Client) (Request, error) {
	claims, err := s.Tokens.Parse(token.Confirm, tok)
	if err != nil {
		return Request{}, invalidLink()
	}
	r, err := s.Store.GetRequest(ctx, claims.Request)
	if err != nil {
		if ErrorCode(err) == ENotFound {
			return Request{}, invalidLink()
		}
		return Request{}, err
	}
	if r.Status != Unconfirmed {
		return r, nil
	}
	now := s.now()
	next := r
	next.Status = Pending
	next.ConfirmedAt = now
	tx := Tx{
		Request:   &next,
		IfVersion: r.Version,
		Uses:      []Use{{ID: claims.ID, ExpiresAt: claims.ExpiresAt.Time}},
		Events:    []Event{s.event(r.ID, "email.confirmed", r.Email, "", c)},
	}
	if rule := s.autoApproveRule(r.Email); rule != "" {
		if err := s.approveInto(&tx, &next, "rule:"+rule, DefaultDays, c); err != nil {
			return Request{}, err
		}
	} else {
		for _, st := range s.Staff {
			tx.Mails = append(tx.Mails, s.mail(st.Email, staffLang, "mail.pending", quoted(r.Name), r.Email, quoted(r.Company),
				strings.Join(r.Documents, ", "), r.NDA.Version, s.link("/admin/requests/"+r.ID)))
		}
	}
	if err := s.commit(ctx, tx); err != nil {
		if ErrorCode(err) == EConflict {
			// Someone else consumed the link or moved the request first.
			if cur, gerr := s.Store.GetRequest(ctx, r.ID); gerr == nil && cur.Status != Unconfirmed {
				return cur, nil
			}
			return Request{}, invalidLink()
		}
		return Request{}, fmt.Errorf("confirm %s: %w", r.ID, err)
	}
	next.Version = r.Version + 1
	return next, nil
}

func (s *Service) autoApproveRule(email string) string {
	domain := emailDomain(email)
	for _, d := range s.AutoApprove {
		if asciiDomain(strings.TrimSpace(d)) == domain {
			return "customer-domain:" + domain
		}
	}
	return ""
}

// approveInto turns next into an approved request inside tx and queues the
// requester's email with their access link.
func (s *Service) approveInto(tx *Tx, next *Request, actor string, days int, c Client) error {
	now := s.now()
	next.Status = Approved
	next.DecidedAt = now
	next.DecidedBy = actor
	next.GrantID = s.newID("gnt_")
	next.ExpiresAt = now.AddDate(0, 0, days)
	tok, err := s.Tokens.Sign(token.Access, token.Claims{Request: next.ID, Grant: next.GrantID}, next.ExpiresAt.Add(grantLinkGrace))
	if err != nil {
		return err
	}
	tx.Events = append(tx.Events, s.event(next.ID, "request.approved", actor, fmt.Sprintf("grant=%s days=%d", next.GrantID, days), c))
	tx.Mails = append(tx.Mails, s.mail(next.Email, next.Lang, "mail.approved", quoted(next.Name), s.Company,
		next.ExpiresAt.Format("2006-01-02 15:04"), s.link("/access/"+tok)))
	return nil
}

// SignOut ends a session.
func (s *Service) SignOut(ctx context.Context, id string) error {
	err := s.Store.DeleteSession(ctx, id)
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
	return s.Store.ListRequests(ctx, status, cursor, 50)
}

// Request returns a request and its audit trail.
func (s *Service) Request(ctx context.Context, id string) (Request, []Event, error) {
	r, err := s.Store.GetRequest(ctx, id)
	if err != nil {
		return Request{}, nil, err
	}
	events, err := s.Store.ListEvents(ctx, id)
	return r, events, err
}

// decide applies one staff decision to a request in the from status, with
// a conditional write so that concurrent decisions cannot both land.
func (s *Service) decide(ctx context.Context, id string, from Status, change func(tx *Tx, next *Request) error) (Request, error) {
	r, err := s.Store.GetRequest(ctx, id)
	if err != nil {
		return Request{}, err
	}
	if r.Status != from {
		return Request{}, stateConflict(r)
	}
	next := r
	tx := Tx{Request: &next, IfVersion: r.Version}
	if err := change(&tx, &next); err != nil {
		return Request{}, err
	}
	if err := s.commit(ctx, tx); err != nil {
		if ErrorCode(err) == EConflict {
			if cur, gerr := s.Store.GetRequest(ctx, id); gerr == nil {
				return Request{}, stateConflict(cur)
			}
		}
		return Request{}, fmt.Errorf("decide %s: %w", id, err)
	}
	next.Version = r.Version + 1
	return next, nil
}

func stateConflict(r Request) error {
	return errorMsg(EConflict, msg("error.state_conflict", r.Status))
}

// Approve grants a pending request for days and emails the requester
// their access link.
func (s *Service) Approve(ctx context.Context, by Session, id string, days int, c Client) (Request, error) {
	if days < 1 || days > MaxDays {
		m := msg("error.days_range", MaxDays)
		return Request{}, invalid(m, map[string]Msg{"days": m})
	}
	return s.decide(ctx, id, Pending, func(tx *Tx, next *Request) error {
		return s.approveInto(tx, next, by.Email, days, c)
	})
}

// Deny refuses a pending request and tells the requester why.
func (s *Service) Deny(ctx context.Context, by Session, id, reason string, c Client) (Request, error) {
	reason = strings.TrimSpace(reason)
	if m := checkLength("reason", reason, MaxReason, true); m.Key != "" {
		return Request{}, invalid(m, map[string]Msg{"reason": m})
	}
	return s.decide(ctx, id, Pending, func(tx *Tx, next *Request) error {
		next.Status = Denied
		next.DecidedAt = s.now()
		next.DecidedBy = by.Email
		next.DenyReason = reason
		tx.Events = append(tx.Events, s.event(next.ID, "request.denied", by.Email, reason, c))
		tx.Mails = append(tx.Mails, s.mail(next.Email, next.Lang, "mail.denied", quoted(next.Name), s.Company, quotedBlock(reason), s.Company))
		return nil
	})
}

// Revoke ends an approved request's grant at once: every link minted for
// it is refused from the next use on, because each use re-reads the grant.
func (s *Service) Revoke(ctx context.Context, by Session, id string, c Client) (Request, error) {
	return s.decide(ctx, id, Approved, func(tx *Tx, next *Request) error {
		next.Status = Revoked
		next.RevokedAt = s.now()
		next.RevokedBy = by.Email
		tx.Events = append(tx.Events, s.event(next.ID, "grant.revoked", by.Email, "grant="+next.GrantID, c))
		return nil
	})
}

// Grant is what a requester's access page shows: the request and a
// download link token per document.
type Grant struct {
	Request   Request
	Documents []Document
	Links     map[string]string // document id → download token
}

// grant resolves a link's claims to a request whose grant allows use now.
func (s *Service) grant(ctx context.Context, claims token.Claims) (Request, error) {
	r, err := s.Store.GetRequest(ctx, claims.Request)
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
	claims, err := s.Tokens.Parse(token.Access, tok)
	if err != nil {
		return Grant{}, invalidLink()
	}
	r, err := s.grant(ctx, claims)
	if err != nil {
		return Grant{}, err
	}
	// One query for the few documents there are, rather than a read per
	// granted document.
	docs, err := s.Store.ListDocuments(ctx)
	if err != nil {
		return Grant{}, fmt.Errorf("access page %s: %w", r.ID, err)
	}
	g := Grant{Request: r, Links: map[string]string{}}
	for _, id := range r.Documents {
		i := slices.IndexFunc(docs, func(d Document) bool { return d.ID == id })
		if i < 0 {
			return Grant{}, fmt.Errorf("access page %s: document %s: %w", r.ID, id, Errorf(ENotFound, "The document was not found."))
		}
		d := docs[i]
		link, err := s.Tokens.Sign(token.Download, token.Claims{Request: r.ID, Grant: r.GrantID, Document: id}, r.ExpiresAt.Add(grantLinkGrace))
		if err != nil {
			return Grant{}, err
		}
		g.Documents = append(g.Documents, d)
		g.Links[id] = link
	}
	return g, nil
}

// Download checks a download link against the grant as it stands now,
// records the download, and returns the document to serve.
func (s *Service) Download(ctx context.Context, tok string, c Client) (Document, error) {
	claims, err := s.Tokens.Parse(token.Download, tok)
	if err != nil {
		return Document{}, invalidLink()
	}
	r, err := s.grant(ctx, claims)
	if err != nil {
		return Document{}, err
	}
	if !slices.Contains(r.Documents, claims.Document) {
		return Document{}, invalidLink()
	}
	d, err := s.Store.GetDocument(ctx, claims.Document)
	if err != nil {
		return Document{}, err
	}
	detail := fmt.Sprintf("document=%s version=%d sha256=%s ua=%s", d.ID, d.Version, d.SHA256, truncate(c.UserAgent, 200))
	if err := s.Store.Commit(ctx, Tx{Events: []Event{s.event(r.ID, "document.downloaded", r.Email, detail, c)}}); err != nil {
		return Document{}, fmt.Errorf("record download: %w", err)
	}
	return d, nil
}

// PublicDocument returns a public document and records the download. A
// gated document is refused with EForbidden, carrying the document so the
// caller can point to the request form.
func (s *Service) PublicDocument(ctx context.Context, id string, c Client) (Document, error) {
	d, err := s.Store.GetDocument(ctx, id)
	if err != nil {
		return Document{}, err
	}
	if d.Access != Public {
		return d, errorMsg(EForbidden, msg("error.confidential"))
	}
	detail := fmt.Sprintf("version=%d", d.Version)
	if err := s.Store.Commit(ctx, Tx{Events: []Event{s.event("doc:"+d.ID, "document.downloaded", "public", detail, c)}}); err != nil {
		return Document{}, fmt.Errorf("record download: %w", err)
	}
	return d, nil
}

func invalidLink() error {
	return errorMsg(EForbidden, msg("error.invalid_link"))
}

// MaxFileSize bounds an uploaded report. It is a whole number of MB, the
// unit the refusal states it in.
const MaxFileSize = 50 << 20

// Publish stores pdf as the next version of document d: the file first,
// under a name of its own, then the record, so a failure never leaves a
// record pointing at a missing file. Links already sent serve the new
// version from then on.
func (s *Service) Publish(ctx context.Context, d Document, pdf []byte, actor string, c Client) (Document, error) {
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		m := msg("error.not_pdf")
		return Document{}, invalid(m, map[string]Msg{"file": m})
	}
	if len(pdf) > MaxFileSize {
		m := msg("error.file_too_large", MaxFileSize>>20)
		return Document{}, invalid(m, map[string]Msg{"file": m})
	}
	if cur, err := s.Store.GetDocument(ctx, d.ID); err == nil {
		d.Version = cur.Version
	} else if ErrorCode(err) != ENotFound {
		return Document{}, err
	}
	sum := sha256.Sum256(pdf)
	d.SHA256 = hex.EncodeToString(sum[:])
	d.Size = int64(len(pdf))
	d.Version++
	d.UpdatedAt = s.now()
	d.BlobKey = fmt.Sprintf("reports/%s/v%d-%s.pdf", d.ID, d.Version, d.SHA256[:12])
	if err := s.Blobs.Put(ctx, d.BlobKey, bytes.NewReader(pdf), d.Size, "application/pdf"); err != nil {
		return Document{}, fmt.Errorf("publish %s: %w", d.ID, err)
	}
	detail := fmt.Sprintf("version=%d sha256=%s size=%d", d.Version, d.SHA256, d.Size)
	err := s.Store.Commit(ctx, Tx{Document: &d, Events: []Event{s.event("doc:"+d.ID, "document.published", actor, detail, c)}})
	if err != nil {
		return Document{}, fmt.Errorf("publish %s: %w", d.ID, err)
	}
	return d, nil
}
