// Package content is the public trust page's content model: who the company
// is, which certifications and reports it holds, what it does for each Trust
// Services Criterion, its subprocessors, FAQ, updates, the NDA that gates
// restricted reports and its security.txt. Everything comes from one YAML
// file (see site/content/example.yaml for a commented example), read and
// checked by package contentfile, so a typo fails the deploy instead of the
// page; the Lambda functions read the checked site in the JSON form Compile
// writes.
//
// Coverage and status are computed from dates, never typed in, so the page
// cannot claim a report is current after it has gone stale.
package content

import (
	"slices"
	"time"

	"trustcenter/shared/i18n"
	"trustcenter/shared/trust"
)

// Site is the whole content file.
type Site struct {
	Company        Company         `yaml:"company"`
	Documents      []Document      `yaml:"documents"`
	Certifications []Certification `yaml:"certifications"`
	Criteria       []Criterion     `yaml:"criteria"`
	Subprocessors  []Subprocessor  `yaml:"subprocessors"`
	FAQ            []FAQ           `yaml:"faq"`
	// Knowledge is the searchable knowledge base (knowledge.go).
	Knowledge []Entry `yaml:"knowledge"`
	// Updates are newest first: contentfile.Parse sorts them, and the page,
	// the feed and trust.json all list them in the order held here, so a
	// Site built in code must be sorted the same way.
	Updates     []Update        `yaml:"updates"`
	NDA         NDA             `yaml:"nda"`
	SecurityTxt SecurityContact `yaml:"security_txt"`
	// Requests is what a requester's status page promises them.
	Requests Requests `yaml:"requests"`
	// StaleAfterMonths is how long after its period ends a SOC report still
	// counts as current; StaleMonths applies the default when it is not set.
	StaleAfterMonths int `yaml:"stale_after_months"`
}

// DefaultStaleAfterMonths reflects the usual expectation of customers'
// vendor-risk teams: a SOC report older than a year needs a successor.
const DefaultStaleAfterMonths = 12

// StaleMonths is the StaleAfterMonths in effect: the one set, else
// DefaultStaleAfterMonths.
func (s *Site) StaleMonths() int {
	if s.StaleAfterMonths == 0 {
		return DefaultStaleAfterMonths
	}
	return s.StaleAfterMonths
}

// Company describes the organisation behind the trust page.
type Company struct {
	Name      string `yaml:"name"`
	LegalName string `yaml:"legal_name"`
	Tagline   Text   `yaml:"tagline"`
	Overview  Text   `yaml:"overview"`
	Website   string `yaml:"website"`
	Email     string `yaml:"email"`
	// Logo is an https URL or a path under /static/.
	Logo string `yaml:"logo"`
	// PrimaryColor is #rrggbb.
	PrimaryColor string `yaml:"primary_color"`
	Locations    []Text `yaml:"locations"`
}

// Document is a file of the library as the page lists it: an audit
// report, a bridge letter, a policy, a questionnaire's answers. The file
// itself, its size, hash and version live in the document store under the
// same ID.
type Document struct {
	ID    string `yaml:"id"`
	Title Text   `yaml:"title"`
	Kind  string `yaml:"kind"`
	// Access is public (downloads at once), nda (after the NDA and the
	// email confirmation, no approval) or gated (a person or rule
	// approves).
	Access   trust.Access `yaml:"access"`
	FileName string       `yaml:"file_name"`
	// Category is the library shelf the page lists the document under;
	// contentfile.Parse fills in audit for a certification's report and
	// bridge-letter for a bridge letter's file.
	Category Category `yaml:"category"`
	// Date is the document's own date; Parse fills in the certification's
	// issue date or the bridge letter's when it is not set.
	Date        Date `yaml:"date"`
	Description Text `yaml:"description"`
	// Certification is the id of the certification the document belongs
	// to. Either side may name the link; contentfile.Parse fills in the
	// other, so after it this and Certification.Document agree.
	Certification string `yaml:"certification"`
}

// Framework is the standard a certification or report is issued under.
type Framework string

// The frameworks the page knows how to present.
const (
	SOC1     Framework = "soc1"
	SOC2     Framework = "soc2"
	SOC3     Framework = "soc3"
	ISO27001 Framework = "iso27001"
	ISO27017 Framework = "iso27017"
	ISO27018 Framework = "iso27018"
	PCIDSS   Framework = "pci-dss"
	CSASTAR  Framework = "csa-star"
	HIPAA    Framework = "hipaa"
	Other    Framework = "other"
)

// Frameworks lists every framework in the order the page shows them.
var Frameworks = []Framework{SOC1, SOC2, SOC3, ISO27001, ISO27017, ISO27018, PCIDSS, CSASTAR, HIPAA, Other}

// IsSOC reports whether f is an AICPA SOC attestation, which covers a
// period rather than being valid between two dates.
func (f Framework) IsSOC() bool { return f == SOC1 || f == SOC2 || f == SOC3 }

// IsCertificate reports whether f results in a certificate with a validity
// window. HIPAA and "other" may be either, depending on what was done.
func (f Framework) IsCertificate() bool {
	switch f {
	case ISO27001, ISO27017, ISO27018, PCIDSS, CSASTAR:
		return true
	}
	return false
}

