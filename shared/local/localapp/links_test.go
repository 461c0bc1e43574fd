package localapp_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestAutoApprovedGoesToTheAccessPage: a requester a rule approves is taken
// from the confirmation link straight to their documents, in the same
// browser; opening the link again shows the status page instead, so a
// forwarded mail or a link scanner does not land on the access page.
func TestAutoApprovedGoesToTheAccessPage(t *testing.T) {
	h := boot(t, map[string]string{"TRUST_AUTO_APPROVE": "partner.example"})
	if res := h.post("/access-requests", h.requestForm("Ada Lovelace", "ada@partner.example", "soc2-type2-2026")); res.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", res.Status)
	}
	confirm := h.link("ada@partner.example", "/access-requests/confirm/")
	res := h.get(confirm)
	loc := res.Header.Get("Location")
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(loc, "/access/") {
		t.Fatalf("confirm: %d to %q, want 303 to the access page", res.Status, loc)
	}
	if page := h.get(loc); page.Status != http.StatusOK || !strings.Contains(page.Body, `href="/download/`) {
		t.Fatalf("access page: %d", page.Status)
	}
	if again := h.get(confirm); again.Status != http.StatusOK || again.Header.Get("Location") != "" {
		t.Fatalf("confirm link again: %d to %q, want the status page", again.Status, again.Header.Get("Location"))
	}
	// A person's approval still shows the status page on confirmation.
	if res := h.post("/access-requests", h.requestForm("Grace Hopper", "grace@other.example", "soc2-type2-2026")); res.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", res.Status)
	}
	if res := h.get(h.link("grace@other.example", "/access-requests/confirm/")); res.Status != http.StatusOK {
		t.Fatalf("confirm of a request for a person: %d", res.Status)
	}
}

// TestLapseMails: with the server's clock moved, a grant's holder is told
// once, LapseWarning ahead, that it ends (with a renewal link) and once
// that it ended; both list the documents by title and state the date in
// the reader's language, in UTC.
func TestLapseMails(t *testing.T) {
	h := boot(t, map[string]string{"TRUST_LAPSE_WARNING_DAYS": "5", "TRUST_MAIL_REPLY_TO": "security@lumen.example"})
	g := h.approve("Ada Lovelace", "ada@buyer.example", 30, "soc2-type2-2026")
	remind := func(want int) {
		t.Helper()
		n, err := h.local.Service.RemindLapses(context.Background())
		if err != nil || n != want {
			t.Fatalf("RemindLapses: %d mails, %v; want %d", n, err, want)
		}
	}
	lapseMails := func(subject string) []email {
		var out []email
		for _, m := range h.mailsTo("ada@buyer.example", "") {
			if strings.Contains(m.Subject, subject) {
				out = append(out, m)
			}
		}
		return out
	}
	remind(0)
	h.skip(25*24*time.Hour + time.Hour) // 4 days 23 hours left
	remind(1)
	remind(0)
	soon := lapseMails("ends soon")
	if len(soon) != 1 {
		t.Fatalf("%d lapse-ahead mails, want 1", len(soon))
	}
	m := soon[0]
	ends := h.now().Add(5*24*time.Hour - time.Hour).UTC()
	for _, want := range []string{"SOC 2 Type II", "UTC", ends.Format("January 2, 2006"), h.base + "/access-requests/new?document=soc2-type2-2026", "Request renewal"} {
		if !strings.Contains(m.Body+m.HTML, want) {
			t.Errorf("lapse-ahead mail lacks %q:\n%s", want, m.Body)
		}
	}
	if got := m.Header.Get("Reply-To"); got != "security@lumen.example" {
		t.Errorf("Reply-To %q", got)
	}
	if !strings.Contains(m.Header.Get("From"), "Trust Center") {
		t.Errorf("From %q has no display name", m.Header.Get("From"))
	}
	if strings.Count(m.HTML, `style="display:inline-block`) != 1 {
		t.Errorf("the HTML part has not exactly one button:\n%s", m.HTML)
	}
	h.skip(6 * 24 * time.Hour)
	if res := h.get(g.access); res.Status != http.StatusGone {
		t.Fatalf("access page after the end: %d", res.Status)
	}
	remind(1)
	remind(0)
	if got := lapseMails("has ended"); len(got) != 1 || !strings.Contains(got[0].Body, "SOC 2 Type II") {
		t.Fatalf("lapsed mails: %d", len(got))
	}
	// Long after the end nothing more is sent.
	h.skip(30 * 24 * time.Hour)
	remind(0)
}

// TestLapseMailInChinese: the mail follows the form's language, dates as
// a Chinese reader writes them.
func TestLapseMailInChinese(t *testing.T) {
	h := boot(t, nil)
	form := h.requestForm("Ada Lovelace", "ada@buyer.example", "soc2-type2-2026")
	if res := h.post("/access-requests?lang=zh-CN", form); res.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", res.Status)
	}
	if res := h.get(h.link("ada@buyer.example", "/access-requests/confirm/")); res.Status != http.StatusOK {
		t.Fatalf("confirm: %d", res.Status)
	}
	var id string
	for _, m := range h.mails() {
		if sm := requestIDRe.FindStringSubmatch(m.Body); sm != nil && strings.Contains(m.Body, "ada@buyer.example") {
			id = sm[1]
		}
	}
	csrf := h.signIn("admin@trust.localhost")
	if res := h.post("/admin/requests/"+id+"/approve", map[string][]string{"days": {"30"}, "csrf": {csrf}}); res.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d", res.Status)
	}
	h.skip(25 * 24 * time.Hour)
	if n, err := h.local.Service.RemindLapses(context.Background()); n != 1 || err != nil {
		t.Fatalf("RemindLapses: %d %v", n, err)
	}
	ms := h.mailsTo("ada@buyer.example", "/access-requests/new")
	if len(ms) != 1 {
		t.Fatalf("%d mails with a renewal link", len(ms))
	}
	for _, want := range []string{"即将到期", "年", "（UTC）", "申请续期", "lang=zh-CN"} {
		if !strings.Contains(ms[0].Body+ms[0].HTML, want) {
			t.Errorf("mail lacks %q:\n%s", want, ms[0].Body)
		}
	}
}

// TestLinksInMailsAreShort walks the flows that send mail (confirmation,
// approvers' notice, approval, staff sign-in, lapse) and reports the
// longest link; every mail any test reads is held to MaxLinkLength by
// checkLinks.
func TestLinksInMailsAreShort(t *testing.T) {
	h := boot(t, nil)
	h.approve("Ada Lovelace", "ada@buyer.example", 30, "soc2-type2-2026", "soc1-type2-2026")
	h.skip(24 * 24 * time.Hour)
	if _, err := h.local.Service.RemindLapses(context.Background()); err != nil {
		t.Fatal(err)
	}
	ms := h.mails()
	if len(ms) < 5 {
		t.Fatalf("only %d mails", len(ms))
	}
	longestLink.Lock()
	defer longestLink.Unlock()
	t.Logf("%d mails; longest link %d characters: %s", len(ms), len(longestLink.link), longestLink.link)
}
