package trust

import (
	"context"
	"errors"
	"io"
	"time"
)

// Tx is one atomic write: every part lands, or none does. A state change,
// the events it records, the mails it causes and the tokens it consumes are
// written together, so a failure leaves nothing half done.
type Tx struct {
	// Request, if set, is written. IfVersion is the version the caller read:
	// the stored request must still have it (0: the request must not exist).
	// The engine stores Request with Version = IfVersion+1.
	Request   *Request
	IfVersion int64
	// Uses are single-use token ids; each must not have been used before.
	Uses []Use
	// Session, if set, is created.
	Session *Session
	// Document, if set, is written as a new version: the stored document
	// must have Version-1 (none at all when Version is 1), so two uploads
	// at once cannot both claim a version. It is the only way a document
	// is written.
	Document *Document
	// Rules, if set, is written as the new rule set, on the same terms as
	// Document: the stored set must have Version-1 (none when 1).
	Rules *RuleSet
	// Events are added to their subjects' trails; an event is known by
	// its subject, time and id together.
	Events []Event
	// Mails are queued for sending, each under an id not seen before.
	Mails []Mail
	// Copy, if set, is a new stamped copy: its watermark ID and its
	// (grant, document, version) must both be unused, so two first
	// downloads at once cannot both keep a copy.
	Copy *Copy

	// NDAs are new NDA versions, in order: their Seq must follow the
	// newest stored one's without a gap (1 for the first), so two admins
	// publishing at once cannot both take a number.
	NDAs []NDAVersion
	// Acceptances replace the latest acceptance recorded per address.
	Acceptances []EmailAcceptance

	// Erasure (erasure.go) rewrites what is stored instead of adding to
	// it. ReplaceEvents replace stored events, known by subject, time and
	// id; ReplaceCopies replace stored copies, known by grant, document
	// and version (their watermark IDs unchanged): either one not stored
	// is EConflict. ForgetAcceptances deletes the acceptances recorded
	// for these addresses (none recorded is not an error).
	ReplaceEvents     []Event
	ReplaceCopies     []Copy
	ForgetAcceptances []string
	// ErasedEmail, with an erased Request (ErasedAt set), is the address
	// the request was filed under for PriorRequests before its erasure:
	// its filings under that address and that address's domain are
	// removed, and an erased request is filed under nothing.
	ErasedEmail string
	// Subscriptions (subscriptions.go). Subscriber is written whole, over
	// any stored one of the same address; EraseSubscriber deletes the one
	// at that address, if any. Announced is written as Rules are: version 1
	// only where none is stored, version n only over n-1.
	Subscriber      *Subscriber
	EraseSubscriber string
	Announced       *Announced
	// DownloadBy, if set, is the address of the requester whose download
	// tx records: the engine counts it on their account (Account).
	DownloadBy string
}

// SentMailRetention is how long a store remembers a sent mail (at least its
// id) after MarkMailSent before it may forget it: long enough to answer "did
// we send it?" and to refuse the id again, short enough not to keep links
// and addresses around for good.
const SentMailRetention = 30 * 24 * time.Hour

