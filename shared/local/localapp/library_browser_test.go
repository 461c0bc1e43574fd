package localapp_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"trustcenter/shared/testkit/browsertest"
)

// TestBrowserLibrary looks at the library's pages as their readers do: the
// trust page with its library, /knowledge with results, and the request
// form, in English and Chinese, light and dark, on a desktop and a phone;
// axe audits each view, and a screenshot of each goes to
// artifacts/screenshots/ to be looked at.
func TestBrowserLibrary(t *testing.T) {
	h := boot(t, nil)
	b := newTab(t, h)
	pagesByLang := map[string][]struct{ name, path string }{
		"en": {
			{"library-trust-page", "/#library"},
			{"knowledge-results", "/knowledge?q=" + url.QueryEscape("encrypted data at rest")},
			{"library-form", "/access-requests/new?document=pentest-2026"},
		},
		"zh-CN": {
			{"library-trust-page", "/?lang=zh-CN#library"},
			{"knowledge-results", "/knowledge?lang=zh-CN&q=" + url.QueryEscape("数据加密")},
			{"library-form", "/access-requests/new?document=pentest-2026&lang=zh-CN"},
		},
	}
	shootAll := func(name, lang string) {
		for _, scheme := range []string{"light", "dark"} {
			for _, width := range []int{1280, 375} {
				height := int64(900)
				if width < 600 {
					height = 740
				}
				v := view{fmt.Sprintf("%d px, %s", width, scheme), int64(width), height, scheme}
				b.setView(v)
				violations, err := browsertest.AxeViolations(b.ctx)
				if err != nil {
					t.Fatalf("axe on %s: %v", name, err)
				}
				if len(violations) > 0 {
					t.Errorf("%s (%s, %s): %s", name, lang, v.name, browsertest.FormatViolations(violations))
				}
				b.shoot(fmt.Sprintf("%s-%s-%s-%d", name, lang, scheme, width), width)
			}
		}
	}
	for _, lang := range []string{"en", "zh-CN"} {
		for _, pg := range pagesByLang[lang] {
			b.open(pg.path)
			if strings.HasPrefix(pg.name, "knowledge") && eval[int](b, `document.querySelectorAll("article.kb mark").length`) == 0 {
				t.Errorf("%s (%s): no marked words", pg.name, lang)
			}
			shootAll(pg.name, lang)
		}
	}
	// A request for an NDA-level and an approval-level document lands,
	// once confirmed, on its status page telling of the split.
	for _, lang := range []string{"en", "zh-CN"} {
		addr := "split-" + strings.ToLower(lang) + "@buyer.example"
		form := h.requestForm("Sam Splitter", addr, "pentest-2026", "sig-lite-2026")
		form.Set("lang", lang)
		h.post("/access-requests", form)
		b.open(strings.TrimPrefix(h.link(addr, "/access-requests/confirm/"), h.abs("")) + "?lang=" + lang)
		if eval[int](b, `document.querySelectorAll("p.note a[href^='/requests/']").length`) != 1 {
			t.Errorf("split status page (%s): no link to the other request", lang)
		}
		shootAll("split-status", lang)
	}
}
