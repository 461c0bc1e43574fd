package content

import "trustcenter/shared/i18n"

// The depth of a report: the standard it was examined under, the criteria,
// the auditor's opinion, what it covers, which vendors it leaves out, and
// what it expects customers to do. A buyer's security reviewer looks for
// these before anything else, so the page and trust.json state them rather
// than leaving them inside a PDF behind an NDA.

// The AICPA attestation standards SOC reports are examined under (SSAE 18,
// the clarified AT-C sections). A SOC 1 is an examination of controls
// relevant to user entities' financial reporting (AT-C 320); SOC 2 and
// SOC 3 are examinations under AT-C 205 against the Trust Services
// Criteria, which the AICPA publishes as TSP section 100.
const (
	StandardSOC1 = "SSAE 18, AT-C section 320"
	StandardSOC2 = "SSAE 18, AT-C section 205 with TSP section 100"
)

// AttestationStandard is the standard the latest report was examined
// under: the one the content states, else the AICPA standard of a SOC
// framework, else "" (a certificate's standard is its name).
func (c Certification) AttestationStandard() string {
	if c.Standard != "" {
		return c.Standard
	}
	return DefaultStandard(c.Framework)
}

// DefaultStandard is the attestation standard a SOC framework implies, or
// "" for any other framework.
func DefaultStandard(f Framework) string {
	switch f {
	case SOC1:
		return StandardSOC1
	case SOC2, SOC3:
		return StandardSOC2
	}
	return ""
}

// Opinion is the auditor's opinion in a report.
type Opinion string

// The four opinions an auditor can give. Anything but unqualified is a
// modified opinion, and the reader needs to be told what it is about.
const (
	Unqualified Opinion = "unqualified"
	Qualified   Opinion = "qualified"
	Adverse     Opinion = "adverse"
	Disclaimer  Opinion = "disclaimer"
)

// Opinions lists the opinions from clean to none at all.
var Opinions = []Opinion{Unqualified, Qualified, Adverse, Disclaimer}

// Modified reports whether o is an opinion with exceptions (or none).
func (o Opinion) Modified() bool { return o != "" && o != Unqualified }

// Label is the opinion as a reader sees it, e.g. "Unqualified opinion";
// "" when no opinion is stated.
func (o Opinion) Label(lang string) string {
	if o == "" {
		return ""
	}
	return i18n.T(lang, "opinion."+string(o))
}

// Scope is what a report or certificate covers.
type Scope struct {
	// Services are the products or services in the system described.
	Services []Text `yaml:"services"`
	// Locations are the sites, regions or data centres covered.
	Locations []Text `yaml:"locations"`
}

// IsZero reports whether no scope is stated.
func (s Scope) IsZero() bool { return len(s.Services) == 0 && len(s.Locations) == 0 }

// SubserviceMethod is how a report treats a subservice organisation.
type SubserviceMethod string

const (
	// CarveOut: the vendor's controls are outside the report; the reader
	// has to assess that vendor separately, so it must be a listed
	// subprocessor.
	CarveOut SubserviceMethod = "carve-out"
	// Inclusive: the vendor's relevant controls are described and tested
	// in the report itself.
	Inclusive SubserviceMethod = "inclusive"
)

// SubserviceMethods lists the methods.
var SubserviceMethods = []SubserviceMethod{CarveOut, Inclusive}

// Label explains the method to a reader.
func (m SubserviceMethod) Label(lang string) string { return i18n.T(lang, "subservice."+string(m)) }

// SubserviceOrganization is a vendor the described system depends on.
type SubserviceOrganization struct {
	// Name is the vendor; a carved-out one is named exactly as in the
	// subprocessors list.
	Name string `yaml:"name"`
	// Service is what the vendor does for the system (optional).
	Service Text             `yaml:"service"`
	Method  SubserviceMethod `yaml:"method"`
}

// Superseded reports whether every day bridge letter b vouches for lies
// inside one of c's report periods, and returns that period. A letter only
// stands in until the auditor's report for those days arrives; afterwards
// it is history, not coverage.
func (c Certification) Superseded(b BridgeLetter) (Period, bool) {
	for _, p := range c.Periods {
		if !b.CoversFrom.Before(p.Start) && !b.CoversTo.After(p.End) {
			return p, true
		}
	}
	return Period{}, false
}

// CurrentBridgeLetters are c's bridge letters that no report period has
// superseded, in the order listed: the ones the page shows as coverage.
func (c Certification) CurrentBridgeLetters() []BridgeLetter {
	var out []BridgeLetter
	for _, b := range c.BridgeLetters {
		if _, ok := c.Superseded(b); !ok {
			out = append(out, b)
		}
	}
	return out
}
