package localapp_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/content"
	"trustcenter/shared/i18n"
	"trustcenter/shared/local/contentfile"
)

// example is the content the harness serves (site/content/example.yaml).
func example(t *testing.T) *content.Site {
	t.Helper()
	site, err := contentfile.Example()
	if err != nil {
		t.Fatal(err)
	}
	return site
}

// statusPage opens the newest status link mailed to addr and checks what
// every status page shows, in lang: the state's name, the reference, the
// documents' titles, the contact.
func (h *harness) statusPage(addr, lang, state string) (link, body string) {
	h.t.Helper()
	link = h.link(addr, "/requests/")
	res := h.get(link)
	if res.Status != http.StatusOK || res.Header.Get("Content-Language") != lang {
		h.t.Fatalf("%s status page: %d, Content-Language %q", state, res.Status, res.Header.Get("Content-Language"))
	}
	for _, want := range []string{i18n.T(lang, "reqstatus."+state), i18n.T(lang, "reqstatus.ref"), "REQ-",
		i18n.T(lang, "reqstatus.submitted"), example(h.t).RequestContact()} {
		if !has(res.Body, want) {
			h.t.Errorf("%s (%s): the status page lacks %q", state, lang, want)
		}
	}
	noKeys(h.t, res.Body)
	return link, res.Body
}

var formLinkRe = regexp.MustCompile(`href="(/access-requests/new\?[^"]+)"`)

// againForm follows the status page's link to the form and returns the
// form page.
func (h *harness) againForm(body string) string {
	h.t.Helper()
	m := formLinkRe.FindStringSubmatch(body)
	if m == nil {
		h.t.Fatal("the status page has no link to the form")
	}
	res := h.get(html.UnescapeString(m[1]))
	if res.Status != http.StatusOK {
		h.t.Fatalf("form from the status page: %d", res.Status)
	}
	return res.Body
}

// prefilled checks that a form page comes filled in from the request.
func prefilled(t *testing.T, form, name, addr string, docs ...string) {
	t.Helper()
	for _, want := range []string{`name="name" value="` + name + `"`, `name="email" value="` + addr + `"`, `name="company" value="Example Buyer Ltd"`} {
		if !strings.Contains(form, want) {
			t.Errorf("the form is not filled in: no %s", want)
		}
	}
	for _, d := range docs {
		if !strings.Contains(form, `value="`+d+`" checked`) {
			t.Errorf("the form does not check %s", d)
		}
	}
}

