package localapp_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestRulesRequireNDAEndToEnd: an allow rule that requires a click-through
// approves a request that clicked; one that requires an existing NDA
// leaves a click-through request for a person, and the console says why.
func TestRulesRequireNDAEndToEnd(t *testing.T) {
	h := boot(t, nil)
	csrf := h.signIn("admin@trust.localhost")
	form := rulesForm(csrf, "1", "save", [3]string{"allow", "domain", "clicks.example"}, [3]string{"allow", "domain", "buyer.example"})
	form.Set("nda.0", "clickthrough")
	form.Set("nda.1", "existing")
	if res := h.post("/admin/rules", form); res.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", res.Status, res.Body)
	}
	res := h.get("/admin/rules")
	if !strings.Contains(res.Body, "allow:domain:clicks.example documents=soc2-type2-2026 days=14 nda=clickthrough") ||
		!strings.Contains(res.Body, `<option value="existing" selected>`) {
		t.Fatalf("saved rules do not show the NDA requirement:\n%s", res.Body)
	}

	if res := h.post("/access-requests", h.requestForm("Ada", "ada@clicks.example", "soc2-type2-2026")); res.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", res.Status)
	}
	if res := h.get(h.link("ada@clicks.example", "/access-requests/confirm/")); res.Status != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "/access/") {
		t.Fatalf("a click-through under a click-through rule was not approved: %d", res.Status)
	}
	h.submitAndConfirm("Cy", "cy@buyer.example", "soc2-type2-2026")
	staff := h.mailsTo("sales@trust.localhost", "")
	if len(staff) == 0 || !strings.Contains(staff[len(staff)-1].Body, "rule.allow.nda_path") {
		t.Fatalf("approvers were not told why the rule did not approve: %+v", staff)
	}
	dry := h.post("/admin/rules", rulesForm(csrf, "2", "dryrun", [3]string{"allow", "domain", "buyer.example"}))
	if !strings.Contains(dry.Body, "allow:domain:buyer.example (rule.allow.domain)") {
		t.Fatalf("dry run without the requirement does not approve:\n%s", dry.Body)
	}
	strict := rulesForm(csrf, "2", "dryrun", [3]string{"allow", "domain", "buyer.example"})
	strict.Set("nda.0", "existing")
	if dry := h.post("/admin/rules", strict); !strings.Contains(dry.Body, "allow:domain:buyer.example (rule.allow.nda_path)") {
		t.Fatalf("dry run with the requirement:\n%s", dry.Body)
	}
}
