package localapp_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// tabCount reads a tab's count off the queue page.
func tabCount(t *testing.T, body, view string) string {
	t.Helper()
	re := regexp.MustCompile(`status=` + view + `"(?: aria-current="page")?>[^<]*<span class="count">(\d+)</span>`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s tab with a count in the queue", view)
	}
	return m[1]
}

// rowOrder is the request ids of a queue page, in order.
func rowOrder(body string) []string {
	var ids []string
	for _, m := range requestIDRe.FindAllStringSubmatch(body, -1) {
		if len(ids) == 0 || ids[len(ids)-1] != m[1] {
			ids = append(ids, m[1])
		}
	}
	return ids
}

// TestQueue: the tabs count, pending is oldest first with its age, search
// finds by address, domain and name, inline and bulk decisions are each
// recorded on their request, and an unknown tab is the console's error.
func TestQueue(t *testing.T) {
	h := boot(t, nil)
	ada := h.submitAndConfirm("Ada Lovelace", "ada@buyer.example", "soc2-type2-2026")
	h.skip(time.Minute)
	bob := h.submitAndConfirm("Bob Babbage", "bob@buyer.example", "soc1-type2-2026")
	h.skip(time.Minute)
	cy := h.submitAndConfirm("Cy Young", "cy@other.example", "soc2-type2-2026")
	csrf := h.signIn("sales@trust.localhost")
	h.skip(3 * time.Hour)

	res := h.get("/admin/requests")
	if res.Status != http.StatusOK {
		t.Fatalf("queue: %d", res.Status)
	}
	if got := rowOrder(res.Body); strings.Join(got, ",") != strings.Join([]string{ada, bob, cy}, ",") {
		t.Errorf("pending order = %v, want oldest first %v", got, []string{ada, bob, cy})
	}
	if !strings.Contains(res.Body, "waiting 3 h") {
		t.Error("pending rows do not say how long they wait")
	}
	for view, want := range map[string]string{"pending": "3", "approved": "0", "denied": "0", "all": "3"} {
		if got := tabCount(t, res.Body, view); got != want {
			t.Errorf("%s tab count = %s, want %s", view, got, want)
		}
	}

	for q, want := range map[string][]string{
		"cy@other.example": {cy},
		"buyer.example":    {ada, bob},
		"BABBAGE":          {bob},
		"nobody":           nil,
	} {
		got := rowOrder(h.get("/admin/requests?status=pending&q=" + url.QueryEscape(q)).Body)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("search %q = %v, want %v", q, got, want)
		}
	}
	if got := rowOrder(h.get("/admin/requests?status=pending&doc=soc1-type2-2026").Body); len(got) != 1 || got[0] != bob {
		t.Errorf("document filter = %v, want %v", got, bob)
	}

	// Inline approve: one row, the default period, back to the queue.
	res = h.post("/admin/requests/bulk", url.Values{"csrf": {csrf}, "one": {ada}, "status": {"pending"}})
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/admin/requests?") {
		t.Fatalf("inline approve: %d %v", res.Status, res.Header)
	}
	if n := h.countOf(ada, "request.approved"); n != 1 {
		t.Errorf("ada's trail has %d approvals, want 1", n)
	}
	if h.link("ada@buyer.example", "/access/") == "" {
		t.Error("no access mail after the inline approval")
	}

	// Bulk deny needs each request's own decision and mail.
	res = h.post("/admin/requests/bulk", url.Values{"csrf": {csrf}, "ids": {bob, cy}, "action": {"deny"}, "reason": {"Not a customer yet"}})
	if res.Status != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "done=2") {
		t.Fatalf("bulk deny: %d %v", res.Status, res.Header)
	}
	for _, id := range []string{bob, cy} {
		if n := h.countOf(id, "request.denied"); n != 1 {
			t.Errorf("%s has %d denials recorded, want 1", id, n)
		}
	}
	// A second bulk on decided requests decides nothing, and says so.
	res = h.post("/admin/requests/bulk", url.Values{"csrf": {csrf}, "ids": {bob}, "action": {"approve"}})
	if loc := res.Header.Get("Location"); !strings.Contains(loc, "done=0") || !strings.Contains(loc, "failed=1") {
		t.Errorf("approving a denied request: %v", loc)
	}
	if n := h.countOf(bob, "request.approved"); n != 0 {
		t.Errorf("bob's denied request was approved")
	}

	res = h.get("/admin/requests?status=all")
	for view, want := range map[string]string{"pending": "0", "approved": "1", "denied": "2", "all": "3"} {
		if got := tabCount(t, res.Body, view); got != want {
			t.Errorf("after decisions, %s tab count = %s, want %s", view, got, want)
		}
	}
	if got := rowOrder(res.Body); strings.Join(got, ",") != strings.Join([]string{cy, bob, ada}, ",") {
		t.Errorf("all tab order = %v, want newest first", got)
	}

	// An access period that ends moves the grant to the expired tab.
	h.skip(91 * 24 * time.Hour)
	h.signIn("sales@trust.localhost")
	res = h.get("/admin/requests?status=expired")
	if tabCount(t, res.Body, "expired") != "1" || tabCount(t, res.Body, "approved") != "0" || !strings.Contains(res.Body, ada) {
		t.Errorf("the ended grant is not counted and listed as expired")
	}

	res = h.get("/admin/requests?status=lost")
	if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, `action="/admin/logout"`) || !strings.Contains(res.Body, `role="alert"`) {
		t.Errorf("unknown status: %d, want 400 in the console layout with an alert", res.Status)
	}
	if res := h.get("/admin/requests?status=pending&cursor=garbage"); res.Status != http.StatusBadRequest || !strings.Contains(res.Body, `action="/admin/logout"`) {
		t.Errorf("bad cursor: %d, want 400 in the console layout", res.Status)
	}
}

