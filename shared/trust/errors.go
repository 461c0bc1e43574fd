// Package trust is the trust center's domain: documents, access requests, NDA
// acceptances, grants, staff sessions and the audit trail. It imports nothing
// from AWS, HTTP or any database; the engines that store, send and sign live in
// sibling packages behind the interfaces declared here.
package trust

import (
	"errors"
	"fmt"
)

// Code classifies a domain error. The web layer maps each code to one HTTP
// status in one place; anything without a code is an internal error.
type Code string

const (
	EInvalid      Code = "invalid"      // the input is wrong; the user can fix it
	ENotFound     Code = "not_found"    // no such thing
	EConflict     Code = "conflict"     // the state changed under us (approve twice, approve a denied request)
	EUnauthorized Code = "unauthorized" // no session, or a bad sign-in
	EForbidden    Code = "forbidden"    // a bad token, a gated document, a revoked grant
	EGone         Code = "gone"         // an expired grant or link
	ERateLimited  Code = "rate_limited" // too many attempts
	EUnavailable  Code = "unavailable"  // a dependency failed; nothing was changed
	EInternal     Code = "internal"     // a bug; the details go to the log only
)

// Error is a domain error. Message is safe to show to the user; Fields holds
// per-field messages for forms; Err is the cause, for the log only.
//
// Message and Fields are English: they are what logs and API consumers read.
// Key and FieldMsgs name the same texts in the interface catalog, so that a
// page can show them in the reader's language; an error without a Key
// (from an engine, say) has only its English.
type Error struct {
	Code      Code
	Message   string
	Key       string
	Args      []any
	Fields    map[string]string
	FieldMsgs map[string]Msg
	Err       error
}

// Msg is a user-facing text as the interface catalog knows it: a key, and
// the arguments its text is formatted with.
type Msg struct {
	Key  string
	Args []any
}

func msg(key string, args ...any) Msg { return Msg{Key: key, Args: args} }

// english is m in English. The package cannot read the catalog (it would
// tie the domain to the interface), so it keeps its own English of each key
// in messages; a test holds the two to the same text.
func (m Msg) english() string {
	text, ok := messages[m.Key]
	if !ok {
		return m.Key
	}
	if len(m.Args) == 0 {
		return text
	}
	return fmt.Sprintf(text, m.Args...)
}

// messages is the English of every catalog key the domain uses.
var messages = map[string]string{
	"error.unavailable":    "The service is temporarily unavailable. Nothing was changed; please try again shortly.",
	"error.rate_limited":   "Too many attempts. Please wait an hour and try again.",
	"error.sign_in":        "Please sign in.",
	"error.session_ended":  "Your session has ended. Please sign in again.",
	"error.unknown_status": "Unknown status %q.",
	"error.state_conflict": "This request is %s, so that cannot be done now.",
	"error.days_range":     "The access period must be between 1 and %d days.",
	"error.revoked":        "Access to these documents has been revoked.",
	"error.expired":        "Access to these documents has expired. You can ask for them again.",
	"error.confidential":   "This document is confidential. Request access to download it.",
	"error.invalid_link":   "This link is not valid. It may have expired or been used already.",
	"error.not_pdf":        "The file is not a PDF.",
	"error.file_too_large": "The file is larger than %d MB.",

	"valid.summary":            "Please correct the highlighted fields.",
	"valid.name_required":      "Enter your name.",
	"valid.name_too_long":      "The name must be at most %d characters.",
	"valid.name_chars":         "The name contains characters that are not allowed.",
	"valid.company_required":   "Enter your company.",
	"valid.company_too_long":   "The company must be at most %d characters.",
	"valid.company_chars":      "The company contains characters that are not allowed.",
	"valid.reason_required":    "Enter your reason.",
	"valid.reason_too_long":    "The reason must be at most %d characters.",
	"valid.reason_chars":       "The reason contains characters that are not allowed.",
	"valid.email_required":     "Enter your work email address.",
	"valid.email_too_long":     "The email address must be at most %d characters.",
	"valid.email_invalid":      "Enter a valid email address, like name@company.com.",
	"valid.documents_required": "Choose at least one document.",
	"valid.document_unknown":   "One of the chosen documents does not exist.",
	"valid.document_public":    "%s is public: download it from the trust page, no request needed.",
	"valid.nda_outdated":       "The NDA was updated since you opened this form. Please read the current version below and accept it.",
	"valid.nda_required":       "You must accept the NDA to request confidential reports.",
	"valid.signature_required": "Type your full name to sign the NDA.",
	"valid.signature_mismatch": "The signature must match the name you entered.",

	"mail.confirm.subject":          "Confirm your email address",
	"mail.confirm.body":             "Hello %s,\n\nWe received a request for security reports from %s at %s.\nOpen this link within %d hours to confirm your email address:\n\n%s\n\nIf you did not ask for this, ignore this email and nothing will happen.\n",
	"mail.pending.subject":          "New report request waiting for approval",
	"mail.pending.body":             "%s (%s) from %s asks for: %s.\nThey accepted NDA version %s.\n\nReview the request:\n%s\n",
	"mail.approved.subject":         "Your security reports are ready",
	"mail.approved.body":            "Hello %s,\n\nYour request for security reports from %s was approved.\nYour documents are available until %s UTC at:\n\n%s\n\nKeep this link to yourself: it is personal, and every download is recorded.\n",
	"mail.signin.subject":           "Your sign-in link",
	"mail.signin.body":              "Open this link within %d minutes to sign in to the %s trust center console:\n\n%s\n\nIt works once. If you did not ask to sign in, ignore this email.\n",
	"mail.signin_not_staff.subject": "Sign-in attempt with your address",
	"mail.signin_not_staff.body":    "Someone asked to sign in to the %s trust center console with this email address. It is not a staff address, so no sign-in link was sent.\n\nIf it was you, ask your administrator for access. Otherwise ignore this email.\n",
	"mail.denied.subject":           "Your report request",
	"mail.denied.body":              "Hello %s,\n\nYour request for security reports from %s was not approved.\n\nReason given:\n%s\n\nReply to your contact at %s if you think this is a mistake.\n",
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds a domain error with a user-safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// errorMsg builds a domain error whose message is the catalog text m.
func errorMsg(code Code, m Msg) *Error {
	return &Error{Code: code, Message: m.english(), Key: m.Key, Args: m.Args}
}

// invalid builds a validation error: summary over the form, one message per
// field next to it.
func invalid(summary Msg, fields map[string]Msg) *Error {
	e := errorMsg(EInvalid, summary)
	e.Fields = make(map[string]string, len(fields))
	for f, m := range fields {
		e.Fields[f] = m.english()
	}
	e.FieldMsgs = fields
	return e
}

// Unavailable wraps a dependency failure: the user sees a generic message,
// the log sees the cause.
func Unavailable(cause error) *Error {
	e := errorMsg(EUnavailable, msg("error.unavailable"))
	e.Err = cause
	return e
}

// ErrorCode returns the code of the first domain error in err's chain, or
// EInternal.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-safe message of err, or a generic one.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EInternal {
		return e.Message
	}
	return "Internal error."
}

// FieldErrors returns the per-field messages of a validation error.
func FieldErrors(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
