package content

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/url"
	"strings"
	"time"

	"trustcenter/shared/i18n"
	"trustcenter/shared/trust"
)

// Paths at which the handlers serve the machine-readable outputs. The
// outputs link to each other through these, so they live here.
const (
	PathTrustJSON   = "/trust.json"
	PathFeed        = "/updates.atom"
	PathSecurityTxt = "/.well-known/security.txt"
	PathSitemap     = "/sitemap.xml"
	PathRobots      = "/robots.txt"
)

// DocumentURL is where a public document is downloaded.
func DocumentURL(baseURL, id string) string {
	return strings.TrimRight(baseURL, "/") + "/documents/" + url.PathEscape(id)
}

// RequestURL is the access-request form preselecting a gated document.
func RequestURL(baseURL, id string) string {
	return strings.TrimRight(baseURL, "/") + "/access-requests/new?document=" + url.QueryEscape(id)
}

// LocalizedURL is the URL of path in lang. Every language, English too, gets
// an explicit ?lang= so that crawlers index one stable language per URL; the
// bare path negotiates and serves as hreflang="x-default". Pages should use
// this for their hreflang links so they agree with the sitemap.
func LocalizedURL(baseURL, path, lang string) string {
	u := strings.TrimRight(baseURL, "/") + path
	if lang == "" {
		return u
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return u + sep + "lang=" + url.QueryEscape(lang)
}

// trust.json: English, because it is read by tools and English is the
// governing language of the reports. Text fields are flattened to strings.

type trustDoc struct {
	Version        int             `json:"version"`
	GeneratedAt    time.Time       `json:"generated_at"`
	URL            string          `json:"url"`
	Language       string          `json:"language"`
	Company        companyOut      `json:"company"`
	Certifications []certOut       `json:"certifications"`
	Criteria       []criterionOut  `json:"criteria"`
	Documents      []documentOut   `json:"documents"`
	Subprocessors  []subprocessOut `json:"subprocessors"`
	Updates        []updateOut     `json:"updates"`
	NDA            ndaOut          `json:"nda"`
	Links          linksOut        `json:"links"`
}

type companyOut struct {
	Name      string   `json:"name"`
	LegalName string   `json:"legal_name,omitempty"`
	Tagline   string   `json:"tagline,omitempty"`
	Overview  string   `json:"overview"`
	Website   string   `json:"website"`
	Email     string   `json:"email"`
	Logo      string   `json:"logo,omitempty"`
	Locations []string `json:"locations,omitempty"`
}

type certOut struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Framework Framework  `json:"framework"`
	Type      ReportType `json:"type,omitempty"`
	// Standard is the one in effect, stated or implied by the framework.
	Standard                string          `json:"standard,omitempty"`
	Criteria                []string        `json:"criteria,omitempty"`
	CriteriaVersion         string          `json:"criteria_version,omitempty"`
	Opinion                 Opinion         `json:"opinion,omitempty"`
	OpinionDetail           string          `json:"opinion_detail,omitempty"`
	Scope                   *scopeOut       `json:"scope,omitempty"`
	SubserviceOrganizations []subserviceOut `json:"subservice_organizations,omitempty"`
	UserEntityControls      []string        `json:"user_entity_controls,omitempty"`
	Auditor                 string          `json:"auditor,omitempty"`
	Issued                  Date            `json:"issued,omitzero"`
	Periods                 []Period        `json:"periods,omitempty"`
	BridgeLetters           []bridgeOut     `json:"bridge_letters,omitempty"`
	ValidFrom               Date            `json:"valid_from,omitzero"`
	ValidUntil              Date            `json:"valid_until,omitzero"`
	NextAudit               Date            `json:"next_audit,omitzero"`
	NextBridgeLetter        Date            `json:"next_bridge_letter,omitzero"`
	Document                string          `json:"document,omitempty"`
	Summary                 string          `json:"summary,omitempty"`
	// StatusLine is StatusLine.Format in English, for tools that show
	// rather than compute.
	StatusLine string   `json:"status_line"`
	Status     Status   `json:"status"`
	Coverage   Coverage `json:"coverage"`
}

type scopeOut struct {
	Services  []string `json:"services,omitempty"`
	Locations []string `json:"locations,omitempty"`
}

type subserviceOut struct {
	Name    string           `json:"name"`
	Service string           `json:"service,omitempty"`
	Method  SubserviceMethod `json:"method"`
}

// bridgeOut is a bridge letter and whether a later report period has
// taken its place; a superseded letter is history, not coverage.
type bridgeOut struct {
	BridgeLetter
	Superseded bool `json:"superseded"`
}

type criterionOut struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	InScope   bool     `json:"in_scope"`
	Practices []string `json:"practices"`
}

