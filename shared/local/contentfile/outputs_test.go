package contentfile

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/trust"

	"trustcenter/shared/content"
)

const testBase = "https://trust.acme.example"

func parseBase(t *testing.T) *content.Site {
	t.Helper()
	s, err := Parse([]byte(base), "content.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// trustJSONShape mirrors what a vendor-risk tool would read.
type trustJSONShape struct {
	Version     int    `json:"version"`
	GeneratedAt string `json:"generated_at"`
	URL         string `json:"url"`
	Company     struct {
		Name     string `json:"name"`
		Overview string `json:"overview"`
		Logo     string `json:"logo"`
	} `json:"company"`
	Certifications []struct {
		ID              string               `json:"id"`
		Name            string               `json:"name"`
		Framework       string               `json:"framework"`
		Type            string               `json:"type"`
		Standard        string               `json:"standard"`
		CriteriaVersion string               `json:"criteria_version"`
		Opinion         string               `json:"opinion"`
		Scope           *map[string][]string `json:"scope"`
		Subservice      []map[string]string  `json:"subservice_organizations"`
		UserControls    []string             `json:"user_entity_controls"`
		StatusLine      string               `json:"status_line"`
		Status          string               `json:"status"`
		Periods         []map[string]string  `json:"periods"`
		BridgeLetters   []struct {
			CoversFrom string `json:"covers_from"`
			CoversTo   string `json:"covers_to"`
			Issued     string `json:"issued"`
			Superseded *bool  `json:"superseded"`
		} `json:"bridge_letters"`
		ValidUntil string `json:"valid_until"`
		Coverage   struct {
			Segments []struct {
				Start   string `json:"start"`
				End     string `json:"end"`
				Bridged bool   `json:"bridged"`
			} `json:"segments"`
			Through   string `json:"through"`
			StaleFrom string `json:"stale_from"`
			Since     *struct {
				Period       map[string]string `json:"period"`
				How          string            `json:"how"`
				BridgeLetter map[string]string `json:"bridge_letter"`
				NextReport   string            `json:"next_report"`
			} `json:"since_period_end"`
		} `json:"coverage"`
	} `json:"certifications"`
	Criteria []struct {
		ID      string `json:"id"`
		InScope bool   `json:"in_scope"`
	} `json:"criteria"`
	Documents []struct {
		ID          string `json:"id"`
		Access      string `json:"access"`
		DownloadURL string `json:"download_url"`
		RequestURL  string `json:"request_url"`
		Size        int64  `json:"size"`
		Version     int    `json:"version"`
		SHA256      string `json:"sha256"`
		UpdatedAt   string `json:"updated_at"`
	} `json:"documents"`
	Subprocessors []map[string]string `json:"subprocessors"`
	Updates       []struct {
		ID   string `json:"id"`
		Date string `json:"date"`
		Link string `json:"link"`
	} `json:"updates"`
	NDA struct {
		Version string `json:"version"`
		SHA256  string `json:"sha256"`
	} `json:"nda"`
}

func TestTrustJSON(t *testing.T) {
	s := parseBase(t)
	uploaded := time.Date(2025, 11, 3, 10, 0, 0, 0, time.UTC)
	docs := []trust.Document{
		{ID: "soc3-2025", Access: trust.Public, Size: 1234, Version: 2, SHA256: "abc", UpdatedAt: uploaded},
		{ID: "not-in-content", Access: trust.Public},
	}
	now := time.Date(2026, 1, 10, 9, 30, 15, 500, time.UTC)
	data, err := content.TrustJSON(s, docs, testBase+"/", now)
	if err != nil {
		t.Fatal(err)
	}
	var got trustJSONShape
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, data)
	}
	if got.Version != 1 || got.GeneratedAt != "2026-01-10T09:30:15Z" || got.URL != testBase+"/" {
		t.Errorf("header = %d %q %q", got.Version, got.GeneratedAt, got.URL)
	}
	if got.Company.Name != "Acme" || got.Company.Overview != "We make things." || got.Company.Logo != testBase+"/static/logo.svg" {
		t.Errorf("company = %+v", got.Company)
	}
	if len(got.Certifications) != 2 {
		t.Fatalf("certifications = %d", len(got.Certifications))
	}
	soc2 := got.Certifications[0]
	if soc2.ID != "soc2" || soc2.Name != "SOC 2 Type II" || soc2.Framework != "soc2" || soc2.Type != "type2" || soc2.Status != "current" {
		t.Errorf("soc2 = %+v", soc2)
	}
	if len(soc2.Periods) != 1 || soc2.Periods[0]["start"] != "2024-10-01" || soc2.Periods[0]["end"] != "2025-09-30" {
		t.Errorf("periods = %v", soc2.Periods)
	}
	if len(soc2.BridgeLetters) != 1 || soc2.BridgeLetters[0].CoversTo != "2025-12-31" || soc2.BridgeLetters[0].Issued != "2026-01-15" ||
		soc2.BridgeLetters[0].Superseded == nil || *soc2.BridgeLetters[0].Superseded {
		t.Errorf("bridge letters = %+v", soc2.BridgeLetters)
	}
	// The report's depth, with the standard the framework implies.
	if soc2.Standard != content.StandardSOC2 || soc2.CriteriaVersion != "2017 Trust Services Criteria (revised points of focus, 2022)" ||
		soc2.Opinion != "unqualified" || soc2.Scope == nil || fmt.Sprint(*soc2.Scope) != "map[locations:[Frankfurt data centre] services:[Acme Cloud]]" ||
		fmt.Sprint(soc2.Subservice) != "[map[method:carve-out name:AWS service:Hosting] map[method:inclusive name:Colo GmbH]]" ||
		fmt.Sprint(soc2.UserControls) != "[Customers review their users.]" {
		t.Errorf("soc2 depth = %+v", soc2)
	}
	if want := "Period 1 Oct 2024 – 30 Sep 2025 · issued 1 Nov 2025"; soc2.StatusLine != want {
		t.Errorf("status line = %q, want %q", soc2.StatusLine, want)
	}
	// Ten days after the bridge letter ran out, the coverage says which
	// letter covered the time after the period; no count of days.
	cv := soc2.Coverage
	if len(cv.Segments) != 1 || cv.Segments[0].End != "2025-12-31" || !cv.Segments[0].Bridged || cv.Through != "2025-12-31" ||
		cv.StaleFrom != "2026-10-01" || cv.Since == nil || cv.Since.Period["end"] != "2025-09-30" || cv.Since.How != "bridge_letter" ||
		cv.Since.BridgeLetter["covers_to"] != "2025-12-31" || cv.Since.NextReport != "" {
		t.Errorf("coverage = %+v", cv)
	}
	if !bytes.Contains(data, []byte(`"coverage": {`)) || bytes.Contains(data, []byte("gap_days")) {
		t.Errorf("coverage still counts gap days")
	}
	iso := got.Certifications[1]
	if iso.Status != "current" || iso.ValidUntil != "2027-02-28" || iso.Coverage.StaleFrom != "" || iso.Coverage.Since != nil ||
		iso.Standard != "" || iso.Opinion != "" || iso.Scope != nil || iso.StatusLine != "Valid 1 Mar 2024 – 28 Feb 2027" {
		t.Errorf("iso = %+v", iso)
	}
	var inScope []string
	for _, c := range got.Criteria {
		if c.InScope {
			inScope = append(inScope, c.ID)
		}
	}
	if !slices.Equal(inScope, []string{"security", "availability"}) {
		t.Errorf("in scope = %v", inScope)
	}
	if len(got.Documents) != 2 {
		t.Fatalf("documents = %+v, want only the two the content lists", got.Documents)
	}
	gated, public := got.Documents[0], got.Documents[1]
	if gated.Access != "gated" || gated.DownloadURL != "" || gated.RequestURL != testBase+"/access-requests/new?document=soc2-2025" || gated.Size != 0 {
		t.Errorf("gated document = %+v", gated)
	}
	if public.Access != "public" || public.RequestURL != "" || public.DownloadURL != testBase+"/documents/soc3-2025" ||
		public.Size != 1234 || public.Version != 2 || public.SHA256 != "abc" || public.UpdatedAt != "2025-11-03T10:00:00Z" {
		t.Errorf("public document = %+v", public)
	}
	if len(got.Subprocessors) != 1 || got.Subprocessors[0]["name"] != "AWS" || got.Subprocessors[0]["location"] != "US" {
		t.Errorf("subprocessors = %v", got.Subprocessors)
	}
	if len(got.Updates) != 2 || got.Updates[0].Date != "2026-01-15" || got.Updates[0].Link != testBase+"/subprocessors" {
		t.Errorf("updates = %+v", got.Updates)
	}
	if got.NDA.Version != "2026-01" || got.NDA.SHA256 != s.NDA.Trust().Hash() {
		t.Errorf("nda = %+v", got.NDA)
	}

	again, err := content.TrustJSON(s, docs, testBase, now)
	if err != nil || !bytes.Equal(again, data) {
		t.Errorf("output is not deterministic (or the trailing slash mattered)")
	}
}

