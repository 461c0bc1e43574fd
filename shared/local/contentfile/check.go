package contentfile

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"trustcenter/shared/i18n"
	"trustcenter/shared/trust"

	"trustcenter/shared/content"
)

var (
	slugRE  = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	colorRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	// plainRE is a file name or version that needs no quoting anywhere it
	// goes: a Content-Disposition header, a URL, a log line.
	plainRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	langTagRE = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
)

// checker reports problems of meaning (references, enums, date order) at
// the line where the offending value was written.
type checker struct{ d *decoder }

func (c checker) errorf(path, format string, args ...any) {
	c.d.add(c.d.lineOf(path), path, format, args...)
}

func (c checker) required(path, s string) bool {
	if strings.TrimSpace(s) == "" {
		c.errorf(path, "required")
		return false
	}
	return true
}

func (c checker) requiredText(path string, t content.Text) {
	if t.In(i18n.English) == "" {
		c.errorf(path, "required")
	}
}

func (c checker) requiredDate(path string, d content.Date) bool {
	if d.IsZero() {
		c.errorf(path, "required")
		return false
	}
	return true
}

func (c checker) slug(path, s string) bool {
	if !c.required(path, s) {
		return false
	}
	if !slugRE.MatchString(s) {
		c.errorf(path, "%q is not a valid id (want lowercase letters, digits and single hyphens)", s)
		return false
	}
	return true
}

// httpsURL checks an absolute https URL. Plain http is refused: every link
// on a trust page should itself be trustworthy.
func (c checker) httpsURL(path, s string) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		c.errorf(path, "%q is not an https:// URL", s)
	}
}

// sitePath checks a path on this site: rooted, no scheme-relative "//" and
// no ".." that could step outside.
func sitePath(s string) bool {
	return strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") && !slices.Contains(strings.Split(s, "/"), "..")
}

func (c checker) email(path, s string) {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		c.errorf(path, "%q is not an email address", s)
	}
}

func (c checker) unique(seen map[string]string, path, what, id string) {
	if prev, ok := seen[id]; ok {
		c.errorf(path, "duplicate %s %q (also at %s)", what, id, prev)
		return
	}
	seen[id] = path
}

func check(s *content.Site, d *decoder) {
	c := checker{d}
	c.company(s.Company)
	certs := map[string]string{}
	for i, ct := range s.Certifications {
		if ct.ID != "" {
			c.unique(certs, fmt.Sprintf("certifications[%d].id", i), "certification id", ct.ID)
		}
	}
	docs := map[string]string{}
	for i, doc := range s.Documents {
		if doc.ID != "" {
			c.unique(docs, fmt.Sprintf("documents[%d].id", i), "document id", doc.ID)
		}
	}
	for i, doc := range s.Documents {
		c.document(fmt.Sprintf("documents[%d]", i), doc)
	}
	for i, ct := range s.Certifications {
		c.certification(fmt.Sprintf("certifications[%d]", i), ct)
	}
	for i, ct := range s.Certifications {
		c.reportDepth(fmt.Sprintf("certifications[%d]", i), ct, s.Subprocessors)
	}
	c.links(s)
	c.library(s)
	c.knowledge(s)
	c.criteria(s.Criteria)
	names := map[string]string{}
	for i, sp := range s.Subprocessors {
		p := fmt.Sprintf("subprocessors[%d]", i)
		if c.required(p+".name", sp.Name) {
			c.unique(names, p+".name", "subprocessor", sp.Name)
		}
		c.requiredText(p+".purpose", sp.Purpose)
		c.requiredText(p+".location", sp.Location)
		c.requiredText(p+".data", sp.Data)
		if sp.Website != "" {
			c.httpsURL(p+".website", sp.Website)
		}
	}
	for i, f := range s.FAQ {
		p := fmt.Sprintf("faq[%d]", i)
		c.requiredText(p+".question", f.Question)
		c.requiredText(p+".answer", f.Answer)
	}
	c.updates(s.Updates, s)
	c.required("nda.version", s.NDA.Version)
	if s.NDA.Version != "" && !plainRE.MatchString(s.NDA.Version) {
		c.errorf("nda.version", "%q is not a version (want e.g. 2026-01)", s.NDA.Version)
	}
	c.required("nda.text", s.NDA.Text)
	c.securityTxt(s.SecurityTxt)
	if d.has("requests") {
		c.requiredText("requests.turnaround", s.Requests.Turnaround)
		if s.Requests.Contact != "" {
			c.email("requests.contact", s.Requests.Contact)
		}
	}
	if d.has("stale_after_months") && (s.StaleAfterMonths < 1 || s.StaleAfterMonths > 120) {
		c.errorf("stale_after_months", "%d is out of range (want 1 to 120)", s.StaleAfterMonths)
	}
}

