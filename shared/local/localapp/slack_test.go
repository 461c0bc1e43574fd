package localapp_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

const (
	slackToken   = "xoxb-test-token"
	slackSecret  = "8f742231b10e8888abcd99yyyzzz85a5"
	slackChannel = "C0TRUST"
)

// fakeSlack is Slack's Web API (chat.postMessage) and its response_url
// endpoint, as Slack documents them, checking every payload it is sent:
// a wrong token, channel or block shape fails the test.
type fakeSlack struct {
	t   *testing.T
	srv *httptest.Server

	mu        sync.Mutex
	posted    []slackMessage
	responses []slackMessage
}

type slackMessage struct {
	Channel         string            `json:"channel"`
	Text            string            `json:"text"`
	Blocks          []json.RawMessage `json:"blocks"`
	ReplaceOriginal bool              `json:"replace_original"`
	ResponseType    string            `json:"response_type"`
}

type slackBlock struct {
	Type     string `json:"type"`
	Text     *struct{ Type, Text string }
	Fields   []struct{ Type, Text string }
	Elements []struct {
		Type     string `json:"type"`
		ActionID string `json:"action_id"`
		Value    string `json:"value"`
		Style    string `json:"style"`
		URL      string `json:"url"`
		Text     struct{ Type, Text string }
	}
}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{t: t}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/chat.postMessage", f.postMessage)
	mux.HandleFunc("POST /response/{id}", f.respond)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("fake slack: unexpected %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) answer(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// postMessage checks the bot token and the form Slack's Web API takes.
func (f *fakeSlack) postMessage(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		f.t.Errorf("chat.postMessage: %v", err)
	}
	// Slack takes the token as a bearer header or as the form's token.
	if r.Header.Get("Authorization") != "Bearer "+slackToken && r.PostForm.Get("token") != slackToken {
		f.t.Errorf("chat.postMessage: no valid token (Authorization %q)", r.Header.Get("Authorization"))
		f.answer(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	m := slackMessage{Channel: r.PostForm.Get("channel"), Text: r.PostForm.Get("text")}
	if err := json.Unmarshal([]byte(r.PostForm.Get("blocks")), &m.Blocks); err != nil {
		f.t.Errorf("chat.postMessage: blocks: %v", err)
	}
	if m.Channel != slackChannel || m.Text == "" {
		f.t.Errorf("chat.postMessage: channel %q text %q", m.Channel, m.Text)
		f.answer(w, map[string]any{"ok": false, "error": "channel_not_found"})
		return
	}
	f.mu.Lock()
	f.posted = append(f.posted, m)
	f.mu.Unlock()
	f.answer(w, map[string]any{"ok": true, "channel": m.Channel, "ts": "1764630000.000100"})
}

// respond is the response_url: JSON, as Slack's message payload.
func (f *fakeSlack) respond(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		f.t.Errorf("response_url: Content-Type %q", ct)
	}
	var m slackMessage
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &m); err != nil || m.Text == "" {
		f.t.Errorf("response_url: %v %s", err, body)
	}
	f.mu.Lock()
	f.responses = append(f.responses, m)
	f.mu.Unlock()
	w.Write([]byte("ok"))
}

func (f *fakeSlack) snapshot() (posted, responses []slackMessage) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]slackMessage(nil), f.posted...), append([]slackMessage(nil), f.responses...)
}

func blocks(t *testing.T, m slackMessage) []slackBlock {
	t.Helper()
	var out []slackBlock
	for _, raw := range m.Blocks {
		var b slackBlock
		if err := json.Unmarshal(raw, &b); err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func bootWithSlack(t *testing.T) (*harness, *fakeSlack) {
	f := newFakeSlack(t)
	h := boot(t, map[string]string{
		"TRUST_SLACK_BOT_TOKEN":      slackToken,
		"TRUST_SLACK_SIGNING_SECRET": slackSecret,
		"TRUST_SLACK_API_URL":        f.srv.URL + "/api/",
		"TRUST_SLACK_CHANNEL":        slackChannel,
		"TRUST_SLACK_USERS":          "U0SALES=sales@trust.localhost",
	})
	return h, f
}

// press is Slack's POST of a button press, signed with secret at ts.
func (h *harness) press(secret string, ts time.Time, user, action, id, responseURL string) (*http.Request, string) {
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "user": map[string]string{"id": user},
		"channel": map[string]string{"id": slackChannel}, "container": map[string]string{"message_ts": "1764630000.000100"},
		"response_url": responseURL,
		"actions":      []map[string]string{{"type": "button", "action_id": action, "value": id, "block_id": "request"}},
	})
	body := "payload=" + url.QueryEscape(string(payload))
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, body)
	req, err := http.NewRequest(http.MethodPost, h.abs("/slack/interactions"), strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return req, body
}