func TestTrustJSONStricterAccessWins(t *testing.T) {
	s := parseBase(t)
	// The store says gated while the content says public: offering a
	// download link would only produce a 403.
	docs := []trust.Document{{ID: "soc3-2025", Access: trust.Gated}}
	data, err := content.TrustJSON(s, docs, testBase, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var got trustJSONShape
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	d := got.Documents[1]
	if d.Access != "gated" || d.DownloadURL != "" || d.RequestURL == "" {
		t.Errorf("document = %+v", d)
	}
}

func TestTrustJSONEmptyListsAreArrays(t *testing.T) {
	data, err := content.TrustJSON(&content.Site{}, nil, testBase, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"certifications", "criteria", "documents", "subprocessors", "updates"} {
		if _, ok := got[k].([]any); !ok {
			t.Errorf("%s = %#v, want an empty array", k, got[k])
		}
	}
}

func TestOutputsRejectBadBaseURL(t *testing.T) {
	s := parseBase(t)
	for _, b := range []string{"", "trust.acme.example", "ftp://x", "https://"} {
		if _, err := content.TrustJSON(s, nil, b, time.Unix(0, 0)); err == nil {
			t.Errorf("TrustJSON accepted base %q", b)
		}
		if _, err := content.Atom(s, b, "en"); err == nil {
			t.Errorf("Atom accepted base %q", b)
		}
	}
}

type atomShape struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string   `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Links   []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Author struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Content struct {
			Type string `xml:"type,attr"`
			Body string `xml:",chardata"`
		} `xml:"content"`
		Category struct {
			Term string `xml:"term,attr"`
		} `xml:"category"`
	} `xml:"entry"`
}

func TestAtom(t *testing.T) {
	s := parseBase(t)
	s.Updates[0].Title = content.Text{"en": "New subprocessor", "zh-CN": "新的子处理方"}
	s.Updates[1].Body = content.Text{"en": "Reports <issued> & ready"}
	tests := []struct {
		lang, wantLang, self, firstTitle string
	}{
		{"en", "en", testBase + "/updates.atom?lang=en", "New subprocessor"},
		{"zh-CN", "zh-CN", testBase + "/updates.atom?lang=zh-CN", "新的子处理方"},
		{"fr", "en", testBase + "/updates.atom?lang=en", "New subprocessor"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			data, err := content.Atom(s, testBase+"/", tt.lang)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(data, []byte(xml.Header)) {
				t.Errorf("no XML declaration")
			}
			var f atomShape
			if err := xml.Unmarshal(data, &f); err != nil {
				t.Fatalf("not XML: %v\n%s", err, data)
			}
			if f.Lang != tt.wantLang || f.ID != tt.self || f.Updated != "2026-01-15T00:00:00Z" || f.Author.Name != "Acme" || f.Title == "" {
				t.Errorf("feed = %q %q %q %q %q", f.Lang, f.ID, f.Updated, f.Author.Name, f.Title)
			}
			rels := map[string]string{}
			for _, l := range f.Links {
				rels[l.Rel] = l.Href
			}
			if rels["self"] != tt.self || rels["alternate"] != testBase+"/?lang="+tt.wantLang {
				t.Errorf("links = %v", rels)
			}
			if len(f.Entries) != 2 {
				t.Fatalf("entries = %d", len(f.Entries))
			}
			e0, e1 := f.Entries[0], f.Entries[1]
			if e0.Title != tt.firstTitle || e0.ID != "tag:trust.acme.example,2026-01-15:update/2026-01-15-new-subprocessor" ||
				e0.Updated != "2026-01-15T00:00:00Z" || e0.Link.Href != testBase+"/subprocessors" || e0.Category.Term != "subprocessor" {
				t.Errorf("entry 0 = %+v", e0)
			}
			if e0.Content.Type != "text" || e0.Content.Body != e0.Title {
				t.Errorf("entry without body should carry its title as content: %+v", e0.Content)
			}
			if e1.Content.Body != "Reports <issued> & ready" || e1.Link.Href != testBase+"/?lang="+tt.wantLang+"#update-2025-11-01-old-news" {
				t.Errorf("entry 1 = %+v", e1)
			}
		})
	}
}

func TestAtomEntryIDsSurviveEdits(t *testing.T) {
	s := parseBase(t)
	before, _ := content.Atom(s, testBase, "en")
	s.Updates[0].Title = content.Text{"en": "A reworded title"}
	s.Updates[0].Body = content.Text{"en": "More detail."}
	after, _ := content.Atom(s, testBase, "en")
	var a, b atomShape
	if err := xml.Unmarshal(before, &a); err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(after, &b); err != nil {
		t.Fatal(err)
	}
	if a.Entries[0].ID != b.Entries[0].ID {
		t.Errorf("entry id changed from %q to %q", a.Entries[0].ID, b.Entries[0].ID)
	}
}

func TestAtomWithoutUpdates(t *testing.T) {
	s := parseBase(t)
	s.Updates = nil
	data, err := content.Atom(s, testBase, "en")
	if err != nil {
		t.Fatal(err)
	}
	var f atomShape
	if err := xml.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	// Falls back to the newest issue date rather than the clock.
	if f.Updated != "2025-11-01T00:00:00Z" || len(f.Entries) != 0 {
		t.Errorf("updated = %q, entries = %d", f.Updated, len(f.Entries))
	}
}

func TestSecurityTxt(t *testing.T) {
	s := parseBase(t)
	s.SecurityTxt.Contact = append(s.SecurityTxt.Contact, "https://acme.example/report")
	s.SecurityTxt.Policy = "https://acme.example/policy"
	s.SecurityTxt.PreferredLanguages = []string{"en", "zh"}
	s.SecurityTxt.Encryption = "https://acme.example/key.asc\nContact: mailto:evil@example.com"
	got := string(content.SecurityTxt(s, testBase+"/"))
	var fields []string
	for line := range strings.SplitSeq(strings.TrimSuffix(got, "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		fields = append(fields, line)
	}
	want := []string{
		"Canonical: https://trust.acme.example/.well-known/security.txt",
		"Contact: mailto:security@acme.example",
		"Contact: https://acme.example/report",
		"Encryption: https://acme.example/key.asc Contact: mailto:evil@example.com",
		"Expires: 2027-01-01T00:00:00Z",
		"Policy: https://acme.example/policy",
		"Preferred-Languages: en, zh",
	}
	if !slices.Equal(fields, want) {
		t.Errorf("security.txt fields\n got %q\nwant %q", fields, want)
	}
}

func TestSecurityTxtExpired(t *testing.T) {
	st := content.SecurityContact{Expires: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	tests := []struct {
		now  time.Time
		want bool
	}{
		{time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC), false},
		{time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC), true},
	}
	for _, tt := range tests {
		if got := st.Expired(tt.now); got != tt.want {
			t.Errorf("Expired(%v) = %v, want %v", tt.now, got, tt.want)
		}
	}
}

type sitemapShape struct {
	XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []struct {
		Loc   string `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 loc"`
		Links []struct {
			Rel      string `xml:"rel,attr"`
			Hreflang string `xml:"hreflang,attr"`
			Href     string `xml:"href,attr"`
		} `xml:"http://www.w3.org/1999/xhtml link"`
	} `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 url"`
}