func (c checker) company(co content.Company) {
	c.required("company.name", co.Name)
	c.requiredText("company.overview", co.Overview)
	if c.required("company.website", co.Website) {
		c.httpsURL("company.website", co.Website)
	}
	if c.required("company.email", co.Email) {
		c.email("company.email", co.Email)
	}
	if co.Logo != "" && !strings.HasPrefix(co.Logo, "https://") && !(strings.HasPrefix(co.Logo, "/static/") && sitePath(co.Logo)) {
		c.errorf("company.logo", "%q is neither an https:// URL nor a path under /static/", co.Logo)
	} else if strings.HasPrefix(co.Logo, "https://") {
		c.httpsURL("company.logo", co.Logo)
	}
	if co.PrimaryColor != "" && !colorRE.MatchString(co.PrimaryColor) {
		c.errorf("company.primary_color", "%q is not a colour (want #rrggbb)", co.PrimaryColor)
	}
	for i, l := range co.Locations {
		c.requiredText(fmt.Sprintf("company.locations[%d]", i), l)
	}
}

func (c checker) document(p string, doc content.Document) {
	c.slug(p+".id", doc.ID)
	c.requiredText(p+".title", doc.Title)
	c.required(p+".kind", doc.Kind)
	switch doc.Access {
	case trust.Public, trust.NDAOnly, trust.Gated:
	case "":
		c.errorf(p+".access", "required (public, nda or gated)")
	default:
		c.errorf(p+".access", "%q is not an access level (want public, nda or gated)", doc.Access)
	}
	if c.required(p+".file_name", doc.FileName) && !plainRE.MatchString(doc.FileName) {
		// The name goes into a Content-Disposition header.
		c.errorf(p+".file_name", "%q is not a plain file name (letters, digits, '.', '_', '-')", doc.FileName)
	}
}

// links checks the links between documents and certifications. Either side
// may name one (a document's certification, a certification's document), so
// every rule about a link holds whichever side wrote it: a certification has
// at most one document, a document belongs to at most one certification,
// and a SOC 1 or SOC 2 report is never public.
func (c checker) links(s *content.Site) {
	docOf := map[string]string{}  // certification id → its document's id
	claim := map[string]string{}  // certification id → the path naming that link
	certOf := map[string]string{} // document id → its certification's id
	for i, doc := range s.Documents {
		if doc.Certification == "" {
			continue
		}
		p := fmt.Sprintf("documents[%d].certification", i)
		switch _, ok := s.Certification(doc.Certification); {
		case !ok:
			c.errorf(p, "no certification has id %q", doc.Certification)
		case docOf[doc.Certification] != "":
			c.errorf(p, "certification %q already has document %q (at %s)", doc.Certification, docOf[doc.Certification], claim[doc.Certification])
		default:
			docOf[doc.Certification], claim[doc.Certification], certOf[doc.ID] = doc.ID, p, doc.Certification
		}
	}
	for i, ct := range s.Certifications {
		if ct.Document == "" {
			continue
		}
		p := fmt.Sprintf("certifications[%d].document", i)
		doc, ok := s.Document(ct.Document)
		switch {
		case !ok:
			c.errorf(p, "no document has id %q", ct.Document)
		case doc.Certification != "" && doc.Certification != ct.ID:
			c.errorf(p, "document %q belongs to certification %q", doc.ID, doc.Certification)
		case docOf[ct.ID] != "" && docOf[ct.ID] != doc.ID:
			c.errorf(p, "certification %q already has document %q (at %s)", ct.ID, docOf[ct.ID], claim[ct.ID])
		case certOf[doc.ID] != "" && certOf[doc.ID] != ct.ID:
			c.errorf(p, "document %q already belongs to certification %q (at %s)", doc.ID, certOf[doc.ID], claim[certOf[doc.ID]])
		default:
			docOf[ct.ID], claim[ct.ID], certOf[doc.ID] = doc.ID, p, ct.ID
		}
	}
	// SOC 1 and SOC 2 reports are restricted-use under AICPA standards;
	// publishing one by a slip of the access field would breach that. Every
	// link either side names counts here, refused ones too, so that fixing
	// one problem cannot uncover this one only on the next deploy.
	for i, doc := range s.Documents {
		if doc.Access != trust.Public {
			continue
		}
		for _, ct := range s.Certifications {
			if (ct.Framework == content.SOC1 || ct.Framework == content.SOC2) && (doc.Certification == ct.ID || ct.Document == doc.ID) {
				c.errorf(fmt.Sprintf("documents[%d].access", i), "a %s report (certification %q) is restricted-use; access must be gated or nda",
					i18n.T(i18n.English, "framework."+string(ct.Framework)), ct.ID)
				break
			}
		}
	}
}