// Store keeps the trust center's state. Engines: the embedded bbolt file and
// DynamoDB; both pass the contract suite in package storetest, which checks
// every rule written here.
//
// Errors: a failed condition is EConflict; a missing item is ENotFound; an
// argument no engine could act on (an unknown status, a page size or window
// that is not positive, a cursor from elsewhere) is EInvalid; an engine
// failure (throttling, timeouts, unavailability) is EUnavailable.
type Store interface {
	// Commit writes tx atomically. Apart from Request and Document, which
	// carry their own version conditions, everything in tx must be new: a
	// token already used, a session id already taken, an event (subject,
	// time, id) already recorded or a mail id already queued or sent
	// within SentMailRetention is EConflict, and so is the same one twice
	// within tx. On EConflict nothing of tx lands and nothing stored is
	// replaced.
	Commit(ctx context.Context, tx Tx) error

	GetRequest(ctx context.Context, id string) (Request, error)
	// ListRequests returns requests of one status, newest first, at most
	// limit of them, after the opaque cursor; next is "" on the last page.
	// A status not in Statuses, a limit below 1, or a cursor that is
	// malformed or was handed out for another status is EInvalid.
	ListRequests(ctx context.Context, status Status, cursor string, limit int) (reqs []Request, next string, err error)
	// RequestsSince returns the requests of every status created at or
	// after since, newest first, at most limit of them (a bounded read of
	// the time-ordered status indexes, not a scan); a limit below 1 is
	// EInvalid.
	RequestsSince(ctx context.Context, since time.Time, limit int) ([]Request, error)
	// ListEvents returns a subject's events, oldest first.
	ListEvents(ctx context.Context, subject string) ([]Event, error)

	GetDocument(ctx context.Context, id string) (Document, error)
	ListDocuments(ctx context.Context) ([]Document, error)

	// GetRules returns the rule set; ENotFound before the first is written.
	GetRules(ctx context.Context) (RuleSet, error)

	GetSession(ctx context.Context, id string) (Session, error)
	// DeleteSession succeeds for an id that does not exist (any more):
	// signing out twice is not an error.
	DeleteSession(ctx context.Context, id string) error

	// PendingMails returns outbox mails neither sent nor undeliverable,
	// oldest (CreatedAt) first; a limit below 1 is EInvalid.
	PendingMails(ctx context.Context, limit int) ([]Mail, error)
	// GetMail returns a mail in any state; ENotFound for an unknown id. A
	// sent mail may come back with only its ID and State.
	GetMail(ctx context.Context, id string) (Mail, error)
	// SaveMailAttempt writes m's delivery state (State, Attempts,
	// NextAttemptAt, SendingAt, Lost, Reason) if the stored mail is still
	// pending with ifAttempts attempts, so of two senders only one claims an
	// attempt; otherwise EConflict, and ENotFound for an unknown id. m.State
	// is MailPending or MailUndeliverable (MarkMailSent records a sent
	// mail; anything else is EInvalid). An undeliverable mail leaves the
	// pending queue and is kept with its Reason for SentMailRetention; its
	// id is refused like a sent one's.
	SaveMailAttempt(ctx context.Context, m Mail, ifAttempts int) error
	// MarkMailSent takes a mail out of the outbox. An unknown id is
	// ENotFound; marking a mail that is already sent changes nothing and
	// succeeds, so a sender that crashed between sending and marking can
	// mark again.
	MarkMailSent(ctx context.Context, id string) error

	// CountDownload adds one to document doc's download counter for the
	// UTC day containing at. A counter may be forgotten
	// DownloadCountRetention after its day ends. An empty doc is EInvalid.
	CountDownload(ctx context.Context, doc string, at time.Time) error
	// DownloadCount returns doc's downloads counted on the UTC days from
	// the one containing first to the one containing last, both included.
	// last before first, or an empty doc, is EInvalid.
	DownloadCount(ctx context.Context, doc string, first, last time.Time) (int, error)
	// GetCopy returns the copy kept for one grant and document version;
	// ENotFound if none was made yet.
	GetCopy(ctx context.Context, grant, document string, version int) (Copy, error)
	// CopyByWatermark returns the copy stamped with a watermark ID.
	CopyByWatermark(ctx context.Context, id string) (Copy, error)
	// ListCopies returns every copy made for a grant (any order).
	ListCopies(ctx context.Context, grant string) ([]Copy, error)
	// Suppress records that sup.Address gets no more mail, replacing any
	// earlier record for it. An empty address is EInvalid.
	Suppress(ctx context.Context, sup Suppression) error
	// Suppressed returns the suppression of address (normalized, as
	// Suppress stored it); ENotFound when there is none.
	Suppressed(ctx context.Context, address string) (Suppression, error)

	// Hit counts one attempt against key in the fixed window that contains
	// now and returns the count so far in that window and the count of the
	// window just before it, which the service weighs into a sliding
	// window. Windows are aligned to the Unix epoch (now.Truncate(window)
	// starts the one containing now). A window that is not positive is
	// EInvalid.
	Hit(ctx context.Context, key string, window time.Duration, now time.Time) (Hits, error)

	// NDA versions and acceptances (nda.go).

	// ListNDAVersions returns every stored NDA version, oldest first
	// (none before the first publication).
	ListNDAVersions(ctx context.Context) ([]NDAVersion, error)
	// LastAcceptance returns the latest acceptance recorded for a
	// normalized address; ENotFound when there is none.
	LastAcceptance(ctx context.Context, email string) (EmailAcceptance, error)

	// A request's page (decide.go, flags.go).

	// PriorRequests returns the confirmed requests (any status but
	// Unconfirmed) whose address (ByEmail: the normalized address) or
	// domain (ByDomain: in ASCII, lower case) is value, newest first, at
	// most limit of them. Unconfirmed requests are left out: they may be
	// purged, and nobody vouched for their address. An unknown field, an
	// empty value or a limit below 1 is EInvalid.
	PriorRequests(ctx context.Context, by ContactField, value string, limit int) ([]Request, error)

	// Subscriptions (subscriptions.go): a subscriber by address (ENotFound
	// when none), every subscriber (any order; the announcer's one read of
	// the list), and what was announced last (ENotFound before the first
	// announcement).
	GetSubscriber(ctx context.Context, email string) (Subscriber, error)
	ListSubscribers(ctx context.Context) ([]Subscriber, error)
	GetAnnounced(ctx context.Context) (Announced, error)

	// --- Mail health (ops): one record, written by the mail scheduler.
	// SetMailHealth replaces it.
	SetMailHealth(ctx context.Context, h MailHealth) error
	// MailHealth returns it; ENotFound before the first SetMailHealth.
	MailHealth(ctx context.Context) (MailHealth, error)

	// ---- The console's queue and accounts (queue.go) ----
	// Commit keeps, with every request it writes, the per-status counters
	// (CountChange) and the account of the request's domain
	// (ApplyToAccount), and counts a DownloadBy on its account.

	// QueueCounts returns the tab counts: the counters, and the approved
	// ones split at now: the approved grants counted by the UTC day their
	// access ends (GrantDayChange, kept by Commit), and a keyed read of
	// today's grants, so the read is bounded by the days, not the grants.
	QueueCounts(ctx context.Context, now time.Time) (QueueCounts, error)
	// QueryRequests reads one page of an index (RequestQuery), at most
	// Limit requests, newest first unless Oldest; next is "" on the last
	// page. An unknown index or status, an empty domain, a limit below 1,
	// or a cursor that is malformed or from another index is EInvalid.
	QueryRequests(ctx context.Context, q RequestQuery) (reqs []Request, next string, err error)
	// ListAccounts returns accounts, latest activity first, at most limit,
	// after the opaque cursor.
	ListAccounts(ctx context.Context, cursor string, limit int) (accts []Account, next string, err error)
	// GetAccount returns one domain's account; ENotFound when it has none.
	GetAccount(ctx context.Context, domain string) (Account, error)
}

