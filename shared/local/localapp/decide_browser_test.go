package localapp_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"trustcenter/shared/testkit/browsertest"
)

// newestRequest is the id of the newest request from addr, from the
// approvers' mail about it.
func (h *harness) newestRequest(addr string) string {
	h.t.Helper()
	ms := h.mailsTo("sales@trust.localhost", "/admin/requests/")
	for i := len(ms) - 1; i >= 0; i-- {
		if strings.Contains(ms[i].Body, addr) {
			return requestIDRe.FindStringSubmatch(ms[i].Body)[1]
		}
	}
	h.t.Fatalf("no approver mail for %s", addr)
	return ""
}

// TestBrowserRequestPage drives a request's page in Chromium: the context
// an approver sees (flags, the requester's earlier request), an approval
// with a preset and one document from the page's own form, the banner and
// its "next pending" button, a note, and a revocation whose reason the
// requester reads on their status page. Each page state is audited with axe
// and shot at 1280 and 375 px, light and dark, in English and Chinese.
func TestBrowserRequestPage(t *testing.T) {
	h := boot(t, nil)
	const soc1, soc2 = "soc1-type2-2026", "soc2-type2-2026"
	earlier := h.submitAndConfirm("Ada Lovelace", "ada@buyer.example", soc2)
	csrf := h.signIn("admin@trust.localhost")
	if res := h.post("/admin/requests/"+earlier+"/deny", url.Values{"csrf": {csrf}, "template": {"more_info"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("deny: %d", res.Status)
	}
	h.submitAndConfirm("Ada Lovelace", "ada@buyer.example", soc1, soc2)
	id := h.newestRequest("ada@buyer.example")
	other := h.submitAndConfirm("Free Mailer", "free.mailer.with.a.long.name@gmail.com", soc2)

	b := newTab(t, h)
	b.signInStaff("sales@trust.localhost")
	shots := func(state, path string) {
		t.Helper()
		for _, lang := range []string{"en", "zh-CN"} {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			b.open(path + sep + "lang=" + lang)
			b.audit(state + " (" + lang + ")")
			for _, scheme := range []string{"light", "dark"} {
				for _, width := range []int{1280, 375} {
					height := 900
					if width < 600 {
						height = 740
					}
					name := fmt.Sprintf("request-page-%s-%s-%s-%d", state, lang, scheme, width)
					b.setView(view{name, int64(width), int64(height), scheme})
					browsertest.Screenshot(t, b.ctx, name, width, height)
					if sw, iw := eval[int](b, `document.documentElement.scrollWidth`), eval[int](b, `window.innerWidth`); sw > iw {
						t.Errorf("%s: page is %d px wide in a %d px window; too wide: %s", name, sw, iw, eval[string](b, wideElementsJS))
					}
				}
			}
			b.setView(auditViews[0])
		}
	}

	page := "/admin/requests/" + id
	b.open(page)
	if n := eval[int](b, `document.querySelectorAll("ul.flags li").length`); n != 0 {
		t.Errorf("a request from a matching work address has %d flags", n)
	}
	if got := b.text("#prior-email-h + .tablewrap"); !strings.Contains(got, "Denied") {
		t.Errorf("the earlier request is not listed with its outcome: %q", got)
	}
	shots("pending", page)
	b.open("/admin/requests/" + other)
	if got := b.text("ul.flags"); !strings.Contains(got, "Free-mail address (gmail.com)") {
		t.Errorf("free-mail flag: %q", got)
	}
	shots("freemail", "/admin/requests/"+other)

	// Approve from the page's form: the 90-day preset, SOC 2 only.
	b.open(page)
	b.do("choosing 90 days and SOC 2 only",
		chromedp.Click(chromedp.CSS(`#approve-days-90`)),
		chromedp.Click(chromedp.CSS(`form[action$="/approve"] input[name="documents"][value="`+soc1+`"]`)))
	b.follow("approving", chromedp.Click(chromedp.CSS(`form[action$="/approve"] button[type="submit"]`)))
	if p := b.path(); p != page+"?done=approve" {
		t.Fatalf("approving led to %s", p)
	}
	if got := b.text(".banner"); !strings.Contains(got, "Ada Lovelace (ada@buyer.example) was emailed.") || !strings.Contains(got, "Approved; access until") {
		t.Errorf("banner: %q", got)
	}
	shots("approved", page+"?done=approve")
	b.open(page + "?done=approve")
	b.follow("next pending", chromedp.Click(chromedp.CSS(`.banner a.btn`)))
	if p := b.path(); p != "/admin/requests/"+other {
		t.Errorf("next pending led to %s, want %s", p, other)
	}

	// A note, then a revocation with its confirmation and reason.
	b.open(page)
	b.do("writing a note", chromedp.SendKeys(chromedp.CSS(`#note`), "Asked for SOC 1 again by phone; told them it needs a new request."))
	b.follow("adding the note", chromedp.Click(chromedp.CSS(`form[action$="/notes"] button`)))
	if got := b.text(".notes"); !strings.Contains(got, "told them it needs a new request") {
		t.Errorf("notes: %q", got)
	}
	b.do("giving a reason", chromedp.SendKeys(chromedp.CSS(`#revoke-reason`), "The evaluation ended."),
		chromedp.Click(chromedp.CSS(`form[action$="/revoke"] input[name="confirm"]`)))
	b.follow("revoking", chromedp.Click(chromedp.CSS(`form[action$="/revoke"] button`)))
	if got := b.text(".banner"); !strings.Contains(got, "Access revoked") {
		t.Errorf("banner after revoking: %q", got)
	}
	shots("revoked", page+"?done=revoke")

	status := strings.TrimPrefix(h.link("ada@buyer.example", "/requests/"), h.abs(""))
	b.open(status)
	if got := b.text("blockquote.note"); !strings.Contains(got, "The evaluation ended.") {
		t.Errorf("the requester's status page does not give the reason: %q", got)
	}
	shots("status-revoked", status)
}
