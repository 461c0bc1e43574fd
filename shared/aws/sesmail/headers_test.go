package sesmail_test

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"trustcenter/shared/trust"
)

var unsubscribeHeaders = map[string]string{
	"List-Unsubscribe":      "<https://trust.example.com/subscriptions/unsubscribe/tok>",
	"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
}

// TestSendCarriesExtraHeaders: the one-click unsubscribe headers reach SES
// as message headers, sorted; a header that could forge another is refused
// before SES is called.
func TestSendCarriesExtraHeaders(t *testing.T) {
	var got struct {
		Content struct {
			Simple struct {
				Headers []struct{ Name, Value string }
			}
		}
	}
	calls := 0
	m, _ := newMailer(t, func(w http.ResponseWriter, r *http.Request) {
		calls++
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &got); err != nil {
			t.Errorf("body is not JSON: %v", err)
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"MessageId":"0100018f-test"}`)
	})
	mail := trust.Mail{ID: "m1", To: "zoe@example.org", Subject: "News", Text: "t", Headers: unsubscribeHeaders}
	if err := m.Send(t.Context(), mail); err != nil {
		t.Fatal(err)
	}
	h := got.Content.Simple.Headers
	if len(h) != 2 || h[0].Name != "List-Unsubscribe" || h[0].Value != unsubscribeHeaders["List-Unsubscribe"] ||
		h[1].Name != "List-Unsubscribe-Post" || h[1].Value != "List-Unsubscribe=One-Click" {
		t.Errorf("headers sent = %+v", h)
	}
	for _, bad := range []map[string]string{{"Bcc": "eve@example.com"}, {"X-A": "one\r\nBcc: eve@example.com"}, {"X B": "v"}} {
		mail.Headers = bad
		if err := m.Send(t.Context(), mail); trust.ErrorCode(err) != trust.EInvalid {
			t.Errorf("headers %q: %v, want EInvalid", bad, err)
		}
	}
	if calls != 1 {
		t.Errorf("SES called %d times, want once (the refused mails never reach it)", calls)
	}
}
