package contentfile

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/local/sample"
	"trustcenter/shared/trust"

	"trustcenter/shared/content"
)

func example(t *testing.T) *content.Site {
	t.Helper()
	s, err := Example()
	if err != nil {
		t.Fatalf("example content does not load:\n%v", err)
	}
	return s
}

func TestExampleCoverage(t *testing.T) {
	s := example(t)
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	// Two back-to-back report periods give unbroken coverage from October
	// 2024; the latest ended 56 days ago, well inside the year a report
	// counts as current, and the page says what covers the time since. The
	// 2025 bridge letter lies inside the 2026 period, so it is superseded
	// and covers nothing now. The ISO certificate runs to February 2027.
	want := []struct {
		id, status, segments, through, since string
	}{
		{"soc3", "current", "[2024-10-01..2026-09-30]", "2026-09-30",
			"Since the period ended on 30 Sep 2026: next report expected Nov 2027"},
		{"soc2-type2", "current", "[2024-10-01..2026-09-30]", "2026-09-30",
			"Since the period ended on 30 Sep 2026: bridge letter expected Jan 2027 · next report expected Nov 2027"},
		{"soc1-type2", "current", "[2024-10-01..2026-09-30]", "2026-09-30",
			"Since the period ended on 30 Sep 2026: bridge letter expected Jan 2027 · next report expected Nov 2027"},
		{"iso27001", "current", "[2024-03-01..2027-02-28]", "2027-02-28", ""},
	}
	got := s.Coverage(now)
	if len(got) != len(want) {
		t.Fatalf("got %d coverages, want %d", len(got), len(want))
	}
	for i, w := range want {
		c := got[i]
		since := ""
		if c.Since != nil {
			since = c.Since.Explain("en")
		}
		if c.Certification != w.id || string(c.Status) != w.status || fmt.Sprint(c.Segments) != w.segments ||
			c.Through.String() != w.through || since != w.since {
			t.Errorf("%s: got %s %v through %s, %q; want %s %s through %s, %q",
				w.id, c.Status, c.Segments, c.Through, since, w.status, w.segments, w.through, w.since)
		}
	}
	soc2, _ := s.Certification("soc2-type2")
	if cur := soc2.CurrentBridgeLetters(); len(soc2.BridgeLetters) != 1 || len(cur) != 0 {
		t.Errorf("bridge letters %v, current %v: want the one superseded", soc2.BridgeLetters, cur)
	}
	// If no newer report were filed, a year on the SOC reports would be
	// stale and the certificate expired: the page would say so by itself.
	later := map[string]content.Status{"soc3": content.Stale, "soc2-type2": content.Stale, "soc1-type2": content.Stale, "iso27001": content.Expired}
	for _, c := range s.Coverage(time.Date(2027, 12, 1, 0, 0, 0, 0, time.UTC)) {
		if c.Status != later[c.Certification] {
			t.Errorf("%s on 2027-12-01: %s, want %s", c.Certification, c.Status, later[c.Certification])
		}
	}
}

func TestExampleFacts(t *testing.T) {
	s := example(t)
	if s.Company.LegalName != "Lumen Ledger, Inc." || !strings.Contains(s.Company.Website, "lumenledger.example") {
		t.Errorf("company = %q %q", s.Company.LegalName, s.Company.Website)
	}
	docs := []struct {
		id     string
		access trust.Access
	}{
		{"soc3-2026", trust.Public},
		{"soc2-type2-2026", trust.Gated},
		{"soc1-type2-2026", trust.Gated},
		{"soc2-bridge-2025q4", trust.NDAOnly},
		{"pentest-2026", trust.NDAOnly},
		{"architecture-overview", trust.NDAOnly},
		{"caiq-2026", trust.Public},
		{"sig-lite-2026", trust.Gated},
		{"infosec-policy", trust.Public},
		{"incident-response-policy", trust.NDAOnly},
		{"dpa", trust.Public},
		{"insurance-2026", trust.Gated},
	}
	if len(s.Documents) != len(docs) {
		t.Errorf("documents = %d, want %d", len(s.Documents), len(docs))
	}
	for _, d := range docs {
		got, ok := s.Document(d.id)
		if !ok || got.Access != d.access {
			t.Errorf("document %s: %+v", d.id, got)
		}
	}
	if d, _ := s.Document("soc3-2026"); d.FileName != "lumen-ledger-soc3-2026.pdf" {
		t.Errorf("soc3 file name = %q", d.FileName)
	}
	soc2, _ := s.Certification("soc2-type2")
	if soc2.Type != content.Type2 || fmt.Sprint(soc2.Criteria) != "[security availability confidentiality]" ||
		soc2.Auditor != "Halden & Ruiz LLP" || soc2.Issued.String() != "2026-11-14" || len(soc2.BridgeLetters) != 1 ||
		soc2.BridgeLetters[0].Issued.String() != "2026-01-20" {
		t.Errorf("soc2 = %+v", soc2)
	}
	iso, _ := s.Certification("iso27001")
	if iso.Auditor != "Northgate Certification Ltd" || iso.Label("en") != "ISO/IEC 27001:2022" {
		t.Errorf("iso = %+v", iso)
	}
	if n := len(s.Subprocessors); n < 5 || n > 7 {
		t.Errorf("%d subprocessors, want 5 to 7", n)
	}
	if n := len(s.Updates); n < 3 || n > 6 {
		t.Errorf("%d updates, want 3 to 6", n)
	}
	kinds := map[content.UpdateKind]bool{}
	for _, u := range s.Updates {
		kinds[u.Kind] = true
	}
	for _, k := range []content.UpdateKind{content.UpdateReport, content.UpdateSubprocessor, content.UpdateIncident} {
		if !kinds[k] {
			t.Errorf("no %s update", k)
		}
	}
	if s.NDA.Version != "2026-01" || strings.Count(s.NDA.Text, "\n\n") < 5 || !strings.Contains(s.NDA.Text, "English text") {
		t.Errorf("NDA %q is not a complete, English-governed text", s.NDA.Version)
	}
	st := s.SecurityTxt
	if st.Contact[0] != "mailto:security@lumenledger.example" || st.Expires.Year() != 2027 || st.Expires.Month() < time.September {
		t.Errorf("security.txt = %+v", st)
	}
	if st.Expired(time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("security.txt expired already")
	}
}

