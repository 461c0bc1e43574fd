package web

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/content"
	"trustcenter/shared/local/contentfile"
	"trustcenter/shared/trust"
	"trustcenter/site/pages"
)

// TestTrustViewFollowsTheClock: the page's statuses come from the dates in
// the content and the day it is rendered, never from typed labels.
func TestTrustViewFollowsTheClock(t *testing.T) {
	s, site := exampleServer(t)
	cases := []struct {
		day    time.Time
		lang   string
		status map[string]string // certification id → status
		text   []string          // phrases the rendered page must hold
	}{
		{time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), "en",
			map[string]string{"soc3": "current", "soc2-type2": "current", "soc1-type2": "current", "iso27001": "current"},
			[]string{"Covered through September 30, 2026", "Since the period ended on 30 Sep 2026: bridge letter expected Jan 2027 · next report expected Nov 2027"}},
		{time.Date(2027, 12, 1, 0, 0, 0, 0, time.UTC), "en",
			map[string]string{"soc3": "stale", "soc2-type2": "stale", "soc1-type2": "stale", "iso27001": "expired"},
			[]string{"ended more than 12 months ago", "Expired on February 28, 2027", "The certificate is past its expiry date."}},
		// Before anything was audited: reports and the certificate alike say
		// when their coverage starts.
		{time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC), "en",
			map[string]string{"soc3": "upcoming", "soc2-type2": "upcoming", "iso27001": "upcoming"},
			[]string{"Coverage starts October 1, 2024", "Coverage starts March 1, 2024"}},
		{time.Date(2027, 12, 1, 0, 0, 0, 0, time.UTC), "zh-CN",
			map[string]string{"soc3": "stale", "iso27001": "expired"},
			[]string{"已结束超过 12 个月", "2027年2月28日"}},
	}
	for _, c := range cases {
		v := s.trustView(c.lang, nil, c.day)
		got := map[string]string{}
		for _, cv := range v.Certs {
			got[cv.ID] = cv.Status
		}
		for id, want := range c.status {
			if got[id] != want {
				t.Errorf("%s %s: %s is %q, want %q", c.day.Format(time.DateOnly), c.lang, id, got[id], want)
			}
		}
		p := &pages.Page{Lang: c.lang, CSS: s.css, Company: site.Company.Name}
		body, err := execute(context.Background(), pages.Index(p, v))
		if err != nil {
			t.Fatal(err)
		}
		text := pageText(body)
		for _, want := range c.text {
			if !strings.Contains(text, want) {
				t.Errorf("%s %s: the page lacks %q", c.day.Format(time.DateOnly), c.lang, want)
			}
		}
	}
}

// TestTrustPageOffersPublishedDocumentsOnly: a document of the content is
// offered once its file is published, with the file's size; before that
// its link would only answer 404.
func TestTrustPageOffersPublishedDocumentsOnly(t *testing.T) {
	s, _ := exampleServer(t)
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	offered := func(docs []trust.Document) map[string]string {
		got := map[string]string{}
		for _, cv := range s.trustView("en", docs, day).Certs {
			if cv.Doc != nil {
				got[cv.Doc.ID] = cv.Doc.Size
			}
		}
		return got
	}
	if got := offered(nil); len(got) != 0 {
		t.Errorf("with nothing published, the page offers %v", got)
	}
	got := offered([]trust.Document{{ID: "soc3-2026", Size: 2048, Version: 1}})
	if len(got) != 1 || got["soc3-2026"] != "2 KB" {
		t.Errorf("with the SOC 3 published, the page offers %v, want only soc3-2026 (2 KB)", got)
	}
}

// pageText is body with its tags taken out, as a reader sees the words.
func pageText(body []byte) string { return tag.ReplaceAllString(string(body), "") }

var tag = regexp.MustCompile(`<[^>]*>`)