func (c checker) certification(p string, ct content.Certification) {
	c.slug(p+".id", ct.ID)
	f := ct.Framework
	switch {
	case f == "":
		c.errorf(p+".framework", "required")
		return
	case !slices.Contains(content.Frameworks, f):
		c.errorf(p+".framework", "%q is not a framework (want one of %s)", f, frameworkList())
		return
	}
	if f == content.SOC1 || f == content.SOC2 {
		switch ct.Type {
		case content.Type1, content.Type2:
		case "":
			c.errorf(p+".type", "required for %s (type1 or type2)", f)
		default:
			c.errorf(p+".type", "%q is not a report type (want type1 or type2)", ct.Type)
		}
	} else if ct.Type != "" {
		c.errorf(p+".type", "only SOC 1 and SOC 2 reports have a type")
	}
	if f == content.Other {
		c.requiredText(p+".name", ct.Name)
	}
	c.scope(p, ct)

	hasPeriods := len(ct.Periods) > 0
	hasValidity := !ct.ValidFrom.IsZero() || !ct.ValidUntil.IsZero()
	switch {
	case f.IsSOC():
		if !hasPeriods {
			c.errorf(p+".periods", "required for a SOC report")
		}
		if hasValidity {
			c.errorf(p+".valid_from", "a SOC report has periods, not valid_from/valid_until")
		}
	case f.IsCertificate():
		if hasPeriods {
			c.errorf(p+".periods", "a certificate has valid_from/valid_until, not periods")
		}
		c.requiredDate(p+".valid_from", ct.ValidFrom)
		c.requiredDate(p+".valid_until", ct.ValidUntil)
	default:
		if hasPeriods == hasValidity {
			c.errorf(p, "give either periods (a report) or valid_from/valid_until (a certificate)")
		} else if hasValidity {
			c.requiredDate(p+".valid_from", ct.ValidFrom)
			c.requiredDate(p+".valid_until", ct.ValidUntil)
		}
	}
	if !ct.ValidFrom.IsZero() && !ct.ValidUntil.IsZero() && !ct.ValidFrom.Before(ct.ValidUntil) {
		c.errorf(p+".valid_until", "%s is not after valid_from %s", ct.ValidUntil, ct.ValidFrom)
	}
	for i, per := range ct.Periods {
		c.period(fmt.Sprintf("%s.periods[%d]", p, i), ct.Type, per)
	}
	if f.IsSOC() || f.IsCertificate() {
		c.required(p+".auditor", ct.Auditor)
	}
	latest := ct.LatestPeriod()
	if f.IsSOC() {
		c.requiredDate(p+".issued", ct.Issued)
	}
	if !ct.Issued.IsZero() && !latest.End.IsZero() && ct.Issued.Before(latest.End) {
		c.errorf(p+".issued", "%s is before the report period ends (%s)", ct.Issued, latest.End)
	}
	if len(ct.BridgeLetters) > 0 && !hasPeriods {
		c.errorf(p+".bridge_letters", "bridge letters follow report periods; this has none")
	}
	for i, bl := range ct.BridgeLetters {
		c.bridgeLetter(fmt.Sprintf("%s.bridge_letters[%d]", p, i), ct, bl)
	}
}

