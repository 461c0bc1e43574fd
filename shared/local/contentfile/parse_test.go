package contentfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/content"
)

// base is a small content file that passes every check, with the report
// depth filled in on the SOC 2; the error cases below each break one thing
// in it.
const base = `company:
  name: Acme
  overview: We make things.
  website: https://acme.example
  email: trust@acme.example
  logo: /static/logo.svg
  primary_color: "#112233"
  locations: [Berlin]
documents:
  - id: soc2-2025
    title: SOC 2 report
    kind: SOC 2 Type II
    access: gated
    file_name: acme-soc2.pdf
    certification: soc2
  - id: soc3-2025
    title: {en: SOC 3 report, zh-CN: SOC 3 报告}
    kind: SOC 3
    access: public
    file_name: acme-soc3.pdf
    category: audit
    date: 2025-11-01
certifications:
  - id: soc2
    framework: soc2
    type: type2
    criteria: [security, availability]
    periods:
      - start: 2024-10-01
        end: 2025-09-30
    auditor: Audit LLP
    issued: 2025-11-01
    bridge_letters:
      - {covers_from: 2025-10-01, covers_to: 2025-12-31, issued: 2026-01-15}
    document: soc2-2025
    criteria_version: 2017 Trust Services Criteria (revised points of focus, 2022)
    opinion: unqualified
    scope:
      services: [Acme Cloud]
      locations: [{en: Frankfurt data centre, zh-CN: 法兰克福数据中心}]
    subservice_organizations:
      - {name: AWS, service: Hosting, method: carve-out}
      - {name: Colo GmbH, method: inclusive}
    user_entity_controls: [Customers review their users.]
  - id: iso
    framework: iso27001
    valid_from: 2024-03-01
    valid_until: 2027-02-28
    auditor: Cert Body Ltd
criteria:
  - {id: security, title: Security, practices: [MFA]}
  - {id: availability, title: Availability, practices: [Backups]}
  - {id: processing_integrity, title: Processing integrity, practices: [Checks]}
  - {id: confidentiality, title: Confidentiality, practices: [Encryption]}
  - {id: privacy, title: Privacy, practices: [Notice]}
subprocessors:
  - {name: AWS, purpose: Hosting, location: US, data: Everything, website: "https://aws.amazon.com"}
faq:
  - {question: "Why?", answer: Because.}
updates:
  - {date: 2025-11-01, kind: report, title: Old news}
  - {date: 2026-01-15, kind: subprocessor, title: New subprocessor, link: /subprocessors}
nda:
  version: "2026-01"
  text: Keep it secret.
security_txt:
  contact: [mailto:security@acme.example]
  expires: 2027-01-01
`

func TestDeployable(t *testing.T) {
	s, err := Parse([]byte(base), "content.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// base's security.txt expires 2027-01-01.
	if err := Deployable(s, "content.yaml", time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC)); err != nil {
		t.Errorf("a security.txt still valid is refused: %v", err)
	}
	err = Deployable(s, "content.yaml", time.Date(2027, 1, 1, 10, 0, 0, 0, time.UTC))
	want := "content.yaml: security_txt.expires: 2027-01-01T00:00:00Z has passed (it is now 2027-01-01T10:00:00Z)"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("expired security.txt: err %v, want %q", err, want)
	}
}

