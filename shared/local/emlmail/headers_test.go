package emlmail

import (
	"net/mail"
	"os"
	"path/filepath"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

// TestSendWritesExtraHeaders: the .eml carries the one-click unsubscribe
// headers as a mail client reads them; a forged header is refused with no
// file written.
func TestSendWritesExtraHeaders(t *testing.T) {
	dir := t.TempDir()
	o := &Outbox{Dir: dir, From: "trust@example.com"}
	m := trust.Mail{ID: "m1", To: "ada@example.com", Subject: "News", Text: "t\n", CreatedAt: time.Now(),
		Headers: map[string]string{"List-Unsubscribe": "<https://trust.example.com/u/tok>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}}
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
	if got := msg.Header.Get("List-Unsubscribe"); got != "<https://trust.example.com/u/tok>" {
		t.Errorf("List-Unsubscribe = %q", got)
	}
	if got := msg.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post = %q", got)
	}
	bad := trust.Mail{ID: "m2", To: "ada@example.com", Subject: "x", Headers: map[string]string{"Subject": "forged"}}
	if err := o.Send(t.Context(), bad); trust.ErrorCode(err) != trust.EInvalid {
		t.Errorf("a header replacing Subject: %v, want EInvalid", err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName(bad))); !os.IsNotExist(err) {
		t.Errorf("the refused mail was written: %v", err)
	}
}
