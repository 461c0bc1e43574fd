package content

import (
	"testing"

	"trustcenter/shared/i18n"
)

func TestAttestationStandard(t *testing.T) {
	tests := []struct {
		cert Certification
		want string
	}{
		{Certification{Framework: SOC1}, StandardSOC1},
		{Certification{Framework: SOC2}, StandardSOC2},
		{Certification{Framework: SOC3}, StandardSOC2},
		{Certification{Framework: ISO27001}, ""},
		{Certification{Framework: SOC2, Standard: "SSAE 18, AT-C sections 105 and 205"}, "SSAE 18, AT-C sections 105 and 205"},
		{Certification{Framework: HIPAA, Standard: "HITRUST CSF"}, "HITRUST CSF"},
	}
	for _, tt := range tests {
		if got := tt.cert.AttestationStandard(); got != tt.want {
			t.Errorf("%s %q: standard %q, want %q", tt.cert.Framework, tt.cert.Standard, got, tt.want)
		}
	}
}

func TestOpinionLabels(t *testing.T) {
	if got := Qualified.Label("en"); got != "Qualified opinion" {
		t.Errorf("en = %q", got)
	}
	if got := Adverse.Label("zh-CN"); got != "否定意见" {
		t.Errorf("zh-CN = %q", got)
	}
	if got := Opinion("").Label("en"); got != "" {
		t.Errorf("no opinion = %q, want nothing", got)
	}
	for _, o := range Opinions {
		if o.Modified() != (o != Unqualified) {
			t.Errorf("%s: modified = %v", o, o.Modified())
		}
	}
	if Opinion("").Modified() {
		t.Error("no opinion counts as modified")
	}
	if got := CarveOut.Label("en"); got != "Carved out: its controls are not tested in the report" {
		t.Errorf("carve-out = %q", got)
	}
}

func TestSuperseded(t *testing.T) {
	c := Certification{Framework: SOC2, Type: Type2, Periods: periods("2024-10-01", "2025-09-30", "2025-10-01", "2026-09-30")}
	letter := func(from, to string) BridgeLetter {
		return BridgeLetter{CoversFrom: MustDate(from), CoversTo: MustDate(to), Issued: MustDate(to).AddDays(20)}
	}
	tests := []struct {
		name       string
		b          BridgeLetter
		superseded bool
	}{
		{"inside the later period", letter("2025-10-01", "2025-12-31"), true},
		{"the whole later period", letter("2025-10-01", "2026-09-30"), true},
		{"past the latest period", letter("2026-10-01", "2026-12-31"), false},
		{"straddling the latest period's end", letter("2026-08-01", "2026-10-31"), false},
	}
	for _, tt := range tests {
		p, ok := c.Superseded(tt.b)
		if ok != tt.superseded {
			t.Errorf("%s: superseded = %v, want %v", tt.name, ok, tt.superseded)
		}
		if ok && p != c.Periods[1] {
			t.Errorf("%s: superseded by %v, want the 2026 period", tt.name, p)
		}
	}
	c.BridgeLetters = []BridgeLetter{tests[0].b, tests[2].b, tests[3].b}
	if got := c.CurrentBridgeLetters(); len(got) != 2 || got[0] != tests[2].b || got[1] != tests[3].b {
		t.Errorf("current letters = %v", got)
	}
}