func TestParseBase(t *testing.T) {
	s, err := Parse([]byte(base), "content.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s.StaleAfterMonths != content.DefaultStaleAfterMonths {
		t.Errorf("StaleAfterMonths = %d, want the default %d", s.StaleAfterMonths, content.DefaultStaleAfterMonths)
	}
	if got := s.Documents[1].Title.In("zh-CN"); got != "SOC 3 报告" {
		t.Errorf("map Text: got %q", got)
	}
	if got := s.Documents[0].Title.In("zh-CN"); got != "SOC 2 report" {
		t.Errorf("plain Text should fall back to English, got %q", got)
	}
	if got := s.Company.Locations[0].In("en"); got != "Berlin" {
		t.Errorf("location = %q", got)
	}
	if got := s.Certifications[0].Periods[0].End.String(); got != "2025-09-30" {
		t.Errorf("period end = %q", got)
	}
	if s.Updates[0].Title.String() != "New subprocessor" {
		t.Errorf("updates not newest first: %v", s.Updates)
	}
	if got := s.Updates[1].ID; got != "2025-11-01-old-news" {
		t.Errorf("derived update id = %q", got)
	}
	if got := s.SecurityTxt.Expires.Format("2006-01-02T15:04:05Z07:00"); got != "2027-01-01T00:00:00Z" {
		t.Errorf("expires = %s", got)
	}
	if got := s.Certifications[0].Label("en"); got != "SOC 2 Type II" {
		t.Errorf("label = %q", got)
	}
}