type documentOut struct {
	ID            string       `json:"id"`
	Title         string       `json:"title"`
	Kind          string       `json:"kind"`
	Access        trust.Access `json:"access"`
	FileName      string       `json:"file_name"`
	Certification string       `json:"certification,omitempty"`
	DownloadURL   string       `json:"download_url,omitempty"`
	RequestURL    string       `json:"request_url,omitempty"`
	Size          int64        `json:"size,omitempty"`
	Version       int          `json:"version,omitempty"`
	SHA256        string       `json:"sha256,omitempty"`
	UpdatedAt     time.Time    `json:"updated_at,omitzero"`
}

type subprocessOut struct {
	Name     string `json:"name"`
	Purpose  string `json:"purpose"`
	Location string `json:"location"`
	Data     string `json:"data"`
	Website  string `json:"website,omitempty"`
}

type updateOut struct {
	ID    string     `json:"id"`
	Date  Date       `json:"date"`
	Kind  UpdateKind `json:"kind"`
	Title string     `json:"title"`
	Body  string     `json:"body,omitempty"`
	Link  string     `json:"link,omitempty"`
}

type ndaOut struct {
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
}

type linksOut struct {
	Page        string `json:"page"`
	Feed        string `json:"feed"`
	SecurityTxt string `json:"security_txt"`
	Sitemap     string `json:"sitemap"`
}

// TrustJSON is the machine-readable summary at PathTrustJSON, for
// vendor-risk tools. docs, from the document store, add size, version, hash
// and upload time to the documents the content lists; a stored document the
// content does not list is left out, because the content decides what the
// page offers. The output depends only on its arguments.
func TrustJSON(s *Site, docs []trust.Document, baseURL string, now time.Time) ([]byte, error) {
	base := strings.TrimRight(baseURL, "/")
	if _, err := hostOf(base); err != nil {
		return nil, err
	}
	const en = i18n.English
	out := trustDoc{
		Version:     1,
		GeneratedAt: now.UTC().Truncate(time.Second),
		URL:         base + "/",
		Language:    en,
		Company: companyOut{
			Name:      s.Company.Name,
			LegalName: s.Company.LegalName,
			Tagline:   s.Company.Tagline.In(en),
			Overview:  s.Company.Overview.In(en),
			Website:   s.Company.Website,
			Email:     s.Company.Email,
			Logo:      absolute(base, s.Company.Logo),
			Locations: texts(s.Company.Locations, en),
		},
		Certifications: []certOut{},
		Criteria:       []criterionOut{},
		Documents:      []documentOut{},
		Subprocessors:  []subprocessOut{},
		Updates:        []updateOut{},
		NDA:            ndaOut{Version: s.NDA.Version, SHA256: s.NDA.Trust().Hash()},
		Links: linksOut{
			Page:        base + "/",
			Feed:        base + PathFeed,
			SecurityTxt: base + PathSecurityTxt,
			Sitemap:     base + PathSitemap,
		},
	}
	for i, cv := range s.Coverage(now) {
		c := s.Certifications[i]
		if cv.Segments == nil {
			cv.Segments = []Segment{}
		}
		co := certOut{
			ID: c.ID, Name: c.Label(en), Framework: c.Framework, Type: c.Type,
			Standard: c.AttestationStandard(), Criteria: c.Criteria, CriteriaVersion: c.CriteriaVersion.In(en),
			Opinion: c.Opinion, OpinionDetail: c.OpinionDetail.In(en), UserEntityControls: texts(c.UserEntityControls, en),
			Auditor: c.Auditor, Issued: c.Issued, Periods: c.Periods,
			ValidFrom: c.ValidFrom, ValidUntil: c.ValidUntil, NextAudit: c.NextAudit, NextBridgeLetter: c.NextBridgeLetter,
			Document: c.Document, Summary: c.Summary.In(en), StatusLine: c.StatusLine().Format(en), Status: cv.Status,
			Coverage: cv,
		}
		if !c.Scope.IsZero() {
			co.Scope = &scopeOut{Services: texts(c.Scope.Services, en), Locations: texts(c.Scope.Locations, en)}
		}
		for _, so := range c.SubserviceOrganizations {
			co.SubserviceOrganizations = append(co.SubserviceOrganizations, subserviceOut{Name: so.Name, Service: so.Service.In(en), Method: so.Method})
		}
		for _, b := range c.BridgeLetters {
			_, superseded := c.Superseded(b)
			co.BridgeLetters = append(co.BridgeLetters, bridgeOut{BridgeLetter: b, Superseded: superseded})
		}
		out.Certifications = append(out.Certifications, co)
	}
	for _, cr := range s.Criteria {
		out.Criteria = append(out.Criteria, criterionOut{
			ID: cr.ID, Title: cr.Title.In(en), InScope: s.InScope(cr.ID), Practices: texts(cr.Practices, en),
		})
	}
	stored := map[string]trust.Document{}
	for _, d := range docs {
		stored[d.ID] = d
	}
	for _, d := range s.Documents {
		o := documentOut{
			ID: d.ID, Title: d.Title.In(en), Kind: d.Kind, Access: d.Access,
			FileName: d.FileName, Certification: d.Certification,
		}
		if st, ok := stored[d.ID]; ok {
			o.Access = offeredAccess(d, st)
			o.Size, o.Version, o.SHA256 = st.Size, st.Version, st.SHA256
			if !st.UpdatedAt.IsZero() {
				o.UpdatedAt = st.UpdatedAt.UTC()
			}
		}
		if o.Access == trust.Public {
			o.DownloadURL = DocumentURL(base, d.ID)
		} else {
			o.RequestURL = RequestURL(base, d.ID)
		}
		out.Documents = append(out.Documents, o)
	}
	for _, sp := range s.Subprocessors {
		out.Subprocessors = append(out.Subprocessors, subprocessOut{
			Name: sp.Name, Purpose: sp.Purpose.In(en), Location: sp.Location.In(en),
			Data: sp.Data.In(en), Website: sp.Website,
		})
	}
	for _, u := range s.Updates {
		out.Updates = append(out.Updates, updateOut{
			ID: u.ID, Date: u.Date, Kind: u.Kind, Title: u.Title.In(en), Body: u.Body.In(en), Link: absolute(base, u.Link),
		})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Not embedded in HTML, so "&" in "Halden & Ruiz" can stay readable.
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return nil, fmt.Errorf("trust.json: %w", err)
	}
	return buf.Bytes(), nil
}