// TestSince: after a report period ends, the coverage says what vouches
// for the time since, on fixed days.
func TestSince(t *testing.T) {
	base := Certification{ID: "soc2", Framework: SOC2, Type: Type2,
		Periods: periods("2024-10-01", "2025-09-30", "2025-10-01", "2026-09-30")}
	old := BridgeLetter{CoversFrom: MustDate("2025-10-01"), CoversTo: MustDate("2025-12-31"), Issued: MustDate("2026-01-20")}
	fresh := BridgeLetter{CoversFrom: MustDate("2026-10-01"), CoversTo: MustDate("2026-12-31"), Issued: MustDate("2027-01-20")}
	shorter := BridgeLetter{CoversFrom: MustDate("2026-10-01"), CoversTo: MustDate("2026-11-30"), Issued: MustDate("2026-12-05")}
	with := func(edit func(*Certification)) Certification {
		c := base
		edit(&c)
		return c
	}
	superseded := with(func(c *Certification) { c.BridgeLetters = []BridgeLetter{old} })
	current := with(func(c *Certification) { c.BridgeLetters = []BridgeLetter{old, shorter, fresh} })
	expecting := with(func(c *Certification) {
		c.BridgeLetters = []BridgeLetter{old}
		c.NextBridgeLetter, c.NextAudit = MustDate("2027-01-20"), MustDate("2027-11-15")
	})
	reportOnly := with(func(c *Certification) { c.NextAudit = MustDate("2027-11-15") })
	tests := []struct {
		name  string
		cert  Certification
		now   string
		how   Cover // "" for no Since at all
		bl    *BridgeLetter
		words string
	}{
		{"period still running", current, "2026-09-30", "", nil, ""},
		{"superseded letter is not coverage", superseded, "2026-11-25", CoverOnRequest, nil,
			"Since the period ended on 30 Sep 2026: a bridge letter is available on request"},
		{"the letter reaching furthest counts", current, "2026-12-15", CoverBridgeLetter, &fresh,
			"Since the period ended on 30 Sep 2026: bridge letter through 31 Dec 2026"},
		{"a letter that ran out is still named", current, "2027-03-01", CoverBridgeLetter, &fresh,
			"Since the period ended on 30 Sep 2026: bridge letter through 31 Dec 2026"},
		{"next letter and report expected", expecting, "2026-11-25", CoverNextBridgeLetter, nil,
			"Since the period ended on 30 Sep 2026: bridge letter expected Jan 2027 · next report expected Nov 2027"},
		{"expected on the day itself", expecting, "2027-01-20", CoverNextBridgeLetter, nil,
			"Since the period ended on 30 Sep 2026: bridge letter expected Jan 2027 · next report expected Nov 2027"},
		{"a letter date passed is dropped", expecting, "2027-01-21", CoverNextReport, nil,
			"Since the period ended on 30 Sep 2026: next report expected Nov 2027"},
		{"both dates passed", expecting, "2027-11-16", CoverOnRequest, nil,
			"Since the period ended on 30 Sep 2026: a bridge letter is available on request"},
		{"next report only", reportOnly, "2026-10-01", CoverNextReport, nil,
			"Since the period ended on 30 Sep 2026: next report expected Nov 2027"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Site{Certifications: []Certification{tt.cert}}
			got := s.Coverage(day(tt.now))[0].Since
			if tt.how == "" {
				if got != nil {
					t.Fatalf("since = %+v, want none", got)
				}
				return
			}
			if got == nil {
				t.Fatal("no since")
			}
			if got.How != tt.how || got.Period != tt.cert.LatestPeriod() {
				t.Errorf("how %s period %v, want %s %v", got.How, got.Period, tt.how, tt.cert.LatestPeriod())
			}
			if (got.BridgeLetter == nil) != (tt.bl == nil) || (tt.bl != nil && *got.BridgeLetter != *tt.bl) {
				t.Errorf("bridge letter = %v, want %v", got.BridgeLetter, tt.bl)
			}
			if w := got.Explain("en"); w != tt.words {
				t.Errorf("explain = %q\n          want %q", w, tt.words)
			}
		})
	}
}

func TestSinceExplainChinese(t *testing.T) {
	s := Since{
		Period:       Period{Start: MustDate("2025-10-01"), End: MustDate("2026-09-30")},
		BridgeLetter: &BridgeLetter{CoversFrom: MustDate("2026-10-01"), CoversTo: MustDate("2026-12-31")},
		NextReport:   MustDate("2027-11-15"),
	}
	want := "报告期间于 2026年9月30日 结束，此后：桥接函覆盖至 2026年12月31日 · 下一份报告预计于 2027年11月 出具"
	if got := s.Explain("zh-CN"); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// TestLabelKeysExist: the opinion and subservice labels are looked up by
// keys built at run time, so no other test spells every one out.
func TestLabelKeysExist(t *testing.T) {
	var keys []string
	for _, o := range Opinions {
		keys = append(keys, "opinion."+string(o))
	}
	for _, m := range SubserviceMethods {
		keys = append(keys, "subservice."+string(m))
	}
	for _, k := range keys {
		if !i18n.Has(k) {
			t.Errorf("no catalog entry %q", k)
		}
	}
}
