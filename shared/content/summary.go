package content

import (
	"slices"
	"strings"
	"time"

	"trustcenter/shared/i18n"
	"trustcenter/shared/trust"
)

// StatusLine holds the dates a reader uses to place an attestation, in the
// way SOC reports are spoken of: the examined period (or the one day a
// Type I is as of), the day the report was issued and when the next one is
// expected; for a certificate, its validity and the next audit. Format
// writes it; the parts are data so that the page can lay them out itself.
type StatusLine struct {
	// Report is set for period reports, clear for certificates.
	Report bool `json:"-"`
	// Start and End are the latest period, or the validity window. For a
	// Type I report they are the same day.
	Start Date `json:"start,omitzero"`
	End   Date `json:"end,omitzero"`
	// Issued is when the report or certificate was issued.
	Issued Date `json:"issued,omitzero"`
	// Next is when the next report (or audit, for a certificate) is
	// expected.
	Next Date `json:"next,omitzero"`
}

// StatusLine is c's status line.
func (c Certification) StatusLine() StatusLine {
	l := StatusLine{Report: c.IsReport(), Issued: c.Issued, Next: c.NextAudit}
	if l.Report {
		p := c.LatestPeriod()
		l.Start, l.End = p.Start, p.End
	} else {
		l.Start, l.End = c.ValidFrom, c.ValidUntil
	}
	return l
}

// AsOf reports whether the line is about a single day (a Type I report).
func (l StatusLine) AsOf() bool { return l.Report && l.Start == l.End }

// Format writes l for a reader of lang, e.g. "Period 1 Oct 2025 – 30 Sep
// 2026 · issued 14 Nov 2026 · next report expected Nov 2027". Parts the
// content does not state are left out.
func (l StatusLine) Format(lang string) string {
	day := func(d Date) string { return shortDate(lang, d) }
	var parts []string
	switch {
	case l.Start.IsZero():
	case l.AsOf():
		parts = append(parts, i18n.T(lang, "summary.as_of", day(l.End)))
	case l.Report:
		parts = append(parts, i18n.T(lang, "summary.period", day(l.Start), day(l.End)))
	default:
		parts = append(parts, i18n.T(lang, "summary.valid", day(l.Start), day(l.End)))
	}
	if !l.Issued.IsZero() {
		parts = append(parts, i18n.T(lang, "summary.issued", day(l.Issued)))
	}
	if !l.Next.IsZero() {
		key := "summary.next_audit"
		if l.Report {
			key = "summary.next_report"
		}
		parts = append(parts, i18n.T(lang, key, i18n.FormatMonth(lang, l.Next.Time())))
	}
	return strings.Join(parts, i18n.T(lang, "summary.separator"))
}

// shortDate writes d as compact lines do, "1 Oct 2025".
func shortDate(lang string, d Date) string { return i18n.FormatShortDate(lang, d.Time()) }

// Obtain is how a reader gets an attestation's document.
type Obtain string

const (
	// ObtainDownload: a public file, one click.
	ObtainDownload Obtain = "download"
	// ObtainRequest: a gated file, through an access request and the NDA.
	ObtainRequest Obtain = "request"
	// ObtainNone: no file is offered (none listed, or not published yet).
	ObtainNone Obtain = ""
)

// Attestation is one line of the compact summary at the top of the page.
type Attestation struct {
	Certification string
	Framework     Framework
	Type          ReportType
	// Name is the stated name, if any; Label gives the one to show.
	Name    Text
	Line    StatusLine
	Auditor string
	// Opinion is the auditor's, when the content states one.
	Opinion Opinion
	Status  Status
	// Document is the id of the file behind Obtain; "" with ObtainNone.
	Document string
	Obtain   Obtain
}

// Label is the attestation's name, e.g. "SOC 2 Type II".
func (a Attestation) Label(lang string) string { return label(a.Framework, a.Type, a.Name, lang) }

// Attestations is the compact summary of every certification on the day
// of now, in the order listed. docs are the published files from the
// document store: a file is offered once it is published (a link before
// that could only answer 404), at the stricter of its content and store
// access levels.
func (s *Site) Attestations(docs []trust.Document, now time.Time) []Attestation {
	out := make([]Attestation, 0, len(s.Certifications))
	for i, cv := range s.Coverage(now) {
		c := s.Certifications[i]
		a := Attestation{
			Certification: c.ID, Framework: c.Framework, Type: c.Type, Name: c.Name,
			Line: c.StatusLine(), Auditor: c.Auditor, Opinion: c.Opinion, Status: cv.Status,
		}
		if d, ok := s.Document(c.Document); ok {
			if j := slices.IndexFunc(docs, func(st trust.Document) bool { return st.ID == d.ID }); j >= 0 {
				a.Document = d.ID
				a.Obtain = ObtainRequest
				if offeredAccess(d, docs[j]) == trust.Public {
					a.Obtain = ObtainDownload
				}
			}
		}
		out = append(out, a)
	}
	return out
}

// offeredAccess is the access a document is advertised with: the stricter
// of the content's and the store's, since a download link that answers
// 403 misleads more than a request link.
func offeredAccess(d Document, stored trust.Document) trust.Access {
	if stored.Access.Restricted() && d.Access == trust.Public {
		return stored.Access
	}
	return d.Access
}
