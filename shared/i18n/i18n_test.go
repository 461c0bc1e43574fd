package i18n

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"testing"
	"time"
)

func TestCatalogsHaveSameKeys(t *testing.T) {
	want := Keys(English)
	if len(want) == 0 {
		t.Fatal("English catalog is empty")
	}
	for _, lang := range Languages {
		got := Keys(lang)
		for _, k := range want {
			if _, ok := slices.BinarySearch(got, k); !ok {
				t.Errorf("%s: missing key %q", lang, k)
			}
		}
		for _, k := range got {
			if _, ok := slices.BinarySearch(want, k); !ok {
				t.Errorf("%s: key %q is not in the English catalog", lang, k)
			}
		}
	}
}

// verbs finds fmt verbs, so a translation cannot drop or change an argument.
var verbs = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

func TestCatalogsAgreeOnFormatVerbs(t *testing.T) {
	for _, key := range Keys(English) {
		want := verbs.FindAllString(catalogs[English][key], -1)
		slices.Sort(want)
		for _, lang := range Languages[1:] {
			got := verbs.FindAllString(catalogs[lang][key], -1)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s %q: verbs %v, English has %v", lang, key, got, want)
			}
		}
	}
}

func TestCatalogsHaveNoDuplicateOrEmptyEntries(t *testing.T) {
	for _, lang := range Languages {
		names, err := catalogFiles(lang)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, name := range names {
			data, err := files.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			checkEntries(t, name, data, seen)
		}
	}
}

func checkEntries(t *testing.T, lang string, data []byte, seen map[string]bool) {
	t.Helper()
	{
		// encoding/json keeps the last of two equal keys without a word,
		// which would hide a half-edited catalog.
		dec := json.NewDecoder(bytes.NewReader(data))
		if _, err := dec.Token(); err != nil {
			t.Fatal(err)
		}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				t.Fatal(err)
			}
			v, err := dec.Token()
			if err != nil {
				t.Fatal(err)
			}
			key := k.(string)
			if seen[key] {
				t.Errorf("%s: duplicate key %q", lang, key)
			}
			seen[key] = true
			if s, ok := v.(string); !ok || s == "" {
				t.Errorf("%s: %q has an empty or non-string value", lang, key)
			}
		}
	}
}

// TestPageStringsExist pins keys that other packages name or build, so that
// renaming one in a catalog fails here, in the catalog's own tests, and not
// only in theirs: web's TestTemplateKeysExist and TestHandlerKeysExist check
// the keys its templates and handlers spell out, trust's tests the domain's
// messages. The status.* keys are built at run time from the coverage
// status, and the reqstatus.<state> keys from a request's state; they are
// spelled out nowhere else.
func TestPageStringsExist(t *testing.T) {
	keys := []string{
		"nav.certifications", "nav.criteria", "nav.subprocessors", "nav.faq",
		"nav.updates", "nav.request_access", "nav.language",
		"cert.period", "cert.auditor", "cert.issued",
		"cert.status", "cert.next_audit", "cert.bridge_letter",
		"status.current", "status.stale", "status.expired", "status.upcoming", "status.expired.help", "status.upcoming.help",
		"coverage.through", "coverage.since", "summary.period", "summary.issued",
		"doc.download", "doc.request", "doc.public", "doc.requires_nda",
		"form.name", "form.email", "form.company", "form.reason", "form.documents", "form.nda",
		"form.nda_version", "form.nda_accept", "form.signature", "form.submit",
		"valid.name_required", "valid.email_invalid", "valid.nda_required", "valid.signature_mismatch",
		"valid.documents_required", "valid.document_unknown", "valid.name_too_long",
		"confirm.check_email.title", "confirm.check_email.lead",
		"reqstatus.unconfirmed", "reqstatus.pending", "reqstatus.approved", "reqstatus.denied", "reqstatus.expired", "reqstatus.revoked",
		"access.heading", "access.until", "access.download",
		"error.not_found.title", "error.invalid_link", "error.rate_limited", "error.unavailable",
	}
	for _, k := range keys {
		if !Has(k) {
			t.Errorf("missing key %q", k)
		}
	}
}

