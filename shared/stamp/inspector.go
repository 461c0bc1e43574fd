package stamp

import (
	"errors"

	"trustcenter/shared/trust"
)

// Inspector is Inspect as the trust service's engine for checking uploads:
// a refusal comes back as a trust refusal carrying Inspect's message.
type Inspector struct{}

var _ trust.Inspector = Inspector{}

func (Inspector) Inspect(pdf []byte) (trust.FileInfo, error) {
	info, err := Inspect(pdf)
	if err != nil {
		if e, ok := errors.AsType[*Error](err); ok {
			return trust.FileInfo{}, trust.Refusal(e.Error(), err)
		}
		return trust.FileInfo{}, err
	}
	return trust.FileInfo{Pages: info.Pages, Size: info.Size, SHA256: info.SHA256, Title: info.Title, Subject: info.Subject}, nil
}
