package localapp_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserMyRequests signs a requester in to "my requests" in the
// browser (the form typed, the emailed link opened, its button pressed)
// and audits and photographs the form and the page at 1280 and 375 px,
// light and dark, in English and Chinese.
func TestBrowserMyRequests(t *testing.T) {
	h := boot(t, nil)
	h.approve("Katherine Johnson", "katherine@buyer.example", 30, "soc2-type2-2026", "soc1-type2-2026")
	h.submitAndConfirm("Katherine Johnson", "katherine@buyer.example", "soc1-type2-2026")
	b := newTab(t, h)

	b.open("/my-requests")
	b.audit("my requests form")
	b.shoot("my-requests-form-en-light-375", 375)
	b.do("typing the address", chromedp.SendKeys(chromedp.CSS(`#email`), "katherine@buyer.example"))
	if res := b.follow("asking for a link", chromedp.Click(chromedp.CSS(`button[type="submit"]`))); res.Status != http.StatusOK {
		t.Fatalf("after asking: %d", res.Status)
	}
	if got := b.text(`[role="status"]`); !strings.Contains(got, "sign-in link") {
		t.Fatalf("no note that the link is on its way: %q", got)
	}
	b.open(h.link("katherine@buyer.example", "/my-requests/sign-in/"))
	b.audit("my requests sign-in button")
	if res := b.follow("signing in", chromedp.Click(chromedp.CSS(`button[type="submit"]`))); res.Status != http.StatusOK {
		t.Fatalf("signing in: %d", res.Status)
	}
	if p := b.path(); p != "/my-requests" {
		t.Fatalf("signed in to %s", p)
	}
	if n := eval[int](b, `document.querySelectorAll("section.card").length`); n != 2 {
		t.Fatalf("%d requests on the page, want 2", n)
	}
	b.audit("my requests")
	for _, lang := range []string{"en", "zh-CN"} {
		b.open("/my-requests?lang=" + lang)
		if lang != "en" {
			b.audit("my requests in " + lang)
		}
		for _, scheme := range []string{"light", "dark"} {
			for _, width := range []int{1280, 375} {
				height := int64(900)
				if width < 600 {
					height = 740
				}
				b.setView(view{scheme, int64(width), height, scheme})
				b.shoot(fmt.Sprintf("my-requests-%s-%s-%d", lang, scheme, width), width)
			}
		}
	}
}