func TestT(t *testing.T) {
	tests := []struct {
		lang, key string
		args      []any
		want      string
	}{
		{"en", "nav.faq", nil, "FAQ"},
		{"zh-CN", "nav.faq", nil, "常见问题"},
		{"en", "coverage.through", []any{"December 31, 2025"}, "Covered through December 31, 2025"},
		{"zh-CN", "coverage.since.bridge_letter", []any{"2025年12月31日"}, "桥接函覆盖至 2025年12月31日"},
		{"fr", "nav.faq", nil, "FAQ"},                // unknown language: English
		{"en", "no.such.key", nil, "no.such.key"},    // visible, not blank
		{"zh-CN", "no.such.key", nil, "no.such.key"}, // same in every language
		{"en", "form.nda_version", []any{"2026-01"}, "Version 2026-01"},
	}
	for _, tt := range tests {
		if got := T(tt.lang, tt.key, tt.args...); got != tt.want {
			t.Errorf("T(%q, %q, %v) = %q, want %q", tt.lang, tt.key, tt.args, got, tt.want)
		}
	}
}

func TestTFallsBackToEnglishForMissingKey(t *testing.T) {
	catalogs[English]["test.only"] = "English only"
	t.Cleanup(func() { delete(catalogs[English], "test.only") })
	if got := T(Chinese, "test.only"); got != "English only" {
		t.Errorf("got %q, want the English text", got)
	}
}

