// Package emlmail is the local mail engine: each email becomes an RFC 5322
// .eml file in an outbox folder, which any mail client opens and which the
// end-to-end tests read to follow links, as a person would.
package emlmail

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
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
	if len(m.Attachments) > 0 {
		return withAttachments(&b, m)
	}
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n")
	b.WriteString("Content-Transfer-Encoding: quoted-printable\r\n\r\n")
	if err := writeText(&b, m.Text); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeText(w io.Writer, text string) error {
	qp := quotedprintable.NewWriter(w)
	if _, err := qp.Write([]byte(strings.ReplaceAll(text, "\n", "\r\n"))); err != nil {
		return err
	}
	return qp.Close()
}

// withAttachments ends the headers in b with a multipart/mixed body: the
// text, then each file in base64.
func withAttachments(b *bytes.Buffer, m trust.Mail) ([]byte, error) {
	mw := multipart.NewWriter(b)
	fmt.Fprintf(b, "Content-Type: multipart/mixed; boundary=%s\r\n\r\n", mw.Boundary())
	part, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"text/plain; charset=utf-8"}, "Content-Transfer-Encoding": {"quoted-printable"}})
	if err != nil {
		return nil, err
	}
	if err := writeText(part, m.Text); err != nil {
		return nil, err
	}
	for _, a := range m.Attachments {
		part, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {mime.FormatMediaType(a.ContentType, map[string]string{"name": a.Name})},
			"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": a.Name})},
			"Content-Transfer-Encoding": {"base64"},
		})
		if err != nil {
			return nil, err
		}
		enc := base64.StdEncoding.EncodeToString(a.Data)
		for len(enc) > 76 {
			fmt.Fprintf(part, "%s\r\n", enc[:76])
			enc = enc[76:]
		}
		fmt.Fprintf(part, "%s\r\n", enc)
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
