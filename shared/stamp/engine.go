package stamp

import (
	"errors"
	"time"

	"trustcenter/shared/trust"
)

// Engine is the package as the trust service's Stamper. The functions that
// stamp or trace (download, admin, the local server) pass it in; the others
// never link pdfcpu.
type Engine struct{}

var _ trust.Stamper = Engine{}

func (Engine) NewID() string { return NewID() }

func (Engine) ParseID(s string) (string, bool) {
	id, err := ParseID(s)
	return id, err == nil
}

func (Engine) Stamp(pdf []byte, to trust.Recipient, when time.Time, id string) ([]byte, error) {
	return Stamp(pdf, Recipient{Name: to.Name, Company: to.Company, Email: to.Email}, when, id)
}

// FindID answers trust.ErrNoWatermark for a PDF without an ID and turns
// every other refusal into one the person who uploaded the file can read.
func (Engine) FindID(pdf []byte) (string, error) {
	id, err := FindID(pdf)
	var refusal *Error
	switch {
	case err == nil:
		return id, nil
	case errors.Is(err, ErrNoID):
		return "", trust.ErrNoWatermark
	case errors.As(err, &refusal):
		return "", &trust.Error{Code: trust.EInvalid, Message: capital(refusal.Error()) + ".", Err: err}
	}
	return "", err
}

func capital(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