func TestPlural(t *testing.T) {
	// No page message counts anything at the moment, so the forms are
	// test-only entries; Plural stays for the next message that does.
	catalogs[English]["test.days"] = "%d days"
	catalogs[English]["test.days.one"] = "%d day"
	catalogs[Chinese]["test.days"] = "%d 天"
	catalogs[Chinese]["test.days.one"] = "%d 天"
	t.Cleanup(func() {
		for _, lang := range []string{English, Chinese} {
			delete(catalogs[lang], "test.days")
			delete(catalogs[lang], "test.days.one")
		}
	})
	tests := []struct {
		lang string
		n    int
		want string
	}{
		{"en", 0, "0 days"},
		{"en", 1, "1 day"},
		{"en", 329, "329 days"},
		{"zh-CN", 1, "1 天"},
		{"zh-CN", 2, "2 天"},
	}
	for _, tt := range tests {
		if got := Plural(tt.lang, "test.days", tt.n); got != tt.want {
			t.Errorf("Plural(%q, %d) = %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
}

func TestFormatShortDateAndMonth(t *testing.T) {
	d := time.Date(2025, time.October, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct{ lang, short, month string }{
		{"en", "1 Oct 2025", "Oct 2025"},
		{"zh-CN", "2025年10月1日", "2025年10月"},
		{"de", "1 Oct 2025", "Oct 2025"},
	}
	for _, tt := range tests {
		if got := FormatShortDate(tt.lang, d); got != tt.short {
			t.Errorf("FormatShortDate(%q) = %q, want %q", tt.lang, got, tt.short)
		}
		if got := FormatMonth(tt.lang, d); got != tt.month {
			t.Errorf("FormatMonth(%q) = %q, want %q", tt.lang, got, tt.month)
		}
	}
}

func TestFormatDate(t *testing.T) {
	d := time.Date(2025, time.September, 30, 0, 0, 0, 0, time.UTC)
	tests := []struct{ lang, want string }{
		{"en", "September 30, 2025"},
		{"zh-CN", "2025年9月30日"},
		{"de", "September 30, 2025"},
	}
	for _, tt := range tests {
		if got := FormatDate(tt.lang, d); got != tt.want {
			t.Errorf("FormatDate(%q) = %q, want %q", tt.lang, got, tt.want)
		}
	}
}

func TestNegotiate(t *testing.T) {
	tests := []struct {
		name, header, query, want string
	}{
		{"nothing", "", "", "en"},
		{"query wins over header", "zh-CN", "en", "en"},
		{"query zh", "en-US", "zh", "zh-CN"},
		{"query case-insensitive", "", "ZH-cn", "zh-CN"},
		{"unknown query falls to header", "zh-CN,zh;q=0.9", "fr", "zh-CN"},
		{"plain zh", "zh", "", "zh-CN"},
		{"zh-CN", "zh-CN", "", "zh-CN"},
		{"zh-Hans", "zh-Hans", "", "zh-CN"},
		{"zh-Hans-CN", "zh-Hans-CN", "", "zh-CN"},
		{"zh-SG", "zh-SG", "", "zh-CN"},
		{"underscore", "zh_CN", "", "zh-CN"},
		{"traditional is not simplified", "zh-TW", "", "en"},
		{"zh-Hant", "zh-Hant-HK", "", "en"},
		{"traditional then simplified", "zh-TW,zh;q=0.8", "", "zh-CN"},
		{"english variant", "en-GB,en;q=0.9", "", "en"},
		{"other language", "fr-FR,fr;q=0.9", "", "en"},
		{"first supported by q", "fr;q=1, zh-CN;q=0.5, en;q=0.4", "", "zh-CN"},
		{"higher q later", "en;q=0.3, zh-CN;q=0.9", "", "zh-CN"},
		{"equal q keeps order", "zh-CN;q=0.8, en;q=0.8", "", "zh-CN"},
		{"q=0 excludes", "zh-CN;q=0, en;q=0.1", "", "en"},
		{"only q=0", "zh;q=0", "", "en"},
		{"bad q ignored", "zh-CN;q=abc, en;q=0.5", "", "en"},
		{"out of range q ignored", "zh-CN;q=2, en;q=0.5", "", "en"},
		{"spaces", "  zh-CN ; q=0.7 ,en;q=0.6", "", "zh-CN"},
		{"wildcard", "*", "", "en"},
		{"garbage", ";;;,,,=", "", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Negotiate(tt.header, tt.query); got != tt.want {
				t.Errorf("Negotiate(%q, %q) = %q, want %q", tt.header, tt.query, got, tt.want)
			}
		})
	}
}

func TestNegotiateBoundsWork(t *testing.T) {
	// Past maxRanges the header is ignored, so a huge header costs little.
	var b bytes.Buffer
	for range maxRanges {
		b.WriteString("fr,")
	}
	b.WriteString("zh-CN")
	if got := Negotiate(b.String(), ""); got != English {
		t.Errorf("got %q, want ranges past the limit ignored", got)
	}
}

func TestQValue(t *testing.T) {
	tests := []struct {
		params string
		want   float64
	}{
		{"", 1},
		{"q=0.8", 0.8},
		{" q = 0.5 ", 0.5},
		{"Q=0.25", 0.25},
		{"level=1; q=0.3", 0.3},
		{"q=0", 0},
		{"q=0.000", 0},
		{"q=1", 1},
		{"q=abc", 0},
		{"q=2", 0},
		{"q=-1", 0},
		{"q=NaN", 0},
		{"charset=utf-8", 1},
	}
	for _, tt := range tests {
		if got := QValue(tt.params); got != tt.want {
			t.Errorf("QValue(%q) = %v, want %v", tt.params, got, tt.want)
		}
	}
}

func TestJoinList(t *testing.T) {
	items := []string{"Security", "Availability", "Confidentiality"}
	cases := map[string]string{
		English: "Security, Availability, Confidentiality",
		Chinese: "Security、Availability、Confidentiality",
	}
	for lang, want := range cases {
		if got := JoinList(lang, items); got != want {
			t.Errorf("JoinList(%s) = %q, want %q", lang, got, want)
		}
	}
	if got := JoinList(Chinese, []string{"安全性"}); got != "安全性" {
		t.Errorf("one item: %q", got)
	}
}
