package localapp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestLoginLinkSurvivesScanners: opening a sign-in link, as a mail scanner
// does, only shows the button; a post from another site is refused and
// uses nothing; the owner's post signs in, once.
func TestLoginLinkSurvivesScanners(t *testing.T) {
	h := boot(t, nil)
	if res := h.post("/admin/login", url.Values{"email": {"admin@trust.localhost"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("asking for a link: %d", res.Status)
	}
	link := h.link("admin@trust.localhost", "/admin/login/")
	for i := range 3 {
		res := h.get(link)
		if res.Status != http.StatusOK || res.Header.Get("Set-Cookie") != "" || !strings.Contains(res.Body, `name="end_others"`) {
			t.Fatalf("opening the link, time %d: %d, cookie %q", i+1, res.Status, res.Header.Get("Set-Cookie"))
		}
		if strings.Contains(res.Body, "lang=") && strings.Contains(res.Body, `href="`+strings.TrimPrefix(link, h.base)+"?") {
			t.Fatal("the language links repeat the token")
		}
	}
	req, _ := http.NewRequest(http.MethodPost, link, strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if res := h.do(req); res.Status != http.StatusForbidden {
		t.Fatalf("a cross-site post of the link: %d", res.Status)
	}
	h.completeSignIn(link, nil)
	if res := h.post(link, nil); res.Status != http.StatusForbidden {
		t.Fatalf("the link posted a second time: %d", res.Status)
	}
}

// TestLoginEndsOtherSessions: signing in with "sign out my other sessions"
// ends the sessions opened before, in other browsers too.
func TestLoginEndsOtherSessions(t *testing.T) {
	h := boot(t, nil)
	h.signIn("admin@trust.localhost")
	other := *h
	other.client = newClient()
	other.signIn("admin@trust.localhost")
	if res := h.get("/admin/requests"); res.Status != http.StatusOK {
		t.Fatalf("the first session after a plain second sign-in: %d", res.Status)
	}
	third := *h
	third.client = newClient()
	if res := third.post("/admin/login", url.Values{"email": {"admin@trust.localhost"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("asking for a link: %d", res.Status)
	}
	third.completeSignIn(third.link("admin@trust.localhost", "/admin/login/"), url.Values{"end_others": {"1"}})
	for name, c := range map[string]*harness{"first": h, "second": &other} {
		if res := c.get("/admin/requests"); res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/admin/login" {
			t.Errorf("the %s session after signing out the others: %d %v", name, res.Status, res.Header.Get("Location"))
		}
	}
	if res := third.get("/admin/requests"); res.Status != http.StatusOK {
		t.Errorf("the session that signed the others out: %d", res.Status)
	}
}