// TestExampleMatchesTheSampleReports: the local app serves the sample PDFs
// as the example's SOC reports, so the periods and report dates the page
// shows must be the ones printed in them.
func TestExampleMatchesTheSampleReports(t *testing.T) {
	s := example(t)
	want := content.Period{Start: content.DateOf(sample.PeriodStart), End: content.DateOf(sample.PeriodEnd)}
	n := 0
	for _, ct := range s.Certifications {
		if !ct.Framework.IsSOC() {
			continue
		}
		n++
		if got := ct.LatestPeriod(); got != want {
			t.Errorf("%s: latest period %s..%s, the sample reports say %s..%s", ct.ID, got.Start, got.End, want.Start, want.End)
		}
		if got := ct.Issued; got != content.DateOf(sample.Issued) {
			t.Errorf("%s: issued %s, the sample reports say %s", ct.ID, got, content.DateOf(sample.Issued))
		}
	}
	if n != 3 {
		t.Errorf("%d SOC reports, want the three the samples cover", n)
	}
}

// TestExampleIsTranslated walks every Text in the example: each one a
// reader can see must have Simplified Chinese as well as English.
func TestExampleIsTranslated(t *testing.T) {
	s := example(t)
	count := 0
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		switch {
		case v.Type() == textType:
			tx := v.Interface().(content.Text)
			if tx.IsZero() {
				return
			}
			count++
			// A tag written as one word (an acronym: "sso", "soc 2")
			// reads the same in every language.
			if len(tx) == 1 && strings.Contains(path, ".Tags[") {
				return
			}
			if tx["en"] == "" || tx["zh-CN"] == "" {
				t.Errorf("%s: want en and zh-CN, got %v", path, tx)
			}
		case v.Kind() == reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i), path+"."+v.Type().Field(i).Name)
			}
		case v.Kind() == reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
			}
		}
	}
	walk(reflect.ValueOf(*s), "site")
	if count < 50 {
		t.Errorf("only %d texts found; is the walk broken?", count)
	}
}

func TestExampleOutputs(t *testing.T) {
	s := example(t)
	const base = "https://trust.lumenledger.example"
	data, err := content.TrustJSON(s, nil, base, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var j trustJSONShape
	if err := json.Unmarshal(data, &j); err != nil {
		t.Fatal(err)
	}
	if j.Documents[0].DownloadURL != base+"/documents/soc3-2026" || j.Documents[1].RequestURL != base+"/access-requests/new?document=soc2-type2-2026" {
		t.Errorf("documents = %+v", j.Documents)
	}
	// The report depth a reviewer reads first, and the 2025 bridge letter
	// marked as superseded by the 2026 report.
	soc2, soc1 := j.Certifications[1], j.Certifications[2]
	if soc2.ID != "soc2-type2" || soc2.Standard != content.StandardSOC2 || soc2.Opinion != "unqualified" ||
		!strings.HasPrefix(soc2.CriteriaVersion, "2017 Trust Services Criteria") || soc2.Scope == nil ||
		len(soc2.Subservice) != 2 || soc2.Subservice[0]["method"] != "carve-out" || len(soc2.UserControls) < 3 {
		t.Errorf("soc2 depth = %+v", soc2)
	}
	if len(soc2.BridgeLetters) != 1 || soc2.BridgeLetters[0].Superseded == nil || !*soc2.BridgeLetters[0].Superseded {
		t.Errorf("soc2 bridge letters = %+v, want the one superseded", soc2.BridgeLetters)
	}
	if soc2.StatusLine != "Period 1 Oct 2025 – 30 Sep 2026 · issued 14 Nov 2026 · next report expected Nov 2027" {
		t.Errorf("status line = %q", soc2.StatusLine)
	}
	if cv := soc2.Coverage; cv.Since == nil || cv.Since.How != "next_bridge_letter" || cv.Since.BridgeLetter != nil || cv.Since.NextReport != "2027-11-15" {
		t.Errorf("soc2 coverage = %+v", cv)
	}
	if soc1.Standard != content.StandardSOC1 || soc1.CriteriaVersion != "" {
		t.Errorf("soc1 standard %q, criteria version %q", soc1.Standard, soc1.CriteriaVersion)
	}
	for _, lang := range []string{"en", "zh-CN"} {
		feed, err := content.Atom(s, base, lang)
		if err != nil {
			t.Fatal(err)
		}
		var f atomShape
		if err := xml.Unmarshal(feed, &f); err != nil {
			t.Fatal(err)
		}
		if len(f.Entries) != len(s.Updates) || f.Updated != "2026-11-20T00:00:00Z" {
			t.Errorf("%s feed: %d entries, updated %s", lang, len(f.Entries), f.Updated)
		}
	}
	if !strings.Contains(string(content.SecurityTxt(s, base)), "Expires: 2027-11-30T00:00:00Z\n") {
		t.Errorf("security.txt:\n%s", content.SecurityTxt(s, base))
	}
}
