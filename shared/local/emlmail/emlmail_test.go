package emlmail

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

func TestSend(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	o := &Outbox{Dir: dir, From: "trust@example.com"}
	m := trust.Mail{ID: "m1", To: "ada@example.com", Subject: "Your download link", Text: "Open https://trust.example.com/d/secret\n", CreatedAt: time.Now()}
	if err := o.Send(t.Context(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("outbox holds %v, want one file", entries)
	}
	name := entries[0].Name()
	if !strings.HasSuffix(name, "-m1.eml") {
		t.Fatalf("file name %q, want <time>-m1.eml", name)
	}

	// The links in a mail sign people in: only the owner may read them.
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, name): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != want {
			t.Errorf("%s has mode %o, want %o", path, perm, want)
		}
	}

	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msg, err := mail.ReadMessage(f)
	if err != nil {
		t.Fatalf("the file is not a mail: %v", err)
	}
	date, err := msg.Header.Date()
	if err != nil {
		t.Fatalf("Date header: %v", err)
	}
	// The file name and the Date header come from one reading of the
	// clock, so they name the same second.
	named, err := time.Parse("20060102T150405.000000000Z", strings.TrimSuffix(name, "-m1.eml"))
	if err != nil {
		t.Fatalf("file name time: %v", err)
	}
	if !named.Truncate(time.Second).Equal(date) {
		t.Fatalf("file name says %v, Date header %v", named, date)
	}
}

func TestSendRefusesHeaderInjection(t *testing.T) {
	dir := t.TempDir()
	o := &Outbox{Dir: dir, From: "trust@example.com"}
	err := o.Send(t.Context(), trust.Mail{ID: "m1", To: "ada@example.com\r\nBcc: eve@example.com", Subject: "x"})
	if err == nil {
		t.Fatal("Send accepted an address with a header in it")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a refused mail left files: %v", entries)
	}
}

// Delivery is at least once, so the outbox must take the same mail twice
// without two files: the second Send finds the file (O_EXCL) and succeeds
// without writing. A file a crash left half written is completed, and no
// temporary copy (with its live link) is ever left beside the mails.
func TestSendIsIdempotentAndCrashSafe(t *testing.T) {
	dir := t.TempDir()
	o := &Outbox{Dir: dir, From: "trust@example.com"}
	m := trust.Mail{ID: "mail_1", To: "ada@example.com", Subject: "Sign in", Text: "https://trust.example.com/admin/login/secret\n",
		CreatedAt: time.Date(2026, 11, 25, 9, 0, 0, 123, time.UTC)}
	if err := o.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, FileName(m))
	whole, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the mail is not under its id's name: %v", err)
	}
	// Date the file back: a second delivery that wrote it would move it on.
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	if err := o.Send(t.Context(), m); err != nil {
		t.Fatalf("second delivery of the same mail: %v", err)
	}
	if fi, err := os.Stat(path); err != nil || !fi.ModTime().Equal(old) {
		t.Fatalf("the second delivery wrote the file again (%v)", err)
	}

	// A crash mid-write leaves the start of the file; re-delivery completes it.
	if err := os.WriteFile(path, whole[:len(whole)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	if err := o.Send(t.Context(), m); err != nil {
		t.Fatalf("re-delivery over a torn file: %v", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, whole) {
		t.Fatalf("re-delivery left %q, want the whole mail", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != FileName(m) {
		t.Fatalf("outbox holds %v, want the one mail", entries)
	}

	for _, id := range []string{"", "../escape", "a/b", ".hidden"} {
		bad := m
		bad.ID = id
		if err := o.Send(t.Context(), bad); trust.ErrorCode(err) != trust.EInvalid {
			t.Errorf("id %q: %v, want EInvalid", id, err)
		}
	}
}

// TestMultipartMail reads a mail as a client would: the display-name
// sender, the Reply-To, and both parts of multipart/alternative, the HTML
// one escaped.
func TestMultipartMail(t *testing.T) {
	dir := t.TempDir()
	o := &Outbox{Dir: dir, From: "trust@example.com", FromName: "Lumen Ledger Trust Center", ReplyTo: "security@example.com"}
	m := trust.Mail{ID: "m2", To: "ada@example.com", Subject: "Ready — 就绪", Text: "Hello “Ada <b>”,\n\nhttps://trust.example.com/access/x\n",
		HTML: "<p>Hello “Ada &lt;b&gt;”</p>", CreatedAt: time.Now()}
	if err := o.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, FileName(m)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msg, err := mail.ReadMessage(f)
	if err != nil {
		t.Fatal(err)
	}
	from, err := mail.ParseAddress(msg.Header.Get("From"))
	if err != nil || from.Name != "Lumen Ledger Trust Center" || from.Address != "trust@example.com" {
		t.Errorf("From %q: %+v %v", msg.Header.Get("From"), from, err)
	}
	if got := msg.Header.Get("Reply-To"); got != "security@example.com" {
		t.Errorf("Reply-To %q", got)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != m.Subject {
		t.Errorf("Subject %q %v", subject, err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	var types, bodies []string
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(p) // the reader undoes quoted-printable
		if err != nil {
			t.Fatal(err)
		}
		types = append(types, p.Header.Get("Content-Type"))
		bodies = append(bodies, strings.ReplaceAll(string(b), "\r\n", "\n"))
	}
	if len(types) != 2 || types[0] != "text/plain; charset=utf-8" || types[1] != "text/html; charset=utf-8" {
		t.Fatalf("parts %q", types)
	}
	if bodies[0] != m.Text || bodies[1] != m.HTML {
		t.Errorf("bodies %q", bodies)
	}
	// A header value cannot be smuggled through the display name.
	bad := &Outbox{Dir: dir, From: "trust@example.com", FromName: "X\r\nBcc: eve@evil.example"}
	m.ID = "m3"
	if err := bad.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, FileName(m)))
	if strings.Contains(string(raw), "\r\nBcc:") {
		t.Error("the display name started a header")
	}
}
