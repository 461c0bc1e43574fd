// Package sample holds the demonstration reports of the trust center: a
// public SOC 3 report and NDA-gated SOC 2 Type II and SOC 1 Type II reports
// for the fictional company Lumen Ledger, Inc. Every page carries a SAMPLE
// watermark and the first page a notice, so that nobody mistakes them for
// real audit reports.
//
// The files are committed as they are, not generated: they were rendered
// once by the project's former PDF writer, removed now that pdfcpu does the
// PDF work (its content and layout: `git show a44030c:shared/local/sample`).
// To change the wording, replace a file and keep the constants below and
// the package test in step.
package sample

import (
	"bytes"
	_ "embed"
	"time"
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
)

var (
	//go:embed soc3.pdf
	soc3 []byte
	//go:embed soc2-type2.pdf
	soc2 []byte
	//go:embed soc1-type2.pdf
	soc1 []byte
)

// SOC3 returns the public, general-use SOC 3 report.
func SOC3() []byte { return bytes.Clone(soc3) }

// SOC2TypeII returns the restricted-use SOC 2 Type II report.
func SOC2TypeII() []byte { return bytes.Clone(soc2) }

// SOC1TypeII returns the restricted-use SOC 1 Type II report.
func SOC1TypeII() []byte { return bytes.Clone(soc1) }