func TestSitemap(t *testing.T) {
	data := content.Sitemap(testBase+"/", []string{"/", "/faq?a=1&b=2"}, []string{"en", "zh-CN"})
	var sm sitemapShape
	if err := xml.Unmarshal(data, &sm); err != nil {
		t.Fatalf("not XML: %v\n%s", err, data)
	}
	var locs []string
	for _, u := range sm.URLs {
		locs = append(locs, u.Loc)
	}
	wantLocs := []string{
		testBase + "/?lang=en",
		testBase + "/?lang=zh-CN",
		testBase + "/faq?a=1&b=2&lang=en",
		testBase + "/faq?a=1&b=2&lang=zh-CN",
	}
	if !slices.Equal(locs, wantLocs) {
		t.Errorf("locs = %q, want %q", locs, wantLocs)
	}
	alts := map[string]string{}
	for _, l := range sm.URLs[3].Links {
		if l.Rel != "alternate" {
			t.Errorf("rel = %q", l.Rel)
		}
		alts[l.Hreflang] = l.Href
	}
	wantAlts := map[string]string{
		"en":        testBase + "/faq?a=1&b=2&lang=en",
		"zh-CN":     testBase + "/faq?a=1&b=2&lang=zh-CN",
		"x-default": testBase + "/faq?a=1&b=2",
	}
	if len(alts) != len(wantAlts) {
		t.Errorf("alternates = %v", alts)
	}
	for k, v := range wantAlts {
		if alts[k] != v {
			t.Errorf("alternate %s = %q, want %q", k, alts[k], v)
		}
	}
}

