package functions_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

// sesFake is SES v2's SendEmail as far as the scheduler uses it. Mail to
// throttled@ is throttled every time, mail to sandbox@ refused as SES's
// sandbox refuses an unverified recipient; the rest is accepted and kept.
type sesFake struct {
	URL  string
	mu   sync.Mutex
	sent map[string]int // recipient → accepted sends
	sets []string       // configuration set of each call
}

func newSESFake(tb testing.TB) *sesFake {
	f := &sesFake{sent: map[string]int{}}
	srv := httptest.NewServer(signed(tb, "ses")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v2/email/outbound-emails" {
			http.Error(w, "unexpected call", http.StatusNotFound)
			return
		}
		var in struct {
			ConfigurationSetName string
			Destination          struct{ ToAddresses []string }
		}
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &in); err != nil || len(in.Destination.ToAddresses) != 1 {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		to := in.Destination.ToAddresses[0]
		f.mu.Lock()
		defer f.mu.Unlock()
		f.sets = append(f.sets, in.ConfigurationSetName)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasPrefix(to, "throttled@"):
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"__type":"TooManyRequestsException","message":"Maximum sending rate exceeded."}`)
		case strings.HasPrefix(to, "sandbox@"):
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"MessageRejected","message":"Email address is not verified. The following identities failed the check in region US-EAST-1: `+to+`"}`)
		default:
			f.sent[to]++
			io.WriteString(w, `{"MessageId":"0100018f-fake"}`)
		}
	})))
	tb.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

func (f *sesFake) accepted(to string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sent[to]
}

// streamInsert is the stream batch DynamoDB delivers when mails with ids
// are queued (NEW_IMAGE, trimmed to the attributes the handler reads).
func streamInsert(ids ...string) []byte {
	var recs []string
	for i, id := range ids {
		recs = append(recs, fmt.Sprintf(`{"eventID":"%d","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":%q,
			"dynamodb":{"Keys":{"PK":{"S":"MAIL#%s"},"SK":{"S":"MAIL#%s"}},"NewImage":{"PK":{"S":"MAIL#%s"},"SK":{"S":"MAIL#%s"},"GSI1PK":{"S":"OUTBOX"},"id":{"S":%q}},
			"SequenceNumber":"%d","SizeBytes":100,"StreamViewType":"NEW_IMAGE"},
			"eventSourceARN":"arn:aws:dynamodb:us-east-1:123456789012:table/trust/stream/2026-11-25T00:00:00.000"}`, i, region, id, id, id, id, id, 1000+i))
	}
	return []byte(`{"Records":[` + strings.Join(recs, ",") + `]}`)
}

const scheduleEvent = `{"version":"0","id":"e1","detail-type":"Scheduled Event","source":"aws.events","account":"123456789012","time":"2026-11-25T09:05:00Z","region":"us-east-1","resources":[],"detail":{}}`

// The deployed scheduler binary, on DynamoDB Local and an SES fake: the
// stream delivers queued mail, a throttled mail stays pending with its
// attempt counted and is never lost, a sandbox refusal is final and logged
// as an ERROR with its metric, and no mail is sent twice however often the
// triggers fire.
func TestSchedulerDeliversMail(t *testing.T) {
	w := newWorld(t)
	ses := newSESFake(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	now := time.Now().UTC()
	var ids []string
	for _, to := range []string{"ada@buyer.example", "throttled@buyer.example", "sandbox@buyer.example"} {
		m := trust.Mail{ID: "mail_" + strings.Split(to, "@")[0], To: to, Subject: "Confirm", Text: "body", CreatedAt: now}
		if err := w.store.Commit(ctx, trust.Tx{Mails: []trust.Mail{m}}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	vars := append(w.env(t, schedulerFunction), "AWS_ENDPOINT_URL_SESV2="+ses.URL, "TRUST_SES_CONFIGURATION_SET=trust-mail")
	_, p := start(t, schedulerFunction, vars)

	for _, ev := range [][]byte{streamInsert(ids...), streamInsert(ids...), []byte(scheduleEvent)} {
		if out, err := p.Invoke(ctx, ev); err != nil {
			t.Fatalf("invoke: %v (%s)", err, out)
		}
	}
	if n := ses.accepted("ada@buyer.example"); n != 1 {
		t.Errorf("the deliverable mail was sent %d times, want once", n)
	}
	for _, set := range ses.sets {
		if set != "trust-mail" {
			t.Errorf("a send named configuration set %q, want trust-mail", set)
		}
	}
	throttled, err := w.store.GetMail(ctx, "mail_throttled")
	if err != nil {
		t.Fatal(err)
	}
	if throttled.State != trust.MailPending || throttled.Attempts != 1 || !throttled.NextAttemptAt.After(now) {
		t.Errorf("throttled mail: %+v; want pending after one attempt, due later", throttled)
	}
	refused, err := w.store.GetMail(ctx, "mail_sandbox")
	if err != nil {
		t.Fatal(err)
	}
	if refused.State != trust.MailUndeliverable || !strings.Contains(refused.Reason, "MessageRejected") {
		t.Errorf("sandbox-refused mail: %+v; want undeliverable with the reason", refused)
	}
	out := p.Stdout()
	for _, want := range []string{`"level":"ERROR","msg":"mail undeliverable"`, `"MailPermanentFailure":1`, `"OldestPendingMailAge":`, `"CloudWatchMetrics"`} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %s:\n%s", want, out)
		}
	}

	// A permanent bounce through SNS suppresses the address.
	bounce, _ := json.Marshal(map[string]any{"eventType": "Bounce", "bounce": map[string]any{"bounceType": "Permanent", "bounceSubType": "General",
		"bouncedRecipients": []map[string]string{{"emailAddress": "ada@buyer.example"}}}})
	sns, _ := json.Marshal(map[string]any{"Records": []map[string]any{{"EventSource": "aws:sns", "EventVersion": "1.0",
		"Sns": map[string]any{"Type": "Notification", "MessageId": "n1", "Message": string(bounce)}}}})
	if out, err := p.Invoke(ctx, sns); err != nil {
		t.Fatalf("invoke SNS: %v (%s)", err, out)
	}
	if sup, err := w.store.Suppressed(ctx, "ada@buyer.example"); err != nil || !strings.HasPrefix(sup.Reason, "bounce") {
		t.Errorf("after the bounce: %+v, %v; want the address suppressed", sup, err)
	}
	if c := w.trap.Calls(); len(c) > 0 {
		t.Errorf("requests to AWS services without a test endpoint: %v", c)
	}
}
