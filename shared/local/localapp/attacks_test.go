package localapp_test

import (
	"encoding/base64"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"trustcenter/shared/token"
	"trustcenter/shared/trust"
)

// TestBadInput: every bad form comes back as a 400 with the field marked,
// everything the visitor typed kept, and nothing rendered unescaped.
func TestBadInput(t *testing.T) {
	h := boot(t, nil)
	evil := `<script>alert(1)</script>`
	cases := []struct {
		name  string
		edit  func(url.Values)
		field string
	}{
		{"NDA not accepted", func(f url.Values) { f.Del("nda_accept") }, "nda_accept"},
		{"signature does not match", func(f url.Values) { f.Set("nda_signature", "Somebody Else") }, "nda_signature"},
		{"invalid email", func(f url.Values) { f.Set("email", "ada@@buyer") }, "email"},
		{"email with a header", func(f url.Values) { f.Set("email", "ada@buyer.example\r\nBcc: all@evil.example") }, "email"},
		{"unknown document", func(f url.Values) { f["document"] = []string{"nope"} }, "document"},
		{"public document", func(f url.Values) { f["document"] = []string{"soc3-2026"} }, "document"},
		{"no document", func(f url.Values) { f.Del("document") }, "document"},
		{"over-long name", func(f url.Values) {
			f.Set("name", strings.Repeat("n", 101))
			f.Set("nda_signature", strings.Repeat("n", 101))
		}, "name"},
		{"over-long company", func(f url.Values) { f.Set("company", strings.Repeat("c", 121)) }, "company"},
		{"over-long reason", func(f url.Values) { f.Set("reason", strings.Repeat("r", 1001)) }, "reason"},
		{"markup in the name", func(f url.Values) {
			f.Set("name", evil)
			f.Set("company", evil)
			f.Set("nda_signature", "x")
		}, "nda_signature"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			form := h.requestForm("Ada Lovelace", "ada@buyer.example", "soc2-type2-2026")
			form.Set("reason", "Annual vendor review & renewal")
			c.edit(form)
			before := len(h.mails())
			res := h.post("/access-requests", form)
			if res.Status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", res.Status)
			}
			if strings.Contains(res.Body, evil) {
				t.Fatal("markup rendered unescaped")
			}
			if !strings.Contains(res.Body, `role="alert"`) {
				t.Error("no error summary")
			}
			if c.field != "document" && c.field != "nda_accept" && !strings.Contains(res.Body, `id="`+c.field+`-err"`) {
				t.Errorf("no error next to %s", c.field)
			}
			// What the visitor typed is still in the form.
			for _, field := range []string{"name", "company", "nda_signature"} {
				if v := form.Get(field); !strings.Contains(res.Body, `value="`+html.EscapeString(v)+`"`) &&
					!strings.Contains(res.Body, `value="`+strings.ReplaceAll(html.EscapeString(v), "&#34;", "&quot;")+`"`) {
					t.Errorf("%s not kept", field)
				}
			}
			if v := form.Get("reason"); !strings.Contains(res.Body, html.EscapeString(v)) {
				t.Error("reason not kept")
			}
			if len(h.mails()) != before {
				t.Error("a refused request sent mail")
			}
		})
	}
}

// TestRateLimitedForm: past the hourly limit the form says so (429) and
// keeps what was typed.
func TestRateLimitedForm(t *testing.T) {
	h := boot(t, nil)
	var res response
	for range 6 {
		res = h.post("/access-requests", h.requestForm("Ada Lovelace", "ada@buyer.example", "soc2-type2-2026"))
	}
	if res.Status != http.StatusTooManyRequests || !strings.Contains(res.Body, `value="Ada Lovelace"`) || res.Header.Get("Retry-After") == "" {
		t.Fatalf("sixth request in an hour: %d", res.Status)
	}
}

