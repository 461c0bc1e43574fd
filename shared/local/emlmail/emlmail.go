// Package emlmail is the local mail engine: each email becomes an RFC 5322
// .eml file in an outbox folder, which any mail client opens and which the
// end-to-end tests read to follow links, as a person would.
package emlmail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
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

// Send writes m as <created>-<id>.eml: the name and the whole message
// (its Date header is the mail's CreatedAt) follow from the mail alone, so
// delivering the same mail again meets the same file. The file is created
// exclusively (O_EXCL): a second delivery finds it and succeeds without
// writing, and there is never a temporary copy lying about with a live link
// in it. A file that differs from the message is what a crash mid-write
// leaves; it is written over, so a re-delivery completes it. Mails carry
// sign-in and download links, so only the owner may read the folder and
// the files.
func (o *Outbox) Send(ctx context.Context, m trust.Mail) error {
	if m.ID == "" || strings.ContainsAny(m.ID, `/\`) || strings.HasPrefix(m.ID, ".") {
		return trust.Errorf(trust.EInvalid, "The mail id %q cannot name a file.", m.ID)
	}
	msg, err := format(o.From, m, m.CreatedAt.UTC())
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return trust.Unavailable(fmt.Errorf("outbox: %w", err))
	}
	path := filepath.Join(o.Dir, FileName(m))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		if have, rerr := os.ReadFile(path); rerr == nil && bytes.Equal(have, msg) {
			return nil
		}
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0o600)
	}
	if err != nil {
		return trust.Unavailable(fmt.Errorf("outbox: %w", err))
	}
	_, err = f.Write(msg)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return trust.Unavailable(fmt.Errorf("outbox: %w", err))
	}
	return nil
}

// FileName is the name of m's file in the outbox: its creation time first,
// so that names sort in the order the mails were queued.
func FileName(m trust.Mail) string {
	return fmt.Sprintf("%s-%s.eml", m.CreatedAt.UTC().Format("20060102T150405.000000000Z"), m.ID)
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
	extra, err := m.HeaderFields()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\n", from)
	fmt.Fprintf(&b, "To: %s\r\n", m.To)
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", strings.NewReplacer("\r", " ", "\n", " ").Replace(m.Subject)))
	fmt.Fprintf(&b, "Date: %s\r\n", at.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", m.ID, from[strings.LastIndexByte(from, '@')+1:])
	for _, h := range extra {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
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