// lineOf returns the 1-based line of the first occurrence of sub in doc.
func lineOf(t *testing.T, doc, sub string) int {
	t.Helper()
	i := strings.Index(doc, sub)
	if i < 0 {
		t.Fatalf("%q not in document", sub)
	}
	return strings.Count(doc[:i], "\n") + 1
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		at       string // text on the line the problem must point to; default new
		path     string
		msg      string
	}{
		{"bad date", "end: 2025-09-30", "end: 2025-13-01", "",
			"certifications[0].periods[0].end", `"2025-13-01" is not a date (want YYYY-MM-DD)`},
		{"unknown field with suggestion", "  name: Acme\n", "  name: Acme\n  legalname: x\n", "legalname", "company", `unknown field "legalname" (did you mean "legal_name"?)`},
		{"unknown top-level field", "faq:\n", "faqs:\n", "", "", `unknown field "faqs" (did you mean "faq"?)`},
		{"duplicate field", "  name: Acme\n", "  name: Acme\n  name: Again\n", "name: Again", "company.name", "field given twice"},
		{"missing required", "  name: Acme\n", "", "company:", "company.name", "required"},
		{"bad colour", `"#112233"`, `"#1234"`, "", "company.primary_color", `"#1234" is not a colour (want #rrggbb)`},
		{"http website", "website: https://acme.example", "website: http://acme.example", "", "company.website", "not an https:// URL"},
		{"bad email", "email: trust@acme.example", "email: Trust <trust@acme.example>", "", "company.email", "is not an email address"},
		{"logo outside static", "logo: /static/logo.svg", "logo: /etc/logo.svg", "", "company.logo", "neither an https:// URL nor a path under /static/"},
		{"logo escaping static", "logo: /static/logo.svg", "logo: /static/../secret", "", "company.logo", "neither"},
		{"text without english", "title: {en: SOC 3 report, zh-CN: SOC 3 报告}", "title: {zh-CN: SOC 3 报告}", "", "documents[1].title", "no English (en) text"},
		{"text unknown language", "title: {en: SOC 3 report, zh-CN: SOC 3 报告}", "title: {en: SOC 3 report, fr: Rapport}", "", "documents[1].title", `unknown language "fr"`},
		{"text as list", "overview: We make things.", "overview: [a, b]", "", "company.overview", "want text or a map of language to text, got a list"},
		{"string as mapping", "kind: SOC 3", "kind: {a: b}", "", "documents[1].kind", "want text, got a mapping"},
		{"list as scalar", "locations: [Berlin]", "locations: Berlin", "", "company.locations", `want a list, got "Berlin"`},
		{"bad access", "access: public", "access: open", "", "documents[1].access", `"open" is not an access level`},
		{"public SOC 2", "access: gated", "access: public", "", "documents[0].access", "restricted-use; access must be gated"},
		{"duplicate document id", "id: soc3-2025", "id: soc2-2025", "id: soc2-2025\n    title: {en: SOC 3", "documents[1].id", `duplicate document id "soc2-2025" (also at documents[0].id)`},
		{"bad slug", "id: soc3-2025", "id: SOC3_2025", "", "documents[1].id", "is not a valid id"},
		{"unknown certification", "certification: soc2\n", "certification: soc9\n", "", "documents[0].certification", `no certification has id "soc9"`},
		{"unsafe file name", "file_name: acme-soc3.pdf", "file_name: ../x.pdf", "", "documents[1].file_name", "not a plain file name"},
		{"unknown framework", "framework: iso27001", "framework: iso9001", "", "certifications[1].framework", `"iso9001" is not a framework`},
		{"missing type", "    type: type2\n", "", "- id: soc2\n", "certifications[0].type", "required for soc2"},
		{"type on certificate", "framework: iso27001\n", "framework: iso27001\n    type: type2\n", "type: type2\n    valid", "certifications[1].type", "only SOC 1 and SOC 2 reports have a type"},
		{"type1 with a range", "type: type2", "type: type1", "end: 2025-09-30", "certifications[0].periods[0].end", "start and end must be equal"},
		{"end before start", "end: 2025-09-30", "end: 2024-09-30", "", "certifications[0].periods[0].end", "is before start 2024-10-01"},
		{"soc2 without security", "criteria: [security, availability]", "criteria: [availability]", "", "certifications[0].criteria", "always includes security"},
		{"unknown criterion", "criteria: [security, availability]", "criteria: [security, speed]", "", "certifications[0].criteria[1]", `"speed" is not a Trust Services Criterion`},
		{"criteria on ISO", "    auditor: Cert Body Ltd\n", "    auditor: Cert Body Ltd\n    criteria: [security]\n", "criteria: [security]\n", "certifications[1].criteria", "only SOC 2 and SOC 3"},
		{"periods on certificate", "    auditor: Cert Body Ltd\n", "    auditor: Cert Body Ltd\n    periods: [{start: 2024-01-01, end: 2024-12-31}]\n", "periods: [{start: 2024-01-01", "certifications[1].periods", "a certificate has valid_from/valid_until"},
		{"certificate without validity", "    valid_until: 2027-02-28\n", "", "- id: iso", "certifications[1].valid_until", "required"},
		{"validity reversed", "valid_until: 2027-02-28", "valid_until: 2023-02-28", "", "certifications[1].valid_until", "is not after valid_from"},
		{"issued before period end", "issued: 2025-11-01\n", "issued: 2025-09-01\n", "", "certifications[0].issued", "before the report period ends (2025-09-30)"},
		{"bridge letter issued early", "issued: 2026-01-15}", "issued: 2025-12-01}", "covers_from", "certifications[0].bridge_letters[0].issued", "before the end of the days it covers"},
		{"bridge letter reversed", "covers_to: 2025-12-31", "covers_to: 2025-09-30", "covers_from", "certifications[0].bridge_letters[0].covers_to", "is before covers_from"},
		{"bridge letter inside period", "covers_from: 2025-10-01", "covers_from: 2025-06-01", "", "certifications[0].bridge_letters[0].covers_from", "is not after a report period ends"},
		// The depth of the report, and where it contradicts the framework.
		{"soc1 with criteria", "framework: soc2\n", "framework: soc1\n", "criteria: [security, availability]", "certifications[0].criteria", "only SOC 2 and SOC 3 reports have Trust Services Criteria"},
		{"soc1 with a criteria version", "framework: soc2\n", "framework: soc1\n", "criteria_version:", "certifications[0].criteria_version", "a SOC 1 report tests control objectives, not the Trust Services Criteria"},
		{"criteria version on a certificate", "    auditor: Cert Body Ltd\n", "    auditor: Cert Body Ltd\n    criteria_version: 2017\n", "criteria_version: 2017\n", "certifications[1].criteria_version", "only SOC 2 and SOC 3 reports are measured against"},
		{"soc2 under the SOC 1 standard", "    opinion: unqualified\n", "    opinion: unqualified\n    standard: SSAE 18, AT-C section 320\n", "standard:", "certifications[0].standard", "a SOC 2 report is examined under AT-C section 205, not 320"},
		{"soc1 under the SOC 2 standard", "framework: soc2\n    type: type2\n", "framework: soc1\n    type: type2\n    standard: SSAE 18, AT-C sections 105 and 205\n", "standard:", "certifications[0].standard", "a SOC 1 report is examined under AT-C section 320, not 205"},
		{"soc1 against TSP 100", "framework: soc2\n    type: type2\n", "framework: soc1\n    type: type2\n    standard: AT-C 320 and TSP 100\n", "standard:", "certifications[0].standard", "not the Trust Services Criteria (TSP section 100)"},
		{"unknown opinion", "opinion: unqualified", "opinion: clean", "", "certifications[0].opinion", `"clean" is not an opinion`},
		{"modified opinion without detail", "opinion: unqualified", "opinion: qualified", "- id: soc2\n", "certifications[0].opinion_detail", "required with a qualified opinion"},
		{"opinion detail without opinion", "    opinion: unqualified\n", "    opinion_detail: Two exceptions.\n", "", "certifications[0].opinion_detail", "explains an opinion, and opinion is not set"},
		{"opinion on a certificate", "    auditor: Cert Body Ltd\n", "    auditor: Cert Body Ltd\n    opinion: unqualified\n", "opinion: unqualified\ncriteria:", "certifications[1].opinion", "a certificate carries no auditor's opinion"},
		{"empty scope service", "services: [Acme Cloud]", "services: [~]", "", "certifications[0].scope.services[0]", "required"},
		{"carved-out vendor not a subprocessor", "{name: AWS, service: Hosting, method: carve-out}", "{name: Amazon, service: Hosting, method: carve-out}", "",
			"certifications[0].subservice_organizations[0].name", `carved-out subservice organisation "Amazon" is not in the subprocessors list`},
		{"carved-out vendor misspelt", "{name: AWS, service: Hosting, method: carve-out}", "{name: Aws, service: Hosting, method: carve-out}", "",
			"certifications[0].subservice_organizations[0].name", `(did you mean "AWS"?)`},
		{"subservice method missing", "{name: Colo GmbH, method: inclusive}", "{name: Colo GmbH}", "", "certifications[0].subservice_organizations[1].method", "required (carve-out or inclusive)"},
		{"subservice method unknown", "method: inclusive", "method: included", "", "certifications[0].subservice_organizations[1].method", `"included" is not a method`},
		{"subservice twice", "{name: Colo GmbH, method: inclusive}", "{name: AWS, method: inclusive}", "", "certifications[0].subservice_organizations[1].name", `duplicate subservice organisation "AWS"`},
		{"subservice on a certificate", "    auditor: Cert Body Ltd\n", "    auditor: Cert Body Ltd\n    subservice_organizations: [{name: AWS, method: carve-out}]\n", "subservice_organizations: [{name: AWS, method: carve-out}]", "certifications[1].subservice_organizations", "only SOC reports name subservice organisations"},
		{"user controls on a certificate", "    auditor: Cert Body Ltd\n", "    auditor: Cert Body Ltd\n    user_entity_controls: [Lock doors]\n", "user_entity_controls: [Lock doors]", "certifications[1].user_entity_controls", "only SOC reports list complementary user entity controls"},
		{"empty user control", "[Customers review their users.]", "[~]", "user_entity_controls: [~]", "certifications[0].user_entity_controls[0]", "required"},
		{"next bridge letter inside the period", "    opinion: unqualified\n", "    opinion: unqualified\n    next_bridge_letter: 2025-09-01\n", "next_bridge_letter", "certifications[0].next_bridge_letter", "is not after the latest report period ends (2025-09-30)"},
		{"next bridge letter on a certificate", "    auditor: Cert Body Ltd\n", "    auditor: Cert Body Ltd\n    next_bridge_letter: 2027-04-01\n", "next_bridge_letter", "certifications[1].next_bridge_letter", "bridge letters follow report periods"},
		{"unknown document", "document: soc2-2025", "document: nope", "", "certifications[0].document", `no document has id "nope"`},
		// soc3-2025 names no certification, but soc2 has its document.
		{"document of another certification", "document: soc2-2025", "document: soc3-2025", "", "certifications[0].document", `certification "soc2" already has document "soc2-2025" (at documents[0].certification)`},
		// Only the certification names the link; the rule holds all the same.
		{"public SOC 2 named by its certification", "access: gated\n    file_name: acme-soc2.pdf\n    certification: soc2\n", "access: public\n    file_name: acme-soc2.pdf\n", "", "documents[0].access", `a SOC 2 report (certification "soc2") is restricted-use; access must be gated`},
		{"two documents of one certification", "file_name: acme-soc3.pdf\n", "file_name: acme-soc3.pdf\n    certification: soc2\n", "certification: soc2\n    category: audit", "documents[1].certification", `certification "soc2" already has document "soc2-2025" (at documents[0].certification)`},
		{"missing criterion", "  - {id: privacy, title: Privacy, practices: [Notice]}\n", "", "criteria:\n  - {id: security", "criteria", `missing criterion "privacy"`},
		{"duplicate criterion", "id: privacy", "id: security", "{id: security, title: Privacy", "criteria[4].id", `duplicate criterion "security"`},
		{"criterion without practices", "practices: [Notice]", "practices: []", "id: privacy", "criteria[4].practices", "required"},
		{"subprocessor without data", ", data: Everything", "", "name: AWS, purpose", "subprocessors[0].data", "required"},
		{"update kind", "kind: report, title: Old news", "kind: rumour, title: Old news", "", "updates[0].kind", `"rumour" is not an update kind`},
		{"update link", "link: /subprocessors", "link: javascript:alert(1)", "", "updates[1].link", "not an https:// URL"},
		{"bad update id", "title: Old news}", "title: Old news, id: Old_News}", "kind: report, title: Old news", "updates[0].id", `"Old_News" is not a valid id`},
		{"nda version", `version: "2026-01"`, `version: "2026 01"`, "", "nda.version", "is not a version"},
		{"nda text missing", "  text: Keep it secret.\n", "", "nda:", "nda.text", "required"},
		{"contact scheme", "contact: [mailto:security@acme.example]", "contact: [tel:+123]", "", "security_txt.contact[0]", "not a mailto: or https: URI"},
		{"no contact", "contact: [mailto:security@acme.example]", "contact: []", "", "security_txt.contact", "required"},
		{"expires missing", "  expires: 2027-01-01\n", "", "security_txt:", "security_txt.expires", "required"},
		{"expires malformed", "expires: 2027-01-01", "expires: next year", "", "security_txt.expires", "is not a date or time"},
		{"stale months out of range", "nda:\n", "stale_after_months: 0\nnda:\n", "stale_after_months", "stale_after_months", "out of range"},
		{"requests without turnaround", "nda:\n", "requests: {contact: sales@acme.example}\nnda:\n", "requests:", "requests.turnaround", "required"},
		{"requests contact not an address", "nda:\n", "requests: {turnaround: Within a day, contact: sales at acme}\nnda:\n", "requests:", "requests.contact", "is not an email address"},
		{"stale months not a number", "nda:\n", "stale_after_months: twelve\nnda:\n", "stale_after_months", "stale_after_months", "want a whole number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(base, tt.old) {
				t.Fatalf("case does not apply: %q not in base", tt.old)
			}
			doc := strings.Replace(base, tt.old, tt.new, 1)
			_, err := Parse([]byte(doc), "content.yaml")
			var cerr *Error
			if !errors.As(err, &cerr) {
				t.Fatalf("want *Error, got %v", err)
			}
			at := tt.at
			if at == "" {
				at = tt.new
			}
			wantLine := lineOf(t, doc, at)
			for _, p := range cerr.Problems {
				if p.Path == tt.path && strings.Contains(p.Msg, tt.msg) {
					if p.Line != wantLine {
						t.Errorf("line %d, want %d (%q)", p.Line, wantLine, at)
					}
					return
				}
			}
			t.Errorf("no problem at %s containing %q; got:\n%v", tt.path, tt.msg, err)
		})
	}
}