// TestLinkAttacks: forged, altered, misused and expired links are refused
// with 403 (410 for an expired grant), all with the same page, never a 500.
func TestLinkAttacks(t *testing.T) {
	h := boot(t, nil)
	g := h.approve("Ada Lovelace", "ada@buyer.example", 30, "soc2-type2-2026")
	id, csrf, access, download := g.id, g.csrf, g.access, g.download
	accessTok := access[strings.LastIndexByte(access, '/')+1:]
	downloadTok := strings.TrimPrefix(download, "/download/")
	if res := h.get(download); res.Status != http.StatusOK {
		t.Fatalf("genuine download: %d", res.Status)
	}

	keys := h.keys()
	// Every forgery must be built as meant, or a case would pass on an
	// empty token.
	must := func(tok string, err error) string {
		t.Helper()
		if err != nil || tok == "" {
			t.Fatalf("building a forged link: %v", err)
		}
		return tok
	}
	// What the genuine link binds, as the keyring reads it.
	bound, err := token.New(keys, "trustcenter").Parse(trust.DownloadLink, downloadTok, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(downloadTok)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	claims := trust.Claims{Request: bound.Request, Grant: bound.Grant, Document: bound.Document, ExpiresAt: now.Add(time.Hour)}
	other := &token.Keyring{}
	if err := other.Rotate(now); err != nil {
		t.Fatal(err)
	}
	other.Keys[0].ID, other.Active = keys.Active, keys.Active // same kid, another key
	forged := must(token.New(other, "trustcenter").Sign(trust.DownloadLink, claims, now))
	stale := claims
	stale.ExpiresAt = now.Add(-time.Hour)
	expired := must(token.New(keys, "trustcenter").Sign(trust.DownloadLink, stale, now.Add(-2*time.Hour)))
	none := must(jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{
		"iss": "trustcenter", "aud": string(trust.DownloadLink), "exp": now.Add(time.Hour).Unix(), "jti": "x",
		"req": bound.Request, "gnt": bound.Grant, "doc": bound.Document,
	}).SignedString(jwt.UnsafeAllowNoneSignatureType))
	// The status link: the same attacks on the new kind.
	status := h.link("ada@buyer.example", "/requests/")
	statusTok := status[strings.LastIndexByte(status, '/')+1:]
	if res := h.get(status); res.Status != http.StatusOK {
		t.Fatalf("genuine status page: %d", res.Status)
	}
	statusClaims := trust.Claims{Request: bound.Request, ExpiresAt: now.Add(time.Hour)}
	forgedStatus := must(token.New(other, "trustcenter").Sign(trust.StatusLink, statusClaims, now))
	staleStatus := statusClaims
	staleStatus.ExpiresAt = now.Add(-time.Hour)
	expiredStatus := must(token.New(keys, "trustcenter").Sign(trust.StatusLink, staleStatus, now.Add(-2*time.Hour)))
	unknownStatus := must(token.New(keys, "trustcenter").Sign(trust.StatusLink, trust.Claims{Request: "req_nosuchrequest", ExpiresAt: now.Add(time.Hour)}, now))
	altered := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(raw), "soc2-type2-2026", "soc1-type2-2026", 1)))
	if altered == downloadTok {
		t.Fatal("the download link does not carry its document as written")
	}

	refused := map[string]string{
		"alg none":                        "/download/" + none,
		"signed with another key":         "/download/" + forged,
		"modified claim":                  "/download/" + altered,
		"access link as download":         "/download/" + accessTok,
		"download link as access":         "/access/" + downloadTok,
		"download link as sign-in":        "/admin/login/" + downloadTok,
		"download link as confirmation":   "/access-requests/confirm/" + downloadTok,
		"expired":                         "/download/" + expired,
		"status signed with another key":  "/requests/" + forgedStatus,
		"expired status link":             "/requests/" + expiredStatus,
		"status link of no request":       "/requests/" + unknownStatus,
		"access link as status":           "/requests/" + accessTok,
		"download link as status":         "/requests/" + downloadTok,
		"status link as access":           "/access/" + statusTok,
		"status link as download":         "/download/" + statusTok,
		"status link as confirmation":     "/access-requests/confirm/" + statusTok,
		"access link as check your email": "/access-requests/sent/" + accessTok,
		"garbage":                         "/download/%00%ff..",
		"oversized":                       "/download/" + strings.Repeat("A", 8000),
	}
	var page string
	for name, path := range refused {
		res := h.get(path)
		if res.Status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", name, res.Status)
			continue
		}
		// The language links repeat the path; the message itself must not vary.
		main := res.Body[strings.Index(res.Body, "<main"):strings.Index(res.Body, "</main>")]
		if page == "" {
			page = main
		} else if main != page {
			t.Errorf("%s: the refusal page differs, which tells an attacker which check failed", name)
		}
	}

	// Revoking the grant kills the genuine links too.
	if res := h.post("/admin/requests/"+id+"/revoke", url.Values{"csrf": {csrf}, "reason": {"The evaluation ended."}, "confirm": {"1"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.Status)
	}
	for _, path := range []string{download, "/access/" + accessTok} {
		if res := h.get(path); res.Status != http.StatusForbidden {
			t.Errorf("%s after revoke: %d", path, res.Status)
		}
	}
	// The status link is read against the store: it now says revoked,
	// and links to no access page.
	if res := h.get(status); res.Status != http.StatusOK || !strings.Contains(res.Body, "Access revoked") || strings.Contains(res.Body, `href="/access/`) {
		t.Errorf("status page after revoke: %d", res.Status)
	}
	// A resend with someone else's kind of link sends nothing.
	before := len(h.mails())
	if res := h.post("/access-requests/sent/"+accessTok, nil); res.Status != http.StatusForbidden || len(h.mails()) != before {
		t.Errorf("resend with an access link: %d, %d mails", res.Status, len(h.mails())-before)
	}
}

