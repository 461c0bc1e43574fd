package localapp_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNDAEndToEnd: an admin publishes a major version in the console; a
// form still showing the old one is refused with what was typed kept and
// the new text shown; a holder of an active grant is asked at the access
// page before downloading again; the signed NDA reaches the requester as a
// PDF and staff download it; the evidence exports list the acceptance.
func TestNDAEndToEnd(t *testing.T) {
	h := boot(t, nil)
	g := h.approve("Grace Hopper", "grace@buyer.example", 30, "soc2-type2-2026")
	old := h.requestForm("Ada Lovelace", "ada@buyer.example", "soc2-type2-2026")

	const text = "MUTUAL NON-DISCLOSURE AGREEMENT (2027)\n\nThe recipient keeps the reports confidential for five years."
	res := h.post("/admin/nda", url.Values{"csrf": {g.csrf}, "label": {"2027-01"}, "change": {"major"}, "text": {text}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", res.Status, res.Body)
	}
	page := h.get("/admin/nda").Body
	if !strings.Contains(page, "2027-01") || !strings.Contains(page, "/nda/v1.txt") {
		t.Errorf("the console does not list both versions")
	}
	if got := h.get("/nda.txt").Body; got != text {
		t.Errorf("/nda.txt = %q, want the new text", got)
	}
	if v1 := h.get("/nda/v1.txt"); v1.Status != http.StatusOK || v1.Body == text || v1.Body == "" {
		t.Errorf("the first version is not readable any more: %d", v1.Status)
	}

	// The form from before the publication.
	res = h.post("/access-requests", old)
	if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, `value="Ada Lovelace"`) || !strings.Contains(res.Body, "five years") ||
		!strings.Contains(res.Body, "The NDA was updated since you opened this form") {
		t.Errorf("a submission of the old version: %d, the input kept and the new text shown? %s", res.Status, res.Body)
	}
	if strings.Contains(res.Body, `name="nda_accept" value="yes" checked`) {
		t.Error("the acceptance of a text not shown is kept ticked")
	}

	// The grant from before: asked before its next download.
	acc := h.get(g.access)
	if acc.Status != http.StatusOK || !strings.Contains(acc.Body, "five years") || downloadRe.MatchString(acc.Body) {
		t.Fatalf("access page after a major version: %d, asks and hides links? %s", acc.Status, acc.Body)
	}
	if res := h.get(g.download); res.Status != http.StatusForbidden {
		t.Errorf("an earlier download link: %d, want 403 until the NDA is accepted", res.Status)
	}
	sum := ndaHashRe.FindStringSubmatch(acc.Body)
	tok := strings.TrimPrefix(g.access, h.abs("/access/"))
	res = h.post("/access/"+tok+"/nda", url.Values{"nda_version": {"2027-01"}, "nda_sha256": {sum[1]}, "nda_accept": {"yes"}, "nda_signature": {"grace hopper"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("accepting at the access page: %d %s", res.Status, res.Body)
	}
	if res := h.get(g.download); res.Status != http.StatusOK {
		t.Errorf("download after accepting: %d", res.Status)
	}

	// The requester's copies: one per acceptance, the latest of the new text.
	var pdfs [][]byte
	for _, m := range h.mailsTo("grace@buyer.example", "") {
		for name, f := range m.Files {
			if !strings.HasPrefix(name, "nda-") || !strings.HasSuffix(name, ".pdf") {
				t.Errorf("attachment %q", name)
			}
			pdfs = append(pdfs, f)
		}
	}
	if len(pdfs) != 2 {
		t.Fatalf("%d signed NDAs mailed, want 2 (the request's, the access page's)", len(pdfs))
	}
	mailed := flatText(t, pdfs[1])
	for _, want := range []string{"five years", "Name: Grace Hopper", "Email: grace@buyer.example", "Signature: grace hopper", "NDA version: 2027-01", "SHA-256: " + sum[1], "Request: " + g.id} {
		if !strings.Contains(mailed, want) {
			t.Errorf("the mailed PDF lacks %q:\n%s", want, mailed)
		}
	}

	// Staff: the console's link leads to the PDF.
	res = h.get("/admin/requests/" + g.id + "/nda.pdf")
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signed-nda/") {
		t.Fatalf("staff PDF link: %d %v", res.Status, res.Header)
	}
	res = h.get(res.Header.Get("Location"))
	if res.Status != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("staff PDF: %d %s", res.Status, res.Header.Get("Content-Type"))
	}
	if got := flatText(t, []byte(res.Body)); !strings.Contains(got, "Name: Grace Hopper") || !strings.Contains(got, "IP address: 127.0.0.1") {
		t.Errorf("staff PDF:\n%s", got)
	}

	rows, err := csv.NewReader(strings.NewReader(h.get("/admin/nda/evidence.csv").Body)).ReadAll()
	if err != nil || len(rows) != 3 || rows[0][8] != "sha256" {
		t.Fatalf("CSV: %v %v", rows, err)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(h.get("/admin/nda/evidence.json").Body), &list); err != nil || len(list) != 2 {
		t.Fatalf("JSON: %v %v", list, err)
	}
	if list[1]["mode"] != "access" || list[1]["sha256"] != sum[1] || list[1]["email"] != "grace@buyer.example" {
		t.Errorf("JSON evidence of the re-acceptance: %v", list[1])
	}
}

// flatText is a PDF's text, whitespace collapsed.
func flatText(t *testing.T, pdf []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "nda.pdf")
	if err := os.WriteFile(p, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", p, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v %s", err, out)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// TestErasureEndToEnd: the requester asks from their status page, staff
// confirm on the request page, and the console then shows neither their
// name nor their address.
func TestErasureEndToEnd(t *testing.T) {
	h := boot(t, nil)
	g := h.approve("Mary Jackson", "mary@buyer.example", 30, "soc2-type2-2026")
	status := strings.TrimPrefix(h.link("mary@buyer.example", "/requests/"), h.abs(""))
	if page := h.get(status).Body; !strings.Contains(page, `action="`+status+`/erase"`) {
		t.Fatalf("the status page offers no erasure")
	}
	if res := h.post(status+"/erase", url.Values{}); res.Status != http.StatusSeeOther {
		t.Fatalf("asking for erasure: %d %s", res.Status, res.Body)
	}
	page := h.get("/admin/requests/" + g.id).Body
	if !strings.Contains(page, "asked on") || !strings.Contains(page, `/admin/requests/`+g.id+`/erase`) {
		t.Fatalf("the request page does not show the erasure request")
	}
	if res := h.post("/admin/requests/"+g.id+"/erase", url.Values{"csrf": {g.csrf}}); res.Status != http.StatusSeeOther {
		t.Fatalf("erasing: %d %s", res.Status, res.Body)
	}
	page = h.get("/admin/requests/" + g.id).Body
	// (Addresses are not checked here: requester and staff share
	// 127.0.0.1 locally, and the erasure event keeps the staff member's.
	// The trust and store tests check them.)
	for _, pd := range []string{"Mary Jackson", "mary@buyer.example", "Example Buyer Ltd"} {
		if strings.Contains(page, pd) {
			t.Errorf("after the erasure the request page shows %q", pd)
		}
	}
	if !strings.Contains(page, "request.erased") || !strings.Contains(page, "Personal data erased") {
		t.Error("the erasure is not on the request's trail")
	}
	if res := h.get(g.download); res.Status == http.StatusOK {
		t.Error("the erased requester's link still downloads")
	}
}
