// Package sample renders the demonstration reports of the trust center: a
// public SOC 3 report and NDA-gated SOC 2 Type II and SOC 1 Type II reports
// for the fictional company Lumen Ledger, Inc. Every file carries a SAMPLE
// watermark and a first-page notice, so that nobody mistakes it for a real
// audit report. The output is byte-for-byte stable, so that tests and seeded
// environments can compare hashes.
package sample

import (
	"bytes"
	"time"

	"trustcenter/shared/local/pdf"
)

const (
	// Company is the fictional service organization the reports describe.
	Company = "Lumen Ledger, Inc."
	// Domain is the company's (reserved, non-resolving) web domain.
	Domain = "lumenledger.example"
	// Auditor is the fictional service auditor that signs the reports.
	Auditor = "Halden & Ruiz LLP"
	// System is the name of the system the reports cover.
	System = "Lumen Ledger Finance Operations Platform"
	// Watermark is drawn across every page of every sample report.
	Watermark = "SAMPLE"
)

var (
	// PeriodStart and PeriodEnd bound the examination period of every
	// report. The example content (site/content/example.yaml) states the
	// same dates for its SOC reports, and a test holds the two together.
	PeriodStart = time.Date(2025, time.October, 1, 0, 0, 0, 0, time.UTC)
	PeriodEnd   = time.Date(2026, time.September, 30, 0, 0, 0, 0, time.UTC)
	// Issued is the report date of every report.
	Issued = time.Date(2026, time.November, 14, 0, 0, 0, 0, time.UTC)
	// creationDate is fixed, unlike a real build time, to keep the bytes
	// stable; it is the morning of the report date.
	creationDate = Issued.Add(9 * time.Hour)
)

// SOC3 returns the public, general-use SOC 3 report.
func SOC3() []byte { return render(soc3Title, soc3()) }

// SOC2TypeII returns the restricted-use SOC 2 Type II report.
func SOC2TypeII() []byte { return render(soc2Title, soc2()) }

// SOC1TypeII returns the restricted-use SOC 1 Type II report.
func SOC1TypeII() []byte { return render(soc1Title, soc1()) }

func render(title string, pages []pdf.Page) []byte {
	var b bytes.Buffer
	err := pdf.Write(&b, pdf.Document{
		Title:        Company + " – " + title + " (SAMPLE)",
		Author:       Company + " trust center (sample content)",
		Pages:        pages,
		Watermark:    Watermark,
		PageSize:     pdf.Letter,
		CreationDate: creationDate,
	})
	if err != nil {
		// The content is fixed at compile time, so a failure is a bug that
		// the package tests catch, not a condition callers could handle.
		panic("sample: rendering " + title + ": " + err.Error())
	}
	return b.Bytes()
}

// doc accumulates pages with a small vocabulary of paragraph styles.
type doc struct {
	pages []pdf.Page
	lines []pdf.Line
}

const (
	titleSize = 20
	h1Size    = 14
	h2Size    = 11.5
	smallSize = 9
	gapSize   = 5
)

func (d *doc) gap() { d.lines = append(d.lines, pdf.Line{Size: gapSize}) }

func (d *doc) title(lines ...string) {
	for _, l := range lines {
		d.lines = append(d.lines, pdf.Line{Text: l, Size: titleSize, Bold: true, KeepWithNext: true})
	}
	d.gap()
}

func (d *doc) h1(s string) {
	if len(d.lines) > 0 {
		d.gap()
	}
	d.lines = append(d.lines,
		pdf.Line{Text: s, Size: h1Size, Bold: true, KeepWithNext: true},
		pdf.Line{Size: gapSize, KeepWithNext: true})
}

func (d *doc) h2(s string) {
	if len(d.lines) > 0 {
		d.gap()
	}
	d.lines = append(d.lines, pdf.Line{Text: s, Size: h2Size, Bold: true, KeepWithNext: true})
}

func (d *doc) p(paragraphs ...string) {
	for _, s := range paragraphs {
		d.lines = append(d.lines, pdf.Line{Text: s})
		d.gap()
	}
}

func (d *doc) field(label, value string) {
	d.lines = append(d.lines, pdf.Line{Text: label + ": " + value})
}

func (d *doc) bullets(items ...string) {
	for _, s := range items {
		d.lines = append(d.lines, pdf.Line{Text: "•  " + s, Indent: 14})
	}
	d.gap()
}

func (d *doc) small(s string) {
	d.lines = append(d.lines, pdf.Line{Text: s, Size: smallSize})
}

// control lays out one control with the auditor's test and its result.
func (d *doc) control(id, description, test, result string) {
	d.lines = append(d.lines,
		pdf.Line{Text: id, Bold: true, Indent: 14, KeepWithNext: true},
		pdf.Line{Text: "Control: " + description, Indent: 14, KeepWithNext: true},
		pdf.Line{Text: "Tests performed: " + test, Indent: 14, KeepWithNext: true},
		pdf.Line{Text: "Results: " + result, Indent: 14},
	)
	d.gap()
}

// signature closes an auditor's report; its lines stay on one page.
func (d *doc) signature() {
	d.lines = append(d.lines,
		pdf.Line{Text: Auditor + " (fictional firm, SAMPLE signature)", Bold: true, KeepWithNext: true},
		pdf.Line{Text: "Portland, Oregon", KeepWithNext: true},
		pdf.Line{Text: issued},
	)
	d.gap()
}

// newPage ends the current page; the next lines start on a fresh sheet.
func (d *doc) newPage() {
	d.pages = append(d.pages, pdf.Page{Lines: d.lines})
	d.lines = nil
}

func (d *doc) done() []pdf.Page {
	if len(d.lines) > 0 {
		d.newPage()
	}
	return d.pages
}

// cover writes the first-page heading and the sample notice shared by all
// reports.
func (d *doc) cover(kind string, titleLines []string, use string) {
	d.small(Company + "  |  " + Domain + "  |  " + kind)
	d.gap()
	d.title(titleLines...)
	d.field("Service organization", Company)
	d.field("System", System)
	d.field("Examination period", period)
	d.field("Report date", issued)
	d.field("Service auditor", Auditor)
	d.field("Intended use", use)
	d.gap()
	d.h1("SAMPLE – not a real audit report")
	d.p(sampleNotice)
}

// The dates as the cover and the signature write them.
var (
	period = PeriodStart.Format(longDate) + " – " + PeriodEnd.Format(longDate)
	issued = Issued.Format(longDate)
)

const longDate = "2 January 2006"

const sampleNotice = "This document is a SAMPLE generated by the Lumen Ledger trust center for demonstration purposes. " +
	"It is not a real audit report. Lumen Ledger, Inc. and Halden & Ruiz LLP are fictional organizations, " +
	"the controls, tests and results below are illustrative, and nothing in this document expresses or implies " +
	"assurance of any kind about any real company or system."
