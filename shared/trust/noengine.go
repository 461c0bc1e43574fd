package trust

import (
	"context"
	"fmt"
	"io"
	"time"
)

// The refusing engines stand in for those a function was built without
// (see Engines). Each answers every call with ErrNoEngine, naming the
// engine and the call, so the log says what was missing.

func noEngine(engine, call string) error {
	return fmt.Errorf("%s.%s: %w", engine, call, ErrNoEngine)
}

type noStore struct{}

func (noStore) Commit(context.Context, Tx) error { return noEngine("store", "Commit") }
func (noStore) GetRequest(context.Context, string) (Request, error) {
	return Request{}, noEngine("store", "GetRequest")
}
func (noStore) ListRequests(context.Context, Status, string, int) ([]Request, string, error) {
	return nil, "", noEngine("store", "ListRequests")
}
func (noStore) RequestsSince(context.Context, time.Time, int) ([]Request, error) {
	return nil, noEngine("store", "RequestsSince")
}
func (noStore) GetRules(context.Context) (RuleSet, error) {
	return RuleSet{}, noEngine("store", "GetRules")
}
func (noStore) ListEvents(context.Context, string) ([]Event, error) {
	return nil, noEngine("store", "ListEvents")
}
func (noStore) GetDocument(context.Context, string) (Document, error) {
	return Document{}, noEngine("store", "GetDocument")
}
func (noStore) ListDocuments(context.Context) ([]Document, error) {
	return nil, noEngine("store", "ListDocuments")
}
func (noStore) GetSession(context.Context, string) (Session, error) {
	return Session{}, noEngine("store", "GetSession")
}
func (noStore) DeleteSession(context.Context, string) error {
	return noEngine("store", "DeleteSession")
}
func (noStore) PendingMails(context.Context, int) ([]Mail, error) {
	return nil, noEngine("store", "PendingMails")
}
func (noStore) MarkMailSent(context.Context, string) error { return noEngine("store", "MarkMailSent") }
func (noStore) CountDownload(context.Context, string, time.Time) error {
	return noEngine("store", "CountDownload")
}
func (noStore) DownloadCount(context.Context, string, time.Time, time.Time) (int, error) {
	return 0, noEngine("store", "DownloadCount")
}
func (noStore) GetCopy(context.Context, string, string, int) (Copy, error) {
	return Copy{}, noEngine("store", "GetCopy")
}
func (noStore) CopyByWatermark(context.Context, string) (Copy, error) {
	return Copy{}, noEngine("store", "CopyByWatermark")
}
func (noStore) ListCopies(context.Context, string) ([]Copy, error) {
	return nil, noEngine("store", "ListCopies")
}
func (noStore) GetMail(context.Context, string) (Mail, error) {
	return Mail{}, noEngine("store", "GetMail")
}
func (noStore) SaveMailAttempt(context.Context, Mail, int) error {
	return noEngine("store", "SaveMailAttempt")
}
func (noStore) Suppress(context.Context, Suppression) error { return noEngine("store", "Suppress") }
func (noStore) Suppressed(context.Context, string) (Suppression, error) {
	return Suppression{}, noEngine("store", "Suppressed")
}
func (noStore) Hit(context.Context, string, time.Duration, time.Time) (Hits, error) {
	return Hits{}, noEngine("store", "Hit")
}

func (noStore) GetSubscriber(context.Context, string) (Subscriber, error) {
	return Subscriber{}, noEngine("store", "GetSubscriber")
}
func (noStore) ListSubscribers(context.Context) ([]Subscriber, error) {
	return nil, noEngine("store", "ListSubscribers")
}
func (noStore) GetAnnounced(context.Context) (Announced, error) {
	return Announced{}, noEngine("store", "GetAnnounced")
}

type noBlobs struct{}

func (noBlobs) Put(context.Context, string, io.Reader, int64, string) error {
	return noEngine("blobs", "Put")
}
func (noBlobs) Open(context.Context, string) (io.ReadCloser, error) {
	return nil, noEngine("blobs", "Open")
}
func (noBlobs) Copy(context.Context, string, string) error { return noEngine("blobs", "Copy") }

func (noBlobs) Delete(context.Context, string) error { return noEngine("blobs", "Delete") }

type noStamper struct{}

func (noStamper) NewID() string                 { return "" }
func (noStamper) ParseID(string) (string, bool) { return "", false }
func (noStamper) FindID([]byte) (string, error) { return "", noEngine("stamper", "FindID") }
func (noStamper) Stamp([]byte, Recipient, time.Time, string) ([]byte, error) {
	return nil, noEngine("stamper", "Stamp")
}

// noMail's refusal is not EInvalid, which would take the mail out of the
// outbox for good: it waits there for a function that can send it.
type noMail struct{}

func (noMail) Send(context.Context, Mail) error { return noEngine("mail", "Send") }

type noSigner struct{}

func (noSigner) Sign(Purpose, Claims, time.Time) (string, error) {
	return "", noEngine("signer", "Sign")
}
func (noSigner) Parse(Purpose, string, time.Time) (Claims, error) {
	return Claims{}, noEngine("signer", "Parse")
}

func (noStore) PriorRequests(context.Context, ContactField, string, int) ([]Request, error) {
	return nil, noEngine("store", "PriorRequests")
}

func (noStore) QueueCounts(context.Context, time.Time) (QueueCounts, error) {
	return QueueCounts{}, noEngine("store", "QueueCounts")
}
func (noStore) QueryRequests(context.Context, RequestQuery) ([]Request, string, error) {
	return nil, "", noEngine("store", "QueryRequests")
}
func (noStore) ListAccounts(context.Context, string, int) ([]Account, string, error) {
	return nil, "", noEngine("store", "ListAccounts")
}
func (noStore) GetAccount(context.Context, string) (Account, error) {
	return Account{}, noEngine("store", "GetAccount")
}
