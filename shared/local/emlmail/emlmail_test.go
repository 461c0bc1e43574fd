package emlmail

import (
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
