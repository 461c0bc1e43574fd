package localapp_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// TestFlow walks the whole product as its three kinds of user do, following
// the links in the .eml files: the visitor downloads the SOC 3, requests
// the SOC 2, confirms their email; staff sign in and approve; the requester
// downloads; staff revoke and every link dies.
func TestFlow(t *testing.T) {
	h := boot(t, nil)

	res := h.get("/")
	if res.Status != http.StatusOK || !strings.Contains(res.Body, "SOC 2") || !strings.Contains(res.Body, "SOC 3") {
		t.Fatalf("trust page: %d", res.Status)
	}
	if res := h.get("/healthz"); res.Status != http.StatusOK {
		t.Fatalf("healthz: %d", res.Status)
	}

	res = h.get("/documents/soc3-2026")
	if res.Status != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(res.Body, "%PDF-") || !strings.Contains(res.Header.Get("Content-Disposition"), "filename=") {
		t.Fatalf("public SOC 3: %d %v", res.Status, res.Header)
	}
	res = h.get("/documents/soc2-type2-2026")
	if res.Status != http.StatusForbidden || !strings.Contains(res.Body, `/access-requests/new?document=soc2-type2-2026`) {
		t.Fatalf("gated SOC 2 by id: %d", res.Status)
	}
	if res := h.get("/documents/nope"); res.Status != http.StatusNotFound {
		t.Fatalf("unknown document: %d", res.Status)
	}

	res = h.get("/access-requests/new?document=soc2-type2-2026")
	if !strings.Contains(res.Body, `value="soc2-type2-2026" checked`) {
		t.Fatal("the document from the link is not preselected")
	}
	form := h.requestForm("Ada Lovelace", "ada@buyer.example", "soc2-type2-2026", "soc1-type2-2026")
	res = h.post("/access-requests", form)
	sent := res.Header.Get("Location")
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(sent, "/access-requests/sent/") {
		t.Fatalf("submit: %d %s", res.Status, res.Body)
	}
	if res := h.get(sent); !strings.Contains(res.Body, "Check your email") || !strings.Contains(res.Body, "ada@buyer.example") {
		t.Fatal("no check-your-email page naming the address")
	}

	confirm := h.link("ada@buyer.example", "/access-requests/confirm/")
	res = h.get(confirm)
	if res.Status != http.StatusOK || !strings.Contains(res.Body, "Waiting for approval") {
		t.Fatalf("confirm: %d %s", res.Status, res.Body)
	}
	// Opening the link again shows the status; it is not an error.
	if res := h.get(confirm); res.Status != http.StatusOK {
		t.Fatalf("second confirm: %d", res.Status)
	}
	approverMails := h.mailsTo("sales@trust.localhost", "/admin/requests/")
	if len(approverMails) != 1 || len(h.mailsTo("admin@trust.localhost", "/admin/requests/")) != 1 {
		t.Fatalf("every approver gets one mail: %v", approverMails)
	}
	id := requestIDRe.FindStringSubmatch(approverMails[0].Body)[1]

	// Without a session the console sends you to sign in.
	if res := h.get("/admin/requests/" + id); res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/admin/login" {
		t.Fatalf("console without session: %d", res.Status)
	}
	csrf := h.signIn("sales@trust.localhost")
	res = h.get("/admin/requests")
	if !strings.Contains(res.Body, "Ada Lovelace") || !strings.Contains(res.Body, "Example Buyer Ltd") {
		t.Fatal("pending queue does not list the request")
	}
	res = h.get("/admin/requests/" + id)
	for _, want := range []string{"ada@buyer.example", "2026-01", "SOC 2 Type II report, October 2025 to September 2026", "SOC 1 Type II report", "email.confirmed", "nda.accepted"} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("request page lacks %q", want)
		}
	}

	// A post without the CSRF token is refused and changes nothing.
	if res := h.post("/admin/requests/"+id+"/approve", url.Values{"days": {"30"}}); res.Status != http.StatusForbidden {
		t.Fatalf("approve without csrf: %d", res.Status)
	}
	res = h.post("/admin/requests/"+id+"/approve", url.Values{"days": {"14"}, "csrf": {csrf}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", res.Status, res.Body)
	}
	if res := h.post("/admin/requests/"+id+"/approve", url.Values{"days": {"14"}, "csrf": {csrf}}); res.Status != http.StatusConflict {
		t.Fatalf("second approve: %d", res.Status)
	}
	if res := h.post("/admin/requests/"+id+"/deny", url.Values{"reason": {"late"}, "csrf": {csrf}}); res.Status != http.StatusConflict {
		t.Fatalf("deny after approve: %d", res.Status)
	}

	access := h.link("ada@buyer.example", "/access/")
	res = h.get(access)
	if res.Status != http.StatusOK {
		t.Fatalf("access page: %d", res.Status)
	}
	downloads := downloadRe.FindAllString(res.Body, -1)
	if len(downloads) != 2 {
		t.Fatalf("access page lists %d download links, want 2", len(downloads))
	}
	res = h.get(downloads[0])
	if res.Status != http.StatusOK || !strings.HasPrefix(res.Body, "%PDF-") || res.Header.Get("Cache-Control") != "private, no-store" {
		t.Fatalf("download: %d %v", res.Status, res.Header)
	}
	if res := h.get("/admin/requests/" + id); !strings.Contains(res.Body, "document.downloaded") {
		t.Fatal("the download is not in the audit trail")
	}

	if res := h.post("/admin/requests/"+id+"/revoke", url.Values{"csrf": {csrf}, "reason": {"The evaluation ended."}, "confirm": {"1"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.Status)
	}
	for _, link := range append(downloads, access) {
		if res := h.get(link); res.Status != http.StatusForbidden || !strings.Contains(res.Body, "revoked") {
			t.Fatalf("%s after revoke: %d", link, res.Status)
		}
	}
}

var downloadRe = regexp.MustCompile(`/download/[A-Za-z0-9_.-]+`)

// TestDeny: the requester learns the reason, and a denied request cannot
// be approved.
func TestDeny(t *testing.T) {
	h := boot(t, nil)
	id := h.submitAndConfirm("Grace Hopper", "grace@buyer.example", "soc1-type2-2026")
	csrf := h.signIn("admin@trust.localhost")
	reason := "We could not verify a business relationship <b>yet</b>."
	if res := h.post("/admin/requests/"+id+"/deny", url.Values{"reason": {""}, "csrf": {csrf}}); res.Status != http.StatusBadRequest {
		t.Fatalf("deny without reason: %d", res.Status)
	}
	if res := h.post("/admin/requests/"+id+"/deny", url.Values{"reason": {reason}, "csrf": {csrf}}); res.Status != http.StatusSeeOther {
		t.Fatalf("deny: %d", res.Status)
	}
	ms := h.mailsTo("grace@buyer.example", "")
	if !strings.Contains(ms[len(ms)-1].Body, reason) {
		t.Fatalf("denial mail lacks the reason: %q", ms[len(ms)-1].Body)
	}
	res := h.post("/admin/requests/"+id+"/approve", url.Values{"days": {"30"}, "csrf": {csrf}})
	if res.Status != http.StatusConflict || !strings.Contains(res.Body, "denied") {
		t.Fatalf("approve a denied request: %d", res.Status)
	}
	if res := h.get("/admin/requests/" + id); !strings.Contains(res.Body, "We could not verify a business relationship &lt;b&gt;yet&lt;/b&gt;.") {
		t.Fatal("the reason is not shown escaped on the request page")
	}
}

// TestConcurrentApprovals: many approvers clicking at once make one grant
// and one email.
func TestConcurrentApprovals(t *testing.T) {
	h := boot(t, nil)
	id := h.submitAndConfirm("Alan Turing", "alan@buyer.example", "soc2-type2-2026")
	csrf := h.signIn("admin@trust.localhost")
	const n = 16
	statuses := make([]int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			req, _ := http.NewRequest(http.MethodPost, h.base+"/admin/requests/"+id+"/approve",
				strings.NewReader(url.Values{"days": {"30"}, "csrf": {csrf}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res, err := h.client.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			statuses[i] = res.StatusCode
		}()
	}
	close(start)
	wg.Wait()
	won, lost := 0, 0
	for _, s := range statuses {
		switch s {
		case http.StatusSeeOther:
			won++
		case http.StatusConflict:
			lost++
		}
	}
	if won != 1 || lost != n-1 {
		t.Fatalf("statuses %v: want one 303 and %d 409", statuses, n-1)
	}
	if got := len(h.mailsTo("alan@buyer.example", "/access/")); got != 1 {
		t.Fatalf("%d approval mails, want 1", got)
	}
	res := h.get("/admin/requests/" + id)
	if c := strings.Count(res.Body, "request.approved"); c != 1 {
		t.Fatalf("%d approval events, want 1", c)
	}
}
