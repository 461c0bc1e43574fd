package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/local/contentfile"
	"trustcenter/shared/trust"
	"trustcenter/site/pages"
)

// TestTrustViewFollowsTheClock: the page's statuses come from the dates in
// the content and the day it is rendered, never from typed labels.
func TestTrustViewFollowsTheClock(t *testing.T) {
	site, err := contentfile.Example()
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(Deps{Service: trust.New(trust.Config{BaseURL: "https://trust.example"}, trust.Engines{}), Site: site})
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
		for _, want := range c.text {
			if !strings.Contains(string(body), want) {
				t.Errorf("%s %s: the page lacks %q", c.day.Format(time.DateOnly), c.lang, want)
			}
		}
	}
}

// TestTrustPageOffersPublishedDocumentsOnly: a document of the content is
// offered once its file is published, with the file's size; before that
// its link would only answer 404.
func TestTrustPageOffersPublishedDocumentsOnly(t *testing.T) {
	site, err := contentfile.Example()
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(Deps{Service: trust.New(trust.Config{BaseURL: "https://trust.example"}, trust.Engines{}), Site: site})
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