// TestAccounts: one row per domain with its counts, an account's page with
// its people and requests, and the CSV.
func TestAccounts(t *testing.T) {
	h := boot(t, nil)
	g := h.approve("Ada Lovelace", "ada@buyer.example", 30, "soc2-type2-2026")
	if res := h.get(g.download); res.Status != http.StatusOK {
		t.Fatalf("download: %d", res.Status)
	}
	h.submitAndConfirm("Bob Babbage", "bob@buyer.example", "soc1-type2-2026")
	h.submitAndConfirm("Cy Young", "cy@other.example", "soc2-type2-2026")

	res := h.get("/admin/accounts")
	if res.Status != http.StatusOK || !strings.Contains(res.Body, `href="/admin/accounts/buyer.example"`) || !strings.Contains(res.Body, `href="/admin/accounts/other.example"`) {
		t.Fatalf("accounts: %d", res.Status)
	}
	if i, j := strings.Index(res.Body, "/admin/accounts/other.example"), strings.Index(res.Body, "/admin/accounts/buyer.example"); i > j {
		t.Error("accounts are not latest activity first")
	}

	res = h.get("/admin/accounts/buyer.example")
	for _, want := range []string{"ada@buyer.example", "bob@buyer.example", g.id, "document=soc2-type2-2026"} {
		if res.Status != http.StatusOK || !strings.Contains(res.Body, want) {
			t.Errorf("account page: %d, no %q", res.Status, want)
		}
	}
	if res := h.get("/admin/accounts/nobody.example"); res.Status != http.StatusNotFound {
		t.Errorf("unknown account: %d", res.Status)
	}

	res = h.get("/admin/accounts.csv")
	if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %v", res.Status, res.Header)
	}
	rows, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	byDomain := map[string][]string{}
	for _, r := range rows[1:] {
		byDomain[r[0]] = r
	}
	// domain, people, pending, approved, denied, revoked, active, downloads
	if got := strings.Join(byDomain["buyer.example"][:8], ","); got != "buyer.example,2,1,1,0,0,1,1" {
		t.Errorf("buyer.example row = %s", got)
	}
	if len(rows) != 3 || rows[0][0] != "domain" {
		t.Errorf("csv rows = %v", rows)
	}
}