// TestExpiredGrant: when the access period is over the links answer 410.
func TestExpiredGrant(t *testing.T) {
	h := boot(t, nil)
	g := h.approve("Ada Lovelace", "ada@buyer.example", 1, "soc2-type2-2026")
	access, download := g.access, g.download
	// Move past the end of the access period the clock the service checks
	// grants and links by. The links outlive the grant, so
	// they still name it, and the grant check answers that access has
	// expired rather than that the link is not valid.
	h.skip(25 * time.Hour)
	for _, path := range []string{access, download} {
		if res := h.get(path); res.Status != http.StatusGone {
			t.Errorf("%s after the access period: %d, want 410", path, res.Status)
		}
	}
}

// TestCrossSitePost: a form posted from another site is refused even with
// a valid session cookie and CSRF token, and changes nothing.
func TestCrossSitePost(t *testing.T) {
	h := boot(t, nil)
	id := h.submitAndConfirm("Ada Lovelace", "ada@buyer.example", "soc2-type2-2026")
	csrf := h.signIn("admin@trust.localhost")
	req, _ := http.NewRequest(http.MethodPost, h.base+"/admin/requests/"+id+"/approve",
		strings.NewReader(url.Values{"days": {"30"}, "csrf": {csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if res := h.do(req); res.Status != http.StatusForbidden {
		t.Fatalf("cross-site approve: %d", res.Status)
	}
	if res := h.get("/admin/requests/" + id); strings.Contains(res.Body, "request.approved") {
		t.Fatal("the cross-site post approved the request")
	}
	req, _ = http.NewRequest(http.MethodPost, h.base+"/admin/requests/"+id+"/approve",
		strings.NewReader(url.Values{"days": {"30"}, "csrf": {csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", h.base)
	if res := h.do(req); res.Status != http.StatusSeeOther {
		t.Fatalf("same-origin approve: %d", res.Status)
	}
}
