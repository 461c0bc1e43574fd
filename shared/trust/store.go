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
	// at once cannot both claim a version.
	Document *Document
	Events   []Event
	Mails    []Mail
}

// Store keeps the trust center's state. Engines: the embedded bbolt file and
// DynamoDB; both pass the contract suite in package storetest.
//
// Errors: a failed condition is EConflict; a missing item is ENotFound; an
// engine failure (throttling, timeouts, unavailability) is EUnavailable.
type Store interface {
	// Commit writes tx atomically.
	Commit(ctx context.Context, tx Tx) error

	GetRequest(ctx context.Context, id string) (Request, error)
	// ListRequests returns requests of one status, newest first, at most
	// limit of them, after the opaque cursor; next is "" on the last page.
	ListRequests(ctx context.Context, status Status, cursor string, limit int) (reqs []Request, next string, err error)
	// ListEvents returns a subject's events, oldest first.
	ListEvents(ctx context.Context, subject string) ([]Event, error)

	PutDocument(ctx context.Context, d Document) error
	GetDocument(ctx context.Context, id string) (Document, error)
	ListDocuments(ctx context.Context) ([]Document, error)

	GetSession(ctx context.Context, id string) (Session, error)
	DeleteSession(ctx context.Context, id string) error

	// PendingMails returns outbox mails not yet marked sent, oldest first.
	PendingMails(ctx context.Context, limit int) ([]Mail, error)
	MarkMailSent(ctx context.Context, id string) error

	// Hit counts one attempt against key in the fixed window that contains
	// now and returns the count so far in that window.
	Hit(ctx context.Context, key string, window time.Duration, now time.Time) (int, error)
}

// Blobs keeps report files.
type Blobs interface {
	Put(ctx context.Context, key string, body io.Reader, size int64, contentType string) error
	Open(ctx context.Context, key string) (io.ReadCloser, error)
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
