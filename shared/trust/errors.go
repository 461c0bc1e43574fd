// Package trust is the trust center's domain: documents, access requests, NDA
// acceptances, grants, staff sessions and the audit trail. It imports the
// standard library and the message catalog (shared/i18n, a leaf) and nothing
// else: the engines that store, send and sign live in sibling packages behind
// the interfaces declared here.
package trust

import (
	"errors"
	"fmt"

	"trustcenter/shared/i18n"
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

// english is m in English, from the catalog: the one copy of every
// message, which logs and pages both read.
func (m Msg) english() string { return i18n.T(i18n.English, m.Key, m.Args...) }

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
