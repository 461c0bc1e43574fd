package localapp_test

import (
	"context"
	"fmt"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"trustcenter/shared/local/sample"
	"trustcenter/shared/testkit/browsertest"
	"trustcenter/shared/testkit/pdftest"
)

// stepTimeout bounds every browser step, so that a page that never loads or
// a condition that never holds fails the step with its name instead of
// hanging until the test binary's global timeout.
const stepTimeout = 20 * time.Second

// tab is one real browser tab on the harness's server. Its helpers fail
// the test on the first error, because every later step would depend on it.
type tab struct {
	t   *testing.T
	ctx context.Context
	h   *harness
}

func newTab(t *testing.T, h *harness) *tab {
	t.Helper()
	return &tab{t: t, ctx: browsertest.New(t), h: h}
}

// do runs steps that return nothing.
func (b *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// run runs one action and returns its value.
func run[T any](b *tab, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// eval evaluates a JavaScript expression in the page through the DevTools
// protocol, which the page's CSP does not govern.
func eval[T any](b *tab, expr string) T {
	b.t.Helper()
	return run(b, "evaluating "+expr, chromedp.Evaluate[T](expr))
}

// open loads path (or an absolute URL) and requires a 200.
func (b *tab) open(path string) {
	b.t.Helper()
	res := run(b, "opening "+path, chromedp.NavigateResponse(b.h.abs(path)))
	if res == nil || res.Status != http.StatusOK {
		b.t.Fatalf("opening %s: response %+v, want 200", path, res)
	}
}

// follow runs trigger, which must start a navigation (a click, or a key on a
// submit button), and returns the response of the page it ends on, after any
// redirects, once that page has loaded.
func (b *tab) follow(what string, trigger ...chromedp.Action[chromedp.Void]) *network.Response {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, trigger...)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return res
}

// path is the path and query the tab shows now.
func (b *tab) path() string {
	b.t.Helper()
	loc := run(b, "reading the location", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil {
		b.t.Fatalf("location %q: %v", loc, err)
	}
	return u.RequestURI()
}

// press sends keys as real key events to whatever has focus.
func (b *tab) press(keys string) {
	b.t.Helper()
	b.do(fmt.Sprintf("pressing %q", keys), chromedp.KeyEvent(keys))
}

// tabTo presses Tab and requires focus to land on an element matching sel,
// so the test also pins the keyboard order of the form.
func (b *tab) tabTo(sel string) {
	b.t.Helper()
	b.press("\t")
	b.focused(sel)
}

// focused requires the focused element to match sel.
func (b *tab) focused(sel string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	cond := fmt.Sprintf(`document.activeElement !== null && document.activeElement.matches(%q)`, sel)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(4*time.Second))); err != nil {
		got := eval[string](b, `document.activeElement ? document.activeElement.outerHTML.slice(0, 200) : "nothing"`)
		b.t.Fatalf("focus should be on %s; it is on %s (%v)", sel, got, err)
	}
}

// text is the rendered text of the first element matching sel, once it is
// visible.
func (b *tab) text(sel string) string {
	b.t.Helper()
	b.do("waiting for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
	return run(b, "reading "+sel, chromedp.Text(chromedp.CSS(sel)))
}

// view is a window size and colour scheme to audit a page in.
type view struct {
	name          string
	width, height int64
	scheme        string
}

// auditViews are the views every page is audited in: colour contrast
// differs between the light and dark schemes, and a table or a long word can
// scroll sideways, or overlap, only on a phone.
var auditViews = []view{
	{"desktop", 1280, 900, "light"},
	{"phone", 320, 740, "light"},
	{"desktop, dark", 1280, 900, "dark"},
}

func (b *tab) setView(v view) {
	b.t.Helper()
	b.do("switching to "+v.name, chromedp.EmulateViewport(v.width, v.height), chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		_, err := cdp.Call(ctx, tgt, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: v.scheme}},
		})
		return err
	}))
}

