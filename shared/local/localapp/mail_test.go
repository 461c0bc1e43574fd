package localapp_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/app"
	"trustcenter/shared/local/localapp"
	"trustcenter/shared/trust"
)

// The local server delivers mail on its own, right after the commit that
// queued it, on a goroutine of its own: the request only queues it.
func TestServerDeliversMailAfterCommit(t *testing.T) {
	t.Setenv("TRUST_DATA_DIR", t.TempDir())
	t.Setenv("TRUST_STAFF", "admin@trust.localhost")
	cfg, err := app.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	l, err := localapp.Open(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	drained := make(chan trust.MailReport, 10)
	l.Drained = func(r trust.MailReport) { drained <- r }
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l.Serve(ln)
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Error(err)
		}
	})

	if err := l.Service.StartSignIn(context.Background(), "admin@trust.localhost", trust.Client{IP: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-drained:
		if r.Sent != 1 {
			t.Fatalf("the server's drain after the commit sent %d mails, want the sign-in link", r.Sent)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no drain followed the commit that queued mail")
	}
	entries, err := os.ReadDir(l.Outbox)
	if err != nil || len(entries) != 1 || !strings.HasSuffix(entries[0].Name(), ".eml") {
		t.Fatalf("outbox %v (%v), want the one mail", entries, err)
	}
}