func TestParseCollectsEveryProblem(t *testing.T) {
	doc := strings.NewReplacer(
		"end: 2025-09-30", "end: 2025-13-01",
		`"#112233"`, `"red"`,
		"kind: report, title: Old news", "kind: rumour, title: Old news",
	).Replace(base)
	_, err := Parse([]byte(doc), "content.yaml")
	var cerr *Error
	if !errors.As(err, &cerr) {
		t.Fatalf("want *Error, got %v", err)
	}
	// Decode problems stop the meaning checks, so the colour and kind (both
	// meaning checks) only show once the date is fixed.
	if len(cerr.Problems) != 1 {
		t.Fatalf("want the one decode problem, got %d:\n%v", len(cerr.Problems), err)
	}
	doc = strings.Replace(doc, "end: 2025-13-01", "end: 2025-09-30", 1)
	_, err = Parse([]byte(doc), "content.yaml")
	if !errors.As(err, &cerr) {
		t.Fatalf("want *Error, got %v", err)
	}
	if len(cerr.Problems) != 2 {
		t.Fatalf("want 2 problems, got %d:\n%v", len(cerr.Problems), err)
	}
	if cerr.Problems[0].Line > cerr.Problems[1].Line {
		t.Errorf("problems not in file order: %v", cerr.Problems)
	}
	want := `content.yaml:7: company.primary_color: "red" is not a colour (want #rrggbb)`
	if got := strings.Split(err.Error(), "\n")[0]; got != want {
		t.Errorf("first line\n got %s\nwant %s", got, want)
	}
}

