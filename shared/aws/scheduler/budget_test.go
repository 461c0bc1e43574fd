package scheduler_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"trustcenter/shared/aws/scheduler"
	"trustcenter/shared/aws/sesmail"
	"trustcenter/shared/local/boltstore"
	"trustcenter/shared/trust"
)

// TestRunWithHangingSESEndsBeforeTheTimeout: with SES taking every mail
// and never answering, a drain of more mails than fit in the function's
// time stops well before Lambda's deadline, and no mail is lost: each is
// either claimed once (its answer lost, tried once more later) or still
// waiting untouched. The timeout here is the function's own scaled down,
// so the test is short; the margin is the function's.
func TestRunWithHangingSESEndsBeforeTheTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ENDPOINT_URL_SESV2", srv.URL)
	mailer := sesmail.FromConfig(aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")},
		"Trust Center <trust@example.com>", "", "trust-mail")

	store, err := boltstore.Open(filepath.Join(t.TempDir(), "db"), trust.SystemClock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := trust.New(trust.Config{}, trust.Engines{Store: store, Mail: mailer, Clock: trust.SystemClock, Log: log})
	h := &scheduler.Handler{Service: svc, Log: log, EMF: io.Discard, Clock: trust.SystemClock}
	const mails = 12
	for i := range mails {
		m := trust.Mail{ID: fmt.Sprintf("mail_%02d", i), To: "ada@buyer.example", Subject: "s", Text: "t", CreatedAt: time.Now()}
		if err := store.Commit(t.Context(), trust.Tx{Mails: []trust.Mail{m}}); err != nil {
			t.Fatal(err)
		}
	}

	const timeout = 9 * time.Second // each hanging send takes awsenv.Bounded's 2 s: 12 do not fit
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	start := time.Now()
	h.Handle(ctx, []byte(`{"source":"aws.events","detail-type":"Scheduled Event"}`))
	if took := time.Since(start); took > timeout-2*time.Second {
		t.Errorf("the run took %v of a %v timeout; want it to stop with at least 2 s to spare", took, timeout)
	}
	claimed, waiting := 0, 0
	for i := range mails {
		m, err := store.GetMail(context.Background(), fmt.Sprintf("mail_%02d", i))
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case m.State != trust.MailPending:
			t.Errorf("%s: %s (%s); a mail whose answer was lost once must stay pending", m.ID, m.State, m.Reason)
		case m.Attempts == 1 && !m.SendingAt.IsZero():
			claimed++
		case m.Attempts == 0:
			waiting++
		default:
			t.Errorf("%s: %d attempts, sending since %v", m.ID, m.Attempts, m.SendingAt)
		}
	}
	if claimed == 0 || waiting == 0 {
		t.Errorf("%d claimed, %d waiting: want the run cut short part way", claimed, waiting)
	}
	t.Logf("%d mails claimed (answers lost), %d left waiting, in %v", claimed, waiting, time.Since(start).Round(time.Millisecond))
}