// ReportType is the SOC 1 / SOC 2 report type.
type ReportType string

const (
	// Type1 reports on control design at one point in time.
	Type1 ReportType = "type1"
	// Type2 reports on design and operating effectiveness over a period.
	Type2 ReportType = "type2"
)

// The five Trust Services Criteria categories, as ids.
const (
	Security            = "security"
	Availability        = "availability"
	ProcessingIntegrity = "processing_integrity"
	Confidentiality     = "confidentiality"
	Privacy             = "privacy"
)

// CriteriaIDs lists the Trust Services Criteria in the AICPA's order.
var CriteriaIDs = []string{Security, Availability, ProcessingIntegrity, Confidentiality, Privacy}

// Certification is one attestation report or certificate.
type Certification struct {
	ID        string     `yaml:"id"`
	Framework Framework  `yaml:"framework"`
	Type      ReportType `yaml:"type"`
	// Name overrides the label derived from framework and type; required
	// for "other", useful for e.g. "ISO/IEC 27001:2022".
	Name Text `yaml:"name"`
	// Criteria are the Trust Services Criteria in scope (SOC 2 and SOC 3).
	Criteria []string `yaml:"criteria"`
	// Periods are the examined periods of successive SOC reports. A Type I
	// report's period is a single day: start equals end.
	Periods []Period `yaml:"periods"`
	// ValidFrom and ValidUntil bound a certificate (ISO, PCI DSS, ...).
	ValidFrom  Date `yaml:"valid_from"`
	ValidUntil Date `yaml:"valid_until"`
	// Auditor is the audit firm, or for a certificate the certification body.
	Auditor       string         `yaml:"auditor"`
	Issued        Date           `yaml:"issued"`
	BridgeLetters []BridgeLetter `yaml:"bridge_letters"`
	NextAudit     Date           `yaml:"next_audit"`
	// NextBridgeLetter is when management's next bridge letter is
	// expected, for the months after the latest period (optional).
	NextBridgeLetter Date `yaml:"next_bridge_letter"`
	// Document is the id of the report file, if one is offered; see
	// Document.Certification for how the two sides of the link agree.
	Document string `yaml:"document"`
	Summary  Text   `yaml:"summary"`

	// The depth of the latest report, which is what a buyer's reviewer
	// reads first; see report.go.

	// Standard is the attestation standard; AttestationStandard supplies
	// the AICPA one for a SOC report that does not state it.
	Standard string `yaml:"standard"`
	// CriteriaVersion is the edition of the Trust Services Criteria a SOC 2
	// or SOC 3 report was measured against.
	CriteriaVersion Text    `yaml:"criteria_version"`
	Opinion         Opinion `yaml:"opinion"`
	// OpinionDetail says what a modified opinion is about.
	OpinionDetail Text  `yaml:"opinion_detail"`
	Scope         Scope `yaml:"scope"`
	// SubserviceOrganizations are the vendors whose controls the system
	// relies on, each carved out of the report or included in it.
	SubserviceOrganizations []SubserviceOrganization `yaml:"subservice_organizations"`
	// UserEntityControls summarise the complementary user entity
	// controls: what the report assumes customers do themselves.
	UserEntityControls []Text `yaml:"user_entity_controls"`
}

// Period is an examined period, both days included.
type Period struct {
	Start Date `yaml:"start" json:"start"`
	End   Date `yaml:"end" json:"end"`
}

// BridgeLetter is management's letter covering the time between the end of
// the last report period and the next report.
type BridgeLetter struct {
	CoversFrom Date `yaml:"covers_from" json:"covers_from"`
	CoversTo   Date `yaml:"covers_to" json:"covers_to"`
	Issued     Date `yaml:"issued" json:"issued"`
	// Document is the id of the letter's file in the library, if it is
	// offered: a document of its own, with its own access level.
	Document string `yaml:"document" json:"document,omitempty"`
}

// IsReport reports whether c is described by report periods rather than a
// validity window.
func (c Certification) IsReport() bool { return len(c.Periods) > 0 }

// LatestPeriod returns the period that ends last, or a zero Period.
func (c Certification) LatestPeriod() Period {
	var p Period
	for _, q := range c.Periods {
		if q.End.After(p.End) {
			p = q
		}
	}
	return p
}

// Label is the name a reader sees, e.g. "SOC 2 Type II".
func (c Certification) Label(lang string) string {
	return label(c.Framework, c.Type, c.Name, lang)
}

func label(f Framework, t ReportType, name Text, lang string) string {
	if s := name.In(lang); s != "" {
		return s
	}
	l := i18n.T(lang, "framework."+string(f))
	if t != "" {
		l += " " + i18n.T(lang, "report_type."+string(t))
	}
	return l
}

// Criterion is one Trust Services Criteria category and what the company
// does for it.
type Criterion struct {
	ID        string `yaml:"id"`
	Title     Text   `yaml:"title"`
	Summary   Text   `yaml:"summary"`
	Practices []Text `yaml:"practices"`
}