// atcSectionRE finds the AT-C section numbers that tell a SOC 1
// examination (320) from a SOC 2 or SOC 3 one (205).
var atcSectionRE = regexp.MustCompile(`\b(205|320)\b`)

// reportDepth checks what the content says about the latest report beyond
// its dates: standard, criteria edition, opinion, scope, subservice
// organisations and user entity controls. Each can contradict the
// framework, and the page would then describe a report that cannot exist.
func (c checker) reportDepth(p string, ct content.Certification, subprocessors []content.Subprocessor) {
	f := ct.Framework
	if !slices.Contains(content.Frameworks, f) {
		return // certification has reported the framework
	}
	name := i18n.T(i18n.English, "framework."+string(f))
	if st := ct.Standard; f.IsSOC() && strings.Contains(strings.ToUpper(st), "AT-C") {
		want := "205"
		if f == content.SOC1 {
			want = "320"
		}
		for _, n := range atcSectionRE.FindAllString(st, -1) {
			if n != want {
				c.errorf(p+".standard", "a %s report is examined under AT-C section %s, not %s", name, want, n)
			}
		}
	}
	if f == content.SOC1 && strings.Contains(strings.ToUpper(ct.Standard), "TSP") {
		c.errorf(p+".standard", "a SOC 1 report tests control objectives, not the Trust Services Criteria (TSP section 100)")
	}
	if !ct.CriteriaVersion.IsZero() {
		switch {
		case f == content.SOC1:
			c.errorf(p+".criteria_version", "a SOC 1 report tests control objectives, not the Trust Services Criteria")
		case f != content.SOC2 && f != content.SOC3:
			c.errorf(p+".criteria_version", "only SOC 2 and SOC 3 reports are measured against the Trust Services Criteria")
		}
	}
	switch o := ct.Opinion; {
	case o == "":
	case !slices.Contains(content.Opinions, o):
		c.errorf(p+".opinion", "%q is not an opinion (want unqualified, qualified, adverse or disclaimer)", o)
	case f.IsCertificate():
		c.errorf(p+".opinion", "a certificate carries no auditor's opinion")
	}
	switch {
	case ct.Opinion.Modified() && ct.OpinionDetail.IsZero():
		c.errorf(p+".opinion_detail", "required with a %s opinion: say what it is about", ct.Opinion)
	case ct.Opinion == "" && !ct.OpinionDetail.IsZero():
		c.errorf(p+".opinion_detail", "explains an opinion, and opinion is not set")
	}
	for i, sv := range ct.Scope.Services {
		c.requiredText(fmt.Sprintf("%s.scope.services[%d]", p, i), sv)
	}
	for i, l := range ct.Scope.Locations {
		c.requiredText(fmt.Sprintf("%s.scope.locations[%d]", p, i), l)
	}
	if len(ct.SubserviceOrganizations) > 0 && !f.IsSOC() {
		c.errorf(p+".subservice_organizations", "only SOC reports name subservice organisations")
	}
	var listed []string
	for _, sp := range subprocessors {
		listed = append(listed, sp.Name)
	}
	seen := map[string]string{}
	for i, so := range ct.SubserviceOrganizations {
		q := fmt.Sprintf("%s.subservice_organizations[%d]", p, i)
		if c.required(q+".name", so.Name) {
			c.unique(seen, q+".name", "subservice organisation", so.Name)
		}
		switch so.Method {
		case content.CarveOut:
			// Carved out, the vendor's controls are nobody's finding in this
			// report; the reader must be able to find and assess it.
			if so.Name != "" && !slices.Contains(listed, so.Name) {
				msg := fmt.Sprintf("carved-out subservice organisation %q is not in the subprocessors list; its controls are outside the report, so readers must find it there", so.Name)
				if s := suggest(so.Name, listed); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				}
				c.errorf(q+".name", "%s", msg)
			}
		case content.Inclusive:
		case "":
			c.errorf(q+".method", "required (carve-out or inclusive)")
		default:
			c.errorf(q+".method", "%q is not a method (want carve-out or inclusive)", so.Method)
		}
	}
	if len(ct.UserEntityControls) > 0 && !f.IsSOC() {
		c.errorf(p+".user_entity_controls", "only SOC reports list complementary user entity controls")
	}
	for i, u := range ct.UserEntityControls {
		c.requiredText(fmt.Sprintf("%s.user_entity_controls[%d]", p, i), u)
	}
	if d := ct.NextBridgeLetter; !d.IsZero() {
		switch latest := ct.LatestPeriod(); {
		case !ct.IsReport():
			c.errorf(p+".next_bridge_letter", "bridge letters follow report periods; this has none")
		case !d.After(latest.End):
			c.errorf(p+".next_bridge_letter", "%s is not after the latest report period ends (%s)", d, latest.End)
		}
	}
}

