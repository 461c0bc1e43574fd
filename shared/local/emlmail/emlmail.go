// Package emlmail is the local mail engine: each email becomes an RFC 5322
// .eml file in an outbox folder, which any mail client opens and which the
// end-to-end tests read to follow links, as a person would.
package emlmail

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"strings"
	"time"

	"trustcenter/shared/trust"
)

// Outbox writes mails to Dir.
type Outbox struct {
	Dir  string
	From string
}

// Send writes m as <time>-<id>.eml, the time being the one in its Date
// header. The file appears whole or not at all: it is written under a
// temporary name and renamed. Mails carry sign-in and download links, so
// only the owner may read the folder and the files.
func (o *Outbox) Send(ctx context.Context, m trust.Mail) error {
	at := time.Now().UTC()
	msg, err := format(o.From, m, at)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return trust.Unavailable(fmt.Errorf("outbox: %w", err))
	}
	name := fmt.Sprintf("%s-%s.eml", at.Format("20060102T150405.000000000Z"), m.ID)
	tmp := filepath.Join(o.Dir, "."+name+".tmp")
	if err := os.WriteFile(tmp, msg, 0o600); err != nil {
		return trust.Unavailable(fmt.Errorf("outbox: %w", err))
	}
	if err := os.Rename(tmp, filepath.Join(o.Dir, name)); err != nil {
		return trust.Unavailable(fmt.Errorf("outbox: %w", err))
	}
	return nil
}

// format renders m as an RFC 5322 message with a quoted-printable UTF-8
// text body. Addresses must be bare and single-line; the subject is
// Q-encoded, so no value can start a header of its own.
func format(from string, m trust.Mail, at time.Time) ([]byte, error) {
	for _, a := range []string{from, m.To} {
		if err := trust.CheckAddress(a); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\n", from)
	fmt.Fprintf(&b, "To: %s\r\n", m.To)
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", strings.NewReplacer("\r", " ", "\n", " ").Replace(m.Subject)))
	fmt.Fprintf(&b, "Date: %s\r\n", at.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", m.ID, from[strings.LastIndexByte(from, '@')+1:])
	b.WriteString("MIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n")
	b.WriteString("Content-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(m.Text, "\n", "\r\n"))); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