func TestParseCollectsEveryDecodeProblem(t *testing.T) {
	doc := strings.NewReplacer(
		"end: 2025-09-30", "end: 2025-13-01",
		"  name: Acme\n", "  name: Acme\n  nmae: typo\n",
		"expires: 2027-01-01", "expires: soon",
	).Replace(base)
	_, err := Parse([]byte(doc), "content.yaml")
	var cerr *Error
	if !errors.As(err, &cerr) {
		t.Fatalf("want *Error, got %v", err)
	}
	if len(cerr.Problems) != 3 {
		t.Fatalf("want 3 problems, got %d:\n%v", len(cerr.Problems), err)
	}
	for i, want := range []string{`unknown field "nmae"`, "is not a date", "is not a date or time"} {
		if !strings.Contains(cerr.Problems[i].Msg, want) {
			t.Errorf("problem %d = %q, want it to contain %q", i, cerr.Problems[i].Msg, want)
		}
	}
}

func TestParseDuplicateUpdateIDs(t *testing.T) {
	doc := strings.Replace(base, "title: Old news}", "title: Old news, id: same}", 1)
	doc = strings.Replace(doc, "title: New subprocessor,", "title: New subprocessor, id: same,", 1)
	_, err := Parse([]byte(doc), "content.yaml")
	if err == nil || !strings.Contains(err.Error(), `updates[1].id: duplicate update id "same" (also at updates[0].id)`) {
		t.Fatalf("want a duplicate id problem, got %v", err)
	}
	// Ids made from the same date and title collide just the same.
	doc = strings.Replace(base, "{date: 2026-01-15, kind: subprocessor, title: New subprocessor, link: /subprocessors}",
		"{date: 2025-11-01, kind: other, title: Old news}", 1)
	_, err = Parse([]byte(doc), "content.yaml")
	if err == nil || !strings.Contains(err.Error(), `updates[1].id: duplicate update id "2025-11-01-old-news" (also at updates[0].id)`) {
		t.Fatalf("want a duplicate derived id problem, got %v", err)
	}
}