func (c checker) scope(p string, ct content.Certification) {
	if len(ct.Criteria) > 0 && ct.Framework != content.SOC2 && ct.Framework != content.SOC3 {
		c.errorf(p+".criteria", "only SOC 2 and SOC 3 reports have Trust Services Criteria in scope")
		return
	}
	seen := map[string]string{}
	for i, id := range ct.Criteria {
		q := fmt.Sprintf("%s.criteria[%d]", p, i)
		if !slices.Contains(content.CriteriaIDs, id) {
			c.errorf(q, "%q is not a Trust Services Criterion (want one of %s)", id, strings.Join(content.CriteriaIDs, ", "))
			continue
		}
		c.unique(seen, q, "criterion", id)
	}
	// The common criteria (security) are part of every SOC 2 examination;
	// a scope without them describes a report that cannot exist.
	if ct.Framework == content.SOC2 && !slices.Contains(ct.Criteria, content.Security) {
		c.errorf(p+".criteria", "a SOC 2 report always includes security")
	}
}

func (c checker) period(p string, typ content.ReportType, per content.Period) {
	okStart := c.requiredDate(p+".start", per.Start)
	okEnd := c.requiredDate(p+".end", per.End)
	if !okStart || !okEnd {
		return
	}
	switch {
	case per.End.Before(per.Start):
		c.errorf(p+".end", "%s is before start %s", per.End, per.Start)
	case typ == content.Type1 && per.Start != per.End:
		c.errorf(p+".end", "a Type I report is as of one day: start and end must be equal")
	case typ == content.Type2 && per.Start == per.End:
		c.errorf(p+".end", "a Type II report covers a period: end must be after start")
	}
}

func (c checker) bridgeLetter(p string, ct content.Certification, bl content.BridgeLetter) {
	okFrom := c.requiredDate(p+".covers_from", bl.CoversFrom)
	okTo := c.requiredDate(p+".covers_to", bl.CoversTo)
	okIssued := c.requiredDate(p+".issued", bl.Issued)
	if !okFrom || !okTo {
		return
	}
	if bl.CoversTo.Before(bl.CoversFrom) {
		c.errorf(p+".covers_to", "%s is before covers_from %s", bl.CoversTo, bl.CoversFrom)
	}
	// Management can only vouch for days that have already passed.
	if okIssued && bl.Issued.Before(bl.CoversTo) {
		c.errorf(p+".issued", "%s is before the end of the days it covers (%s)", bl.Issued, bl.CoversTo)
	}
	if first := firstPeriodEnd(ct); !first.IsZero() && !bl.CoversFrom.After(first) {
		c.errorf(p+".covers_from", "%s is not after a report period ends (%s)", bl.CoversFrom, first)
	}
}

