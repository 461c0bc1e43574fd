package localapp_test

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"trustcenter/shared/i18n"
)

// keyLike finds anything shaped like a catalog key. A catalog key on the
// page is text that skipped translation; a key-shaped word under one of the
// catalog's groups is a lookup that missed, which i18n.T shows as the key.
var keyLike = regexp.MustCompile(`\b[a-z_]+\.[a-z_.]+\b`)

var (
	styles = regexp.MustCompile(`(?s)<style>.*?</style>`)
	// readable are the attributes a reader or a screen reader meets.
	readable = regexp.MustCompile(`\b(?:aria-label|title|alt|placeholder|content)="([^"]*)"`)
	tags     = regexp.MustCompile(`<[^>]*>`)
)

var han = regexp.MustCompile(`\p{Han}`)

// langSwitch is the link to the Chinese page, which names the language in
// Chinese on every page, English ones included.
var langSwitch = regexp.MustCompile(`<a [^>]*\blang="zh-CN"[^>]*>[^<]*</a>`)

// has reports whether body shows text as html/template writes it.
func has(body, text string) bool { return strings.Contains(body, template.HTMLEscapeString(text)) }

func noKeys(t *testing.T, body string) {
	t.Helper()
	for _, m := range keyLike.FindAllString(body, -1) {
		if k := strings.TrimRight(m, "."); i18n.Has(k) {
			t.Errorf("the page shows the key %q", k)
		}
	}
	groups := map[string]bool{}
	for _, k := range i18n.Keys(i18n.English) {
		group, _, _ := strings.Cut(k, ".")
		groups[group] = true
	}
	page := styles.ReplaceAllString(body, "")
	text := tags.ReplaceAllString(page, " ")
	for _, a := range readable.FindAllStringSubmatch(page, -1) {
		text += " " + a[1]
	}
	for _, m := range keyLike.FindAllString(text, -1) {
		if group, _, _ := strings.Cut(m, "."); groups[group] && !i18n.Has(strings.TrimRight(m, ".")) {
			t.Errorf("the page shows %q, a key missing from the catalog", m)
		}
	}
}

func noChinese(t *testing.T, body string) {
	t.Helper()
	if m := han.FindString(langSwitch.ReplaceAllString(body, "")); m != "" {
		i := strings.Index(body, m)
		t.Errorf("English page has Chinese text: …%s…", body[max(0, i-80):min(len(body), i+80)])
	}
}

// TestPagesInBothLanguages renders the visitor's and staff's entry pages in
// each language: every string from the catalog, no key left raw, and no
// Chinese on an English page.
func TestPagesInBothLanguages(t *testing.T) {
	h := boot(t, nil)
	pages := []struct {
		name, path string
		status     int
		keys       []string
	}{
		{"request form", "/access-requests/new", http.StatusOK,
			[]string{"form.heading", "form.intro", "form.name", "form.email_hint", "form.nda_accept", "form.signature", "form.submit"}},
		{"check your email", "/access-requests/sent", http.StatusOK,
			[]string{"confirm.check_email.title", "confirm.check_email.lead", "confirm.check_email.spam"}},
		{"unknown document", "/documents/unknown", http.StatusNotFound,
			[]string{"error.not_found.title", "error.not_found.body", "error.back"}},
		{"staff sign-in", "/admin/login", http.StatusOK,
			[]string{"admin.login.title", "form.email", "admin.login.submit"}},
	}
	for _, pg := range pages {
		t.Run(pg.name, func(t *testing.T) {
			for _, lang := range i18n.Languages {
				res := h.get(pg.path + "?lang=" + lang)
				if res.Status != pg.status || res.Header.Get("Content-Language") != lang || !strings.Contains(res.Body, `<html lang="`+lang+`">`) {
					t.Fatalf("%s: status %d, Content-Language %q", lang, res.Status, res.Header.Get("Content-Language"))
				}
				for _, k := range pg.keys {
					if !has(res.Body, i18n.T(lang, k)) {
						t.Errorf("%s: the page lacks %s %q", lang, k, i18n.T(lang, k))
					}
				}
				noKeys(t, res.Body)
				if lang == i18n.English {
					noChinese(t, res.Body)
				} else if !han.MatchString(res.Body) {
					t.Errorf("%s: no Chinese on the page", lang)
				}
			}
		})
	}
}

func TestLanguageFromAcceptLanguage(t *testing.T) {
	h := boot(t, nil)
	req, err := http.NewRequest(http.MethodGet, h.abs("/access-requests/new"), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8")
	res := h.do(req)
	if res.Header.Get("Content-Language") != i18n.Chinese || !has(res.Body, i18n.T(i18n.Chinese, "form.heading")) {
		t.Fatalf("Accept-Language zh-CN: %q", res.Header.Get("Content-Language"))
	}
}

// TestFormErrorsInChinese: the domain's validation messages reach the form
// in the reader's language, arguments filled in.
func TestFormErrorsInChinese(t *testing.T) {
	h := boot(t, nil)
	form := h.requestForm("Ada Lovelace", "ada@buyer.example", "soc2-type2-2026")
	form.Set("name", "")
	form.Set("email", "ada@")
	form.Set("company", strings.Repeat("c", 121))
	form.Del("document")
	form.Del("nda_accept")
	form.Set("nda_signature", "")
	res := h.post("/access-requests?lang=zh-CN", form)
	if res.Status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", res.Status)
	}
	want := map[string][]any{
		"valid.summary": nil, "valid.name_required": nil, "valid.email_invalid": nil, "valid.company_too_long": {120},
		"valid.documents_required": nil, "valid.nda_required": nil, "valid.signature_required": nil,
	}
	for key, args := range want {
		if !has(res.Body, i18n.T(i18n.Chinese, key, args...)) {
			t.Errorf("the form lacks %s in Chinese: %q", key, i18n.T(i18n.Chinese, key, args...))
		}
		if has(res.Body, i18n.T(i18n.English, key, args...)) {
			t.Errorf("the form shows %s in English", key)
		}
	}
	noKeys(t, res.Body)
}