// noScript turns page scripts off in the tab; DevTools evaluation still
// runs, and only reads what the server rendered.
func (b *tab) noScript() {
	b.t.Helper()
	b.do("disabling JavaScript", chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		_, err := cdp.Call(ctx, tgt, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
}

// audit runs axe-core on the page in every audit view and reports every
// violation under name. It leaves the tab in the first view.
func (b *tab) audit(name string) {
	b.t.Helper()
	defer b.setView(auditViews[0])
	for _, v := range auditViews {
		b.setView(v)
		violations, err := browsertest.AxeViolations(b.ctx)
		if err != nil {
			b.t.Fatalf("axe on %s (%s): %v", name, v.name, err)
		}
		if len(violations) > 0 {
			b.t.Errorf("%s (%s, %s): %s", name, b.path(), v.name, browsertest.FormatViolations(violations))
		}
	}
}

// signInStaff asks for a sign-in link over HTTP, as the mail is the only
// out-of-band step, then opens the emailed link in the browser so the
// session cookie lives there.
func (b *tab) signInStaff(addr string) {
	b.t.Helper()
	if res := b.h.post("/admin/login", url.Values{"email": {addr}}); res.Status != http.StatusSeeOther {
		b.t.Fatalf("asking for a sign-in link: %d", res.Status)
	}
	b.open(b.h.link(addr, "/admin/login/"))
	b.follow("signing in", chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
	if p := b.path(); p != "/admin/requests" {
		b.t.Fatalf("the sign-in link led to %s, want /admin/requests", p)
	}
}

// TestBrowserRequestFlow requests a gated report as a keyboard user would:
// the mouse only follows the link on the trust page, and the form is filled
// with Tab, typing, Space and Enter. The first submit leaves the NDA
// unticked and must come back with the error and every value kept.
func TestBrowserRequestFlow(t *testing.T) {
	h := boot(t, nil)
	b := newTab(t, h)
	const (
		name    = "Ada Lovelace"
		addr    = "ada@buyer.example"
		company = "Analytical Engines Ltd"
		reason  = "Annual vendor review"
	)

	b.open("/")
	link := `#certifications a[href^="/access-requests/new?document=soc2-type2-2026"]`
	b.follow("clicking the SOC 2 request link", chromedp.Click(chromedp.CSS(link)))
	if p := b.path(); p != "/access-requests/new?document=soc2-type2-2026" {
		t.Fatalf("the request link led to %s", p)
	}
	b.do("waiting for the form", chromedp.WaitVisible(chromedp.ID("name")))

	b.do("focusing the first field", chromedp.Focus(chromedp.ID("name")))
	b.focused("#name")
	b.press(name)
	b.tabTo("#email")
	b.press(addr)
	b.tabTo("#company")
	b.press(company)
	b.tabTo("#reason")
	b.press(reason)
	// The link preselects the SOC 2; the SOC 1 is ticked with Space.
	docs := eval[int](b, `document.querySelectorAll('input[name="document"]').length`)
	if docs < 2 {
		t.Fatalf("the form offers %d gated documents, want at least 2", docs)
	}
	for range docs {
		b.tabTo(`input[name="document"]`)
		value := eval[string](b, `document.activeElement.value`)
		checked := eval[bool](b, `document.activeElement.checked`)
		if value == "soc2-type2-2026" && !checked {
			t.Error("the SOC 2 from the link is not preselected")
		}
		if value == "soc1-type2-2026" && !checked {
			b.press(" ")
		}
	}
	// The NDA's text file, then the text itself, which scrolls, so it
	// takes focus to be readable by keyboard.
	b.tabTo(`a[href="/nda.txt"]`)
	b.tabTo(".nda")
	// The ways to agree are one radio group, one stop: "accept now".
	b.tabTo(`input[name="nda_mode"][value="accept"]`)
	b.tabTo("#nda_accept")
	// Left unticked on purpose for the first submit.
	b.tabTo("#nda_signature")
	b.press(name)
	b.tabTo("#existing_note")
	b.tabTo(`button[type="submit"]`)
	res := b.follow("submitting without the NDA", chromedp.KeyEvent("\r"))
	if res.Status != http.StatusBadRequest && res.Status != http.StatusUnprocessableEntity {
		t.Errorf("submit without the NDA: status %d, want 400 or 422", res.Status)
	}

	// The error is announced: the summary is an alert, and the box itself
	// is marked invalid and described by its message.
	if got := b.text(`[role="alert"]`); strings.TrimSpace(got) == "" {
		t.Error("the alert is empty")
	}
	// Focus moves to the summary, so keyboard and screen-reader users start
	// from the errors rather than the top of the page.
	if id := eval[string](b, `document.activeElement.id`); id != "form-errors" {
		t.Errorf("focus after the failed submit is on %q, want the error summary", id)
	}
	if msg := b.text("#nda_accept-err"); strings.TrimSpace(msg) == "" {
		t.Error("no message next to the NDA box")
	}
	attrs := run(b, "reading the NDA box", chromedp.Attributes(chromedp.ID("nda_accept")))
	if attrs["aria-invalid"] != "true" || !strings.Contains(attrs["aria-describedby"], "nda_accept-err") {
		t.Errorf("the NDA box is not marked invalid and described by its error: %v", attrs)
	}
	for _, c := range []struct{ sel, want string }{
		{"#name", name}, {"#email", addr}, {"#company", company}, {"#reason", reason}, {"#nda_signature", name},
	} {
		if got := eval[string](b, fmt.Sprintf(`document.querySelector(%q).value`, c.sel)); got != c.want {
			t.Errorf("after the error %s holds %q, want %q", c.sel, got, c.want)
		}
	}
	checked := eval[[]string](b, `Array.from(document.querySelectorAll('input[name="document"]:checked'), e => e.value)`)
	if strings.Join(checked, ",") != "soc2-type2-2026,soc1-type2-2026" && strings.Join(checked, ",") != "soc1-type2-2026,soc2-type2-2026" {
		t.Errorf("after the error the ticked documents are %v, want both SOC reports", checked)
	}
	if eval[bool](b, `document.getElementById("nda_accept").checked`) {
		t.Error("the NDA box came back ticked")
	}
	if ms := h.mailsTo(addr, ""); len(ms) != 0 {
		t.Fatalf("a refused request sent %d mail(s)", len(ms))
	}

	// A keyboard user goes back to the field the error names.
	b.do("focusing the invalid field", chromedp.Focus(chromedp.CSS(`[aria-invalid="true"]`)))
	b.focused("#nda_accept")
	b.press(" ")
	b.tabTo("#nda_signature")
	b.tabTo("#existing_note")
	b.tabTo(`button[type="submit"]`)
	res = b.follow("submitting with the NDA", chromedp.KeyEvent(" "))
	if res.Status != http.StatusOK {
		t.Fatalf("after submitting: status %d", res.Status)
	}
	sent := b.path()
	if !strings.HasPrefix(sent, "/access-requests/sent/") {
		t.Fatalf("after submitting the browser is on %s, want /access-requests/sent/<token>", sent)
	}
	if h1 := b.text("h1"); h1 != "Check your email" {
		t.Errorf("confirmation heading %q", h1)
	}
	if lead := b.text("p.lead"); !strings.Contains(lead, addr) {
		t.Errorf("check your email does not name the address: %q", lead)
	}

	ms := h.mailsTo(addr, "/access-requests/confirm/")
	if len(ms) != 1 {
		t.Fatalf("%d confirmation mails to %s, want 1; outbox: %v", len(ms), addr, h.mails())
	}

	// Sending it again is one button, no retyping.
	b.follow("sending the email again", chromedp.Click(chromedp.CSS(`form[method="post"] button[type="submit"]`)))
	if p := b.path(); p != sent+"?resent=1" {
		t.Errorf("after resending the browser is on %s", p)
	}
	b.text(`[role="status"]`)
	if ms := h.mailsTo(addr, "/access-requests/confirm/"); len(ms) != 2 {
		t.Fatalf("%d confirmation mails after resending, want 2", len(ms))
	}
}

// TestBrowserAccessibility runs axe-core on every kind of page a visitor,
// a requester and a staff member sees, in the state they see it.
func TestBrowserAccessibility(t *testing.T) {
	h := boot(t, nil)
	// A request waiting in the queue, so the console pages have rows.
	id := h.submitAndConfirm("Grace Hopper", "grace@buyer.example", "soc2-type2-2026")
	b := newTab(t, h)

	b.open("/")
	b.audit("trust page")
	b.open("/?lang=zh-CN")
	b.audit("trust page in Chinese")

	b.open("/access-requests/new?document=soc2-type2-2026")
	b.audit("request form")
	b.do("focusing submit", chromedp.Focus(chromedp.CSS(`form.stack button[type="submit"]`)))
	b.follow("submitting an empty form", chromedp.KeyEvent("\r"))
	b.text(`[role="alert"]`)
	if n := eval[int](b, `document.querySelectorAll('[aria-invalid="true"]').length`); n == 0 {
		t.Error("the empty form came back without invalid fields")
	}
	b.audit("request form with errors")

	b.open("/access-requests/sent")
	b.audit("check your email")
	res := h.post("/access-requests", h.requestForm("Mary Jackson", "mary@buyer.example", "soc2-type2-2026"))
	b.open(res.Header.Get("Location"))
	b.text(`form[method="post"] button`)
	b.audit("check your email, with the address and resend")

	status := h.link("grace@buyer.example", "/requests/")
	b.open(status)
	b.audit("requester's status page, pending")

	b.open("/admin/login")
	b.audit("staff sign-in")
	b.do("typing the staff address", chromedp.Focus(chromedp.ID("email")), chromedp.KeyEvent("admin@trust.localhost"))
	b.follow("asking for a sign-in link", chromedp.KeyEvent("\r"))
	b.text(`[role="status"]`)
	b.audit("staff sign-in, link sent")

	b.open(h.link("admin@trust.localhost", "/admin/login/"))
	b.audit("finish signing in")
	b.follow("signing in", chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
	if p := b.path(); p != "/admin/requests" {
		t.Fatalf("the sign-in link led to %s", p)
	}
	b.text(`a[href="/admin/requests/` + id + `"]`)
	b.audit("staff queue")

	b.follow("opening the request", chromedp.Click(chromedp.CSS(`a[href="/admin/requests/`+id+`"]`)))
	b.text(`button[type="submit"]`)
	b.audit("pending request in the console")

	// Approving from the page proves the console's forms work in a real
	// browser: its CSRF token and Origin check accept our own posts.
	b.follow("approving", chromedp.Click(chromedp.CSS(`form[action$="/approve"] button[type="submit"]`)))
	if p := b.path(); p != "/admin/requests/"+id+"?done=approve" {
		t.Fatalf("approving led to %s", p)
	}
	b.open("/admin/requests/" + id)
	b.text(`form[action$="/revoke"] button`)
	b.audit("approved request in the console")

	b.open(status)
	b.text(`a[href^="/access/"]`)
	b.audit("requester's status page, approved")

	access := h.link("grace@buyer.example", "/access/")
	b.open(access)
	b.text(`a[href^="/download/"]`)
	b.audit("requester's access page")

	b.open("/admin/requests/" + id)
	b.do("giving a reason", chromedp.SendKeys(chromedp.CSS(`#revoke-reason`), "The evaluation ended."), chromedp.Click(chromedp.CSS(`form[action$="/revoke"] input[name="confirm"]`)))
	b.follow("revoking", chromedp.Click(chromedp.CSS(`form[action$="/revoke"] button`)))
	if res := h.get(access); res.Status != http.StatusForbidden {
		t.Fatalf("the access link after revoking in the browser: %d", res.Status)
	}
	if res := run(b, "opening the revoked link", chromedp.NavigateResponse(access)); res == nil || res.Status != http.StatusForbidden {
		t.Fatalf("the revoked link in the browser: %+v", res)
	}
	b.audit("refused link")

	b.open(status + "?lang=zh-CN")
	b.text(`a[href^="/access-requests/new?"]`)
	b.audit("requester's status page, revoked, in Chinese")
}

// TestBrowserScreenshots saves screenshots for review of the trust page
// and the form at desktop and phone widths, light and dark, in English and
// Chinese, and of the console; it checks that the narrow layouts never
// scroll sideways and that the header keeps to one line on a desktop and
// two on a phone.
func TestBrowserScreenshots(t *testing.T) {
	h := boot(t, nil)
	h.submitAndConfirm("Katherine Johnson", "katherine@buyer.example", "soc2-type2-2026", "soc1-type2-2026")
	pending := strings.TrimPrefix(h.link("katherine@buyer.example", "/requests/"), h.abs(""))
	denied := h.submitAndConfirm("Dorothy Vaughan", "dorothy@buyer.example", "soc2-type2-2026")
	if res := h.post("/admin/requests/"+denied+"/deny", url.Values{"reason": {"We could not match your company to a customer or an open opportunity."}, "csrf": {h.signIn("admin@trust.localhost")}}); res.Status != http.StatusSeeOther {
		t.Fatalf("deny: %d", res.Status)
	}
	deniedStatus := strings.TrimPrefix(h.link("dorothy@buyer.example", "/requests/"), h.abs(""))
	sent := h.post("/access-requests", h.requestForm("Mary Jackson", "mary@buyer.example", "soc2-type2-2026")).Header.Get("Location")
	b := newTab(t, h)

	type shot struct {
		name, path, scheme string
		width              int
	}
	var shots []shot
	for _, page := range []struct{ name, path string }{{"trust-page", "/"}, {"request-form", "/access-requests/new?document=soc2-type2-2026"}} {
		for _, lang := range []string{"en", "zh-CN"} {
			for _, scheme := range []string{"light", "dark"} {
				for _, width := range []int{1280, 375} {
					path := page.path
					if lang != "en" {
						path += map[bool]string{true: "&", false: "?"}[strings.Contains(path, "?")] + "lang=" + lang
					}
					shots = append(shots, shot{fmt.Sprintf("%s-%s-%s-%d", page.name, lang, scheme, width), path, scheme, width})
				}
			}
		}
	}
	shots = append(shots, shot{"trust-page-en-light-320", "/", "light", 320},
		shot{"request-status-1280", pending, "light", 1280}, shot{"request-status-375", pending, "light", 375},
		shot{"request-status-denied-zh-CN-375", deniedStatus + "?lang=zh-CN", "dark", 375}, shot{"check-email-375", sent, "light", 375},
		shot{"staff-queue-1280", "/admin/requests", "light", 1280}, shot{"staff-queue-375", "/admin/requests", "light", 375})
	signedIn := false
	for _, s := range shots {
		if strings.HasPrefix(s.path, "/admin/") && !signedIn {
			b.signInStaff("admin@trust.localhost")
			signedIn = true
		}
		b.open(s.path)
		height := 900
		if s.width < 600 {
			height = 740
		}
		b.setView(view{s.name, int64(s.width), int64(height), s.scheme})
		path := browsertest.Screenshot(t, b.ctx, s.name, s.width, height)
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil {
			t.Errorf("%s is not a PNG: %v", path, err)
		} else if cfg.Width != s.width || cfg.Height < height {
			t.Errorf("%s is %dx%d, want %d wide and at least %d high", path, cfg.Width, cfg.Height, s.width, height)
		}
		if s.width <= 375 {
			// Screenshot leaves the viewport at the shot's width.
			sw := eval[int](b, `document.documentElement.scrollWidth`)
			iw := eval[int](b, `window.innerWidth`)
			if iw != s.width || sw > iw {
				wide := eval[string](b, wideElementsJS)
				t.Errorf("%s: page is %d px wide in a %d px window (want at most %d); too wide: %s", s.name, sw, iw, s.width, wide)
			}
		}
		if !strings.HasPrefix(s.path, "/admin/") && s.width >= 375 {
			want := 1
			if s.width < 600 {
				want = 2
			}
			if rows := eval[int](b, headerRowsJS); rows > want {
				t.Errorf("%s: the header takes %d lines, want at most %d", s.name, rows, want)
			}
			// On a desktop the whole menu shows; a phone may scroll it.
			if s.width >= 1280 && eval[bool](b, `(u => u !== null && u.scrollWidth > u.clientWidth)(document.querySelector("header.top nav ul"))`) {
				t.Errorf("%s: the menu is cut off", s.name)
			}
		}
	}
}

// headerRowsJS counts the lines the header's parts (brand, menu, language
// switch) and the menu's items take: items whose middles lie within 12 px
// of a line's first item share that line.
const headerRowsJS = `(() => {
  const mids = Array.from(document.querySelectorAll("header.top .brand, header.top .lang, header.top nav li"),
    e => { const r = e.getBoundingClientRect(); return (r.top + r.bottom) / 2; }).sort((a, b) => a - b);
  let rows = 0, first = -Infinity;
  for (const m of mids) { if (m - first > 12) { rows++; first = m; } }
  return rows;
})()`

// wideElementsJS names the elements that stick out past the window, to make
// an overflow failure actionable.
const wideElementsJS = `Array.from(document.querySelectorAll("body *"))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .slice(0, 5)
  .map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : "") + " (" + Math.round(e.getBoundingClientRect().right) + " px)")
  .join(", ") || "none found"`

// TestBrowserNoJavaScript loads the trust page with script execution off:
// everything a visitor needs, including the FAQ answers, must work from
// HTML and CSS alone.
func TestBrowserNoJavaScript(t *testing.T) {
	h := boot(t, nil)
	b := newTab(t, h)
	b.noScript()
	// Our pages have no scripts, so prove the switch works on one that does.
	b.do("loading a scripted page", chromedp.Navigate(`data:text/html,<title>off</title><script>document.title="on"</script>`))
	if title := run(b, "reading the title", chromedp.Title()); title != "off" {
		t.Fatalf("a page script ran (title %q): JavaScript is not disabled", title)
	}

	b.open("/")
	// The JSON-LD block is data for search engines, not a program.
	if n := eval[int](b, `[...document.scripts].filter(s => s.type !== "application/ld+json").length`); n != 0 {
		t.Errorf("the trust page has %d script element(s) besides its JSON-LD", n)
	}
	// DevTools evaluation still runs with page scripts off; it only reads
	// what the server rendered. Each card's heading is its name followed by
	// a status badge.
	certs := eval[map[string]string](b, `Object.fromEntries(Array.from(
	  document.querySelectorAll("#certifications .card h3"),
	  h => [h.firstChild.textContent.trim(), (h.querySelector(".badge") || {innerText: ""}).innerText.trim()]))`)
	for _, prefix := range []string{"SOC 1", "SOC 2", "SOC 3", "ISO"} {
		found := false
		for name, status := range certs {
			if !strings.HasPrefix(name, prefix) {
				continue
			}
			found = true
			if status == "" {
				t.Errorf("%s shows no status", name)
			}
		}
		if !found {
			t.Errorf("no certification named %s…; cards: %q", prefix, certs)
		}
	}

	// details/summary needs no script: open every answer with the keyboard.
	faqs := run(b, "finding the FAQ", chromedp.Nodes(chromedp.CSSAll("#faq details"), chromedp.AtLeast(1)))
	if len(faqs) < 2 {
		t.Fatalf("%d FAQ entries", len(faqs))
	}
	for i, d := range faqs {
		answer := fmt.Sprintf("#faq details:nth-of-type(%d) > p", i+1)
		summary := fmt.Sprintf("#faq details:nth-of-type(%d) > summary", i+1)
		if eval[bool](b, fmt.Sprintf(`document.querySelector(%q).checkVisibility()`, answer)) {
			t.Errorf("FAQ %d is open before it is opened", i+1)
		}
		b.do("opening FAQ "+summary, chromedp.Focus(chromedp.CSS(summary)), chromedp.KeyEvent("\r"))
		b.do("waiting for answer "+answer, chromedp.WaitVisible(chromedp.CSS(answer)))
		if _, open := run(b, "reading FAQ", chromedp.Attributes(chromedp.NodeIDs{d.NodeID}))["open"]; !open {
			t.Errorf("FAQ %d has no open attribute after Enter", i+1)
		}
		if text := b.text(answer); strings.TrimSpace(text) == "" {
			t.Errorf("FAQ %d has an empty answer", i+1)
		}
	}
}

// TestBrowserPublish uploads a report version in a real browser: the file
// is picked in the documents page's form, the browser lands on the review,
// the warnings' box must be ticked, and publishing names the version. The
// documents page and the review are audited and shot at desktop and phone
// widths.
func TestBrowserPublish(t *testing.T) {
	h := boot(t, nil)
	h.approve("Dorothy Vaughan", "dorothy@buyer.example", 30, soc2)
	b := newTab(t, h)
	b.signInStaff("admin@trust.localhost")

	b.open("/admin/documents")
	b.audit("documents in the console")
	for _, w := range []int{1280, 375} {
		b.shoot(fmt.Sprintf("admin-documents-%d", w), w)
	}

	// The SOC 1 sample into the SOC 2 row: the mistake the review catches.
	file := pdftest.File(t, sample.SOC1TypeII())
	input := `input[type="file"][id="file-` + soc2 + `"]`
	b.do("choosing the file", chromedp.SetUploadFiles(chromedp.CSS(input), []string{file}))
	b.follow("uploading", chromedp.Click(chromedp.CSS(`form:has(`+input+`) button[type="submit"]`)))
	if p := b.path(); !strings.HasPrefix(p, "/admin/documents/"+soc2+"/confirm?key=incoming") {
		t.Fatalf("the upload led to %s, want its review", p)
	}
	if w := b.text(`form [role="alert"] ul`); !strings.Contains(w, "names SOC 1; this document is SOC 2") {
		t.Errorf("the review warns %q", w)
	}
	b.audit("upload review")
	for _, w := range []int{1280, 375} {
		b.shoot(fmt.Sprintf("admin-review-%d", w), w)
	}

	// The box is required: the browser does not submit without it.
	b.do("publishing unconfirmed", chromedp.Click(chromedp.CSS(`form[action$="/publish"] button[type="submit"]`)))
	if !eval[bool](b, `document.querySelector('input[name="confirm"]').matches(':invalid')`) {
		t.Error("the confirmation box is not required")
	}
	b.do("confirming", chromedp.Click(chromedp.CSS(`input[name="confirm"]`)), chromedp.Click(chromedp.CSS(`input[name="notify"]`)))
	b.follow("publishing", chromedp.Click(chromedp.CSS(`form[action$="/publish"] button[type="submit"]`)))
	if done := b.text(`[role="status"]`); !strings.Contains(done, "version 2 is published") {
		t.Errorf("after publishing the page says %q", done)
	}
	if ms := h.mailsTo("dorothy@buyer.example", "/access/"); !strings.Contains(ms[len(ms)-1].Body, "(version 2) is ready") {
		t.Error("the holder got no new-version mail")
	}

	b.open("/admin/documents/" + soc2)
	b.text(`form[action$="/rollback"] button`)
	b.audit("version history")
	b.shoot("admin-history-1280", 1280)
	b.shoot("admin-history-375", 375)
}

// shoot saves a screenshot of the page at width and requires a phone-width
// page not to scroll sideways.
func (b *tab) shoot(name string, width int) {
	b.t.Helper()
	height := 900
	if width < 600 {
		height = 740
	}
	browsertest.Screenshot(b.t, b.ctx, name, width, height)
	if width < 600 {
		if sw, iw := eval[int](b, `document.documentElement.scrollWidth`), eval[int](b, `window.innerWidth`); sw > iw {
			b.t.Errorf("%s: page is %d px wide in a %d px window; too wide: %s", name, sw, iw, eval[string](b, wideElementsJS))
		}
	}
	b.setView(auditViews[0])
}

// TestBrowserTrustPageDetails: a link to one FAQ answer or criterion shows
// it without script, the first view needs no request besides the page, and
// the timeline and error summary are what the page promises.
func TestBrowserTrustPageDetails(t *testing.T) {
	h := boot(t, nil)
	b := newTab(t, h)
	b.noScript()
	b.open("/")
	if n := eval[int](b, `performance.getEntriesByType("resource").length`); n != 0 {
		got := eval[string](b, `performance.getEntriesByType("resource").map(e => e.name).join(", ")`)
		t.Errorf("the first view of / made %d more request(s): %s", n, got)
	}
	for _, sel := range []string{`header img[src^="data:"]`, `link[rel="icon"][href^="data:"]`, "#summary table", "#summary .cta a.btn", ".key .sw.seg"} {
		if n := eval[int](b, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)); n == 0 {
			t.Errorf("/ has no %s", sel)
		}
	}
	if n := eval[int](b, `document.querySelectorAll("#certifications svg.timeline text").length`); n == 0 {
		t.Error("the timelines have no date axis")
	}
	for _, list := range []string{"#faq details [id]", "#criteria details [id]"} {
		id := eval[string](b, fmt.Sprintf(`document.querySelector(%q).id`, list))
		if id == "" {
			t.Fatalf("%s has no id to link to", list)
		}
		// From another page: a fragment of the page already shown is no
		// navigation with a response.
		b.open("/?lang=en#" + id)
		if !eval[bool](b, fmt.Sprintf(`document.getElementById(%q).closest("details").open`, id)) {
			t.Errorf("opening /#%s leaves it closed", id)
		}
		b.open("/")
	}

	b.open("/access-requests/new")
	// Every stop of the keyboard shows the same ring: links, fields,
	// boxes, the scrolling NDA text and the button.
	rings := map[string][]string{}
	for range 14 {
		b.press("\t")
		ring := eval[string](b, `(s => s.outlineStyle + " " + s.outlineWidth + " " + s.outlineColor)(getComputedStyle(document.activeElement))`)
		rings[ring] = append(rings[ring], eval[string](b, `document.activeElement.tagName.toLowerCase() + (document.activeElement.id ? "#" + document.activeElement.id : "")`))
	}
	if len(rings) != 1 {
		t.Errorf("the form's focus rings differ: %v", rings)
	}
	first := eval[string](b, `document.querySelector('input[name="document"]').value`)
	if !strings.HasPrefix(first, "soc2") {
		t.Errorf("the form lists %s first, want the SOC 2", first)
	}
	if res := h.get("/nda.txt"); res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") || len(res.Body) < 100 {
		t.Errorf("/nda.txt: %d %s, %d bytes", res.Status, res.Header.Get("Content-Type"), len(res.Body))
	}
	if n := eval[int](b, `document.querySelectorAll('a[href="/nda.txt"]').length`); n != 1 {
		t.Errorf("the form has %d links to the NDA text, want 1", n)
	}
	b.do("focusing submit", chromedp.Focus(chromedp.CSS(`form.stack button[type="submit"]`)))
	b.follow("submitting an empty form", chromedp.KeyEvent("\r"))
	links := eval[[]string](b, `Array.from(document.querySelectorAll("#form-errors li a"), a => a.getAttribute("href"))`)
	if len(links) < 4 {
		t.Fatalf("the error summary links %v, want one link per problem", links)
	}
	for _, href := range links {
		if !eval[bool](b, fmt.Sprintf(`document.getElementById(%q) !== null`, strings.TrimPrefix(href, "#"))) {
			t.Errorf("the error summary links to %s, which is not on the page", href)
		}
	}
	browsertest.Screenshot(t, b.ctx, "request-form-errors-en-light-1280", 1280, 900)
	b.setView(view{"phone, dark", 375, 740, "dark"})
	browsertest.Screenshot(t, b.ctx, "request-form-errors-en-dark-375", 375, 740)
	b.setView(auditViews[0])
	// Invalid fields look invalid, not only to screen readers.
	if c := eval[string](b, `getComputedStyle(document.getElementById("name")).borderTopColor`); c == eval[string](b, `getComputedStyle(document.getElementById("reason")).borderTopColor`) {
		t.Errorf("an invalid field has the border of a valid one (%s)", c)
	}
}
