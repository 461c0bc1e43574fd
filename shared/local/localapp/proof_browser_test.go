package localapp_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"trustcenter/shared/local/localapp"
	"trustcenter/shared/stamp"
	"trustcenter/shared/trust"
)

// TestBrowserSubscriptionsAndVerify walks the subscription flow, the
// verify page and the subprocessor change as a visitor does, audits each
// page with axe, saves screenshots (1280 and 375 px, light and dark,
// English and Chinese) and checks the mails as their recipients read them:
// the confirmation, and an announcement with its one-click unsubscribe.
func TestBrowserSubscriptionsAndVerify(t *testing.T) {
	h := boot(t, nil)
	g := h.approve("Ada Quillfeather", "ada.quill@buyer.example", 30, "soc2-type2-2026")
	pdf := h.get(g.download)
	if pdf.Status != http.StatusOK {
		t.Fatalf("download: %d", pdf.Status)
	}
	wm, err := stamp.Engine{}.FindID([]byte(pdf.Body))
	if err != nil {
		t.Fatalf("the delivered copy has no watermark: %v", err)
	}
	b := newTab(t, h)

	// The form, filled in the browser, and the page that follows.
	b.open("/subscriptions/new")
	b.audit("subscribe form")
	b.do("typing the address", chromedp.Focus(chromedp.ID("email")), chromedp.KeyEvent("lin@buyer.example"))
	b.follow("subscribing", chromedp.Click(chromedp.CSS(`form.stack button[type="submit"]`)))
	if p := b.path(); p != "/subscriptions/sent" {
		t.Fatalf("subscribing led to %s", p)
	}
	b.audit("subscription: check your email")
	confirm := h.mailsTo("lin@buyer.example", "/subscriptions/confirm/")
	if len(confirm) != 1 {
		t.Fatalf("%d confirmation mails, want 1", len(confirm))
	}
	t.Logf("confirmation mail, as its recipient reads it:\nSubject: %s\n\n%s", confirm[0].Subject, confirm[0].Body)
	b.open(h.link("lin@buyer.example", "/subscriptions/confirm/"))
	if !strings.Contains(b.text("main"), "lin@buyer.example") {
		t.Error("the confirmation page does not name the address")
	}
	b.audit("subscription confirmed")

	// An empty form says what is missing.
	if res := h.post("/subscriptions", url.Values{"email": {"x"}}); res.Status != http.StatusBadRequest || !strings.Contains(res.Body, `role="alert"`) {
		t.Errorf("an invalid sign-up: %d", res.Status)
	}

	// A deploy that publishes a new subprocessor change mails the
	// subscriber once, with the one-click headers.
	site, err := localapp.LoadContent("")
	if err != nil {
		t.Fatal(err)
	}
	// The server's start announced the example as it is (the baseline);
	// a deploy that adds an update is the example with one more.
	deploy := func(suffix string) {
		t.Helper()
		pub := site.Published(h.base)
		extra := pub.Updates[0] // the Zendesk change, again under a new id
		extra.ID += suffix
		pub.Updates = append([]trust.Notice{extra}, pub.Updates...)
		for range 2 { // deployed twice: told once
			if _, err := h.local.Service.Announce(t.Context(), pub); err != nil {
				t.Fatal(err)
			}
		}
	}
	deploy("-1")
	news := h.mailsTo("lin@buyer.example", "/subscriptions/unsubscribe/")
	if len(news) != 1 {
		t.Fatalf("%d announcements after two deploys, want 1", len(news))
	}
	t.Logf("announcement, as its recipient reads it:\nSubject: %s\nList-Unsubscribe: %s\nList-Unsubscribe-Post: %s\n\n%s",
		news[0].Subject, news[0].Header.Get("List-Unsubscribe"), news[0].Header.Get("List-Unsubscribe-Post"), news[0].Body)
	unsub := strings.Trim(news[0].Header.Get("List-Unsubscribe"), "<>")
	if news[0].Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || !strings.HasPrefix(unsub, h.base+"/subscriptions/unsubscribe/") {
		t.Fatalf("headers %v", news[0].Header)
	}
	// A link preview (GET) erases nothing; the mail client's one-click
	// POST does.
	b.open(strings.TrimPrefix(unsub, h.base))
	b.audit("unsubscribe: confirm")
	deploy("-2")
	if n := len(h.mailsTo("lin@buyer.example", "/subscriptions/unsubscribe/")); n != 2 {
		t.Fatalf("after a GET of the unsubscribe link and another deploy: %d announcements, want 2 (a GET erases nothing)", n)
	}
	if res := h.post(strings.TrimPrefix(unsub, h.base), url.Values{"List-Unsubscribe": {"One-Click"}}); res.Status != http.StatusOK {
		t.Fatalf("one-click unsubscribe: %d", res.Status)
	}
	deploy("-3")
	if n := len(h.mailsTo("lin@buyer.example", "/subscriptions/unsubscribe/")); n != 2 {
		t.Fatalf("after the one-click POST: %d announcements, want still 2", n)
	}

	// Verify: genuine, of which document and version, never whose.
	b.open("/verify?id=" + url.QueryEscape(strings.ToLower(wm)))
	main := b.text("main")
	if !strings.Contains(main, wm) || !strings.Contains(main, "SOC 2") {
		t.Errorf("the verify page says %q", main)
	}
	for _, secret := range []string{"Ada", "Quillfeather", "ada.quill", "buyer.example"} {
		if strings.Contains(eval[string](b, `document.documentElement.outerHTML`), secret) {
			t.Errorf("the verify page reveals %q", secret)
		}
	}
	b.audit("verify: genuine")

	// The change on the trust page, and the objection that reaches staff.
	b.open("/")
	if !strings.Contains(b.text("#update-subprocessor-zendesk-eu"), "European Union (Ireland)") {
		t.Error("the trust page does not show the subprocessor change")
	}
	obj := "/subprocessors/objections/new?update=subprocessor-zendesk-eu"
	b.open(obj)
	b.audit("objection form")
	res := h.post("/subprocessors/objections", url.Values{"update": {"subprocessor-zendesk-eu"}, "email": {"dpo@buyer.example"},
		"company": {"Buyer Widgets"}, "message": {"Our contract requires US processing."}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("objecting: %d %s", res.Status, res.Body)
	}
	staff := h.mailsTo("admin@trust.localhost", "")
	if last := staff[len(staff)-1]; !strings.Contains(last.Body, "Our contract requires US processing.") {
		t.Errorf("staff were not told: %q", last.Body)
	} else {
		t.Logf("objection mail to staff:\nSubject: %s\n\n%s", last.Subject, last.Body)
	}

	for _, page := range []struct{ name, path string }{
		{"subscribe-form", "/subscriptions/new"}, {"subscribe-sent", "/subscriptions/sent"},
		{"verify-genuine", "/verify?id=" + url.QueryEscape(wm)}, {"verify-unknown", "/verify?id=WM-0000-0000"},
		{"subprocessor-objection", obj},
	} {
		for _, lang := range []string{"en", "zh-CN"} {
			for _, scheme := range []string{"light", "dark"} {
				for _, width := range []int{1280, 375} {
					path := page.path
					if lang != "en" {
						path += map[bool]string{true: "&", false: "?"}[strings.Contains(path, "?")] + "lang=" + lang
					}
					run(b, "opening "+path, chromedp.NavigateResponse(h.abs(path)))
					height := map[bool]int64{true: 900, false: 740}[width > 600]
					name := fmt.Sprintf("%s-%s-%s-%d", page.name, lang, scheme, width)
					b.setView(view{name, int64(width), height, scheme})
					b.shoot(name, width)
				}
			}
		}
	}
	// The change as the trust page shows it, at both widths.
	for _, lang := range []string{"en", "zh-CN"} {
		b.open("/?lang=" + lang + "#update-subprocessor-zendesk-eu")
		b.audit("trust page with the change, " + lang)
		b.setView(view{"change", 375, 740, "dark"})
		b.shoot("subprocessor-change-page-"+lang+"-dark-375", 375)
	}
}