// Subprocessor is a third party that processes customer data.
type Subprocessor struct {
	Name     string `yaml:"name"`
	Purpose  Text   `yaml:"purpose"`
	Location Text   `yaml:"location"`
	Data     Text   `yaml:"data"`
	Website  string `yaml:"website"`
}

// FAQ is one question and its answer.
type FAQ struct {
	Question Text `yaml:"question"`
	Answer   Text `yaml:"answer"`
}

// UpdateKind classifies an update.
type UpdateKind string

// The update kinds.
const (
	UpdateReport       UpdateKind = "report"
	UpdateSubprocessor UpdateKind = "subprocessor"
	UpdateIncident     UpdateKind = "incident"
	UpdateOther        UpdateKind = "other"
)

// Update is a dated notice on the page and in the Atom feed.
type Update struct {
	// ID keeps the feed entry's identity stable when the title is edited;
	// when not set it is derived from the date and the English title.
	ID    string     `yaml:"id"`
	Date  Date       `yaml:"date"`
	Kind  UpdateKind `yaml:"kind"`
	Title Text       `yaml:"title"`
	Body  Text       `yaml:"body"`
	// Link is an absolute https URL or a path on this site.
	Link string `yaml:"link"`
	// Change is the structured change an update of kind subprocessor
	// announces (optional).
	Change SubprocessorChange `yaml:"change" json:"change,omitzero"`
}

// NDA is the agreement a requester accepts. Its text is English only, and
// that text is what is hashed into the acceptance record.
type NDA struct {
	Version string `yaml:"version"`
	Text    string `yaml:"text"`
}

// Trust converts n to the type the request service records.
func (n NDA) Trust() trust.NDA { return trust.NDA{Version: n.Version, Text: n.Text} }

// Requests says what happens to an access request, for the requester's
// status page: how long a decision usually takes, and whom to ask.
type Requests struct {
	// Turnaround is the expected time to a decision, as a phrase
	// ("within two business days").
	Turnaround Text `yaml:"turnaround"`
	// Contact is the address for questions about a request; the
	// company's email when not set.
	Contact string `yaml:"contact"`
}

// RequestContact is the address a requester writes to about their request.
func (s *Site) RequestContact() string {
	if s.Requests.Contact != "" {
		return s.Requests.Contact
	}
	return s.Company.Email
}

// SecurityContact holds the fields of /.well-known/security.txt (RFC 9116);
// Canonical is derived from the site's base URL when it is rendered.
type SecurityContact struct {
	Contact            []string  `yaml:"contact"`
	Expires            time.Time `yaml:"expires"`
	Policy             string    `yaml:"policy"`
	PreferredLanguages []string  `yaml:"preferred_languages"`
	Acknowledgments    string    `yaml:"acknowledgments"`
	Encryption         string    `yaml:"encryption"`
	Hiring             string    `yaml:"hiring"`
}

// Expired reports whether the Expires date has passed at now.
// contentfile.Deployable, which make build runs, refuses to ship a
// security.txt that has, since scanners ignore an expired one.
func (s SecurityContact) Expired(now time.Time) bool { return !now.Before(s.Expires) }

// Document returns the document with id.
func (s *Site) Document(id string) (Document, bool) {
	i := slices.IndexFunc(s.Documents, func(d Document) bool { return d.ID == id })
	if i < 0 {
		return Document{}, false
	}
	return s.Documents[i], true
}

// StoreDocument is content document id as the document store keeps it:
// title, kind, access, file name and the audit facts of its
// certification, without the file (version, size, hash), which uploads
// add. Uploads take it afresh each time, so a file published after the
// content changed carries the new facts.
func (s *Site) StoreDocument(id string) (trust.Document, bool) {
	cd, ok := s.Document(id)
	if !ok {
		return trust.Document{}, false
	}
	cert, _ := s.Certification(cd.Certification)
	d := trust.Document{
		ID:       cd.ID,
		Title:    cd.Title.String(),
		Kind:     cd.Kind,
		Access:   cd.Access,
		FileName: cd.FileName,
		Auditor:  cert.Auditor,
		IssuedAt: cert.Issued.Time(),
	}
	if cert.IsReport() {
		p := cert.LatestPeriod()
		d.PeriodStart, d.PeriodEnd = p.Start.Time(), p.End.Time()
	}
	return d, true
}

// Certification returns the certification with id.
func (s *Site) Certification(id string) (Certification, bool) {
	i := slices.IndexFunc(s.Certifications, func(c Certification) bool { return c.ID == id })
	if i < 0 {
		return Certification{}, false
	}
	return s.Certifications[i], true
}

// InScope reports whether the Trust Services Criterion id is in the scope
// of a SOC 2 or SOC 3 report the site lists. Both report against the
// criteria (a SOC 3 is the general-use form of a SOC 2 examination), and no
// other framework names them.
func (s *Site) InScope(id string) bool {
	return slices.ContainsFunc(s.Certifications, func(c Certification) bool {
		return (c.Framework == SOC2 || c.Framework == SOC3) && slices.Contains(c.Criteria, id)
	})
}