// TestParseDocumentLinks: a document and its certification may each name
// the other or leave it to the other side; Parse fills in the side left out,
// and refuses links the two sides disagree on.
func TestParseDocumentLinks(t *testing.T) {
	for name, doc := range map[string]string{
		"named by the document only":      strings.Replace(base, "    document: soc2-2025\n", "", 1),
		"named by the certification only": strings.Replace(base, "    certification: soc2\n", "", 1),
	} {
		s, err := Parse([]byte(doc), "content.yaml")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := s.Certifications[0].Document; got != "soc2-2025" {
			t.Errorf("%s: certification's document = %q", name, got)
		}
		if got := s.Documents[0].Certification; got != "soc2" {
			t.Errorf("%s: document's certification = %q", name, got)
		}
		if got := s.Documents[1].Certification; got != "" {
			t.Errorf("%s: unlinked document got certification %q", name, got)
		}
	}

	// A public document that claims a SOC 2 certification already taken is
	// refused twice over: for the claim, and for being public.
	doc := strings.Replace(base, "file_name: acme-soc3.pdf\n", "file_name: acme-soc3.pdf\n    certification: soc2\n", 1)
	_, err := Parse([]byte(doc), "content.yaml")
	for _, want := range []string{
		`documents[1].access: a SOC 2 report (certification "soc2") is restricted-use`,
		`documents[1].certification: certification "soc2" already has document "soc2-2025"`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q, got:\n%v", want, err)
		}
	}

	// Two certifications naming one document that names neither.
	doc = strings.Replace(base, "    certification: soc2\n", "", 1)
	doc = strings.Replace(doc, "    auditor: Cert Body Ltd\n", "    auditor: Cert Body Ltd\n    document: soc2-2025\n", 1)
	_, err = Parse([]byte(doc), "content.yaml")
	if want := `certifications[1].document: document "soc2-2025" already belongs to certification "soc2" (at certifications[0].document)`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("want %q, got:\n%v", want, err)
	}
}