func TestSitemapWithoutLanguages(t *testing.T) {
	var sm sitemapShape
	if err := xml.Unmarshal(content.Sitemap(testBase, []string{"/", "/faq"}, nil), &sm); err != nil {
		t.Fatal(err)
	}
	if len(sm.URLs) != 2 || sm.URLs[1].Loc != testBase+"/faq" || len(sm.URLs[1].Links) != 0 {
		t.Errorf("urls = %+v", sm.URLs)
	}
}

func TestRobots(t *testing.T) {
	got := string(content.Robots(testBase + "/"))
	for _, want := range []string{
		"User-agent: *\n",
		"Disallow: /access-requests/\n",
		"Disallow: /access/\n",
		"Disallow: /admin/\n",
		"Sitemap: " + testBase + "/sitemap.xml\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("robots.txt lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Disallow: /documents/") || strings.Contains(got, "Disallow: /\n") {
		t.Errorf("robots.txt hides public pages:\n%s", got)
	}
}

func TestLocalizedURL(t *testing.T) {
	tests := []struct{ path, lang, want string }{
		{"/", "en", testBase + "/?lang=en"},
		{"/faq", "zh-CN", testBase + "/faq?lang=zh-CN"},
		{"/x?y=1", "zh-CN", testBase + "/x?y=1&lang=zh-CN"},
		{"/faq", "", testBase + "/faq"},
	}
	for _, tt := range tests {
		if got := content.LocalizedURL(testBase+"/", tt.path, tt.lang); got != tt.want {
			t.Errorf("LocalizedURL(%q, %q) = %q, want %q", tt.path, tt.lang, got, tt.want)
		}
	}
}
