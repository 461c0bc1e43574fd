package scheduler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"trustcenter/shared/aws/scheduler"
	"trustcenter/shared/local/boltstore"
	"trustcenter/shared/trust"
)

type clock struct{ now time.Time }

type mailbox struct {
	mu   sync.Mutex
	sent []string
}

func (m *mailbox) Send(_ context.Context, mail trust.Mail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, mail.ID)
	return nil
}

type world struct {
	h     *scheduler.Handler
	store trust.Store
	mail  *mailbox
	emf   *bytes.Buffer
	logs  *bytes.Buffer
	clock *clock
}

func newWorld(t *testing.T) *world {
	t.Helper()
	c := &clock{now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	tc := trust.Clock(func() time.Time { return c.now })
	store, err := boltstore.Open(filepath.Join(t.TempDir(), "db"), tc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	w := &world{store: store, mail: &mailbox{}, emf: &bytes.Buffer{}, logs: &bytes.Buffer{}, clock: c}
	log := slog.New(slog.NewJSONHandler(w.logs, nil))
	svc := trust.New(trust.Config{}, trust.Engines{Store: store, Mail: w.mail, Clock: tc, Log: log})
	w.h = &scheduler.Handler{Service: svc, Log: log, EMF: w.emf, Clock: tc}
	return w
}

func (w *world) queue(t *testing.T, id, to string) {
	t.Helper()
	m := trust.Mail{ID: id, To: to, Subject: "s", Text: "t", CreatedAt: w.clock.now}
	if err := w.store.Commit(context.Background(), trust.Tx{Mails: []trust.Mail{m}}); err != nil {
		t.Fatal(err)
	}
}

func fixture(t *testing.T, name string) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// emfLines decodes the embedded-metric lines written so far.
func (w *world) emfLines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(w.emf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("metrics line is not JSON: %v: %s", err, line)
		}
		out = append(out, m)
	}
	return out
}

// The stream record of a mail inserted into the outbox delivers that mail;
// the record of an attempt being saved (MODIFY) and records of other items
// deliver nothing.
func TestStreamDeliversInsertedMail(t *testing.T) {
	w := newWorld(t)
	w.queue(t, "mail_q0", "zoe@buyer.example")
	w.queue(t, "mail_q1", "ada@buyer.example")
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(fixture(t, "stream-outbox-insert.json"), &ev); err != nil {
		t.Fatal(err)
	}
	if ids := scheduler.MailIDs(ev); !slices.Equal(ids, []string{"mail_q1"}) {
		t.Fatalf("MailIDs = %v, want [mail_q1]", ids)
	}
	for range 2 { // Lambda may hand a batch over twice
		if err := w.h.Handle(t.Context(), fixture(t, "stream-outbox-insert.json")); err != nil {
			t.Fatalf("Handle: %v", err)
		}
	}
	if !slices.Equal(w.mail.sent, []string{"mail_q1"}) {
		t.Fatalf("sent %v, want mail_q1 once", w.mail.sent)
	}
	lines := w.emfLines(t)
	if len(lines) != 2 {
		t.Fatalf("%d metrics lines, want one per run", len(lines))
	}
	if _, ok := lines[0][scheduler.MetricOldestPending]; ok {
		t.Error("a stream run reports the oldest pending mail, which only a drain reads")
	}
	if lines[0][scheduler.MetricSent] != 1.0 || lines[1][scheduler.MetricSent] != 0.0 {
		t.Errorf("MailSent %v then %v, want 1 then 0", lines[0][scheduler.MetricSent], lines[1][scheduler.MetricSent])
	}
}

// The schedule drains whatever is due and reports the oldest mail left as
// an embedded metric CloudWatch turns into OldestPendingMailAge.
func TestScheduleDrainsAndReportsOldestPending(t *testing.T) {
	w := newWorld(t)
	w.queue(t, "mail_a", "ada@buyer.example")
	if err := w.h.Handle(t.Context(), fixture(t, "schedule.json")); err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if !slices.Equal(w.mail.sent, []string{"mail_a"}) {
		t.Fatalf("sent %v", w.mail.sent)
	}
	lines := w.emfLines(t)
	if len(lines) != 1 {
		t.Fatalf("metrics lines %v", lines)
	}
	l := lines[0]
	aws, _ := l["_aws"].(map[string]any)
	cwm, _ := aws["CloudWatchMetrics"].([]any)
	if len(cwm) != 1 {
		t.Fatalf("no CloudWatchMetrics block: %v", l)
	}
	block := cwm[0].(map[string]any)
	if block["Namespace"] != scheduler.MetricsNamespace || l[scheduler.FunctionDimension] != scheduler.FunctionName {
		t.Errorf("namespace %v, dimension %v", block["Namespace"], l[scheduler.FunctionDimension])
	}
	var names []string
	for _, m := range block["Metrics"].([]any) {
		name := m.(map[string]any)["Name"].(string)
		names = append(names, name)
		if _, ok := l[name]; !ok {
			t.Errorf("metric %s declared without a value", name)
		}
	}
	for _, want := range []string{scheduler.MetricOldestPending, scheduler.MetricPermanentFail} {
		if !slices.Contains(names, want) {
			t.Errorf("metrics %v lack %s", names, want)
		}
	}
	if l[scheduler.MetricOldestPending] != 0.0 {
		t.Errorf("oldest pending %v after everything went, want 0", l[scheduler.MetricOldestPending])
	}
}

// A permanent bounce and a complaint suppress the address (matched however
// SES spelled it); a transient bounce does not. Mail to a suppressed
// address is then not sent.
func TestBouncesAndComplaintsSuppress(t *testing.T) {
	w := newWorld(t)
	for _, f := range []string{"sns-bounce-permanent.json", "sns-bounce-transient.json", "sns-complaint.json"} {
		if err := w.h.Handle(t.Context(), fixture(t, f)); err != nil {
			t.Fatalf("Handle(%s): %v", f, err)
		}
	}
	ctx := t.Context()
	for addr, want := range map[string]string{"ada@buyer.example": "bounce: Permanent/General", "bob@buyer.example": "complaint: abuse", "grace@buyer.example": ""} {
		sup, err := w.store.Suppressed(ctx, addr)
		switch {
		case want == "" && trust.ErrorCode(err) != trust.ENotFound:
			t.Errorf("%s: %+v, %v; want no suppression (a transient bounce)", addr, sup, err)
		case want != "" && (err != nil || sup.Reason != want):
			t.Errorf("%s: %+v, %v; want suppressed for %q", addr, sup, err, want)
		}
	}
	w.queue(t, "mail_after", "ada@buyer.example")
	w.queue(t, "mail_ok", "grace@buyer.example")
	if err := w.h.Handle(ctx, fixture(t, "schedule.json")); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(w.mail.sent, []string{"mail_ok"}) {
		t.Fatalf("sent %v, want only the mail to the address that was not suppressed", w.mail.sent)
	}
}

func TestUnknownEventIsRefused(t *testing.T) {
	w := newWorld(t)
	for _, raw := range []string{`{"hello":"world"}`, `not json`, `{"Records":[{"eventSource":"aws:s3"}]}`} {
		if err := w.h.Handle(t.Context(), json.RawMessage(raw)); err == nil {
			t.Errorf("Handle(%s) succeeded", raw)
		}
	}
}
