package localapp_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/token"
	"trustcenter/shared/trust"
)

// myRequestsSignIn asks for a sign-in link for addr, opens it and presses
// its button, and returns the page it lands on.
func (h *harness) myRequestsSignIn(addr string) response {
	h.t.Helper()
	if res := h.post("/my-requests", url.Values{"email": {addr}}); res.Status != http.StatusSeeOther {
		h.t.Fatalf("ask for a sign-in link: %d", res.Status)
	}
	link := h.link(addr, "/my-requests/sign-in/")
	if res := h.get(link); res.Status != http.StatusOK || !strings.Contains(res.Body, `method="post"`) {
		h.t.Fatalf("open the sign-in link: %d", res.Status)
	}
	res := h.post(link, nil)
	if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/my-requests" {
		h.t.Fatalf("sign in: %d to %q", res.Status, res.Header.Get("Location"))
	}
	return h.get("/my-requests")
}

// TestMyRequests: a requester signs in by email link and sees every
// request of their address, with access to the active grant only; nobody
// else's requests; the link works once; a stranger's address gets a mail
// saying there is nothing, and the same answer on the page.
func TestMyRequests(t *testing.T) {
	h := boot(t, nil)
	g := h.approve("Ada Lovelace", "ada@buyer.example", 30, "soc2-type2-2026")
	h.submitAndConfirm("Ada Lovelace", "ada@buyer.example", "soc1-type2-2026") // pending
	h.submitAndConfirm("Bob Smith", "bob@buyer.example", "soc1-type2-2026")

	page := h.myRequestsSignIn("ada@buyer.example")
	if page.Status != http.StatusOK || page.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("my requests: %d %q", page.Status, page.Header.Get("Cache-Control"))
	}
	for _, want := range []string{"ada@buyer.example", "SOC 2 Type II", "SOC 1 Type II", "Approved", "Waiting for approval", `href="/access/`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("my requests page lacks %q", want)
		}
	}
	if strings.Count(page.Body, `class="card"`) != 2 || strings.Contains(page.Body, "bob@") {
		t.Errorf("my requests page shows %d requests, want ada's 2 only", strings.Count(page.Body, `class="card"`))
	}
	// The access link on the page opens the documents.
	access := accessRe.FindString(page.Body)
	if res := h.get(access); res.Status != http.StatusOK {
		t.Fatalf("access from my requests: %d", res.Status)
	}
	// The sign-in link works once.
	link := h.link("ada@buyer.example", "/my-requests/sign-in/")
	if res := h.post(link, nil); res.Status != http.StatusForbidden {
		t.Errorf("the sign-in link a second time: %d, want 403", res.Status)
	}
	// Revoking the grant takes the access link off the page.
	if res := h.post("/admin/requests/"+g.id+"/revoke", url.Values{"csrf": {g.csrf}, "reason": {"The evaluation ended."}, "confirm": {"1"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.Status)
	}
	if res := h.get("/my-requests"); !strings.Contains(res.Body, "Access revoked") || strings.Contains(res.Body, `href="/access/`) {
		t.Errorf("after revoke the page still offers access")
	}
	// Signing out ends the session.
	if res := h.post("/my-requests/sign-out", nil); res.Status != http.StatusSeeOther {
		t.Fatalf("sign out: %d", res.Status)
	}
	if res := h.get("/my-requests"); !strings.Contains(res.Body, `name="email"`) {
		t.Error("after signing out the page still shows the requests")
	}

	// An address without requests: the same answer, and a mail that says so.
	before := h.post("/my-requests", url.Values{"email": {"eve@nowhere.example"}})
	if before.Status != http.StatusSeeOther || before.Header.Get("Location") != "/my-requests?sent=1" {
		t.Fatalf("unknown address: %d %q", before.Status, before.Header.Get("Location"))
	}
	ms := h.mailsTo("eve@nowhere.example", "")
	if len(ms) != 1 || strings.Contains(ms[0].Body, "/my-requests/sign-in/") || !strings.Contains(ms[0].Body, "/access-requests/new") {
		t.Fatalf("mail to an unknown address: %+v", ms)
	}
}

