package slackbot_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"trustcenter/shared/slackbot"
	"trustcenter/shared/trust"
)

type nextMailer struct{ got []trust.Mail }

func (n *nextMailer) Send(_ context.Context, m trust.Mail) error {
	n.got = append(n.got, m)
	return nil
}

func notice(t *testing.T, n trust.SlackNotice) trust.Mail {
	t.Helper()
	b, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	return trust.Mail{ID: "mail_1", To: trust.SlackRecipient + "C0TRUST", Text: string(b)}
}

// A Slack that is down or limiting is tried again by the outbox; a Slack
// that refuses the message (a wrong channel, a revoked token) is not.
func TestSendOutcomes(t *testing.T) {
	cases := []struct {
		name    string
		answer  func(w http.ResponseWriter)
		refused bool
		ok      bool
	}{
		{"posted", func(w http.ResponseWriter) { w.Write([]byte(`{"ok":true,"channel":"C0TRUST","ts":"1.2"}`)) }, false, true},
		{"down", func(w http.ResponseWriter) { w.WriteHeader(http.StatusServiceUnavailable) }, false, false},
		{"rate limited", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusTooManyRequests)
		}, false, false},
		{"refused", func(w http.ResponseWriter) { w.Write([]byte(`{"ok":false,"error":"channel_not_found"}`)) }, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				tc.answer(w)
			}))
			defer srv.Close()
			m := slackbot.NewMailer(slackbot.Settings{Token: "xoxb-1", APIURL: srv.URL + "/api/"}, &nextMailer{})
			err := m.Send(context.Background(), notice(t, trust.SlackNotice{RequestID: "req_1", Text: "hello"}))
			if tc.ok != (err == nil) || tc.refused != (trust.ErrorCode(err) == trust.EInvalid) {
				t.Errorf("err = %v (%s)", err, trust.ErrorCode(err))
			}
		})
	}
}

func TestMailGoesToTheMailEngine(t *testing.T) {
	next := &nextMailer{}
	m := slackbot.NewMailer(slackbot.Settings{}, next)
	if err := m.Send(context.Background(), trust.Mail{ID: "m", To: "a@b.example"}); err != nil || len(next.got) != 1 {
		t.Fatalf("mail: %v, %d handed on", err, len(next.got))
	}
	// Without a token a notice is refused, not retried for ever.
	if err := m.Send(context.Background(), notice(t, trust.SlackNotice{Text: "x"})); trust.ErrorCode(err) != trust.EInvalid {
		t.Errorf("notice without a token: %v", err)
	}
}

// What a requester typed cannot become a mention, a link or formatting.
func TestBlocksEscapeTypedText(t *testing.T) {
	n := trust.SlackNotice{RequestID: "req_1", Text: "From <!channel>", Fields: []trust.SlackField{{Label: "Company", Value: "<!here> <https://evil.example|click> *big*"}}, Link: "https://trust.example/admin/requests/req_1", LinkLabel: "Open"}
	b, err := json.Marshal(slackbot.Blocks(n))
	if err != nil {
		t.Fatal(err)
	}
	out := string(b)
	for _, bad := range []string{"<!here>", "<https://evil", "*big*"} {
		if strings.Contains(out, bad) {
			t.Errorf("blocks keep %q: %s", bad, out)
		}
	}
	// The summary is plain text, which Slack never reads for mentions.
	var blocks []struct {
		Text *struct{ Type string } `json:"text"`
	}
	if err := json.Unmarshal(b, &blocks); err != nil || blocks[0].Text == nil || blocks[0].Text.Type != "plain_text" {
		t.Errorf("summary is not plain text: %s", out)
	}
}