func texts(ts []Text, lang string) []string {
	if len(ts) == 0 {
		return nil
	}
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.In(lang)
	}
	return out
}

// absolute turns a site path into a URL on base; URLs pass through.
func absolute(base, ref string) string {
	if strings.HasPrefix(ref, "/") && !strings.HasPrefix(ref, "//") {
		return base + ref
	}
	return ref
}

func hostOf(base string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("content: base URL %q is not an absolute http(s) URL", base)
	}
	return u.Hostname(), nil
}

// Atom 1.0 (RFC 4287).

type atomFeed struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang     string      `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID       string      `xml:"id"`
	Title    atomText    `xml:"title"`
	Subtitle atomText    `xml:"subtitle"`
	Updated  string      `xml:"updated"`
	Links    []atomLink  `xml:"link"`
	Author   atomPerson  `xml:"author"`
	Entries  []atomEntry `xml:"entry"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomLink struct {
	Rel      string `xml:"rel,attr"`
	Type     string `xml:"type,attr,omitempty"`
	Hreflang string `xml:"hreflang,attr,omitempty"`
	Href     string `xml:"href,attr"`
}

type atomPerson struct {
	Name  string `xml:"name"`
	URI   string `xml:"uri,omitempty"`
	Email string `xml:"email,omitempty"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	ID        string       `xml:"id"`
	Title     atomText     `xml:"title"`
	Updated   string       `xml:"updated"`
	Published string       `xml:"published"`
	Links     []atomLink   `xml:"link"`
	Category  atomCategory `xml:"category"`
	Content   atomText     `xml:"content"`
}

// Atom is the updates feed in lang, served at PathFeed. Entry ids are tag
// URIs (RFC 4151) built from the base URL's host, the update's date and its
// id, so they do not change when the text is edited or translated. The feed's
// updated time is its newest entry's date, which keeps the output a function
// of the content alone.
func Atom(s *Site, baseURL string, lang string) ([]byte, error) {
	base := strings.TrimRight(baseURL, "/")
	host, err := hostOf(base)
	if err != nil {
		return nil, err
	}
	if !i18n.Supported(lang) {
		lang = i18n.English
	}
	self := LocalizedURL(base, PathFeed, lang)
	page := LocalizedURL(base, "/", lang)
	feed := atomFeed{
		Lang:     lang,
		ID:       self,
		Title:    atomText{Type: "text", Body: i18n.T(lang, "feed.title", s.Company.Name)},
		Subtitle: atomText{Type: "text", Body: i18n.T(lang, "feed.subtitle")},
		Updated:  feedUpdated(s),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: self},
			{Rel: "alternate", Type: "text/html", Hreflang: lang, Href: page},
		},
		Author: atomPerson{Name: s.Company.Name, URI: s.Company.Website, Email: s.Company.Email},
	}
	for _, u := range s.Updates {
		stamp := u.Date.Time().Format(time.RFC3339)
		link := page + "#update-" + u.ID
		if u.Link != "" {
			link = absolute(base, u.Link)
		}
		body := u.Body.In(lang)
		if body == "" {
			body = u.Title.In(lang)
		}
		feed.Entries = append(feed.Entries, atomEntry{
			ID:        fmt.Sprintf("tag:%s,%s:update/%s", host, u.Date, u.ID),
			Title:     atomText{Type: "text", Body: u.Title.In(lang)},
			Updated:   stamp,
			Published: stamp,
			Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: link}},
			Category:  atomCategory{Term: string(u.Kind), Label: i18n.T(lang, "updates.kind."+string(u.Kind))},
			Content:   atomText{Type: "text", Body: body},
		})
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(feed); err != nil {
		return nil, fmt.Errorf("atom: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// feedUpdated picks the newest date the content knows of: the newest
// update, else the newest certification issue date, else the Unix epoch,
// because Atom requires the element and the clock must not leak in.
func feedUpdated(s *Site) string {
	var d Date
	if len(s.Updates) > 0 {
		d = s.Updates[0].Date
	} else {
		for _, c := range s.Certifications {
			if c.Issued.After(d) {
				d = c.Issued
			}
		}
	}
	if d.IsZero() {
		return time.Unix(0, 0).UTC().Format(time.RFC3339)
	}
	return d.Time().Format(time.RFC3339)
}

// SecurityTxt renders /.well-known/security.txt (RFC 9116), fields in the
// order the RFC defines them in section 2.5. Canonical is derived from
// baseURL so that a copy served elsewhere is recognisably out of place.
func SecurityTxt(s *Site, baseURL string) []byte {
	base := strings.TrimRight(baseURL, "/")
	st := s.SecurityTxt
	var b strings.Builder
	field := func(name, value string) {
		if value != "" {
			// A value is one line; a newline would forge another field.
			b.WriteString(name + ": " + oneLine(value) + "\n")
		}
	}
	b.WriteString("# Security contact for " + oneLine(s.Company.Name) + ". See RFC 9116.\n")
	field("Acknowledgments", st.Acknowledgments)
	field("Canonical", base+PathSecurityTxt)
	for _, c := range st.Contact {
		field("Contact", c)
	}
	field("Encryption", st.Encryption)
	if !st.Expires.IsZero() {
		field("Expires", st.Expires.UTC().Format(time.RFC3339))
	}
	field("Hiring", st.Hiring)
	field("Policy", st.Policy)
	field("Preferred-Languages", strings.Join(st.PreferredLanguages, ", "))
	return []byte(b.String())
}

// oneLine replaces line breaks with spaces.
func oneLine(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }

// Sitemap lists every page in every language, each with hreflang
// alternates (including x-default, the negotiating bare URL), so that
// crawlers find and pair the translations. With no langs, it lists the
// bare paths.
func Sitemap(baseURL string, paths []string, langs []string) []byte {
	base := strings.TrimRight(baseURL, "/")
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">` + "\n")
	esc := func(s string) string {
		var e bytes.Buffer
		_ = xml.EscapeText(&e, []byte(s)) // writes to memory; cannot fail
		return e.String()
	}
	for _, p := range paths {
		if len(langs) == 0 {
			b.WriteString("  <url>\n    <loc>" + esc(base+p) + "</loc>\n  </url>\n")
			continue
		}
		for _, lang := range langs {
			b.WriteString("  <url>\n    <loc>" + esc(LocalizedURL(base, p, lang)) + "</loc>\n")
			for _, alt := range langs {
				fmt.Fprintf(&b, "    <xhtml:link rel=\"alternate\" hreflang=\"%s\" href=\"%s\"/>\n", esc(alt), esc(LocalizedURL(base, p, alt)))
			}
			fmt.Fprintf(&b, "    <xhtml:link rel=\"alternate\" hreflang=\"x-default\" href=\"%s\"/>\n", esc(base+p))
			b.WriteString("  </url>\n")
		}
	}
	b.WriteString("</urlset>\n")
	return b.Bytes()
}

// Robots is /robots.txt: the public pages and public reports may be
// crawled; the access-request flow, personal access links and the staff
// console may not, since their URLs carry tokens or are of no use to a
// search index.
func Robots(baseURL string) []byte {
	base := strings.TrimRight(baseURL, "/")
	return []byte("User-agent: *\n" +
		"Allow: /\n" +
		"Disallow: /access-requests/\n" +
		"Disallow: /access/\n" +
		"Disallow: /admin/\n" +
		"\n" +
		"Sitemap: " + base + PathSitemap + "\n")
}