func TestSlackApproveFromChannel(t *testing.T) {
	h, f := bootWithSlack(t)
	id := h.submitAndConfirm("Grace Hopper", "grace@buyer.example", "soc2-type2-2026")
	posted, _ := f.snapshot()
	if len(posted) != 1 {
		t.Fatalf("%d messages posted, want 1", len(posted))
	}
	bs := blocks(t, posted[0])
	if len(bs) != 3 || bs[0].Type != "section" || bs[1].Type != "section" || bs[2].Type != "actions" {
		t.Fatalf("blocks: %+v", bs)
	}
	if !strings.Contains(bs[0].Text.Text, "Grace Hopper") || len(bs[1].Fields) < 4 {
		t.Errorf("context: %+v %+v", bs[0].Text, bs[1].Fields)
	}
	els := bs[2].Elements
	if len(els) != 3 || els[0].ActionID != "approve" || els[0].Value != id || els[0].Style != "primary" ||
		els[1].ActionID != "deny" || els[1].Value != id || els[1].Style != "danger" || els[2].URL != h.base+"/admin/requests/"+id {
		t.Errorf("buttons: %+v", els)
	}

	req, _ := h.press(slackSecret, time.Now(), "U0SALES", "approve", id, f.srv.URL+"/response/1")
	if res := h.do(req); res.Status != http.StatusOK {
		t.Fatalf("interaction: %d %s", res.Status, res.Body)
	}
	_, responses := f.snapshot()
	if len(responses) != 1 || !responses[0].ReplaceOriginal || !strings.Contains(responses[0].Text, "approved by sales@trust.localhost") {
		t.Fatalf("message update: %+v", responses)
	}
	for _, b := range blocks(t, responses[0]) {
		for _, e := range b.Elements {
			if e.ActionID == "approve" || e.ActionID == "deny" {
				t.Errorf("the decided message still has %s", e.ActionID)
			}
		}
	}
	r, events, err := h.local.Service.Request(t.Context(), id)
	if err != nil || r.Status != trust.Approved || r.DecidedBy != "sales@trust.localhost" {
		t.Fatalf("request: %v by %s, %v", r.Status, r.DecidedBy, err)
	}
	if ev := events[len(events)-1]; ev.Type != "request.approved" || ev.Actor != "sales@trust.localhost" {
		t.Errorf("audit: %+v", ev)
	}
	if len(h.mailsTo("grace@buyer.example", "/access/")) != 1 {
		t.Error("the requester got no access mail")
	}
}

func TestSlackInteractionRefusals(t *testing.T) {
	h, f := bootWithSlack(t)
	id := h.submitAndConfirm("Grace Hopper", "grace@buyer.example", "soc2-type2-2026")
	resp := f.srv.URL + "/response/1"

	forged, _ := h.press("not-the-secret", time.Now(), "U0SALES", "approve", id, resp)
	stale, _ := h.press(slackSecret, time.Now().Add(-6*time.Minute), "U0SALES", "approve", id, resp)
	future, _ := h.press(slackSecret, time.Now().Add(6*time.Minute), "U0SALES", "approve", id, resp)
	unsigned, _ := h.press(slackSecret, time.Now(), "U0SALES", "approve", id, resp)
	unsigned.Header.Del("X-Slack-Signature")
	signed, body := h.press(slackSecret, time.Now().Add(-time.Second), "U0SALES", "deny", id, resp)
	tampered, _ := http.NewRequest(http.MethodPost, signed.URL.String(), strings.NewReader(strings.Replace(body, "deny", "approve", 1)))
	tampered.Header = signed.Header.Clone()
	for name, req := range map[string]*http.Request{"forged": forged, "stale": stale, "from the future": future, "unsigned": unsigned, "tampered": tampered} {
		if res := h.do(req); res.Status != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, res.Status)
		}
	}

	// A user Slack signs for, but who is not mapped to staff, is told so
	// privately and changes nothing.
	stranger, _ := h.press(slackSecret, time.Now(), "U0STRANGER", "approve", id, resp)
	if res := h.do(stranger); res.Status != http.StatusOK {
		t.Errorf("stranger: %d", res.Status)
	}
	_, responses := f.snapshot()
	if len(responses) != 1 || responses[0].ReplaceOriginal || responses[0].ResponseType != "ephemeral" || !strings.Contains(responses[0].Text, "not linked") {
		t.Errorf("stranger's answer: %+v", responses)
	}

	// The same signed request twice: the second is a replay.
	deny, body := h.press(slackSecret, time.Now(), "U0SALES", "deny", id, resp)
	if res := h.do(deny); res.Status != http.StatusOK {
		t.Fatalf("deny: %d", res.Status)
	}
	replay, _ := http.NewRequest(http.MethodPost, deny.URL.String(), strings.NewReader(body))
	replay.Header = deny.Header.Clone()
	if res := h.do(replay); res.Status != http.StatusUnauthorized {
		t.Errorf("replay: %d, want 401", res.Status)
	}
	r, _, err := h.local.Service.Request(t.Context(), id)
	if err != nil || r.Status != trust.Denied || r.DecidedBy != "sales@trust.localhost" {
		t.Errorf("request: %v by %s, %v", r.Status, r.DecidedBy, err)
	}
}
