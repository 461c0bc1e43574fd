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
	// The NDA text scrolls, so it takes focus to be readable by keyboard.
	b.tabTo(".nda")
	b.tabTo("#nda_accept")
	// Left unticked on purpose for the first submit.
	b.tabTo("#nda_signature")
	b.press(name)
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
	b.tabTo(`button[type="submit"]`)
	res = b.follow("submitting with the NDA", chromedp.KeyEvent(" "))
	if res.Status != http.StatusOK {
		t.Fatalf("after submitting: status %d", res.Status)
	}
	if p := b.path(); p != "/access-requests/sent" {
		t.Fatalf("after submitting the browser is on %s, want /access-requests/sent", p)
	}
	if h1 := b.text("h1"); h1 != "Check your email" {
		t.Errorf("confirmation heading %q", h1)
	}

	ms := h.mailsTo(addr, "/access-requests/confirm/")
	if len(ms) != 1 {
		t.Fatalf("%d confirmation mails to %s, want 1; outbox: %v", len(ms), addr, h.mails())
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
	if p := b.path(); p != "/admin/requests/"+id {
		t.Fatalf("approving led to %s", p)
	}
	b.open("/admin/requests/" + id)
	b.text(`form[action$="/revoke"] button`)
	b.audit("approved request in the console")

	access := h.link("grace@buyer.example", "/access/")
	b.open(access)
	b.text(`a[href^="/download/"]`)
	b.audit("requester's access page")

	b.open("/admin/requests/" + id)
	b.follow("revoking", chromedp.Click(chromedp.CSS(`form[action$="/revoke"] button`)))
	if res := h.get(access); res.Status != http.StatusForbidden {
		t.Fatalf("the access link after revoking in the browser: %d", res.Status)
	}
	if res := run(b, "opening the revoked link", chromedp.NavigateResponse(access)); res == nil || res.Status != http.StatusForbidden {
		t.Fatalf("the revoked link in the browser: %+v", res)
	}
	b.audit("refused link")
}

// TestBrowserScreenshots saves screenshots for review at desktop and phone
// widths and checks that the narrow layouts never scroll sideways.
func TestBrowserScreenshots(t *testing.T) {
	h := boot(t, nil)
	h.submitAndConfirm("Katherine Johnson", "katherine@buyer.example", "soc2-type2-2026", "soc1-type2-2026")
	b := newTab(t, h)

	shots := []struct {
		name, path string
		width      int
	}{
		{"trust-page-1280", "/", 1280},
		{"trust-page-375", "/", 375},
		{"trust-page-320", "/", 320},
		{"trust-page-zh-CN-375", "/?lang=zh-CN", 375},
		{"request-form-1280", "/access-requests/new?document=soc2-type2-2026", 1280},
		{"request-form-375", "/access-requests/new?document=soc2-type2-2026", 375},
		{"staff-queue-1280", "/admin/requests", 1280},
		{"staff-queue-375", "/admin/requests", 375},
	}
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
	}
}

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
	b.do("disabling JavaScript", chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		_, err := cdp.Call(ctx, tgt, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	// Our pages have no scripts, so prove the switch works on one that does.
	b.do("loading a scripted page", chromedp.Navigate(`data:text/html,<title>off</title><script>document.title="on"</script>`))
	if title := run(b, "reading the title", chromedp.Title()); title != "off" {
		t.Fatalf("a page script ran (title %q): JavaScript is not disabled", title)
	}

	b.open("/")
	if n := eval[int](b, `document.scripts.length`); n != 0 {
		t.Errorf("the trust page has %d script element(s)", n)
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
