package localapp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"golang.org/x/oauth2"

	"trustcenter/shared/app"
	"trustcenter/shared/testkit/browsertest"
)

// cookie is the value of the cookie name the browser holds for the
// single sign-on's paths.
func (h *harness) cookie(name string) string {
	u, _ := url.Parse(h.base + "/admin/sso/callback")
	for _, c := range h.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	h.t.Fatalf("no cookie %s", name)
	return ""
}

func (h *harness) setCookie(name, value string) {
	u, _ := url.Parse(h.base + "/admin/sso")
	h.client.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/admin/sso"}})
}

// idp is a real OpenID provider (zitadel's op package, with its example
// in-memory storage and login page) on port 0: discovery, keys, the
// authorization endpoint with PKCE, the token and userinfo endpoints.
type idp struct {
	issuer  string
	clients map[string]*storage.Client
}

const (
	ssoClientID = "trustcenter"
	ssoSecret   = "trustcenter-secret"
	ssoPassword = "correct horse battery staple"
)

// idpUsers is the provider's directory: staff with a verified address,
// staff without, and someone who is not staff.
type idpUsers map[string]*storage.User

func (u idpUsers) GetUserByID(id string) *storage.User {
	for _, x := range u {
		if x.ID == id {
			return x
		}
	}
	return nil
}
func (u idpUsers) GetUserByUsername(name string) *storage.User { return u[name] }
func (u idpUsers) ExampleClientID() string                     { return "service" }

func newIDP(t *testing.T) *idp {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &idp{issuer: "http://" + ln.Addr().String(), clients: map[string]*storage.Client{}}
	users := idpUsers{}
	for i, u := range []struct {
		name, email string
		verified    bool
	}{
		{"admin", "admin@trust.localhost", true},
		{"sales", "sales@trust.localhost", false},
		{"stranger", "stranger@elsewhere.example", true},
	} {
		users[u.name] = &storage.User{ID: "user" + string(rune('1'+i)), Username: u.name, Password: ssoPassword, Email: u.email, EmailVerified: u.verified}
	}
	srv := httptest.NewUnstartedServer(exampleop.SetupServer(p.issuer, storage.NewStorageWithClients(users, p.clients), nil, false))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return p
}

// register admits a client redirecting to callback; the client map is the
// provider's own, read at each request.
func (p *idp) register(id, callback string) {
	p.clients[id] = storage.WebClient(id, ssoSecret, callback)
}

// swapper is the trust center's network to the provider. With a
// replacement set, the token endpoint's answer carries that ID token
// instead of the one issued: a provider (or anything in the way) handing
// over a token not meant for this sign-in.
type swapper struct {
	mu      sync.Mutex
	idToken string
}

func (s *swapper) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(r)
	s.mu.Lock()
	replacement := s.idToken
	s.mu.Unlock()
	if err != nil || replacement == "" || !strings.HasSuffix(r.URL.Path, "/oauth/token") {
		return res, err
	}
	var body map[string]any
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if err := json.Unmarshal(raw, &body); err != nil {
		return nil, err
	}
	body["id_token"] = replacement
	raw, _ = json.Marshal(body)
	res.Body = io.NopCloser(bytes.NewReader(raw))
	res.ContentLength = int64(len(raw))
	res.Header.Del("Content-Length")
	return res, nil
}

func (s *swapper) set(tok string) {
	s.mu.Lock()
	s.idToken = tok
	s.mu.Unlock()
}

func bootWithSSO(t *testing.T, p *idp, sw *swapper) *harness {
	t.Helper()
	h := bootWith(t, map[string]string{
		"TRUST_OIDC_ISSUER":        p.issuer,
		"TRUST_OIDC_CLIENT_ID":     ssoClientID,
		"TRUST_OIDC_CLIENT_SECRET": ssoSecret,
	}, func(c *app.Config) { c.HTTPClient = &http.Client{Transport: sw, Timeout: 10 * time.Second} })
	p.register(ssoClientID, h.base+"/admin/sso/callback")
	return h
}

// atProvider signs in as user at the provider, following its pages with
// its own cookies, from authURL to the redirect back to callbackPrefix,
// which it returns without following.
func atProvider(t *testing.T, authURL, user, callbackPrefix string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	var back string
	c := &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(r.URL.String(), callbackPrefix) {
			back = r.URL.String()
			return http.ErrUseLastResponse
		}
		return nil
	}}
	res, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	id := res.Request.URL.Query().Get("authRequestID")
	if res.StatusCode != http.StatusOK || id == "" {
		t.Fatalf("provider's login page: %d at %s", res.StatusCode, res.Request.URL)
	}
	login := *res.Request.URL
	login.RawQuery = ""
	res, err = c.PostForm(login.String(), url.Values{"username": {user}, "password": {ssoPassword}, "id": {id}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if back == "" {
		t.Fatalf("the provider did not send %s back: %d at %s", user, res.StatusCode, res.Request.URL)
	}
	return back
}

// startSSO is the sign-in button: the trust center's redirect to the
// provider, with PKCE, state and nonce.
func (h *harness) startSSO() *url.URL {
	h.t.Helper()
	res := h.get("/admin/sso")
	if res.Status != http.StatusSeeOther {
		h.t.Fatalf("/admin/sso: %d %s", res.Status, res.Body)
	}
	u, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		h.t.Fatal(err)
	}
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("state") == "" || q.Get("nonce") == "" || q.Get("client_id") != ssoClientID {
		h.t.Fatalf("authorization request lacks PKCE, state or nonce: %s", u)
	}
	return u
}

