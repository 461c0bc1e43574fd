package localapp_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestLibraryAccessLevels walks the three access levels on the local
// server: a public document downloads at once, an NDA-level one is granted
// by the system on email confirmation with no approver involved, and an
// approval-level one waits for a person; asked for together, the NDA-level
// part is split off and granted at once.
func TestLibraryAccessLevels(t *testing.T) {
	h := boot(t, nil)

	page := h.get("/")
	for _, want := range []string{`id="library"`, "Policies", "Information security policy", `href="/documents/dpa"`,
		`href="/access-requests/new?document=pentest-2026"`, "NDA, no approval", "NDA and approval", `action="/knowledge"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the trust page lacks %q", want)
		}
	}

	// Public: one click.
	res := h.get("/documents/dpa")
	if res.Status != http.StatusOK || !strings.HasPrefix(res.Body, "%PDF-") {
		t.Fatalf("public DPA: %d", res.Status)
	}
	// NDA and approval levels are refused without a grant.
	for _, id := range []string{"pentest-2026", "insurance-2026"} {
		if res := h.get("/documents/" + id); res.Status != http.StatusForbidden {
			t.Errorf("%s without a grant: %d", id, res.Status)
		}
	}

	// The form offers every non-public document, each saying when it
	// comes, and no public one.
	form := h.get("/access-requests/new")
	for _, id := range []string{"pentest-2026", "architecture-overview", "soc2-bridge-2025q4", "incident-response-policy", "sig-lite-2026", "insurance-2026", "soc2-type2-2026"} {
		if !strings.Contains(form.Body, `value="`+id+`"`) {
			t.Errorf("the form does not offer %s", id)
		}
	}
	for _, id := range []string{"dpa", "caiq-2026", "infosec-policy", "soc3-2026"} {
		if strings.Contains(form.Body, `value="`+id+`"`) {
			t.Errorf("the form offers public %s", id)
		}
	}
	if !strings.Contains(form.Body, "available right after you confirm your email") {
		t.Error("the form does not say NDA documents come at confirmation")
	}

	// NDA level: confirmed, approved by the system, no approver mailed.
	addr := "nina@buyer.example"
	if res := h.post("/access-requests", h.requestForm("Nina Reviewer", addr, "pentest-2026", "architecture-overview")); res.Status != http.StatusSeeOther {
		t.Fatalf("submit NDA-level: %d %s", res.Status, res.Body)
	}
	// Approved at once, the confirmation link goes straight to the
	// access page.
	res = h.get(h.link(addr, "/access-requests/confirm/"))
	if res.Status != http.StatusSeeOther {
		t.Fatalf("confirm: %d", res.Status)
	}
	for _, m := range h.mails() {
		if strings.Contains(m.Body, addr) && requestIDRe.MatchString(m.Body) {
			t.Fatalf("an approver was asked about an NDA-level request: %s", m.Body)
		}
	}
	access := h.get(h.link(addr, "/access/"))
	if access.Status != http.StatusOK {
		t.Fatalf("access page: %d", access.Status)
	}
	links := downloadRe.FindAllString(access.Body, -1)
	if len(links) != 2 {
		t.Fatalf("access page has %d download links, want 2", len(links))
	}
	if res := h.get(html.UnescapeString(links[0])); res.Status != http.StatusOK || !strings.HasPrefix(res.Body, "%PDF-") {
		t.Fatalf("NDA-level download: %d", res.Status)
	}
	// The approved-only answers are on the access page, and not on
	// /knowledge.
	const approvedOnly = "Who can access production data?"
	if !strings.Contains(access.Body, approvedOnly) {
		t.Error("the access page lacks the approved-only answers")
	}
	if kb := h.get("/knowledge?q=production+data"); strings.Contains(kb.Body, approvedOnly) {
		t.Error("/knowledge shows an approved-only answer")
	}
	// The trail names the system and the reason, not a person.
	h.signIn("admin@trust.localhost")
	q := h.get("/admin/requests?status=approved")
	m := requestIDRe.FindStringSubmatch(q.Body)
	if m == nil {
		t.Fatalf("no approved request in the queue")
	}
	detail := h.get("/admin/requests/" + m[1])
	for _, want := range []string{"system:nda-level", "level.nda"} {
		if !strings.Contains(detail.Body, want) {
			t.Errorf("the request's trail lacks %q", want)
		}
	}

	// Approval level: waits for a person.
	a := "omar@other.example"
	if id := h.submitAndConfirm("Omar Buyer", a, "insurance-2026"); id == "" {
		t.Fatal("no approver mail")
	}
	if links := h.mailsTo(a, "/access/"); len(links) != 0 {
		t.Error("access granted before approval")
	}

	// A mix is split at confirmation: the NDA-level document is granted
	// at once under a request of its own, the approval-level one waits.
	mix := "mia@third.example"
	if res := h.post("/access-requests", h.requestForm("Mia Buyer", mix, "pentest-2026", "sig-lite-2026")); res.Status != http.StatusSeeOther {
		t.Fatalf("submit mix: %d %s", res.Status, res.Body)
	}
	landing := h.get(h.link(mix, "/access-requests/confirm/"))
	if landing.Status != http.StatusOK || !strings.Contains(landing.Body, "granted at once, under a request of their own") {
		t.Fatalf("the confirmation page does not tell of the split: %d %s", landing.Status, landing.Body)
	}
	var waiting string
	for _, m := range h.mails() {
		if strings.Contains(m.Body, mix) {
			if id := requestIDRe.FindStringSubmatch(m.Body); id != nil {
				waiting = id[1]
			}
		}
	}
	if waiting == "" {
		t.Fatal("no approver mail for the approval-level part")
	}
	access = h.get(h.link(mix, "/access/"))
	if n := len(downloadRe.FindAllString(access.Body, -1)); access.Status != http.StatusOK || n != 1 {
		t.Fatalf("the NDA-level part's access page: %d, %d download links, want 1", access.Status, n)
	}
	if !strings.Contains(access.Body, "pentest") || strings.Contains(access.Body, "sig-lite-2026") {
		t.Error("the NDA-level part grants something else than the pentest")
	}
	detail = h.get("/admin/requests/" + waiting)
	if !strings.Contains(detail.Body, "NDA documents split to") || !strings.Contains(detail.Body, "request.split") {
		t.Errorf("the console does not show the split: %s", detail.Body)
	}
}

// TestKnowledgeSearch searches the example's knowledge base through the
// public function: ranked, marked, escaped, in English and Chinese.
func TestKnowledgeSearch(t *testing.T) {
	h := boot(t, nil)
	res := h.get("/knowledge?q=" + url.QueryEscape("encrypted at rest"))
	if res.Status != http.StatusOK {
		t.Fatalf("/knowledge: %d", res.Status)
	}
	first := strings.Index(res.Body, `<article class="kb"`)
	if first < 0 || !strings.Contains(res.Body[first:first+400], "<mark>encrypted</mark>") || !strings.Contains(res.Body[first:first+400], "<mark>rest</mark>") {
		t.Fatalf("the first result is not the encryption-at-rest answer with its words marked: %.600s", res.Body[max(first, 0):])
	}
	// A query is text, never markup.
	res = h.get("/knowledge?q=" + url.QueryEscape(`<script>alert(1)</script> encryption`))
	if strings.Contains(res.Body, "<script>alert") || !strings.Contains(res.Body, "&lt;script&gt;") {
		t.Error("the query is not escaped on the results page")
	}
	// Chinese.
	res = h.get("/knowledge?lang=zh-CN&q=" + url.QueryEscape("单点登录"))
	first = strings.Index(res.Body, `<article class="kb"`)
	if first < 0 || !strings.Contains(res.Body[first:first+600], "<mark>单点登录</mark>") {
		t.Fatalf("Chinese search: %.600s", res.Body[max(first, 0):])
	}
	// Tags are in the page's language; the English tag still finds the
	// entry on the Chinese page.
	if !strings.Contains(res.Body, `<span class="tag">单点登录</span>`) || strings.Contains(res.Body, `<span class="tag">sso</span>`) {
		t.Errorf("the Chinese page does not show its tags in Chinese: %.800s", res.Body[max(first, 0):])
	}
	res = h.get("/knowledge?lang=zh-CN&q=pentest")
	if !strings.Contains(res.Body, `<span class="tag">渗透测试</span>`) {
		t.Error("the English tag pentest does not find its entry on the Chinese page")
	}
	if res := h.get("/knowledge?q=sso"); !strings.Contains(res.Body, `<span class="tag">sso</span>`) {
		t.Error("the English page does not show the English tag")
	}

	// No query: every public entry, a page at a time.
	res = h.get("/knowledge")
	if n := strings.Count(res.Body, `<article class="kb"`); n != 20 || !strings.Contains(res.Body, `href="/knowledge?page=2"`) {
		t.Errorf("first page: %d entries, next link %v", n, strings.Contains(res.Body, "page=2"))
	}
	res = h.get("/knowledge?page=2")
	if n := strings.Count(res.Body, `<article class="kb"`); n == 0 || n > 20 {
		t.Errorf("second page: %d entries", n)
	}
	if res := h.get("/knowledge?q=kubernetes"); !strings.Contains(res.Body, "No answer matches") {
		t.Error("a query with no match does not say so")
	}
}
