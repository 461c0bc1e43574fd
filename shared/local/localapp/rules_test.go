package localapp_test

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"trustcenter/shared/testkit/browsertest"
)

// rulesForm is the rules page's form with rules given as kind, match,
// value triples; allow rules grant the SOC 2 report for 14 days.
func rulesForm(csrf, version, action string, rules ...[3]string) url.Values {
	f := url.Values{"csrf": {csrf}, "version": {version}, "action": {action}, "count": {string(rune('0' + len(rules)))}}
	for i, r := range rules {
		k := string(rune('0' + i))
		f.Set("pos."+k, string(rune('1'+i)))
		f.Set("kind."+k, r[0])
		f.Set("match."+k, r[1])
		f.Set("value."+k, r[2])
		f.Set("days."+k, "14")
		f.Add("docs."+k, "soc2-type2-2026")
	}
	return f
}

// TestRulesConsole: the seed from TRUST_AUTO_APPROVE, a dry run that saves
// nothing, a save that is audited, the saved rules deciding new requests,
// and approvers kept to reading.
func TestRulesConsole(t *testing.T) {
	h := boot(t, map[string]string{"TRUST_AUTO_APPROVE": "partner.example"})
	h.submitAndConfirm("Grace Hopper", "grace@rival.example", "soc2-type2-2026")
	csrf := h.signIn("admin@trust.localhost")
	res := h.get("/admin/rules")
	if res.Status != http.StatusOK || !strings.Contains(res.Body, "<code>partner.example</code>") || !strings.Contains(res.Body, "Version 1,") {
		t.Fatalf("rules page: %d, no seeded rule:\n%s", res.Status, res.Body)
	}

	rules := [][3]string{{"deny", "domain", "rival.example"}, {"allow", "subdomains", "partner.example"}}
	res = h.post("/admin/rules", rulesForm(csrf, "1", "dryrun", rules...))
	if res.Status != http.StatusOK || !strings.Contains(res.Body, "1 confirmed requests checked") || !strings.Contains(res.Body, "1. deny:domain:rival.example (rule.deny.domain)") ||
		!strings.Contains(res.Body, `class="differs"`) {
		t.Fatalf("dry run: %d\n%s", res.Status, res.Body)
	}
	if res := h.get("/admin/rules"); !strings.Contains(res.Body, "Version 1,") {
		t.Fatal("the dry run saved the rules")
	}
	// The order numbers, not the rows' places, give the evaluation order.
	swapped := rulesForm(csrf, "1", "dryrun", rules...)
	swapped.Set("pos.0", "2")
	swapped.Set("pos.1", "1")
	if res := h.post("/admin/rules", swapped); !strings.Contains(res.Body, "2. deny:domain:rival.example (rule.deny.domain)") ||
		!strings.Contains(res.Body, `id="value.0" name="value.0" value="partner.example"`) {
		t.Fatalf("reordered dry run:\n%s", res.Body)
	}
	bad := rulesForm(csrf, "1", "save", [3]string{"allow", "domain", "not a domain"})
	if res := h.post("/admin/rules", bad); res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "Rule 1: enter a domain") {
		t.Fatalf("bad rule: %d", res.Status)
	}
	if res := h.post("/admin/rules", rulesForm(csrf, "1", "save", rules...)); res.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", res.Status, res.Body)
	}
	if res := h.post("/admin/rules", rulesForm(csrf, "1", "save", rules...)); res.Status != http.StatusConflict {
		t.Fatalf("save over a stale version: %d", res.Status)
	}
	res = h.get("/admin/rules")
	if !strings.Contains(res.Body, "Version 2,") || !strings.Contains(res.Body, "rules.changed") ||
		!strings.Contains(res.Body, "before=1. allow:domain:partner.example documents=* days=30 after=1. deny:domain:rival.example; 2. allow:subdomains:partner.example") {
		t.Fatalf("after saving:\n%s", res.Body)
	}

	// The saved rules decide: a denial without a word about rules.
	if res := h.post("/access-requests", h.requestForm("Eve", "eve@rival.example", "soc2-type2-2026")); res.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", res.Status)
	}
	if res := h.get(h.link("eve@rival.example", "/access-requests/confirm/")); res.Status != http.StatusOK {
		t.Fatalf("confirm: %d", res.Status)
	}
	ms := h.mailsTo("eve@rival.example", "")
	denial := ms[len(ms)-1].Body
	if !strings.Contains(denial, "cannot share these reports") || strings.Contains(denial, "rule") || strings.Contains(denial, "rival") {
		t.Fatalf("denial mail:\n%s", denial)
	}
	if n := len(h.mailsTo("sales@trust.localhost", "")); n != 1 {
		t.Errorf("approvers got %d mails; only the first request, before the deny rule, should ask them", n)
	}
	var id string
	for _, m := range requestIDRe.FindAllStringSubmatch(h.get("/admin/requests?status=denied").Body, -1) {
		id = m[1]
	}
	res = h.get("/admin/requests/" + id)
	if !strings.Contains(res.Body, "deny:domain:rival.example (rule.deny.domain)") || !strings.Contains(res.Body, "rule=1. deny:domain:rival.example reason=rule.deny.domain") {
		t.Fatalf("request page lacks the rule decision:\n%s", res.Body)
	}

	// A subdomain of the partner is approved for the rule's document.
	if res := h.post("/access-requests", h.requestForm("Pat", "pat@eu.partner.example", "soc2-type2-2026")); res.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", res.Status)
	}
	h.get(h.link("pat@eu.partner.example", "/access-requests/confirm/"))
	h.link("pat@eu.partner.example", "/access/")

	// Approvers read the rules but cannot change them.
	h.client = newClient()
	approver := h.signIn("sales@trust.localhost")
	res = h.get("/admin/rules")
	if res.Status != http.StatusOK || strings.Contains(res.Body, `name="action"`) || !strings.Contains(res.Body, "Only administrators change the rules.") {
		t.Fatalf("approver's rules page: %d", res.Status)
	}
	if res := h.post("/admin/rules", rulesForm(approver, "2", "save")); res.Status != http.StatusForbidden {
		t.Fatalf("approver saving rules: %d", res.Status)
	}
}