// Hits are the attempts a Store counted against one key.
type Hits struct {
	Current  int // in the window containing now, this attempt included
	Previous int // in the window before it
}

// Blobs keeps report files and stamped copies.
type Blobs interface {
	Put(ctx context.Context, key string, body io.Reader, size int64, contentType string) error
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Copy stores the file under from again under to, within the engine
	// (S3 CopyObject), as publishing an upload does. A missing from is
	// ENotFound.
	Copy(ctx context.Context, from, to string) error
	// Delete removes the file under key; a key with no file is not an
	// error, so a removal that failed half way can simply run again.
	Delete(ctx context.Context, key string) error
}

// Stamper makes recipients' copies and reads their watermark IDs back
// (package stamp). It is an engine rather than an import so that the
// functions that never stamp leave the PDF library out of their binaries.
type Stamper interface {
	// NewID is a fresh watermark ID.
	NewID() string
	// ParseID reads an ID as a person typed it; ok is false for anything
	// that cannot be one.
	ParseID(s string) (id string, ok bool)
	// Stamp returns a copy of pdf stamped on every page for to, dated
	// when, carrying id.
	Stamp(pdf []byte, to Recipient, when time.Time, id string) ([]byte, error)
	// FindID reads the watermark ID back from a copy: ErrNoWatermark for
	// a PDF that carries none, an EInvalid error saying why for a file
	// that cannot be read or carries several.
	FindID(pdf []byte) (string, error)
}

// Recipient is whom a copy is stamped for.
type Recipient struct {
	Name, Company, Email string
}

// ErrNoWatermark is a Stamper's answer for a PDF without a watermark ID.
var ErrNoWatermark = errors.New("trust: the PDF carries no watermark ID")