// TestConflictInChinese: a status named inside a domain message is
// translated with it.
func TestConflictInChinese(t *testing.T) {
	h := boot(t, nil)
	id := h.submitAndConfirm("Grace Hopper", "grace@buyer.example", "soc1-type2-2026")
	csrf := h.signIn("admin@trust.localhost")
	if res := h.post("/admin/requests/"+id+"/deny", url.Values{"reason": {"No contract."}, "csrf": {csrf}}); res.Status != http.StatusSeeOther {
		t.Fatalf("deny: %d", res.Status)
	}
	res := h.post("/admin/requests/"+id+"/approve?lang=zh-CN", url.Values{"days": {"30"}, "csrf": {csrf}})
	state := i18n.T(i18n.Chinese, "request_state.denied")
	if res.Status != http.StatusConflict || !has(res.Body, i18n.T(i18n.Chinese, "error.state_conflict", state)) {
		t.Fatalf("approve a denied request: %d", res.Status)
	}
	noKeys(t, res.Body)
}

// TestDocumentTitlesFollowTheLanguage: titles come from the content file's
// translations, on the form and on the gated page.
func TestDocumentTitlesFollowTheLanguage(t *testing.T) {
	h := boot(t, nil)
	for _, path := range []string{"/access-requests/new?lang=zh-CN", "/documents/soc2-type2-2026?lang=zh-CN"} {
		if res := h.get(path); !strings.Contains(res.Body, "SOC 2 Type II 报告（2025年10月 至 2026年9月）") {
			t.Errorf("%s: no Chinese document title", path)
		}
	}
}

// TestMailsFollowTheFormLanguage: a requester who used the form in Chinese
// gets their mails in Chinese; staff get theirs in English.
func TestMailsFollowTheFormLanguage(t *testing.T) {
	h := boot(t, nil)
	form := h.requestForm("Lin Hui", "lin@buyer.example", "soc2-type2-2026")
	if res := h.post("/access-requests?lang=zh-CN", form); res.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", res.Status)
	}
	confirm := h.mailsTo("lin@buyer.example", "/access-requests/confirm/")
	if len(confirm) != 1 || !strings.Contains(confirm[0].Subject, "请确认您的邮箱地址") || !strings.Contains(confirm[0].Body, "24 小时内") {
		t.Fatalf("confirmation mail: %+v", confirm)
	}
	if res := h.get(h.link("lin@buyer.example", "/access-requests/confirm/")); res.Status != http.StatusOK {
		t.Fatalf("confirm: %d", res.Status)
	}
	staff := h.mailsTo("admin@trust.localhost", "/admin/requests/")
	if len(staff) != 1 || !strings.Contains(staff[0].Subject, "“Lin Hui” (“Example Buyer Ltd”) requests SOC 2 Type II") {
		t.Fatalf("approver mail: %+v", staff)
	}
	id := requestIDRe.FindStringSubmatch(staff[0].Body)[1]
	csrf := h.signIn("admin@trust.localhost")
	if res := h.post("/admin/requests/"+id+"/approve", url.Values{"days": {"30"}, "csrf": {csrf}}); res.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d", res.Status)
	}
	approved := h.mailsTo("lin@buyer.example", "/access/")
	if len(approved) != 1 || !strings.Contains(approved[0].Subject, "您申请的安全报告已可下载") {
		t.Fatalf("approval mail: %+v", approved)
	}
}

// TestRedirectsKeepTheLanguage: an explicit language choice survives the
// redirect after a form, as the language it resolved to.
func TestRedirectsKeepTheLanguage(t *testing.T) {
	h := boot(t, nil)
	cases := []struct{ query, want string }{
		{"?lang=zh", "?lang=zh-CN"},
		{"?lang=%3Cx%3E", "?lang=en"},
		{"", ""},
	}
	// After the form comes "check your email" at the request's status
	// link: /access-requests/sent/<token>, then the language.
	sent := regexp.MustCompile(`^/access-requests/sent/[A-Za-z0-9._-]+`)
	for i, c := range cases {
		form := h.requestForm("Lin Hui", fmt.Sprintf("lin%d@buyer.example", i), "soc2-type2-2026")
		res := h.post("/access-requests"+c.query, form)
		loc := res.Header.Get("Location")
		if res.Status != http.StatusSeeOther || sent.ReplaceAllString(loc, "") != c.want || !sent.MatchString(loc) {
			t.Errorf("%q: %d to %q, want %q", c.query, res.Status, res.Header.Get("Location"), c.want)
		}
	}
	res := h.post("/admin/login?lang=zh-CN", url.Values{"email": {"admin@trust.localhost"}})
	if loc := res.Header.Get("Location"); loc != "/admin/login?lang=zh-CN&sent=1" {
		t.Errorf("sign-in redirect to %q", loc)
	}
}
