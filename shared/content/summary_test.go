package content

import (
	"testing"

	"trustcenter/shared/trust"
)

func TestStatusLine(t *testing.T) {
	soc2 := Certification{Framework: SOC2, Type: Type2,
		Periods: periods("2024-10-01", "2025-09-30", "2025-10-01", "2026-09-30"),
		Issued:  MustDate("2026-11-14"), NextAudit: MustDate("2027-11-15")}
	type1 := Certification{Framework: SOC2, Type: Type1, Periods: periods("2025-06-30", "2025-06-30"), Issued: MustDate("2025-08-04")}
	iso := Certification{Framework: ISO27001, ValidFrom: MustDate("2024-03-01"), ValidUntil: MustDate("2027-02-28"),
		Issued: MustDate("2024-03-01"), NextAudit: MustDate("2027-01-18")}
	bare := Certification{Framework: HIPAA, Periods: periods("2026-01-01", "2026-06-30")}
	tests := []struct {
		name string
		cert Certification
		lang string
		want string
	}{
		{"type 2, latest period", soc2, "en", "Period 1 Oct 2025 – 30 Sep 2026 · issued 14 Nov 2026 · next report expected Nov 2027"},
		{"type 2 in Chinese", soc2, "zh-CN", "期间 2025年10月1日 至 2026年9月30日 · 出具于 2026年11月14日 · 下一份报告预计于 2027年11月 出具"},
		{"type 1 is as of a day", type1, "en", "As of 30 Jun 2025 · issued 4 Aug 2025"},
		{"certificate", iso, "en", "Valid 1 Mar 2024 – 28 Feb 2027 · issued 1 Mar 2024 · next audit expected Jan 2027"},
		{"only the period known", bare, "en", "Period 1 Jan 2026 – 30 Jun 2026"},
		{"nothing known", Certification{Framework: Other}, "en", ""},
	}
	for _, tt := range tests {
		if got := tt.cert.StatusLine().Format(tt.lang); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
	if l := type1.StatusLine(); !l.AsOf() || !l.Report {
		t.Errorf("type 1 line = %+v, want a report as of one day", l)
	}
	if l := iso.StatusLine(); l.AsOf() || l.Report {
		t.Errorf("certificate line = %+v", l)
	}
}

func TestAttestations(t *testing.T) {
	s := &Site{
		StaleAfterMonths: 12,
		Documents: []Document{
			{ID: "soc3-doc", Access: trust.Public, Certification: "soc3"},
			{ID: "soc2-doc", Access: trust.Gated, Certification: "soc2"},
			{ID: "soc1-doc", Access: trust.Gated, Certification: "soc1"},
		},
		Certifications: []Certification{
			{ID: "soc3", Framework: SOC3, Periods: periods("2025-10-01", "2026-09-30"), Auditor: "Audit LLP", Opinion: Unqualified,
				Issued: MustDate("2026-11-14"), Document: "soc3-doc"},
			{ID: "soc2", Framework: SOC2, Type: Type2, Periods: periods("2024-01-01", "2024-12-31"), Auditor: "Audit LLP",
				Issued: MustDate("2025-02-01"), Document: "soc2-doc"},
			{ID: "soc1", Framework: SOC1, Type: Type1, Periods: periods("2026-06-30", "2026-06-30"), Auditor: "Audit LLP",
				Issued: MustDate("2026-08-01"), Document: "soc1-doc"},
			{ID: "iso", Framework: ISO27001, Name: Text{"en": "ISO/IEC 27001:2022"}, ValidFrom: MustDate("2024-03-01"),
				ValidUntil: MustDate("2027-02-28"), Auditor: "Cert Body"},
		},
	}
	docs := []trust.Document{{ID: "soc3-doc", Access: trust.Public}, {ID: "soc2-doc", Access: trust.Gated}}
	got := s.Attestations(docs, day("2026-11-25"))
	want := []struct {
		id, label, line string
		status          Status
		obtain          Obtain
		doc             string
	}{
		{"soc3", "SOC 3", "Period 1 Oct 2025 – 30 Sep 2026 · issued 14 Nov 2026", Current, ObtainDownload, "soc3-doc"},
		// Stale: its period ended more than twelve months ago.
		{"soc2", "SOC 2 Type II", "Period 1 Jan 2024 – 31 Dec 2024 · issued 1 Feb 2025", Stale, ObtainRequest, "soc2-doc"},
		// Its file is not published yet, so nothing is offered.
		{"soc1", "SOC 1 Type I", "As of 30 Jun 2026 · issued 1 Aug 2026", Current, ObtainNone, ""},
		{"iso", "ISO/IEC 27001:2022", "Valid 1 Mar 2024 – 28 Feb 2027", Current, ObtainNone, ""},
	}
	if len(got) != len(want) {
		t.Fatalf("%d attestations, want %d", len(got), len(want))
	}
	for i, w := range want {
		a := got[i]
		if a.Certification != w.id || a.Label("en") != w.label || a.Line.Format("en") != w.line || a.Status != w.status ||
			a.Obtain != w.obtain || a.Document != w.doc || a.Auditor == "" {
			t.Errorf("%s: got %s %q %q %s %q %q %q", w.id, a.Certification, a.Label("en"), a.Line.Format("en"), a.Status, a.Obtain, a.Document, a.Auditor)
		}
	}
	if got[0].Opinion != Unqualified || got[1].Opinion != "" {
		t.Errorf("opinions %q %q", got[0].Opinion, got[1].Opinion)
	}
	if got[0].Label("zh-CN") != "SOC 3" || got[1].Label("zh-CN") != "SOC 2 Type II（第二类）" {
		t.Errorf("labels in Chinese: %q %q", got[0].Label("zh-CN"), got[1].Label("zh-CN"))
	}

	// The store says gated while the content says public: a download
	// link would only answer 403, so the summary offers a request.
	got = s.Attestations([]trust.Document{{ID: "soc3-doc", Access: trust.Gated}}, day("2026-11-25"))
	if got[0].Obtain != ObtainRequest {
		t.Errorf("stricter access: obtain = %q, want request", got[0].Obtain)
	}
}
