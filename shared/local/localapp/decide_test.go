package localapp_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// page opens a console page and requires a 200.
func (h *harness) page(path string) string {
	h.t.Helper()
	res := h.get(path)
	if res.Status != http.StatusOK {
		h.t.Fatalf("%s: %d\n%s", path, res.Status, res.Body)
	}
	return html.UnescapeString(res.Body)
}

// decide posts a decision and follows its redirect to the request's page,
// returning that page.
func (h *harness) decide(id, action string, form url.Values) string {
	h.t.Helper()
	res := h.post("/admin/requests/"+id+"/"+action, form)
	if res.Status != http.StatusSeeOther {
		h.t.Fatalf("%s: %d\n%s", action, res.Status, res.Body)
	}
	return h.page(res.Header.Get("Location"))
}

// newest is the newest mail to addr.
func (h *harness) newest(addr string) email {
	h.t.Helper()
	ms := h.mailsTo(addr, "")
	if len(ms) == 0 {
		h.t.Fatalf("no mail to %s", addr)
	}
	return ms[len(ms)-1]
}

func mustContain(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// TestRequestPageDecisions walks a request's page on the local server:
// the staff mail, the context and flags, a dated approval of one of two
// documents with the domain trusted, the banner and "next pending", notes,
// extend, resend, revoke with a reason the requester reads, reinstate, and
// a denial with a saved reason; each mail is read from its .eml file.
func TestRequestPageDecisions(t *testing.T) {
	h := boot(t, nil)
	const soc1, soc2 = "soc1-type2-2026", "soc2-type2-2026"
	ada := h.submitAndConfirm("Ada Lovelace", "ada@buyer.example", soc1, soc2)
	staffMail := h.newest("sales@trust.localhost")
	mustContain(t, "the staff mail's subject", staffMail.Subject, "“Ada Lovelace” (“Example Buyer Ltd”) requests SOC 1", ", SOC 2")
	mustContain(t, "the staff mail", staffMail.Body, "> Vendor review", "Flags:\nnone", "No rule matched", "/admin/requests/"+ada)
	free := h.submitAndConfirm("Free Mailer", "free@gmail.com", soc2)
	mustContain(t, "the free-mail staff mail", h.newest("sales@trust.localhost").Body, "Free-mail address (gmail[.]com)")

	csrf := h.signIn("sales@trust.localhost")
	page := h.page("/admin/requests/" + ada)
	mustContain(t, "the pending request's page", page, "Downloads so far", "Go-http-client", `name="days" value="7"`, `name="days" value="365"`,
		`type="date"`, `name="documents" value="`+soc1+`"`, "Also trust buyer.example", "Saved reasons", "Other requests from ada@buyer.example", "None.")
	if page := h.page("/admin/requests/" + free); !strings.Contains(page, "Free-mail address (gmail.com)") || strings.Contains(page, `name="trust"`) {
		t.Errorf("the free-mail request's page: no flag, or offers to trust gmail.com:\n%s", page)
	}

	// Approve SOC 2 only, until a date, and trust the domain.
	until := h.now().AddDate(0, 2, 0).Format(time.DateOnly)
	page = h.decide(ada, "approve", url.Values{"csrf": {csrf}, "days": {"30"}, "until": {until}, "documents": {soc2}, "trust": {"1"}})
	last, _ := time.Parse(time.DateOnly, until)
	mustContain(t, "the banner after approving", page, "Ada Lovelace (ada@buyer.example) was emailed.", "Approved; access until "+last.Format("January 2, 2006")+" 23:59 UTC.",
		"Requests from buyer.example are now approved by a rule.", "Next pending request", "Asked for")
	approved := h.newest("ada@buyer.example")
	mustContain(t, "the approval mail", approved.Body, last.Format("January 2, 2006")+" 23:59 UTC")
	if got := h.page(h.link("ada@buyer.example", "/access/")); !strings.Contains(got, "SOC 2") || strings.Contains(got, "SOC 1 Type II") {
		t.Errorf("the access page does not grant SOC 2 alone:\n%s", got)
	}
	if res := h.get("/admin/requests/" + ada + "/next"); res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/admin/requests/"+free {
		t.Errorf("next pending: %d %s, want %s", res.Status, res.Header.Get("Location"), free)
	}
	// The trusted domain's next request is approved by its rule: it is
	// found in the approved queue, not in a staff mail.
	if res := h.post("/access-requests", h.requestForm("Grace Hopper", "grace@buyer.example", soc2)); res.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", res.Status)
	}
	// Approved by the rule, the confirmation link opens her access page.
	if res := h.get(h.link("grace@buyer.example", "/access-requests/confirm/")); res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/access/") {
		t.Fatalf("confirm: %d %s, want the access page", res.Status, res.Header.Get("Location"))
	}
	m := regexp.MustCompile(`/admin/requests/(req_[A-Za-z0-9_-]+)">Grace Hopper`).FindStringSubmatch(h.page("/admin/requests?status=approved"))
	if m == nil {
		t.Fatal("Grace's request is not in the approved queue")
	}
	grace := m[1]
	if page := h.page("/admin/requests/" + grace); !strings.Contains(page, "allow:domain:buyer.example") || !strings.Contains(page, "Existing customer") {
		t.Errorf("the trusted domain's next request was not approved by its rule, or lacks the flag")
	}
	if page := h.page("/admin/requests/" + grace); !strings.Contains(page, "Requests from others at buyer.example") || !strings.Contains(page, `href="/admin/requests/`+ada+`"`) {
		t.Errorf("the colleague's page does not link Ada's request")
	}

	// A note is staff only and an event of the trail.
	before := len(h.mailsTo("ada@buyer.example", ""))
	page = h.decide(ada, "notes", url.Values{"csrf": {csrf}, "note": {"Renewal call booked for January."}})
	mustContain(t, "the page after a note", page, "Note added to the trail.", "note.added", "Renewal call booked for January.", "sales@trust.localhost")
	if n := len(h.mailsTo("ada@buyer.example", "")); n != before {
		t.Errorf("a note mailed the requester")
	}
	if res := h.post("/admin/requests/"+ada+"/notes", url.Values{"csrf": {csrf}, "note": {""}}); res.Status != http.StatusBadRequest {
		t.Errorf("an empty note: %d", res.Status)
	}

	// Extend, resend.
	page = h.decide(ada, "extend", url.Values{"csrf": {csrf}, "days": {"365"}})
	mustContain(t, "the banner after extending", page, "was emailed.", "Access extended until")
	mustContain(t, "the extension mail", h.newest("ada@buyer.example").Subject, "extended")
	page = h.decide(ada, "resend", url.Values{"csrf": {csrf}})
	mustContain(t, "the banner after resending", page, "Their access link was sent again")
	access := h.link("ada@buyer.example", "/access/")
	if res := h.get(access); res.Status != http.StatusOK {
		t.Fatalf("the resent link: %d", res.Status)
	}

	// Revoke needs its confirmation and a reason, which the requester reads.
	if res := h.post("/admin/requests/"+ada+"/revoke", url.Values{"csrf": {csrf}, "reason": {"Contract ended."}}); res.Status != http.StatusBadRequest {
		t.Errorf("revoke without the confirmation: %d", res.Status)
	}
	page = h.decide(ada, "revoke", url.Values{"csrf": {csrf}, "reason": {"Contract ended."}, "confirm": {"1"}})
	mustContain(t, "the banner after revoking", page, "Access revoked; the reason is on their status page.", "Reinstate")
	revoked := h.newest("ada@buyer.example")
	mustContain(t, "the revocation mail", revoked.Body, "> Contract ended.")
	if res := h.get(access); res.Status != http.StatusForbidden {
		t.Errorf("the access link after revoking: %d", res.Status)
	}
	if stale := h.page("/admin/requests/" + ada + "?done=approve"); strings.Contains(stale, "was emailed") {
		t.Error("an approval banner shows on a revoked request")
	}
	status := h.page(h.link("ada@buyer.example", "/requests/"))
	mustContain(t, "the requester's status page", status, "Contract ended.")

	// Reinstate: a new grant; the old link stays refused.
	page = h.decide(ada, "reinstate", url.Values{"csrf": {csrf}, "days": {"7"}})
	mustContain(t, "the banner after reinstating", page, "Reinstated under a new grant", "grant.reinstated")
	if res := h.get(access); res.Status != http.StatusForbidden {
		t.Errorf("the revoked grant's link after reinstating: %d", res.Status)
	}
	if res := h.get(h.link("ada@buyer.example", "/access/")); res.Status != http.StatusOK {
		t.Errorf("the reinstated grant's link: %d", res.Status)
	}

	// Deny with a saved reason: the requester reads it in the mail and on
	// their status page.
	page = h.decide(free, "deny", url.Values{"csrf": {csrf}, "template": {"work_address"}})
	mustContain(t, "the banner after denying", page, "Free Mailer (free@gmail.com) was emailed.", "Denied")
	const reason = "Please ask again from your work email address"
	mustContain(t, "the denial mail", h.newest("free@gmail.com").Body, reason)
	mustContain(t, "the denied status page", h.page(h.link("free@gmail.com", "/requests/")), reason)
	// With nothing pending, "next pending" goes back to the queue.
	if res := h.get("/admin/requests/" + free + "/next"); res.Header.Get("Location") != "/admin/requests?status=pending" {
		t.Errorf("next pending with none left: %s", res.Header.Get("Location"))
	}
}
