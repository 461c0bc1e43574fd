package localapp_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"trustcenter/shared/testkit/browsertest"
)

// TestBrowserQueue looks at the queue and the accounts as staff see them:
// axe in every view at 1280 and 375 px, light and dark, in both languages,
// with a screenshot of each and no sideways scrolling on the phone; then
// selects two pending rows by keyboard alone and approves them in bulk.
func TestBrowserQueue(t *testing.T) {
	h := boot(t, nil)
	first := h.submitAndConfirm("Katherine Johnson", "katherine@buyer.example", "soc2-type2-2026", "soc1-type2-2026")
	h.skip(40 * time.Minute)
	second := h.submitAndConfirm("Dorothy Vaughan", "dorothy@buyer.example", "soc2-type2-2026")
	h.skip(2 * time.Hour)
	h.submitAndConfirm("Mary Jackson-Featherstonehaugh", "mary.jackson-featherstonehaugh@a-rather-long-subsidiary-name.example", "soc2-type2-2026")
	h.skip(3 * time.Hour)
	b := newTab(t, h)
	b.signInStaff("admin@trust.localhost")

	for _, page := range []struct{ name, path string }{
		{"queue", "/admin/requests?status=pending"},
		{"accounts", "/admin/accounts"},
		{"account", "/admin/accounts/buyer.example"},
	} {
		for _, lang := range []string{"en", "zh-CN"} {
			for _, scheme := range []string{"light", "dark"} {
				for _, width := range []int{1280, 375} {
					name := fmt.Sprintf("staff-%s-%s-%s-%d", page.name, lang, scheme, width)
					path := page.path
					if lang != "en" {
						path += map[bool]string{true: "&", false: "?"}[strings.Contains(path, "?")] + "lang=" + lang
					}
					b.open(path)
					height := 900
					if width < 600 {
						height = 740
					}
					b.setView(view{name, int64(width), int64(height), scheme})
					violations, err := browsertest.AxeViolations(b.ctx)
					if err != nil {
						t.Fatalf("axe on %s: %v", name, err)
					}
					if len(violations) > 0 {
						t.Errorf("%s: %s", name, browsertest.FormatViolations(violations))
					}
					b.shoot(name, width)
				}
			}
		}
	}

	// Keyboard only: from the search button, Tab to the first row's box,
	// Space, on through its links and inline button to the second's, Space,
	// then on to the bulk approve button and Enter.
	b.open("/admin/requests?status=pending")
	eval[bool](b, `(document.querySelector("form.search button").focus(), true)`)
	b.tabTo(`input[name="ids"][value="` + first + `"]`)
	b.press(" ")
	for _, sel := range []string{`a[href="/admin/requests/` + first + `"]`, `a[href="/admin/accounts/buyer.example"]`, `button[name="one"][value="` + first + `"]`} {
		b.tabTo(sel)
	}
	b.tabTo(`input[name="ids"][value="` + second + `"]`)
	b.press(" ")
	if n := eval[int](b, `document.querySelectorAll('input[name="ids"]:checked').length`); n != 2 {
		t.Fatalf("%d rows selected by keyboard, want 2", n)
	}
	for range 20 {
		if eval[bool](b, `document.activeElement.matches('button[name="action"][value="approve"]')`) {
			break
		}
		b.press("\t")
	}
	b.focused(`button[name="action"][value="approve"]`)
	res := b.follow("approving the selected by Enter", chromedp.KeyEvent("\r"))
	if res == nil || res.Status != http.StatusOK || !strings.Contains(b.path(), "done=2") {
		t.Fatalf("bulk approve by keyboard ended on %s (%+v)", b.path(), res)
	}
	if got := b.text(`ul.tabs a[href*="status=pending"] .count`); got != "1" {
		t.Errorf("pending count after the bulk approval = %s, want 1", got)
	}
	h.signIn("sales@trust.localhost")
	for _, id := range []string{first, second} {
		if n := h.countOf(id, "request.approved"); n != 1 {
			t.Errorf("%s: %d approvals recorded, want 1", id, n)
		}
	}
}