// Presigner is implemented by blob engines that can hand the client a
// short-lived direct link (S3) instead of streaming through the function.
type Presigner interface {
	PresignGet(ctx context.Context, key, fileName string, ttl time.Duration) (string, error)
}

// Mailer delivers one email.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// CheckTx is the argument check every engine runs before writing tx: each
// item names its id (and an event its subject), and nothing is written
// twice in one transaction. A missing id is EInvalid, as the Store
// interface says of arguments no engine could act on; an item twice is
// EConflict, like any other reuse. Engines call it first, so that they
// agree on these answers whatever their storage would have said.
func CheckTx(tx Tx) error {
	if r := tx.Request; r != nil {
		if r.ID == "" {
			return Errorf(EInvalid, "The request has no id.")
		}
		if tx.IfVersion < 0 {
			return Errorf(EInvalid, "The request version is invalid.")
		}
	}
	if d := tx.Document; d != nil && d.ID == "" {
		return Errorf(EInvalid, "The document has no id.")
	}
	if c := tx.Copy; c != nil && (c.WatermarkID == "" || c.Grant == "" || c.Document == "") {
		return Errorf(EInvalid, "The copy has no watermark ID, grant or document.")
	}
	if sub := tx.Subscriber; sub != nil && (sub.Email == "" || sub.Email == tx.EraseSubscriber) {
		return Errorf(EInvalid, "The subscriber has no address, or is written and erased in one step.")
	}
	if a := tx.Announced; a != nil && a.Version < 1 {
		return Errorf(EInvalid, "The announcement version is invalid.")
	}
	if rs := tx.Rules; rs != nil && rs.Version < 1 {
		return Errorf(EInvalid, "The rule set version is invalid.")
	}
	if s := tx.Session; s != nil && s.ID == "" {
		return Errorf(EInvalid, "The session has no id.")
	}
	for i, v := range tx.NDAs {
		if v.Seq < 1 || (i > 0 && v.Seq != tx.NDAs[i-1].Seq+1) {
			return Errorf(EInvalid, "The NDA versions are not numbered in order.")
		}
	}
	accs := map[string]bool{}
	for _, a := range tx.Acceptances {
		if a.Email == "" {
			return Errorf(EInvalid, "The acceptance has no address.")
		}
		if accs[a.Email] {
			return Errorf(EConflict, "The acceptance of %s is recorded twice in one step.", a.Email)
		}
		accs[a.Email] = true
	}
	for _, email := range tx.ForgetAcceptances {
		if email == "" || accs[email] {
			return Errorf(EConflict, "The acceptance of %s is written twice in one step.", email)
		}
		accs[email] = true
	}
	replaced := map[string]bool{}
	for _, e := range tx.ReplaceEvents {
		k := e.Subject + "\x00" + e.ID + "\x00" + e.At.UTC().String()
		if e.ID == "" || e.Subject == "" || replaced[k] {
			return Errorf(EConflict, "The event %s is rewritten twice in one step.", e.ID)
		}
		replaced[k] = true
	}
	uses := make(map[string]bool, len(tx.Uses))
	for _, u := range tx.Uses {
		if u.ID == "" {
			return Errorf(EInvalid, "The token has no id.")
		}
		if uses[u.ID] {
			return Errorf(EConflict, "The link %s is used twice in one step.", u.ID)
		}
		uses[u.ID] = true
	}
	type eventKey struct {
		subject, id string
		at          int64
	}
	events := make(map[eventKey]bool, len(tx.Events))
	for _, e := range tx.Events {
		if e.ID == "" || e.Subject == "" {
			return Errorf(EInvalid, "The event has no id or subject.")
		}
		k := eventKey{e.Subject, e.ID, e.At.UnixNano()}
		if events[k] {
			return Errorf(EConflict, "The event %s is recorded twice in one step.", e.ID)
		}
		events[k] = true
	}
	mails := make(map[string]bool, len(tx.Mails))
	for _, m := range tx.Mails {
		if m.ID == "" {
			return Errorf(EInvalid, "The mail has no id.")
		}
		if mails[m.ID] {
			return Errorf(EConflict, "The mail %s is queued twice in one step.", m.ID)
		}
		mails[m.ID] = true
	}
	return nil
}