// tokenFor is a real ID token the provider issues to client for user,
// carrying nonce: what a token swapped into another sign-in looks like.
func tokenFor(t *testing.T, p *idp, client, user, nonce string) string {
	t.Helper()
	callback := "http://127.0.0.1:1/elsewhere/" + client
	p.register(client, callback)
	oc := oauth2.Config{ClientID: client, ClientSecret: ssoSecret, RedirectURL: callback, Scopes: []string{"openid", "email"},
		Endpoint: oauth2.Endpoint{AuthURL: p.issuer + "/auth", TokenURL: p.issuer + "/oauth/token"}}
	verifier := oauth2.GenerateVerifier()
	back := atProvider(t, oc.AuthCodeURL("x", oauth2.SetAuthURLParam("nonce", nonce), oauth2.S256ChallengeOption(verifier)), user, callback)
	u, _ := url.Parse(back)
	tok, err := oc.Exchange(context.Background(), u.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		t.Fatal("no id_token")
	}
	return raw
}

func TestSSOSignIn(t *testing.T) {
	p := newIDP(t)
	h := bootWithSSO(t, p, &swapper{})
	back := atProvider(t, h.startSSO().String(), "admin", h.base+"/admin/sso/callback")
	attempt := h.cookie("tc_sso")
	res := h.get(back)
	if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/admin/requests" {
		t.Fatalf("callback: %d %s", res.Status, res.Body)
	}
	if res := h.get("/admin/requests"); res.Status != http.StatusOK || !csrfRe.MatchString(res.Body) {
		t.Fatalf("queue after single sign-on: %d", res.Status)
	}

	// The same answer again, with the attempt's cookie put back: the code
	// and the attempt are spent.
	replay := newClient()
	h2 := *h
	h2.client = replay
	h2.setCookie("tc_sso", attempt)
	if res := h2.get(back); res.Status != http.StatusUnauthorized {
		t.Errorf("replayed code: %d, want 401", res.Status)
	}
	// An answer without the attempt's cookie (another browser) is refused.
	h3 := *h
	h3.client = newClient()
	if res := h3.get(back); res.Status != http.StatusUnauthorized {
		t.Errorf("answer in another browser: %d, want 401", res.Status)
	}
}

func TestSSORefusals(t *testing.T) {
	p := newIDP(t)
	other := newIDP(t)
	cases := []struct {
		name   string
		user   string
		before func(h *harness, sw *swapper, nonce string)
		status int
	}{
		{"email not verified", "sales", nil, http.StatusUnauthorized},
		{"not staff", "stranger", nil, http.StatusForbidden},
		{"expired token", "admin", func(h *harness, _ *swapper, _ string) { h.skip(2 * time.Hour) }, http.StatusUnauthorized},
		{"wrong audience", "admin", func(h *harness, sw *swapper, nonce string) {
			sw.set(tokenFor(t, p, "someone-else", "admin", nonce))
		}, http.StatusUnauthorized},
		{"wrong issuer", "admin", func(h *harness, sw *swapper, nonce string) {
			sw.set(tokenFor(t, other, ssoClientID, "admin", nonce))
		}, http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sw := &swapper{}
			h := bootWithSSO(t, p, sw)
			auth := h.startSSO()
			if tc.before != nil {
				tc.before(h, sw, auth.Query().Get("nonce"))
			}
			back := atProvider(t, auth.String(), tc.user, h.base+"/admin/sso/callback")
			if res := h.get(back); res.Status != tc.status {
				t.Errorf("callback: %d, want %d", res.Status, tc.status)
			}
			if res := h.get("/admin/requests"); res.Status != http.StatusSeeOther {
				t.Errorf("the console after a refused sign-in: %d, want the redirect to sign in", res.Status)
			}
		})
	}
}

// TestBrowserSSOButton looks at the console's sign-in page with single
// sign-on configured, as staff see it: the company-account button above
// the email form, at desktop and phone widths, light and dark, in English
// and Chinese, each checked by axe.
func TestBrowserSSOButton(t *testing.T) {
	p := newIDP(t)
	h := bootWithSSO(t, p, &swapper{})
	b := newTab(t, h)
	for _, lang := range []string{"en", "zh-CN"} {
		b.open(h.base + "/admin/login?lang=" + lang)
		want := map[string]string{"en": "Sign in with your company account", "zh-CN": "使用公司账户登录"}[lang]
		if got := run(b, "reading the button", chromedp.Text(chromedp.CSS(`a.btn[href="/admin/sso"]`))); !strings.Contains(got, want) {
			t.Errorf("%s: button reads %q, want %q", lang, got, want)
		}
		for _, scheme := range []string{"light", "dark"} {
			for _, width := range []int64{1280, 375} {
				b.setView(view{scheme, width, 740, scheme})
				violations, err := browsertest.AxeViolations(b.ctx)
				if err != nil {
					t.Fatal(err)
				}
				if len(violations) > 0 {
					t.Errorf("sign-in %s %s %d: %s", lang, scheme, width, browsertest.FormatViolations(violations))
				}
				browsertest.Screenshot(t, b.ctx, "staff-sso-signin-"+lang+"-"+scheme+"-"+strconv.Itoa(int(width)), int(width), 740)
			}
		}
	}
}
