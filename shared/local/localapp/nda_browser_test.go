package localapp_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserNDA publishes a major NDA version from the console as an
// admin would, then looks at the pages it changes as their users see them:
// the console's NDA page, the form's NDA block and the access page asking
// for the new version; axe audits each, and screenshots cover 1280 and
// 375 px, light and dark, English and Chinese.
func TestBrowserNDA(t *testing.T) {
	h := boot(t, nil)
	g := h.approve("Katherine Johnson", "katherine@buyer.example", 30, soc2)
	b := newTab(t, h)
	b.signInStaff("admin@trust.localhost")

	b.open("/admin/nda")
	b.audit("NDA versions")
	b.do("writing a major version",
		chromedp.SendKeys(chromedp.CSS(`#label`), "2027-01"),
		chromedp.Click(chromedp.CSS(`input[name="change"][value="major"]`)),
		chromedp.SetValue(chromedp.CSS(`#text`), "MUTUAL NON-DISCLOSURE AGREEMENT\n\n1. The recipient keeps the reports confidential for five years.\n2. The reports are used only to assess the vendor."),
	)
	b.follow("publishing", chromedp.Click(chromedp.CSS(`form[action="/admin/nda"] button[type="submit"]`)))
	if done := b.text(`[role="status"]`); !strings.Contains(done, "2027-01") {
		t.Fatalf("after publishing the page says %q", done)
	}
	if rows := eval[int](b, `document.querySelectorAll("table tbody tr").length`); rows != 2 {
		t.Errorf("%d versions listed, want 2", rows)
	}
	b.audit("NDA versions after publishing")

	tok := strings.TrimPrefix(g.access, h.abs(""))
	pages := []struct{ name, path, sel string }{
		{"admin-nda", "/admin/nda", "h1"},
		{"form-nda", "/access-requests/new?document=" + soc2, "#nda"},
		{"access-nda", tok, "#nda"},
	}
	for _, pg := range pages {
		b.open(pg.path)
		if pg.name == "access-nda" {
			if n := eval[int](b, `document.querySelectorAll('a[href^="/download/"]').length`); n != 0 {
				t.Errorf("the access page offers %d downloads before the new NDA is accepted", n)
			}
		}
		b.audit(pg.name)
		for _, lang := range []string{"en", "zh-CN"} {
			path := pg.path
			if lang != "en" {
				path += map[bool]string{true: "&", false: "?"}[strings.Contains(path, "?")] + "lang=" + lang
			}
			b.open(path)
			for _, scheme := range []string{"light", "dark"} {
				for _, w := range []int{1280, 375} {
					height := int64(900)
					if w < 600 {
						height = 740
					}
					b.setView(view{pg.name, int64(w), height, scheme})
					b.shoot(fmt.Sprintf("%s-%s-%s-%d", pg.name, lang, scheme, w), w)
				}
			}
		}
	}

	// The holder accepts in the browser and gets their links back.
	b.open(tok)
	b.do("accepting", chromedp.Click(chromedp.CSS(`#nda_accept`)), chromedp.SendKeys(chromedp.CSS(`#nda_signature`), "Katherine Johnson"))
	b.follow("submitting", chromedp.Click(chromedp.CSS(`form button[type="submit"]`)))
	if n := eval[int](b, `document.querySelectorAll('a[href^="/download/"]').length`); n != 1 {
		t.Errorf("after accepting the access page offers %d downloads, want 1", n)
	}
}