func firstPeriodEnd(ct content.Certification) content.Date {
	var first content.Date
	for _, p := range ct.Periods {
		if !p.End.IsZero() && (first.IsZero() || p.End.Before(first)) {
			first = p.End
		}
	}
	return first
}

func (c checker) criteria(cs []content.Criterion) {
	seen := map[string]string{}
	for i, cr := range cs {
		p := fmt.Sprintf("criteria[%d]", i)
		if !c.required(p+".id", cr.ID) {
			continue
		}
		if !slices.Contains(content.CriteriaIDs, cr.ID) {
			c.errorf(p+".id", "%q is not a Trust Services Criterion (want one of %s)", cr.ID, strings.Join(content.CriteriaIDs, ", "))
			continue
		}
		c.unique(seen, p+".id", "criterion", cr.ID)
		c.requiredText(p+".title", cr.Title)
		if len(cr.Practices) == 0 {
			c.errorf(p+".practices", "required: what the company does for %s", cr.ID)
		}
		for j, pr := range cr.Practices {
			c.requiredText(fmt.Sprintf("%s.practices[%d]", p, j), pr)
		}
	}
	// The page presents all five categories, including the ones outside
	// the audit scope, so a reader sees nothing has been left out quietly.
	for _, id := range content.CriteriaIDs {
		if _, ok := seen[id]; !ok {
			c.errorf("criteria", "missing criterion %q", id)
		}
	}
}

var updateKinds = []content.UpdateKind{content.UpdateReport, content.UpdateSubprocessor, content.UpdateIncident, content.UpdateOther}

func (c checker) updates(us []content.Update, s *content.Site) {
	ids := map[string]string{}
	for i, u := range us {
		p := fmt.Sprintf("updates[%d]", i)
		// An id not written was derived from the date and title, and
		// derived ids must be unique too.
		if (!c.d.has(p+".id") || c.slug(p+".id", u.ID)) && u.ID != "" {
			c.unique(ids, p+".id", "update id", u.ID)
		}
		c.requiredDate(p+".date", u.Date)
		switch {
		case u.Kind == "":
			c.errorf(p+".kind", "required")
		case !slices.Contains(updateKinds, u.Kind):
			c.errorf(p+".kind", "%q is not an update kind (want report, subprocessor, incident or other)", u.Kind)
		}
		c.requiredText(p+".title", u.Title)
		if u.Link != "" && !sitePath(u.Link) {
			c.httpsURL(p+".link", u.Link)
		}
		c.subprocessorChange(p+".change", u, s)
	}
}

// subprocessorChange checks that a change names subprocessors as the list
// does: what it adds or changes is listed (changed to its new value), what
// it removes is not, and it takes effect no earlier than announced.
func (c checker) subprocessorChange(p string, u content.Update, s *content.Site) {
	ch := u.Change
	if ch.IsZero() {
		return
	}
	if u.Kind != content.UpdateSubprocessor {
		c.errorf(p, "only an update of kind subprocessor states a change")
		return
	}
	if ch.Effective.IsZero() {
		c.errorf(p+".effective", "required: the day the change takes effect")
	} else if ch.Effective.Before(u.Date) {
		c.errorf(p+".effective", "%s is before the update's date %s", ch.Effective, u.Date)
	}
	for i, name := range ch.Added {
		if _, ok := s.Subprocessor(name); !ok {
			c.errorf(fmt.Sprintf("%s.added[%d]", p, i), "%q is not in subprocessors", name)
		}
	}
	for i, name := range ch.Removed {
		if _, ok := s.Subprocessor(name); ok {
			c.errorf(fmt.Sprintf("%s.removed[%d]", p, i), "%q is still in subprocessors", name)
		}
	}
	for i, e := range ch.Changed {
		q := fmt.Sprintf("%s.changed[%d]", p, i)
		sp, ok := s.Subprocessor(e.Name)
		if !ok {
			c.errorf(q+".name", "%q is not in subprocessors", e.Name)
			continue
		}
		var now content.Text
		switch e.Field {
		case "location":
			now = sp.Location
		case "purpose":
			now = sp.Purpose
		default:
			c.errorf(q+".field", "%q is not location or purpose", e.Field)
			continue
		}
		c.requiredText(q+".from", e.From)
		if e.To.In(i18n.English) != now.In(i18n.English) {
			c.errorf(q+".to", "%q is not the subprocessor's %s in the list (%q)", e.To.In(i18n.English), e.Field, now.In(i18n.English))
		}
	}
}