// TestBrowserRulesPage shows the rules page with a dry run at desktop and
// phone widths, audited with axe.
func TestBrowserRulesPage(t *testing.T) {
	h := boot(t, map[string]string{"TRUST_AUTO_APPROVE": "partner.example"})
	h.submitAndConfirm("Grace Hopper", "grace@rival.example", "soc2-type2-2026")
	h.submitAndConfirm("Joe Bloggs", "joe@freemail.example", "soc2-type2-2026", "soc1-type2-2026")
	b := newTab(t, h)
	b.signInStaff("admin@trust.localhost")
	b.open("/admin/rules")
	// Fill the empty row with a deny rule and preview it.
	b.do("typing a rule", chromedp.SetValue(chromedp.CSS(`#kind\.1`), "deny"), chromedp.SendKeys(chromedp.CSS(`#value\.1`), "rival.example"))
	if res := b.follow("dry run", chromedp.Click(chromedp.CSS(`button[value="dryrun"]`))); res.Status != http.StatusOK {
		t.Fatalf("dry run: %d: %s", res.Status, eval[string](b, `document.body.innerText`))
	}
	if got := b.text("h1"); eval[int](b, `document.querySelectorAll("#dry-h").length`) != 1 {
		t.Fatalf("no dry run shown on %s (%s): %s", b.path(), got, eval[string](b, `document.body.innerText`))
	}
	if got := b.text("#dry-h"); !strings.Contains(got, "Dry run") {
		t.Fatalf("no dry run shown: %q", got)
	}
	b.audit("rules page with a dry run")
	for _, s := range []struct {
		name  string
		width int
	}{{"admin-rules-1280", 1280}, {"admin-rules-375", 375}} {
		height := 900
		if s.width < 600 {
			height = 740
		}
		path := browsertest.Screenshot(t, b.ctx, s.name, s.width, height)
		if _, err := os.Stat(path); err != nil {
			t.Fatal(err)
		}
		if s.width <= 375 {
			if sw, iw := eval[int](b, `document.documentElement.scrollWidth`), eval[int](b, `window.innerWidth`); sw > iw {
				t.Errorf("%s: page is %d px wide in a %d px window; too wide: %s", s.name, sw, iw, eval[string](b, wideElementsJS))
			}
		}
	}
}

// TestRulesSeededOnFirstStart: starting on an empty store stores the seed,
// before anyone opens the console or confirms a request. That a stored set
// wins over the variable afterwards is TestRulesSeededOnce in shared/trust.
func TestRulesSeededOnFirstStart(t *testing.T) {
	h := boot(t, map[string]string{"TRUST_AUTO_APPROVE": "partner.example"})
	rs, err := h.local.Service.Rules(t.Context())
	if err != nil || rs.Version != 1 || len(rs.Rules) != 1 || rs.Rules[0].ID() != "allow:domain:partner.example" {
		t.Fatalf("after the first start: %+v %v", rs, err)
	}
	events, err := h.local.Service.RuleEvents(t.Context())
	if err != nil || len(events) != 1 || events[0].Type != "rules.seeded" {
		t.Fatalf("seed trail %+v %v", events, err)
	}
}
