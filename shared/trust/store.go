package trust

import (
	"context"
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
	// Events are added to their subjects' trails; an event is known by
	// its subject, time and id together.
	Events []Event
	// Mails are queued for sending, each under an id not seen before.
	Mails []Mail
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
	// ListEvents returns a subject's events, oldest first.
	ListEvents(ctx context.Context, subject string) ([]Event, error)

	GetDocument(ctx context.Context, id string) (Document, error)
	ListDocuments(ctx context.Context) ([]Document, error)

	GetSession(ctx context.Context, id string) (Session, error)
	// DeleteSession succeeds for an id that does not exist (any more):
	// signing out twice is not an error.
	DeleteSession(ctx context.Context, id string) error

	// PendingMails returns outbox mails not yet marked sent, oldest first;
	// a limit below 1 is EInvalid.
	PendingMails(ctx context.Context, limit int) ([]Mail, error)
	// MarkMailSent takes a mail out of the outbox. An unknown id is
	// ENotFound; marking a mail that is already sent changes nothing and
	// succeeds, so a sender that crashed between sending and marking can
	// mark again.
	MarkMailSent(ctx context.Context, id string) error

	// Hit counts one attempt against key in the fixed window that contains
	// now and returns the count so far in that window and the count of the
	// window just before it, which the service weighs into a sliding
	// window. Windows are aligned to the Unix epoch (now.Truncate(window)
	// starts the one containing now). A window that is not positive is
	// EInvalid.
	Hit(ctx context.Context, key string, window time.Duration, now time.Time) (Hits, error)
}

// Hits are the attempts a Store counted against one key.
type Hits struct {
	Current  int // in the window containing now, this attempt included
	Previous int // in the window before it
}

// Blobs keeps report files.
type Blobs interface {
	Put(ctx context.Context, key string, body io.Reader, size int64, contentType string) error
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Copy stores the file under from again under to, within the engine
	// (S3 CopyObject), as publishing an upload does. A missing from is
	// ENotFound.
	Copy(ctx context.Context, from, to string) error
}

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
	if s := tx.Session; s != nil && s.ID == "" {
		return Errorf(EInvalid, "The session has no id.")
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
