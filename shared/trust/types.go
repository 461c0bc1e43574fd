package trust

import (
	"crypto/sha256"
	"encoding/hex"
	"net/mail"
	"strings"
	"time"
)

// Access says who may download a document.
type Access string

const (
	Public Access = "public" // anyone, one click
	Gated  Access = "gated"  // only through an access request a person or a rule approves
	// NDA documents go to whoever accepts the NDA and confirms their
	// address: the service approves such a request itself (see
	// ndaDecision), through the same grant as any other.
	NDAOnly Access = "nda"
)

// Restricted reports whether a document needs an access request: every
// level but Public.
func (a Access) Restricted() bool { return a == Gated || a == NDAOnly }

// Document is one report file the trust center serves, such as a SOC 3 or a
// SOC 2 Type II report. Each published file bumps Version; BlobKey names
// the current file in the blob engine, and History keeps every version.
type Document struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Kind        string    `json:"kind"` // e.g. "SOC 2 Type II"
	Access      Access    `json:"access"`
	FileName    string    `json:"file_name"`
	BlobKey     string    `json:"blob_key"`
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	Version     int       `json:"version"`
	Pages       int       `json:"pages,omitempty"`
	History     []Version `json:"history,omitempty"`
	PeriodStart time.Time `json:"period_start,omitzero"`
	PeriodEnd   time.Time `json:"period_end,omitzero"`
	IssuedAt    time.Time `json:"issued_at,omitzero"`
	Auditor     string    `json:"auditor,omitempty"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Status is where an access request stands.
type Status string

const (
	Unconfirmed Status = "unconfirmed" // submitted, email not yet confirmed
	Pending     Status = "pending"     // email confirmed, waiting for an approver
	Approved    Status = "approved"    // a grant exists
	Denied      Status = "denied"      // an approver said no, with a reason
	Revoked     Status = "revoked"     // approved, then the grant was revoked
)

// Statuses lists every status in queue order.
var Statuses = []Status{Pending, Unconfirmed, Approved, Denied, Revoked}

// NDA is one version of the non-disclosure agreement a requester accepts.
type NDA struct {
	Version string `json:"version"`
	Text    string `json:"text"`
}

// Hash is the SHA-256 (hex) of the exact text shown to the requester.
func (n NDA) Hash() string {
	sum := sha256.Sum256([]byte(n.Text))
	return hex.EncodeToString(sum[:])
}

// Acceptance is the evidence that a requester accepted an NDA.
type Acceptance struct {
	Version    string    `json:"version"`
	TextSHA256 string    `json:"text_sha256"`
	Signature  string    `json:"signature"` // the full name, typed
	AcceptedAt time.Time `json:"accepted_at"`
	IP         string    `json:"ip"`
	UserAgent  string    `json:"user_agent"`
	// Seq and Series name the version accepted (see NDAVersion); 0 while
	// nothing is accepted yet (a request relying on an acceptance not
	// yet found, or on an existing agreement).
	Seq    int `json:"seq,omitempty"`
	Series int `json:"series,omitempty"`
	// Mode is how it was agreed: NDAClicked, NDAPrior or NDAExisting.
	Mode string `json:"mode,omitempty"`
	// ReliesOn is the request whose acceptance a NDAPrior one relies on.
	ReliesOn string `json:"relies_on,omitempty"`
}

// Request is one visitor's request for gated documents, and, once approved,
// the grant that lets them download.
type Request struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Email       string     `json:"email"`
	Company     string     `json:"company"`
	Reason      string     `json:"reason"`
	Documents   []string   `json:"documents"`
	Lang        string     `json:"lang,omitempty"` // the form's language, for the mails we send
	NDA         Acceptance `json:"nda"`
	Status      Status     `json:"status"`
	CreatedAt   time.Time  `json:"created_at"`
	ConfirmedAt time.Time  `json:"confirmed_at,omitzero"`
	DecidedAt   time.Time  `json:"decided_at,omitzero"`
	DecidedBy   string     `json:"decided_by,omitempty"`
	DenyReason  string     `json:"deny_reason,omitempty"`
	// DecisionRule and DecisionReason are what the rules said on
	// confirmation (see Decision): the rule that decided or sent the
	// request to a person ("" when none matched), and the reason code.
	DecisionRule   string    `json:"decision_rule,omitempty"`
	DecisionReason string    `json:"decision_reason,omitempty"`
	GrantID        string    `json:"grant_id,omitempty"`
	ExpiresAt      time.Time `json:"expires_at,omitzero"` // end of the access period
	RevokedAt      time.Time `json:"revoked_at,omitzero"`
	RevokedBy      string    `json:"revoked_by,omitempty"`
	// PurgeAt, if set, is when the store deletes the request: only an
	// unconfirmed one has it (see Service.retain).
	PurgeAt time.Time `json:"purge_at,omitzero"`
	// Reacceptances are acceptances given later, on the access page, of
	// major versions published during the grant.
	Reacceptances []Acceptance `json:"reacceptances,omitempty"`
	// ExistingNDA is set when the requester said an NDA already exists.
	ExistingNDA *ExistingNDA `json:"existing_nda,omitempty"`
	// ErasureRequestedAt is when the requester asked for their data to
	// be erased; ErasedAt when staff confirmed and it was (erasure.go).
	ErasureRequestedAt time.Time `json:"erasure_requested_at,omitzero"`
	ErasedAt           time.Time `json:"erased_at,omitzero"`
	// Version counts the writes of this request; a write must name the
	// version it read, so two approvers cannot both win.
	Version int64 `json:"version"`

	// RevokeReason is what the approver who revoked the grant told the
	// requester; their status page shows it.
	RevokeReason string `json:"revoke_reason,omitempty"`
	// Asked is what the requester asked for, kept when an approver granted
	// only some of it (Documents is then what was granted).
	Asked []string `json:"asked,omitempty"`
	// SplitTo and SplitFrom link a request that asked for NDA-level and
	// approval-level documents to its NDA-level part, approved at
	// confirmation as a request of its own (ndasplit.go).
	SplitTo   string `json:"split_to,omitempty"`
	SplitFrom string `json:"split_from,omitempty"`
}

// Active reports whether the request's grant allows downloads at now.
func (r Request) Active(now time.Time) bool {
	return r.Status == Approved && now.Before(r.ExpiresAt)
}

// Role is what a staff member may do.
type Role string

const (
	Approver Role = "approver" // approves, denies and revokes requests
	Admin    Role = "admin"    // also manages documents
)

// Staff is one person allowed into the console.
type Staff struct {
	Email string `json:"email"`
	Role  Role   `json:"role"`
}

// Session is a signed-in staff member's session. ID is the random id the
// cookie carries; the store keeps the session under its hash instead (see
// SessionKey), so the ID a Store is handed is never the cookie's.
type Session struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Role      Role      `json:"role"`
	CSRF      string    `json:"csrf"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// GroupRole says Role came from the identity provider's group claim at
	// single sign-on, not from the staff list: such a member stays staff
	// for the session's life without being listed.
	GroupRole bool `json:"group_role,omitempty"`
}