// TestMyRequestsLinkAttacks: the new kinds refused like every other
// link: expired, of another purpose, forged, used as another kind, and a
// session cookie that is not one.
func TestMyRequestsLinkAttacks(t *testing.T) {
	h := boot(t, nil)
	g := h.approve("Ada Lovelace", "ada@buyer.example", 30, "soc2-type2-2026")
	if res := h.post("/my-requests", url.Values{"email": {"ada@buyer.example"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("ask: %d", res.Status)
	}
	link := h.link("ada@buyer.example", "/my-requests/sign-in/")
	tok := link[strings.LastIndexByte(link, '/')+1:]
	keys := h.keys()
	now := time.Now()
	claims, err := token.New(keys, "trustcenter").Parse(trust.MyRequestsLink, tok, now)
	if err != nil {
		t.Fatal(err)
	}
	must := func(s string, err error) string {
		t.Helper()
		if err != nil || s == "" {
			t.Fatalf("building a forged link: %v", err)
		}
		return s
	}
	other := &token.Keyring{}
	if err := other.Rotate(now); err != nil {
		t.Fatal(err)
	}
	other.Keys[0].ID, other.Active = keys.Active, keys.Active
	forged := must(token.New(other, "trustcenter").Sign(trust.MyRequestsLink, claims, now))
	stale := claims
	stale.ExpiresAt = now.Add(-time.Minute)
	expired := must(token.New(keys, "trustcenter").Sign(trust.MyRequestsLink, stale, now.Add(-time.Hour)))
	asSession := must(token.New(keys, "trustcenter").Sign(trust.MySessionLink, trust.Claims{Request: claims.Request, ExpiresAt: now.Add(time.Hour)}, now))
	accessTok := g.access[strings.LastIndexByte(g.access, '/')+1:]

	refused := map[string]string{
		"forged sign-in":           "/my-requests/sign-in/" + forged,
		"expired sign-in":          "/my-requests/sign-in/" + expired,
		"access link as sign-in":   "/my-requests/sign-in/" + accessTok,
		"session as sign-in":       "/my-requests/sign-in/" + asSession,
		"sign-in as access":        "/access/" + tok,
		"sign-in as status":        "/requests/" + tok,
		"sign-in as staff sign-in": "/admin/login/" + tok,
		"sign-in as download":      "/download/" + tok,
		"sign-in as confirmation":  "/access-requests/confirm/" + tok,
		"session as access":        "/access/" + asSession,
		"oversized sign-in":        "/my-requests/sign-in/" + strings.Repeat("A", 8000),
	}
	for name, path := range refused {
		if res := h.get(path); res.Status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", name, res.Status)
		}
	}
	// Expired after its 15 minutes, by the server's clock.
	h.skip(trust.MyRequestsLinkTTL + time.Second)
	if res := h.post(link, nil); res.Status != http.StatusForbidden {
		t.Errorf("sign-in link after its lifetime: %d, want 403", res.Status)
	}
	// A cookie that is not a session of ours, or one of another purpose,
	// shows the sign-in form, never requests.
	for name, value := range map[string]string{"garbage": "x.y.z", "a sign-in link": tok, "an access link": accessTok} {
		req, _ := http.NewRequest(http.MethodGet, h.base+"/my-requests", nil)
		req.AddCookie(&http.Cookie{Name: "tc_my", Value: value})
		res := h.do(req)
		if res.Status != http.StatusOK || !strings.Contains(res.Body, `name="email"`) || strings.Contains(res.Body, "ada@buyer.example") {
			t.Errorf("cookie %s: %d, want the sign-in form", name, res.Status)
		}
	}
}

// TestMyRequestsCrossSite: a sign-in posted from another site is refused
// and leaves the link unused.
func TestMyRequestsCrossSite(t *testing.T) {
	h := boot(t, nil)
	h.approve("Ada Lovelace", "ada@buyer.example", 30, "soc2-type2-2026")
	if res := h.post("/my-requests", url.Values{"email": {"ada@buyer.example"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("ask: %d", res.Status)
	}
	link := h.link("ada@buyer.example", "/my-requests/sign-in/")
	req, _ := http.NewRequest(http.MethodPost, link, nil)
	req.Header.Set("Origin", "https://evil.example")
	if res := h.do(req); res.Status != http.StatusForbidden || res.Header.Get("Set-Cookie") != "" {
		t.Fatalf("cross-site sign-in: %d", res.Status)
	}
	if res := h.post(link, nil); res.Status != http.StatusSeeOther {
		t.Fatalf("the owner's sign-in after the refused one: %d", res.Status)
	}
}

var accessRe = regexp.MustCompile(`/access/[A-Za-z0-9_-]+`)
