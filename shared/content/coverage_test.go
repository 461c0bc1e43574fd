package content

import (
	"slices"
	"testing"
	"time"
)

func day(s string) time.Time { return MustDate(s).Time().Add(15 * time.Hour) }

func periods(pairs ...string) []Period {
	var out []Period
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, Period{Start: MustDate(pairs[i]), End: MustDate(pairs[i+1])})
	}
	return out
}

func segs(s []Segment) []string {
	var out []string
	for _, g := range s {
		out = append(out, g.String())
	}
	return out
}

func TestCoverage(t *testing.T) {
	soc2 := Certification{
		ID: "soc2", Framework: SOC2, Type: Type2,
		Periods: periods("2024-10-01", "2025-09-30"),
	}
	withBridge := soc2
	withBridge.BridgeLetters = []BridgeLetter{{
		CoversFrom: MustDate("2025-10-01"), CoversTo: MustDate("2025-12-31"), Issued: MustDate("2026-01-20"),
	}}
	gapBridge := soc2
	gapBridge.BridgeLetters = []BridgeLetter{{
		CoversFrom: MustDate("2025-11-01"), CoversTo: MustDate("2025-12-31"), Issued: MustDate("2026-01-20"),
	}}
	successive := soc2
	successive.Periods = periods("2025-10-01", "2026-09-30", "2024-10-01", "2025-09-30")
	gapped := soc2
	gapped.Periods = periods("2023-01-01", "2023-12-31", "2024-10-01", "2025-09-30")
	type1 := Certification{ID: "t1", Framework: SOC2, Type: Type1, Periods: periods("2025-06-30", "2025-06-30")}
	monthEnd := Certification{ID: "me", Framework: SOC1, Type: Type2, Periods: periods("2024-09-01", "2025-08-31")}
	leap := Certification{ID: "leap", Framework: SOC3, Periods: periods("2023-03-01", "2024-02-29")}
	iso := Certification{ID: "iso", Framework: ISO27001, ValidFrom: MustDate("2024-03-01"), ValidUntil: MustDate("2027-02-28")}
	hipaa := Certification{ID: "hipaa", Framework: HIPAA, Periods: periods("2026-01-01", "2026-06-30")}

	tests := []struct {
		name      string
		cert      Certification
		months    int
		now       string
		status    Status
		segments  []string
		through   string
		staleFrom string
		since     string // Since.Explain in English; "" for none
	}{
		{"report within period", soc2, 12, "2025-06-01", Current, []string{"2024-10-01..2025-09-30"}, "2025-09-30", "2026-10-01", ""},
		{"report just ended", soc2, 12, "2025-10-01", Current, []string{"2024-10-01..2025-09-30"}, "2025-09-30", "2026-10-01", "Since the period ended on 30 Sep 2025: a bridge letter is available on request"},
		{"last current day", soc2, 12, "2026-09-30", Current, []string{"2024-10-01..2025-09-30"}, "2025-09-30", "2026-10-01", "Since the period ended on 30 Sep 2025: a bridge letter is available on request"},
		{"first stale day", soc2, 12, "2026-10-01", Stale, []string{"2024-10-01..2025-09-30"}, "2025-09-30", "2026-10-01", "Since the period ended on 30 Sep 2025: a bridge letter is available on request"},
		{"shorter stale window", soc2, 6, "2026-04-01", Stale, []string{"2024-10-01..2025-09-30"}, "2025-09-30", "2026-03-31", "Since the period ended on 30 Sep 2025: a bridge letter is available on request"},
		{"bridge letter extends coverage", withBridge, 12, "2025-12-15", Current, []string{"2024-10-01..2025-12-31 bridged"}, "2025-12-31", "2026-10-01", "Since the period ended on 30 Sep 2025: bridge letter through 31 Dec 2025"},
		{"bridge letter gap after it", withBridge, 12, "2026-11-25", Stale, []string{"2024-10-01..2025-12-31 bridged"}, "2025-12-31", "2026-10-01", "Since the period ended on 30 Sep 2025: bridge letter through 31 Dec 2025"},
		{"bridge letter not contiguous", gapBridge, 12, "2026-01-31", Current, []string{"2024-10-01..2025-09-30", "2025-11-01..2025-12-31 bridged"}, "2025-12-31", "2026-10-01", "Since the period ended on 30 Sep 2025: bridge letter for 1 Nov 2025 – 31 Dec 2025"},
		{"successive reports merge", successive, 12, "2026-11-25", Current, []string{"2024-10-01..2026-09-30"}, "2026-09-30", "2027-10-01", "Since the period ended on 30 Sep 2026: a bridge letter is available on request"},
		{"gap between reports kept", gapped, 12, "2025-01-01", Current, []string{"2023-01-01..2023-12-31", "2024-10-01..2025-09-30"}, "2025-09-30", "2026-10-01", ""},
		{"type 1 is one day", type1, 12, "2025-06-30", Current, []string{"2025-06-30..2025-06-30"}, "2025-06-30", "2026-07-01", ""},
		{"type 1 stale", type1, 12, "2026-07-01", Stale, []string{"2025-06-30..2025-06-30"}, "2025-06-30", "2026-07-01", "Since the report date, 30 Jun 2025: a bridge letter is available on request"},
		{"month end: Aug 31 + 6 months is Feb 28", monthEnd, 6, "2026-02-28", Current, []string{"2024-09-01..2025-08-31"}, "2025-08-31", "2026-03-01", "Since the period ended on 31 Aug 2025: a bridge letter is available on request"},
		{"month end: stale on Mar 1", monthEnd, 6, "2026-03-01", Stale, []string{"2024-09-01..2025-08-31"}, "2025-08-31", "2026-03-01", "Since the period ended on 31 Aug 2025: a bridge letter is available on request"},
		{"leap day: Feb 29 + 12 months is Feb 28", leap, 12, "2025-02-28", Current, []string{"2023-03-01..2024-02-29"}, "2024-02-29", "2025-03-01", "Since the period ended on 29 Feb 2024: a bridge letter is available on request"},
		{"leap day: stale on Mar 1", leap, 12, "2025-03-01", Stale, []string{"2023-03-01..2024-02-29"}, "2024-02-29", "2025-03-01", "Since the period ended on 29 Feb 2024: a bridge letter is available on request"},
		{"certificate upcoming", iso, 12, "2024-02-29", Upcoming, []string{"2024-03-01..2027-02-28"}, "2027-02-28", "", ""},
		{"certificate first day", iso, 12, "2024-03-01", Current, []string{"2024-03-01..2027-02-28"}, "2027-02-28", "", ""},
		{"certificate last day", iso, 12, "2027-02-28", Current, []string{"2024-03-01..2027-02-28"}, "2027-02-28", "", ""},
		{"certificate expired", iso, 12, "2027-03-01", Expired, []string{"2024-03-01..2027-02-28"}, "2027-02-28", "", ""},
		{"certificate long expired", iso, 12, "2028-02-29", Expired, []string{"2024-03-01..2027-02-28"}, "2027-02-28", "", ""},
		{"report period in the future", hipaa, 12, "2025-12-31", Upcoming, []string{"2026-01-01..2026-06-30"}, "2026-06-30", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Site{StaleAfterMonths: tt.months, Certifications: []Certification{tt.cert}}
			got := s.Coverage(day(tt.now))
			if len(got) != 1 {
				t.Fatalf("got %d coverages", len(got))
			}
			c := got[0]
			if c.Certification != tt.cert.ID {
				t.Errorf("certification = %q", c.Certification)
			}
			if c.Status != tt.status {
				t.Errorf("status = %s, want %s", c.Status, tt.status)
			}
			if g := segs(c.Segments); !slices.Equal(g, tt.segments) {
				t.Errorf("segments = %v, want %v", g, tt.segments)
			}
			if c.Through.String() != tt.through {
				t.Errorf("through = %s, want %s", c.Through, tt.through)
			}
			if c.StaleFrom.String() != tt.staleFrom {
				t.Errorf("stale from = %s, want %s", c.StaleFrom, tt.staleFrom)
			}
			since := ""
			if c.Since != nil {
				since = c.Since.Explain("en")
			}
			if since != tt.since {
				t.Errorf("since = %q, want %q", since, tt.since)
			}
		})
	}
}

