// Package emlmail is the local mail engine: each email becomes an RFC 5322
// .eml file in an outbox folder, which any mail client opens and which the
// end-to-end tests read to follow links, as a person would.
package emlmail

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"time"

	"trustcenter/shared/trust"
)

// Outbox writes mails to Dir, from From (a bare address) under the display
// name FromName, with replies to ReplyTo when it is set.
type Outbox struct {
	Dir      string
	From     string
	FromName string
	ReplyTo  string
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
	msg, err := o.format(m, m.CreatedAt.UTC())
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

// format renders m as an RFC 5322 message: a quoted-printable UTF-8 text
// body, and with an HTML part both as multipart/alternative (text first,
// so a client that shows one shows the HTML). Addresses must be bare and
// single-line, and the display name and subject are encoded words, so no
// value can start a header of its own. The boundary follows from the mail
// id, so the same mail always makes the same file.
func (o *Outbox) format(m trust.Mail, at time.Time) ([]byte, error) {
	addrs := []string{o.From, m.To}
	if o.ReplyTo != "" {
		addrs = append(addrs, o.ReplyTo)
	}
	for _, a := range addrs {
		if err := trust.CheckAddress(a); err != nil {
			return nil, err
		}
	}
	extra, err := m.HeaderFields()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\n", (&mail.Address{Name: oneLine(o.FromName), Address: o.From}).String())
	fmt.Fprintf(&b, "To: %s\r\n", m.To)
	if o.ReplyTo != "" {
		fmt.Fprintf(&b, "Reply-To: %s\r\n", o.ReplyTo)
	}
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", oneLine(m.Subject)))
	fmt.Fprintf(&b, "Date: %s\r\n", at.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", m.ID, o.From[strings.LastIndexByte(o.From, '@')+1:])
	for _, h := range extra {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	b.WriteString("MIME-Version: 1.0\r\n")
	head, body, err := content(m)
	if err != nil {
		return nil, err
	}
	if len(m.Attachments) == 0 {
		writeHeader(&b, head)
		b.Write(body)
		return b.Bytes(), nil
	}
	// With files, the content is the first part of a multipart/mixed body
	// and each file follows in base64.
	mw := multipart.NewWriter(&b)
	if err := mw.SetBoundary(boundary(m.ID, "mixed")); err != nil {
		return nil, err
	}
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=%q\r\n\r\n", mw.Boundary())
	part, err := mw.CreatePart(head)
	if err != nil {
		return nil, err
	}
	if _, err := part.Write(body); err != nil {
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

// content is the mail's readable content as one MIME entity, its header
// and body apart: the text alone, or the text and the HTML as
// multipart/alternative.
func content(m trust.Mail) (textproto.MIMEHeader, []byte, error) {
	var b bytes.Buffer
	if m.HTML == "" {
		if err := writeQP(&b, m.Text); err != nil {
			return nil, nil, err
		}
		return textproto.MIMEHeader{"Content-Type": {"text/plain; charset=utf-8"}, "Content-Transfer-Encoding": {"quoted-printable"}}, b.Bytes(), nil
	}
	mw := multipart.NewWriter(&b)
	if err := mw.SetBoundary(boundary(m.ID, "alt")); err != nil {
		return nil, nil, err
	}
	for _, part := range []struct{ typ, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.typ + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, nil, err
		}
		if err := writeQP(w, part.body); err != nil {
			return nil, nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, nil, err
	}
	return textproto.MIMEHeader{"Content-Type": {fmt.Sprintf("multipart/alternative; boundary=%q", mw.Boundary())}}, b.Bytes(), nil
}

// boundary derives a multipart boundary from the mail id, so that the
// same mail always makes the same file.
func boundary(id, kind string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + id))
	return "=_" + hex.EncodeToString(sum[:12])
}

func writeHeader(b *bytes.Buffer, h textproto.MIMEHeader) {
	for _, k := range []string{"Content-Type", "Content-Transfer-Encoding"} {
		if v := h.Get(k); v != "" {
			fmt.Fprintf(b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
}

func oneLine(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }

// writeQP writes s quoted-printable with CRLF line ends.
func writeQP(w io.Writer, s string) error {
	qp := quotedprintable.NewWriter(w)
	if _, err := qp.Write([]byte(strings.ReplaceAll(s, "\n", "\r\n"))); err != nil {
		return err
	}
	return qp.Close()
}