// TestStatusPageInEveryState follows one request's status link through
// unconfirmed, pending, approved and expired, and others' to denied and
// revoked, in each language: the page opens in the request's language, says
// what comes next, and from an end offers to ask again, filled in.
func TestStatusPageInEveryState(t *testing.T) {
	for _, lang := range i18n.Languages {
		t.Run(lang, func(t *testing.T) {
			h := boot(t, nil)
			q := "?lang=" + url.QueryEscape(lang)
			submit := func(name, addr string) {
				t.Helper()
				if res := h.post("/access-requests"+q, h.requestForm(name, addr, "soc2-type2-2026")); res.Status != http.StatusSeeOther {
					t.Fatalf("submit: %d", res.Status)
				}
			}
			addr := "ada@buyer.example"
			submit("Ada Lovelace", addr)
			link, body := h.statusPage(addr, lang, "unconfirmed")
			site := example(t)
			turnaround := site.Requests.Turnaround.In(lang)
			if !has(body, i18n.T(lang, "reqstatus.unconfirmed.next", addr)) || turnaround == "" || !has(body, turnaround) ||
				!has(body, i18n.T(lang, "confirm.check_email.resend")) {
				t.Error("the unconfirmed page lacks the address, the turnaround or the resend")
			}
			if d, _ := site.Document("soc2-type2-2026"); !has(body, d.Title.In(lang)) {
				t.Error("the status page does not list the document by its title")
			}
			// The page opens in the request's language whatever the
			// browser asks for; ?lang= still switches it.
			other := i18n.English
			if lang == i18n.English {
				other = "zh-CN"
			}
			req, _ := http.NewRequest("GET", h.abs(link), nil)
			req.Header.Set("Accept-Language", other)
			if res := h.do(req); res.Header.Get("Content-Language") != lang {
				t.Errorf("with Accept-Language %s the page is in %q, want the request's %s", other, res.Header.Get("Content-Language"), lang)
			}
			if res := h.get(link + "?lang=" + other); res.Header.Get("Content-Language") != other {
				t.Errorf("?lang=%s: the page is in %q", other, res.Header.Get("Content-Language"))
			}

			// Confirming lands on the status page, pending.
			res := h.get(h.link(addr, "/access-requests/confirm/"))
			if res.Status != http.StatusOK || !has(res.Body, i18n.T(lang, "reqstatus.pending")) || !has(res.Body, i18n.T(lang, "reqstatus.pending.next")) {
				t.Fatalf("confirmation page: %d, not the pending status", res.Status)
			}
			// The confirmation link is short-lived; its page links to the
			// request's own, which is not.
			own := regexp.MustCompile(`href="(/requests/[^"]+)"`).FindStringSubmatch(res.Body)
			if own == nil {
				t.Fatal("the confirmation page does not link to the request's page")
			}
			if res := h.get(html.UnescapeString(own[1])); res.Status != http.StatusOK || !has(res.Body, i18n.T(lang, "reqstatus.pending")) {
				t.Errorf("the request's page from the confirmation page: %d", res.Status)
			}
			if res := h.get(link); !has(res.Body, i18n.T(lang, "reqstatus.pending")) || !has(res.Body, turnaround) {
				t.Error("the status link does not show the request pending, with the turnaround")
			}

			// Approved: the expiry and the access page; more documents.
			csrf := h.signIn("admin@trust.localhost")
			id := requestIDRe.FindStringSubmatch(h.mailsTo("admin@trust.localhost", "/admin/requests/")[0].Body)[1]
			if res := h.post("/admin/requests/"+id+"/approve", url.Values{"days": {"1"}, "csrf": {csrf}}); res.Status != http.StatusSeeOther {
				t.Fatalf("approve: %d", res.Status)
			}
			if ms := h.mailsTo(addr, "/requests/"); len(ms) != 3 {
				t.Fatalf("%d mails to the requester carry the status link, want the confirmation, the signed NDA and the approval", len(ms))
			}
			_, body = h.statusPage(addr, lang, "approved")
			if !has(body, i18n.T(lang, "reqstatus.open")) || !has(body, i18n.T(lang, "reqstatus.more")) {
				t.Error("the approved page lacks the access link or request more")
			}
			access := regexp.MustCompile(`href="(/access/[^"]+)"`).FindStringSubmatch(body)
			if access == nil {
				t.Fatal("the approved page links to no access page")
			}
			if res := h.get(access[1]); res.Status != http.StatusOK || !strings.Contains(res.Body, "/download/") {
				t.Errorf("the access page from the status page: %d", res.Status)
			}
			prefilled(t, h.againForm(body), "Ada Lovelace", addr)

			// Expired: past the grant, ask again with the same documents.
			h.skip(25 * time.Hour)
			_, body = h.statusPage(addr, lang, "expired")
			if !has(body, i18n.T(lang, "reqstatus.again")) || strings.Contains(body, `href="/access/`) {
				t.Error("the expired page offers no request again, or still an access link")
			}
			prefilled(t, h.againForm(body), "Ada Lovelace", addr, "soc2-type2-2026")

			// Denied: the reason, and ask again. The skip outlived the
			// console session.
			csrf = h.signIn("admin@trust.localhost")
			grace := "grace@buyer.example"
			submit("Grace Hopper", grace)
			h.get(h.link(grace, "/access-requests/confirm/"))
			gid := requestIDRe.FindStringSubmatch(h.mailsTo("admin@trust.localhost", "/admin/requests/")[1].Body)[1]
			reason := "We could not verify a business relationship <b>yet</b>."
			if res := h.post("/admin/requests/"+gid+"/deny", url.Values{"reason": {reason}, "csrf": {csrf}}); res.Status != http.StatusSeeOther {
				t.Fatalf("deny: %d", res.Status)
			}
			_, body = h.statusPage(grace, lang, "denied")
			if !has(body, reason) || !has(body, i18n.T(lang, "reqstatus.reason")) {
				t.Error("the denied page does not give the reason, escaped")
			}
			prefilled(t, h.againForm(body), "Grace Hopper", grace, "soc2-type2-2026")

			// Revoked: said so, and ask again.
			lin := "lin@buyer.example"
			submit("Lin Hui", lin)
			h.get(h.link(lin, "/access-requests/confirm/"))
			lid := requestIDRe.FindStringSubmatch(h.mailsTo("admin@trust.localhost", "/admin/requests/")[2].Body)[1]
			h.post("/admin/requests/"+lid+"/approve", url.Values{"days": {"30"}, "csrf": {csrf}})
			if res := h.post("/admin/requests/"+lid+"/revoke", url.Values{"csrf": {csrf}, "reason": {"The evaluation ended."}, "confirm": {"1"}}); res.Status != http.StatusSeeOther {
				t.Fatalf("revoke: %d", res.Status)
			}
			_, body = h.statusPage(lin, lang, "revoked")
			if strings.Contains(body, `href="/access/`) || !has(body, i18n.T(lang, "reqstatus.again")) {
				t.Error("the revoked page still links to the access page, or offers no request again")
			}
			prefilled(t, h.againForm(body), "Lin Hui", lin, "soc2-type2-2026")
		})
	}
}