func TestCoverageTodayIsUTC(t *testing.T) {
	s := &Site{StaleAfterMonths: 12, Certifications: []Certification{{
		ID: "iso", Framework: ISO27001, ValidFrom: MustDate("2024-03-01"), ValidUntil: MustDate("2027-02-28"),
	}}}
	// 1 March 07:00 in Tokyo is still 28 February in UTC.
	tokyo := time.Date(2027, 3, 1, 7, 0, 0, 0, time.FixedZone("JST", 9*3600))
	if got := s.Coverage(tokyo)[0].Status; got != Current {
		t.Errorf("status = %s, want current", got)
	}
}

func TestCoverageDefaultsStaleMonths(t *testing.T) {
	s := &Site{Certifications: []Certification{{ID: "x", Framework: SOC3, Periods: periods("2024-10-01", "2025-09-30")}}}
	if got := s.Coverage(day("2026-09-30"))[0].StaleFrom.String(); got != "2026-10-01" {
		t.Errorf("stale from = %s, want 12 months by default", got)
	}
}

func TestMerge(t *testing.T) {
	d := MustDate
	tests := []struct {
		name string
		in   []Segment
		want []string
	}{
		{"empty", nil, nil},
		{"touching", []Segment{{Start: d("2025-01-01"), End: d("2025-01-31")}, {Start: d("2025-02-01"), End: d("2025-02-28")}}, []string{"2025-01-01..2025-02-28"}},
		{"one day apart", []Segment{{Start: d("2025-01-01"), End: d("2025-01-31")}, {Start: d("2025-02-02"), End: d("2025-02-28")}}, []string{"2025-01-01..2025-01-31", "2025-02-02..2025-02-28"}},
		{"contained", []Segment{{Start: d("2025-01-01"), End: d("2025-12-31")}, {Start: d("2025-03-01"), End: d("2025-04-30")}}, []string{"2025-01-01..2025-12-31"}},
		{"unsorted overlap", []Segment{{Start: d("2025-06-01"), End: d("2025-12-31")}, {Start: d("2025-01-01"), End: d("2025-07-01")}}, []string{"2025-01-01..2025-12-31"}},
	}
	for _, tt := range tests {
		if got := segs(merge(tt.in)); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}
