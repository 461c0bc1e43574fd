package content

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"trustcenter/shared/i18n"
)

// Paths of the outputs for machines that read the page rather than call
// an API: llms.txt (a Markdown digest for language models) and the
// JSON-LD in the trust page's head (search engines).
const PathLLMs = "/llms.txt"

// Paths of the proof that trust.json is genuine, listed by both.
const (
	PathTrustJWS = PathTrustJSON + ".jws"
	PathJWKS     = "/.well-known/jwks.json"
	PathVerify   = "/verify"
)

// LLMsTxt is /llms.txt (llmstxt.org): who the company is, what it holds
// as of now and where the authoritative, machine-readable versions are.
// English, as trust.json is.
func LLMsTxt(s *Site, baseURL string, now time.Time) []byte {
	base := strings.TrimRight(baseURL, "/")
	const en = i18n.English
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("# %s Trust Center", oneLine(s.Company.Name))
	line("")
	summary := s.Company.Tagline.In(en)
	if summary == "" {
		summary = s.Company.Overview.In(en)
	}
	if summary != "" {
		line("> %s", oneLine(summary))
		line("")
	}
	line("The security and compliance information of %s: audit reports and certifications, the practices behind them, subprocessors and updates. The pages below are the human-readable form; trust.json is the authoritative machine-readable one, signed.", oneLine(s.Company.Name))
	line("")
	line("## Certifications and reports")
	line("")
	for i, cv := range s.Coverage(now) {
		c := s.Certifications[i]
		entry := fmt.Sprintf("- [%s](%s/#cert-%s): %s; status %s", c.Label(en), base, c.ID, oneLine(c.StatusLine().Format(en)), cv.Status)
		if c.Auditor != "" {
			entry += "; " + oneLine(c.Auditor)
		}
		line("%s", entry)
	}
	line("")
	line("## Machine-readable")
	line("")
	line("- [trust.json](%s%s): every certification, document (with the SHA-256 of each original file), subprocessor and update", base, PathTrustJSON)
	line("- [trust.json.jws](%s%s): a detached JWS (EdDSA, Ed25519) over the exact bytes of trust.json", base, PathTrustJWS)
	line("- [jwks.json](%s%s): the public keys that verify it", base, PathJWKS)
	line("- [Updates feed](%s%s): Atom", base, PathFeed)
	line("- [security.txt](%s%s): how to report a vulnerability", base, PathSecurityTxt)
	line("")
	line("## Optional")
	line("")
	line("- [Verify a copy](%s%s): whether a report's watermark ID belongs to a genuine copy", base, PathVerify)
	line("- [Request access](%s/access-requests/new): SOC 1 and SOC 2 reports are shared under NDA", base)
	if len(s.Subprocessors) > 0 {
		names := make([]string, len(s.Subprocessors))
		for i, sp := range s.Subprocessors {
			names[i] = oneLine(sp.Name)
		}
		line("- [Subprocessors](%s/#subprocessors): %s", base, strings.Join(names, ", "))
	}
	return []byte(b.String())
}

// ldCertification is a schema.org Certification.
type ldCertification struct {
	Type     string  `json:"@type"`
	Name     string  `json:"name"`
	URL      string  `json:"url"`
	IssuedBy *ldName `json:"issuedBy,omitempty"`
	Status   string  `json:"certificationStatus"`
	From     string  `json:"validFrom,omitempty"`
	Until    string  `json:"expires,omitempty"`
	Issued   string  `json:"datePublished,omitempty"`
	About    string  `json:"description,omitempty"`
}

type ldName struct {
	Type string `json:"@type"`
	Name string `json:"name"`
}

// OrganizationLD is the trust page's JSON-LD: the company as a schema.org
// Organization with its certifications (hasCertification) as of now, in
// lang. It is safe to put inside a script element: json escapes <, > and &.
func OrganizationLD(s *Site, baseURL, lang string, now time.Time) ([]byte, error) {
	base := strings.TrimRight(baseURL, "/")
	org := map[string]any{
		"@context": "https://schema.org",
		"@type":    "Organization",
		"name":     s.Company.Name,
		"url":      s.Company.Website,
	}
	if s.Company.LegalName != "" {
		org["legalName"] = s.Company.LegalName
	}
	if s.Company.Email != "" {
		org["email"] = s.Company.Email
	}
	if logo := absolute(base, s.Company.Logo); logo != "" {
		org["logo"] = logo
	}
	if d := s.Company.Overview.In(lang); d != "" {
		org["description"] = d
	}
	org["subjectOf"] = map[string]any{"@type": "WebPage", "url": base + "/", "name": s.Company.Name + " Trust Center"}
	certs := []ldCertification{}
	for i, cv := range s.Coverage(now) {
		c := s.Certifications[i]
		lc := ldCertification{Type: "Certification", Name: c.Label(lang), URL: base + "/#cert-" + c.ID,
			Status: "https://schema.org/CertificationActive", About: c.Summary.In(lang)}
		if cv.Status != Current {
			lc.Status = "https://schema.org/CertificationInactive"
		}
		if c.Auditor != "" {
			lc.IssuedBy = &ldName{Type: "Organization", Name: c.Auditor}
		}
		if c.IsReport() {
			lc.From = c.LatestPeriod().Start.String()
			if !cv.Through.IsZero() {
				lc.Until = cv.Through.String()
			}
		} else {
			if !c.ValidFrom.IsZero() {
				lc.From = c.ValidFrom.String()
			}
			if !c.ValidUntil.IsZero() {
				lc.Until = c.ValidUntil.String()
			}
		}
		if !c.Issued.IsZero() {
			lc.Issued = c.Issued.String()
		}
		certs = append(certs, lc)
	}
	org["hasCertification"] = certs
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(org); err != nil {
		return nil, fmt.Errorf("json-ld: %w", err)
	}
	return bytes.TrimSpace(buf.Bytes()), nil
}