// TestTrustPageAnswersFirst: the page opens with every attestation and how
// to get it, then the one call to action; the cards state each report's
// facts without repeating what the SOC reports share.
func TestTrustPageAnswersFirst(t *testing.T) {
	s, site := exampleServer(t)
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	docs := []trust.Document{{ID: "soc3-2026", Access: trust.Public, Version: 1}, {ID: "soc2-type2-2026", Access: trust.Gated, Version: 1},
		{ID: "soc1-type2-2026", Access: trust.Gated, Version: 1}}
	for _, lang := range []string{"en", "zh-CN"} {
		p := &pages.Page{Lang: lang, CSS: s.css, Company: site.Company.Name, Site: site}
		raw, err := execute(context.Background(), pages.Index(p, s.trustView(lang, docs, day)))
		if err != nil {
			t.Fatal(err)
		}
		body := string(raw)
		order := []string{`id="summary-h"`, `href="/access-requests/new?document=soc2-type2-2026`, `href="/documents/soc3-2026"`, `class="cta"`, `id="overview-h"`, `id="certifications-h"`}
		last := -1
		for _, want := range order {
			i := strings.Index(body, want)
			if i < 0 {
				t.Errorf("%s: the page lacks %s", lang, want)
				continue
			}
			if i < last {
				t.Errorf("%s: %s comes before what should precede it (%v)", lang, want, order)
			}
			last = i
		}
		// The summary names every certification, SOC 2 first.
		rows := regexp.MustCompile(`<th scope="row"><a href="#cert-([a-z0-9-]+)"`).FindAllStringSubmatch(body, -1)
		var ids []string
		for _, r := range rows {
			ids = append(ids, r[1])
		}
		if strings.Join(ids, ",") != "soc2-type2,soc1-type2,soc3,iso27001" {
			t.Errorf("%s: summary rows %v", lang, ids)
		}
		text := pageText(raw)
		once := map[string][]string{
			"en":    {"SSAE 18, AT-C section 205 with TSP section 100", "Plaid Inc. — Connections", "Common to all SOC reports"},
			"zh-CN": {"SSAE 18, AT-C section 205 with TSP section 100", "所有 SOC 报告的共同信息"},
		}
		for _, want := range once[lang] {
			if n := strings.Count(text, want); n != 1 {
				t.Errorf("%s: %q appears %d times, want once", lang, want, n)
			}
		}
		if lang == "en" {
			for _, want := range []string{"Request SOC 1 / SOC 2 reports", "Security, Availability, Confidentiality",
				"Earlier bridge letter for 1 Oct 2025 – 31 Dec 2025", `<span class="nw">30 Sep 2026</span>`, `id="faq-`, `id="criterion-security"`} {
				if !strings.Contains(body, want) && !strings.Contains(text, want) {
					t.Errorf("en: the page lacks %q", want)
				}
			}
			// The superseded letter is history, not coverage.
			if strings.Contains(text, "Bridge letterCovers") {
				t.Error("en: a superseded bridge letter is shown as current")
			}
		} else {
			for _, want := range []string{"申请 SOC 1 / SOC 2 报告", "安全性、可用性、保密性"} {
				if !strings.Contains(text, want) {
					t.Errorf("zh-CN: the page lacks %q", want)
				}
			}
		}
	}
}

// TestBridgeLetterOnThePage: a letter reaching past the latest period is
// current coverage, drawn in its own colour, which the key then explains;
// without one the key does not list it.
func TestBridgeLetterOnThePage(t *testing.T) {
	site, err := contentfile.Example()
	if err != nil {
		t.Fatal(err)
	}
	render := func(day time.Time) string {
		s := newServer(Deps{Service: trust.New(trust.Config{BaseURL: "https://trust.example"}, trust.Engines{}), Site: site})
		p := &pages.Page{Lang: "en", CSS: s.css, Company: site.Company.Name, Site: site}
		body, err := execute(context.Background(), pages.Index(p, s.trustView("en", nil, day)))
		if err != nil {
			t.Fatal(err)
		}
		return string(body)
	}
	day := time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)
	if body := render(day); strings.Contains(body, `class="sw bridge"`) || strings.Contains(body, `class="bridge"`) {
		t.Error("the key lists bridge letters though no bar has one")
	}
	for i := range site.Certifications {
		if site.Certifications[i].ID == "soc2-type2" {
			site.Certifications[i].BridgeLetters = append(site.Certifications[i].BridgeLetters, content.BridgeLetter{
				CoversFrom: content.MustDate("2026-10-01"), CoversTo: content.MustDate("2026-12-31"), Issued: content.MustDate("2027-01-10")})
		}
	}
	body := render(day)
	text := pageText([]byte(body))
	for _, want := range []string{`class="sw bridge"`, `class="bridge"`} {
		if !strings.Contains(body, want) {
			t.Errorf("with a current bridge letter the page lacks %s", want)
		}
	}
	for _, want := range []string{"bridge letter through 31 Dec 2026", "Covers 1 Oct 2026 to 31 Dec 2026, issued 10 Jan 2027", "Earlier bridge letter for 1 Oct 2025 – 31 Dec 2025"} {
		if !strings.Contains(text, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// exampleServer is a server on the example content, with no store.
func exampleServer(t *testing.T) (*server, *content.Site) {
	t.Helper()
	site, err := contentfile.Example()
	if err != nil {
		t.Fatal(err)
	}
	return newServer(Deps{Service: trust.New(trust.Config{BaseURL: "https://trust.example"}, trust.Engines{}), Site: site}), site
}