// TestCheckYourEmailResends: the page after the form names the address,
// sends the confirmation again on request, with a link that works, up to
// the limit, and offers to start again filled in.
func TestCheckYourEmailResends(t *testing.T) {
	h := boot(t, nil)
	addr := "ada@buyer.example"
	res := h.post("/access-requests", h.requestForm("Ada Lovelace", addr, "soc2-type2-2026"))
	sent := res.Header.Get("Location")
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(sent, "/access-requests/sent/") {
		t.Fatalf("submit: %d to %q", res.Status, sent)
	}
	res = h.get(sent)
	if res.Status != http.StatusOK || !has(res.Body, i18n.T(i18n.English, "confirm.check_email.to", addr, 24)) {
		t.Fatalf("check your email: %d, does not name the address", res.Status)
	}
	if !strings.Contains(res.Body, `method="post" action="`+sent+`"`) {
		t.Fatal("no resend form posting to the page")
	}
	prefilled(t, h.againForm(res.Body), "Ada Lovelace", addr, "soc2-type2-2026")

	first := h.link(addr, "/access-requests/confirm/")
	for i := 1; i <= 3; i++ {
		res = h.post(sent, nil)
		if res.Status != http.StatusSeeOther || res.Header.Get("Location") != sent+"?resent=1" {
			t.Fatalf("resend %d: %d to %q", i, res.Status, res.Header.Get("Location"))
		}
		if n := len(h.mailsTo(addr, "/access-requests/confirm/")); n != 1+i {
			t.Fatalf("after resend %d, %d confirmation mails, want %d", i, n, 1+i)
		}
	}
	if res := h.get(sent + "?resent=1"); !has(res.Body, i18n.T(i18n.English, "confirm.check_email.resent")) {
		t.Error("the page does not say the mail went again")
	}
	res = h.post(sent, nil)
	if res.Status != http.StatusTooManyRequests || !has(res.Body, i18n.T(i18n.English, "error.rate_limited")) {
		t.Fatalf("a fourth resend within the hour: %d, want 429 with the message", res.Status)
	}
	if n := len(h.mailsTo(addr, "/access-requests/confirm/")); n != 4 {
		t.Fatalf("the refused resend sent a mail: %d confirmation mails", n)
	}

	// The resent link confirms; the first one still does nothing more.
	resent := h.link(addr, "/access-requests/confirm/")
	if resent == first {
		t.Fatal("the resent mail carries the same link")
	}
	if res := h.get(resent); res.Status != http.StatusOK || !has(res.Body, i18n.T(i18n.English, "reqstatus.pending")) {
		t.Fatalf("the resent link: %d", res.Status)
	}
	// Confirmed, the page shows the status, and a resend sends nothing.
	if res := h.get(sent); !has(res.Body, i18n.T(i18n.English, "reqstatus.pending")) {
		t.Error("check your email after confirming does not show the status")
	}
	before := len(h.mails())
	if res := h.post(sent, nil); res.Status != http.StatusOK || len(h.mails()) != before {
		t.Errorf("resend after confirming: %d, %d new mails", res.Status, len(h.mails())-before)
	}
}

// TestCheckYourEmailInChinese: the page after a Chinese form is Chinese,
// and so is the mail resent from it.
func TestCheckYourEmailInChinese(t *testing.T) {
	h := boot(t, nil)
	addr := "lin@buyer.example"
	res := h.post("/access-requests?lang=zh-CN", h.requestForm("Lin Hui", addr, "soc2-type2-2026"))
	sent := res.Header.Get("Location")
	res = h.get(sent)
	if res.Header.Get("Content-Language") != "zh-CN" || !has(res.Body, i18n.T("zh-CN", "confirm.check_email.to", addr, 24)) {
		t.Fatalf("check your email in Chinese: %q", res.Header.Get("Content-Language"))
	}
	noKeys(t, res.Body)
	h.post(sent, nil)
	ms := h.mailsTo(addr, "/access-requests/confirm/")
	if len(ms) != 2 || !strings.Contains(ms[1].Subject, i18n.T("zh-CN", "mail.confirm.subject")) {
		t.Fatalf("resent mail: %+v", ms)
	}
}