// Event is one line of the audit trail: every state change and every
// download. Subject groups events (a request id, or "staff:<email>").
type Event struct {
	ID      string    `json:"id"`
	Subject string    `json:"subject"`
	Type    string    `json:"type"`
	Actor   string    `json:"actor"`
	At      time.Time `json:"at"`
	Detail  string    `json:"detail,omitempty"`
	IP      string    `json:"ip,omitempty"`
	// Watermark is the ID of the stamped copy a download delivered or a
	// trace looked up, so a copy's downloads can be listed from the trail.
	Watermark string `json:"watermark,omitempty"`
}

// Copy is a recipient's stamped copy of one version of a gated document,
// made on their grant's first download of it and served again to later
// ones. The record outlives the file: a leaked copy of an ended grant
// still traces back to its recipient.
type Copy struct {
	WatermarkID string    `json:"watermark_id"`
	Request     string    `json:"request"`
	Grant       string    `json:"grant"`
	Document    string    `json:"document"`
	Version     int       `json:"version"`
	BlobKey     string    `json:"blob_key"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Name        string    `json:"name"` // the recipient as the request names them
	Company     string    `json:"company"`
	Email       string    `json:"email"`
	CreatedAt   time.Time `json:"created_at"`
}

// Mail is an email in the outbox. It is written in the same transaction as
// the state change that causes it; the mail scheduler delivers it later
// (DeliverMail, DrainMail), off the request path. The fields after
// CreatedAt are its delivery state, which only the scheduler writes.
type Mail struct {
	ID      string `json:"id"`
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	// HTML is the same mail as an HTML page (mailformat.go); the engines
	// send both as multipart/alternative.
	HTML      string    `json:"html,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// SignedNDA, if set, is attached as a PDF when the mail is sent (see
	// sendMail): the scheduler renders it, so the functions that queue
	// the mail need not link the PDF library.
	SignedNDA *NDAEvidence `json:"signed_nda,omitempty"`
	// Attachments are files sent with the text; only sendMail sets them,
	// for the engine, and they are never stored.
	Attachments []Attachment `json:"-"`

	State    MailState `json:"state,omitempty"`
	Attempts int       `json:"attempts,omitempty"`
	// NextAttemptAt is when the mail is due again (zero: at once).
	NextAttemptAt time.Time `json:"next_attempt_at,omitzero"`
	// SendingAt is set when an attempt starts and cleared when its answer
	// is recorded: still set at the next attempt, it means the answer was
	// lost (a crash, a timeout), and the mail may have gone out.
	SendingAt time.Time `json:"sending_at,omitzero"`
	// Lost counts attempts whose answer was lost.
	Lost int `json:"lost,omitempty"`
	// Reason is the last failure, and why an undeliverable mail was given up.
	Reason string `json:"reason,omitempty"`
	// Headers are extra header fields the mail engines add as they are
	// (List-Unsubscribe and List-Unsubscribe-Post, RFC 8058). Only the
	// service sets them, never from what a visitor typed; the engines
	// refuse a name or value that could start another header.
	Headers map[string]string `json:"headers,omitempty"`
}

// Attachment is a file sent with a mail.
type Attachment struct {
	Name        string // a plain file name, e.g. nda-req_x.pdf
	ContentType string
	Data        []byte
}

// MailState is where a mail is in its delivery.
type MailState string

// A mail is pending until it is sent or given up as undeliverable; both
// final states take it out of the pending queue for good.
const (
	MailPending       MailState = ""
	MailSent          MailState = "sent"
	MailUndeliverable MailState = "undeliverable"
)

// Suppression is an address that must get no more mail: it bounced for
// good, or its owner complained.
type Suppression struct {
	Address string    `json:"address"` // normalized (lower case)
	Reason  string    `json:"reason"`  // "bounce", "complaint", with the provider's detail
	At      time.Time `json:"at"`
}

// CheckAddress refuses anything but one bare address on one line. Mail
// engines call it before an address goes into a header, whatever checked
// it before.
func CheckAddress(a string) error {
	if p, err := mail.ParseAddress(a); err != nil || p.Address != a || strings.ContainsAny(a, "\r\n") {
		return Errorf(EInvalid, "The email address %q cannot be used.", a)
	}
	return nil
}

// Use marks a single-use token id as consumed until it would expire anyway.
type Use struct {
	ID        string    `json:"id"`
	ExpiresAt time.Time `json:"expires_at"`
}