func TestParseFileLevelProblems(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"empty", "", "content.yaml:1: the file is empty"},
		{"syntax", "company:\n  name: [unclosed\n", "content.yaml:"},
		{"not a mapping", "- a\n- b\n", "content.yaml:1: want a mapping of fields, got a list"},
		{"alias to an ancestor", "company: &c\n  name: *c\n", "content.yaml:2: company.name: want text, got a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc), "content.yaml")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseSyntaxErrorHasLine(t *testing.T) {
	doc := "company:\n  name: Acme\n  overview: \"unterminated\n"
	_, err := Parse([]byte(doc), "content.yaml")
	var cerr *Error
	if !errors.As(err, &cerr) || len(cerr.Problems) != 1 || cerr.Problems[0].Line == 0 {
		t.Fatalf("want one problem with a line, got %#v", err)
	}
}

func TestParseAliasesResolve(t *testing.T) {
	doc := strings.Replace(base, "    auditor: Audit LLP\n", "    auditor: &firm Audit LLP\n", 1)
	doc = strings.Replace(doc, "auditor: Cert Body Ltd", "auditor: *firm", 1)
	s, err := Parse([]byte(doc), "content.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Certifications[1].Auditor; got != "Audit LLP" {
		t.Errorf("alias resolved to %q", got)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "content.yaml")
	if err := os.WriteFile(good, []byte(base), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(good); err != nil {
		t.Errorf("Load: %v", err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(strings.Replace(base, "access: public", "access: open", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(bad)
	want := fmt.Sprintf("%s:%d: documents[1].access:", bad, lineOf(t, base, "access: public"))
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("want the file path and line in the error, got %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: got %v", err)
	}
}

func TestParseReportDepth(t *testing.T) {
	s := parseBase(t)
	soc2, iso := s.Certifications[0], s.Certifications[1]
	if soc2.Opinion != content.Unqualified || soc2.CriteriaVersion.String() != "2017 Trust Services Criteria (revised points of focus, 2022)" {
		t.Errorf("opinion %q, criteria version %q", soc2.Opinion, soc2.CriteriaVersion)
	}
	if len(soc2.Scope.Services) != 1 || soc2.Scope.Locations[0].In("zh-CN") != "法兰克福数据中心" {
		t.Errorf("scope = %+v", soc2.Scope)
	}
	want := []content.SubserviceOrganization{
		{Name: "AWS", Service: content.Text{"en": "Hosting"}, Method: content.CarveOut},
		{Name: "Colo GmbH", Method: content.Inclusive},
	}
	if fmt.Sprint(soc2.SubserviceOrganizations) != fmt.Sprint(want) {
		t.Errorf("subservice organisations = %v, want %v", soc2.SubserviceOrganizations, want)
	}
	if len(soc2.UserEntityControls) != 1 || soc2.UserEntityControls[0].String() != "Customers review their users." {
		t.Errorf("user entity controls = %v", soc2.UserEntityControls)
	}
	// The compiled site states the standard in effect, like the stale
	// months; a certificate has none to state.
	if soc2.Standard != content.StandardSOC2 || iso.Standard != "" {
		t.Errorf("standards %q and %q", soc2.Standard, iso.Standard)
	}
	doc := strings.Replace(base, "    opinion: unqualified\n", "    opinion: qualified\n    opinion_detail: One exception in change management.\n    standard: SSAE 18, AT-C sections 105 and 205\n", 1)
	s, err := Parse([]byte(doc), "content.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Certifications[0]; got.Standard != "SSAE 18, AT-C sections 105 and 205" || got.OpinionDetail.String() != "One exception in change management." {
		t.Errorf("stated standard %q, detail %q", got.Standard, got.OpinionDetail)
	}
	// A SOC 1 with its own standard, no criteria and a Type I date.
	doc = strings.NewReplacer(
		"framework: soc2\n    type: type2\n    criteria: [security, availability]\n", "framework: soc1\n    type: type1\n    standard: SSAE 18, AT-C section 320\n",
		"start: 2024-10-01\n", "start: 2025-09-30\n",
		"    criteria_version: 2017 Trust Services Criteria (revised points of focus, 2022)\n", "",
	).Replace(base)
	s, err = Parse([]byte(doc), "content.yaml")
	if err != nil {
		t.Fatalf("a consistent SOC 1 Type I is refused:\n%v", err)
	}
	if c := s.Certifications[0]; c.Framework != content.SOC1 || c.Type != content.Type1 || c.LatestPeriod().Start != c.LatestPeriod().End {
		t.Errorf("the SOC 1 case did not apply: %+v", c)
	}
}

// TestParseDepthProblemNamesFileLineAndField: the new checks read like
// the others, "file:line: field: message".
func TestParseDepthProblemNamesFileLineAndField(t *testing.T) {
	doc := strings.Replace(base, "{name: AWS, service: Hosting, method: carve-out}", "{name: Akamai, method: carve-out}", 1)
	_, err := Parse([]byte(doc), "content.yaml")
	want := fmt.Sprintf("content.yaml:%d: certifications[0].subservice_organizations[0].name: carved-out subservice organisation \"Akamai\" is not in the subprocessors list",
		lineOf(t, doc, "name: Akamai"))
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got %v\nwant %s...", err, want)
	}
}

// TestParseRequests: the requests block is optional; without a contact of
// its own, requesters are given the company's address.
func TestParseRequests(t *testing.T) {
	site, err := Parse([]byte(base), "content.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !site.Requests.Turnaround.IsZero() || site.RequestContact() != "trust@acme.example" {
		t.Errorf("no requests block: turnaround %v, contact %q", site.Requests.Turnaround, site.RequestContact())
	}
	doc := strings.Replace(base, "nda:\n", "requests:\n  turnaround: {en: Within a day, zh-CN: 一天内}\n  contact: sales@acme.example\nnda:\n", 1)
	if site, err = Parse([]byte(doc), "content.yaml"); err != nil {
		t.Fatal(err)
	}
	if site.Requests.Turnaround.In("zh-CN") != "一天内" || site.RequestContact() != "sales@acme.example" {
		t.Errorf("requests block: %+v", site.Requests)
	}
}