func (c checker) securityTxt(st content.SecurityContact) {
	const p = "security_txt"
	if len(st.Contact) == 0 {
		c.errorf(p+".contact", "required: at least one mailto: or https: address")
	}
	for i, ct := range st.Contact {
		q := fmt.Sprintf("%s.contact[%d]", p, i)
		switch {
		case strings.HasPrefix(ct, "mailto:"):
			c.email(q, strings.TrimPrefix(ct, "mailto:"))
		case strings.HasPrefix(ct, "https:"):
			c.httpsURL(q, ct)
		default:
			c.errorf(q, "%q is not a mailto: or https: URI", ct)
		}
	}
	if st.Expires.IsZero() {
		c.errorf(p+".expires", "required (RFC 9116)")
	}
	for _, f := range []struct{ name, v string }{
		{"policy", st.Policy}, {"acknowledgments", st.Acknowledgments}, {"hiring", st.Hiring},
	} {
		if f.v != "" {
			c.httpsURL(p+"."+f.name, f.v)
		}
	}
	if e := st.Encryption; e != "" && !strings.HasPrefix(e, "openpgp4fpr:") && !strings.HasPrefix(e, "dns:") {
		c.httpsURL(p+".encryption", e)
	}
	for i, l := range st.PreferredLanguages {
		if !langTagRE.MatchString(l) {
			c.errorf(fmt.Sprintf("%s.preferred_languages[%d]", p, i), "%q is not a language tag", l)
		}
	}
}

func frameworkList() string {
	s := make([]string, len(content.Frameworks))
	for i, f := range content.Frameworks {
		s[i] = string(f)
	}
	return strings.Join(s, ", ")
}

// completeLinks names each document-certification link on the side that
// left it out, so code reading either side finds it. check has made sure
// that the two sides agree and each link is one to one.
func completeLinks(s *content.Site) {
	for i := range s.Certifications {
		ct := &s.Certifications[i]
		if ct.Document != "" {
			continue
		}
		if j := slices.IndexFunc(s.Documents, func(d content.Document) bool { return d.Certification == ct.ID }); j >= 0 {
			ct.Document = s.Documents[j].ID
		}
	}
	for i := range s.Documents {
		doc := &s.Documents[i]
		if doc.Certification != "" {
			continue
		}
		if j := slices.IndexFunc(s.Certifications, func(c content.Certification) bool { return c.Document == doc.ID }); j >= 0 {
			doc.Certification = s.Certifications[j].ID
		}
	}
}

// deriveUpdateIDs gives each update without an id one made from its date
// and English title, so feed entries keep their identity across deploys.
func deriveUpdateIDs(s *content.Site) {
	for i := range s.Updates {
		u := &s.Updates[i]
		if u.ID != "" || u.Date.IsZero() {
			continue
		}
		u.ID = u.Date.String()
		if sl := slugify(u.Title.In(i18n.English)); sl != "" {
			u.ID += "-" + sl
		}
	}
}

func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	return b.String()
}

// Deployable reports what makes a checked site unfit to ship at now, which
// Parse leaves alone so that reading a file does not depend on the day:
// an expired security.txt. Scanners disregard one (RFC 9116, section
// 2.5.5), so shipping it would be as good as publishing no contact at all.
// make build runs it before compiling the content.
func Deployable(s *content.Site, name string, now time.Time) error {
	if st := s.SecurityTxt; st.Expired(now) {
		return &Error{File: name, Problems: []Problem{{Path: "security_txt.expires",
			Msg: fmt.Sprintf("%s has passed (it is now %s); set a later date", st.Expires.Format(time.RFC3339), now.UTC().Format(time.RFC3339))}}}
	}
	return nil
}
