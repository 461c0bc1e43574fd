package localapp_test

import (
	"fmt"
	"strings"
	"testing"

	"trustcenter/shared/testkit/browsertest"
)

// navLinesJS counts the lines the header's navigation takes: a new line
// starts where an item's top is below the previous line's bottom, so that
// a button a pixel off a link on the same line does not count as a line.
const navLinesJS = `(() => {
	const boxes = [...document.querySelectorAll("header.top nav > ul > li")].map(li => li.getBoundingClientRect()).sort((a, b) => a.top - b.top);
	let lines = 0, bottom = -Infinity;
	for (const r of boxes) {
		if (r.top >= bottom - 2) { lines++; bottom = r.bottom; } else { bottom = Math.max(bottom, r.bottom); }
	}
	return lines;
})()`

// navScrollsJS is whether the header's navigation hides items behind a
// sideways scroll of its own.
const navScrollsJS = `(() => {
	const ul = document.querySelector("header.top nav > ul");
	return ul !== null && ul.scrollWidth > ul.clientWidth + 1;
})()`

// TestBrowserConsoleLayout looks at every console page and the public
// pages as their users would, at 1280 and 375 px, light and dark, in
// English and Chinese: no page scrolls sideways, the console's header
// navigation is one line on a desktop and at most three on a phone without
// scrolling, axe finds nothing, and each view is photographed.
func TestBrowserConsoleLayout(t *testing.T) {
	h := boot(t, nil)
	id := h.submitAndConfirm("Mary Jackson-Featherstonehaugh", "mary.jackson-featherstonehaugh@a-rather-long-subsidiary-name.example", "soc2-type2-2026", "soc1-type2-2026")
	h.submitAndConfirm("Katherine Johnson", "katherine@buyer.example", "soc2-type2-2026")
	status := strings.TrimPrefix(h.link("katherine@buyer.example", "/requests/"), h.abs(""))
	b := newTab(t, h)
	b.signInStaff("admin@trust.localhost")

	type page struct {
		name, path string
		console    bool
	}
	pages := []page{
		{"queue", "/admin/requests", true},
		{"request", "/admin/requests/" + id, true},
		{"accounts", "/admin/accounts", true},
		{"rules", "/admin/rules", true},
		{"nda", "/admin/nda", true},
		{"documents", "/admin/documents", true},
		{"trace", "/admin/trace", true},
		{"trust", "/", false},
		{"knowledge", "/knowledge?q=encryption", false},
		{"request-form", "/access-requests/new?document=soc2-type2-2026", false},
		{"status", status, false},
		{"verify", "/verify", false},
		{"subscribe", "/subscriptions/new", false},
		{"my-requests", "/my-requests", false},
	}
	for _, pg := range pages {
		for _, lang := range []string{"en", "zh-CN"} {
			path := pg.path
			if lang != "en" {
				path += map[bool]string{true: "&", false: "?"}[strings.Contains(path, "?")] + "lang=" + lang
			}
			b.open(path)
			for _, scheme := range []string{"light", "dark"} {
				for _, width := range []int{1280, 375} {
					name := fmt.Sprintf("layout-%s-%s-%s-%d", pg.name, lang, scheme, width)
					height := int64(900)
					if width < 600 {
						height = 740
					}
					b.setView(view{name, int64(width), height, scheme})
					if sw, iw := eval[int](b, `document.documentElement.scrollWidth`), eval[int](b, `window.innerWidth`); sw > iw {
						t.Errorf("%s: page is %d px wide in a %d px window; too wide: %s", name, sw, iw, eval[string](b, wideElementsJS))
					}
					if pg.console {
						lines, most := eval[int](b, navLinesJS), 1
						if width < 600 {
							most = 3
						}
						if lines < 1 || lines > most {
							t.Errorf("%s: the header navigation takes %d lines, want 1 to %d", name, lines, most)
						}
						if eval[bool](b, navScrollsJS) {
							t.Errorf("%s: the header navigation scrolls sideways", name)
						}
					}
					violations, err := browsertest.AxeViolations(b.ctx)
					if err != nil {
						t.Fatalf("axe on %s: %v", name, err)
					}
					if len(violations) > 0 {
						t.Errorf("%s: %s", name, browsertest.FormatViolations(violations))
					}
					browsertest.Screenshot(t, b.ctx, name, width, int(height))
				}
			}
		}
	}
}
