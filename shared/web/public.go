package web

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"trustcenter/shared/content"
	"trustcenter/shared/i18n"
	"trustcenter/shared/trust"
	"trustcenter/site/pages"
)

// docsTTL is how long the public function trusts its copy of the document
// list before asking the store again: a new report version shows within
// this time without a query per page view.
const docsTTL = 30 * time.Second

// PathNDA serves the NDA's text, which the request form links to.
const PathNDA = "/nda.txt"

func (s *server) mountPublic(m router) {
	m.handle("GET", "/{$}", s.machine("text/html; charset=utf-8", usesDocs|usesDay|usesLang, s.trustPage))
	s.mountKnowledge(m)
	m.handle("GET", "/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	// trust.json is English whatever the reader's language; the feed has
	// no statuses, so it depends on neither documents nor the day.
	m.handle("GET", content.PathTrustJSON, s.machine("application/json", trustJSONUses, s.trustJSON))
	m.handle("GET", content.PathFeed, s.machine("application/atom+xml; charset=utf-8", usesLang, func(in bodyInput) ([]byte, error) {
		return content.Atom(s.site, s.svc.BaseURL(), in.Lang)
	}))
	m.handle("GET", content.PathSecurityTxt, s.machine("text/plain; charset=utf-8", 0, func(bodyInput) ([]byte, error) {
		return content.SecurityTxt(s.site, s.svc.BaseURL()), nil
	}))
	m.handle("GET", content.PathSitemap, s.machine("application/xml; charset=utf-8", 0, func(bodyInput) ([]byte, error) {
		return content.Sitemap(s.svc.BaseURL(), sitemapPaths, i18n.Languages), nil
	}))
	m.handle("GET", content.PathLLMs, s.machine("text/plain; charset=utf-8", usesDay, func(in bodyInput) ([]byte, error) {
		return content.LLMsTxt(s.site, s.svc.BaseURL(), in.Now), nil
	}))
	m.handle("GET", content.PathRobots, s.machine("text/plain; charset=utf-8", 0, func(bodyInput) ([]byte, error) {
		return content.Robots(s.svc.BaseURL()), nil
	}))
	// The NDA as the form shows it, for a requester's legal team to read
	// or file before anyone accepts it; the form states its hash.
	m.handle("GET", PathNDA, s.currentNDAText)
	m.handle("GET", PathNDAVersion, s.ndaVersionText)
	// The wildcard is named as API Gateway names a greedy path variable.
	m.handle("GET", "/static/{proxy...}", s.serveStatic)
	// A redirect browsers may keep a day, not for good: the favicon's
	// hashed name changes with the file.
	m.handle("GET", "/favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		http.Redirect(w, r, staticAssets.url("/static/favicon.svg"), http.StatusFound)
	})
}

// inlineStatic is the small SVG at path under /static/ as a data: URL, so
// that a page's first view needs no request besides its own; "" for any
// other path or type. Both are read once, at start.
func inlineStatic(path string) string {
	name, ok := strings.CutPrefix(path, "/static/")
	a := staticAssets.byName[name]
	if !ok || a == nil || !strings.HasSuffix(name, ".svg") {
		return ""
	}
	return "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(a.data)
}

func (s *server) lang(r *http.Request) string {
	return i18n.Negotiate(r.Header.Get("Accept-Language"), r.URL.Query().Get("lang"))
}

// keepLang carries an explicit ?lang= choice over a redirect, as the
// language it resolved to, never as the raw value the client sent.
func (s *server) keepLang(r *http.Request, q url.Values) {
	if r.URL.Query().Get("lang") != "" {
		q.Set("lang", s.lang(r))
	}
}

// docList is the public function's short-lived copy of the document list.
// It outlives a store outage: while the store fails, the last list read
// stands in for it, so the trust page stays up.
type docList struct {
	mu      sync.Mutex
	at      time.Time // when docs were read from the store
	retryAt time.Time // while the store fails, when to ask it again
	docs    []trust.Document
	key     string // changes whenever any document's version changes
}

// While the store fails and an older list stands in, it is asked again at
// most every staleRetry, and given at most staleWait to answer, so that
// an outage costs the readers of the page little time.
const (
	staleRetry = 5 * time.Second
	staleWait  = 2 * time.Second
)

// documents is the document list and its key, the last one read while
// the store fails.
func (s *server) documents(ctx context.Context) ([]trust.Document, string, error) {
	docs, key, _, err := s.documentsOrStale(ctx)
	return docs, key, err
}

// documentsOrStale returns the document list and its key. stale says the list
// is the last one read, older than docsTTL, standing in for a store that
// failed (the log line that says so is the caller's, with the request);
// err is the store's failure when there is no list to fall back on.
func (s *server) documentsOrStale(ctx context.Context) (docs []trust.Document, key string, stale error, err error) {
	l := &s.docs
	l.mu.Lock()
	defer l.mu.Unlock()
	now := s.now()
	have := !l.at.IsZero()
	if have && now.Sub(l.at) < docsTTL {
		return l.docs, l.key, nil, nil
	}
	if have && now.Before(l.retryAt) {
		return l.docs, l.key, errStoreFailing, nil
	}
	if have {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, staleWait)
		defer cancel()
	}
	fresh, err := s.svc.Documents(ctx)
	if err != nil {
		if !have {
			return nil, "", nil, err
		}
		l.retryAt = now.Add(staleRetry)
		return l.docs, l.key, err, nil
	}
	var b strings.Builder
	for _, d := range fresh {
		fmt.Fprintf(&b, "%s@%d;", d.ID, d.Version)
	}
	l.docs, l.key, l.at, l.retryAt = fresh, b.String(), now, time.Time{}
	return l.docs, l.key, nil, nil
}

func (s *server) docsReadAt() time.Time {
	s.docs.mu.Lock()
	defer s.docs.mu.Unlock()
	return s.docs.at
}

// errStoreFailing is why a stale list is served between two tries of a
// store that failed.
var errStoreFailing = errors.New("the store failed moments ago; not asked again yet")

// staleMaxAge is how long a cache may keep a body built from a stale
// list: short, so the fresh one replaces it soon after the store is back.
const staleMaxAge = 30 * time.Second

// uses says what a generated body depends on besides the content file: the
// inputs machine fetches for it and names in its cache key. A body that
// does not use the documents is served even while the store is down.
type uses uint8

const (
	usesDocs uses = 1 << iota // the document list
	usesDay                   // today's date: statuses depend on it
	usesLang                  // the reader's language
)

// bodyInput is what a generated body is built from; only what it uses is
// filled in.
type bodyInput struct {
	Docs []trust.Document
	Now  time.Time
	Lang string
}

// machine serves a generated body from the cache, keyed by the path and
// the inputs the body uses.
func (s *server) machine(contentType string, deps uses, build func(bodyInput) ([]byte, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		in, key, maxAge, err := s.inputs(w, r, deps)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		page, err := s.built(r.URL.Path+key, contentType, func() ([]byte, error) { return build(in) })
		if err != nil {
			s.fail(w, r, err)
			return
		}
		page.serve(w, r, maxAge, deps&usesLang != 0)
	}
}

// built is the body cached under key, built when it is not there yet.
func (s *server) built(key, contentType string, build func() ([]byte, error)) (*rendered, error) {
	return s.cache.get(key, func() (*rendered, error) {
		body, err := build()
		if err != nil {
			return nil, err
		}
		return newRendered(contentType, body), nil
	})
}

// inputs fetches what a body uses and returns it with the part of its
// cache key they make and how long caches may keep the body.
func (s *server) inputs(w http.ResponseWriter, r *http.Request, deps uses) (in bodyInput, key string, maxAge time.Duration, err error) {
	var docsKey, day string
	maxAge = 5 * time.Minute
	if deps&usesDocs != 0 {
		docs, k, stale, err := s.documentsOrStale(r.Context())
		if err != nil {
			return in, "", 0, err
		}
		if stale != nil {
			s.log.Warn("serving stale documents: the store is failing", "path", r.URL.Path,
				"read_at", s.docsReadAt(), "err", stale)
			maxAge = staleMaxAge
		}
		in.Docs, docsKey = docs, k
	}
	if deps&usesDay != 0 {
		in.Now = time.Now().UTC()
		day = in.Now.Format(time.DateOnly)
	}
	if deps&usesLang != 0 {
		in.Lang = s.lang(r)
		w.Header().Set("Content-Language", in.Lang)
	}
	// One concatenation: this runs on every request.
	return in, "|" + docsKey + "|" + day + "|" + in.Lang, maxAge, nil
}

// trustPage renders the trust page for the cache: one body per language,
// day and document list, whatever else the request carries.
func (s *server) trustPage(in bodyInput) ([]byte, error) {
	c := s.site.Company
	p := &pages.Page{Lang: in.Lang, CSS: s.css, Company: c.Name, Logo: s.logo, Icon: s.icon, Site: s.site, Address: "/"}
	p.Title = p.T("site.title", c.Name)
	p.Description = p.T("site.description", c.Name)
	return execute(context.Background(), pages.Index(p, s.trustView(in.Lang, in.Docs, in.Now)))
}

// timelineYears is how far back the coverage bars reach.
const timelineYears = 3

// readingOrder is the order the page presents frameworks in: the SOC 2
// first, since it is what a buyer's security reviewer asks for, then the
// SOC 1 for their auditors, then the general-use SOC 3; every other
// framework follows in the content's order.
var readingOrder = []content.Framework{content.SOC2, content.SOC1, content.SOC3}

func readingRank(f content.Framework) int {
	if i := slices.Index(readingOrder, f); i >= 0 {
		return i
	}
	return len(readingOrder)
}

func (s *server) trustView(lang string, docs []trust.Document, now time.Time) pages.TrustView {
	c := s.site
	t := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	date := func(d content.Date) string {
		if d.IsZero() {
			return ""
		}
		return i18n.FormatDate(lang, d.Time())
	}
	short := func(d content.Date) string { return i18n.FormatShortDate(lang, d.Time()) }
	v := pages.TrustView{
		BaseURL: s.svc.BaseURL(), Tagline: c.Company.Tagline.In(lang), Overview: c.Company.Overview.In(lang),
		LegalName: c.Company.LegalName, Website: c.Company.Website, Email: c.Company.Email,
	}
	if v.Tagline == "" {
		v.Tagline = c.Company.Name
	}
	if strings.HasPrefix(c.Company.Logo, "https://") {
		v.OGImage = c.Company.Logo
	} else if c.Company.Logo != "" {
		v.OGImage = s.svc.BaseURL() + c.Company.Logo
	}
	for _, l := range c.Company.Locations {
		v.Locations = append(v.Locations, l.In(lang))
	}
	if ld, err := content.OrganizationLD(c, s.svc.BaseURL(), lang, now); err == nil {
		v.JSONLD = string(ld)
	}
	langQuery := ""
	if lang != i18n.English {
		langQuery = "&lang=" + url.QueryEscape(lang)
	}

	// Both lists are in the content's order, one entry per certification.
	coverage, summary := c.Coverage(now), c.Attestations(docs, now)
	order := make([]int, len(c.Certifications))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return readingRank(c.Certifications[a].Framework) - readingRank(c.Certifications[b].Framework)
	})

	var gated []content.Framework
	for _, i := range order {
		a, cert := summary[i], c.Certifications[i]
		av := pages.AttestationView{ID: cert.ID, Name: a.Label(lang), Line: a.Line.Format(lang), Auditor: a.Auditor,
			Opinion: a.Opinion.Label(lang), Status: string(a.Status), StatusLabel: t("status." + string(a.Status)),
			IsReport: cert.IsReport(), Obtain: string(a.Obtain)}
		switch a.Obtain {
		case content.ObtainDownload:
			av.Href = "/documents/" + url.PathEscape(a.Document)
		case content.ObtainRequest:
			av.Href = "/access-requests/new?document=" + url.QueryEscape(a.Document) + langQuery
			if !slices.Contains(gated, a.Framework) {
				gated = append(gated, a.Framework)
			}
		}
		v.Attestations = append(v.Attestations, av)
	}
	if len(gated) > 0 {
		slices.SortFunc(gated, func(a, b content.Framework) int {
			return slices.Index(content.Frameworks, a) - slices.Index(content.Frameworks, b)
		})
		names := make([]string, len(gated))
		for i, f := range gated {
			names[i] = t("framework." + string(f))
		}
		v.RequestCTA = t("cta.request", strings.Join(names, " / "))
	}

	windowStart := content.DateOf(now).AddMonths(-12 * timelineYears)
	windowDays := float64(windowStart.DaysUntil(content.DateOf(now)))
	pos := func(d content.Date) float64 {
		x := float64(windowStart.DaysUntil(d)) / windowDays * 100
		return min(max(x, 0), 100)
	}
	for y := windowStart.Time().Year() + 1; y <= now.Year(); y++ {
		x := pos(content.NewDate(y, time.January, 1))
		v.Axis = append(v.Axis, pages.TickView{X: fmt.Sprintf("%.2f%%", x), Label: fmt.Sprint(y), End: x > 90})
	}
	window := t("cert.range", date(windowStart), date(content.DateOf(now)))

	facts := make([][]pages.FactView, len(order))
	for k, i := range order {
		cert, cov := c.Certifications[i], coverage[i]
		cv := pages.CertView{
			ID: cert.ID, Name: cert.Label(lang), Summary: cert.Summary.In(lang), Status: string(cov.Status),
			StatusLabel: t("status." + string(cov.Status)), Window: window,
		}
		facts[k] = s.certFacts(lang, cert)
		for _, b := range cert.BridgeLetters {
			if p, ok := cert.Superseded(b); ok {
				cv.History = append(cv.History, t("cert.bridge_superseded", short(b.CoversFrom), short(b.CoversTo), short(b.Issued), short(p.Start), short(p.End)))
			}
		}
		switch cov.Status {
		case content.Expired:
			cv.Coverage = t("coverage.expired_on", date(cov.Through))
		case content.Upcoming:
			// Upcoming coverage has its first day in the segments, for
			// reports (periods) and certificates (validity) alike.
			cv.Coverage = t("coverage.starts", date(cov.Segments[0].Start))
		default:
			cv.Coverage = t("coverage.through", date(cov.Through))
		}
		switch cov.Status {
		case content.Stale:
			cv.StatusHelp = t("status.stale.help", c.StaleMonths())
		case content.Expired, content.Upcoming:
			cv.StatusHelp = t("status." + string(cov.Status) + ".help")
		}
		if cov.Since != nil {
			cv.Gap = cov.Since.Explain(lang)
		}
		for _, seg := range cov.Segments {
			x0, x1 := pos(seg.Start), pos(seg.End.AddDays(1))
			if x1 > x0 {
				cv.Segments = append(cv.Segments, pages.SegmentView{X: fmt.Sprintf("%.2f%%", x0), W: fmt.Sprintf("%.2f%%", x1-x0), Bridge: seg.Bridged})
				v.Bridged = v.Bridged || seg.Bridged
			}
		}
		// A document is offered once its file is published: before that
		// (a fresh deployment) its link could only answer 404.
		if cd, ok := c.Document(cert.Document); ok {
			if j := slices.IndexFunc(docs, func(d trust.Document) bool { return d.ID == cd.ID }); j >= 0 {
				cv.Doc = &pages.DocView{ID: cd.ID, Title: cd.Title.In(lang), Public: summary[i].Obtain == content.ObtainDownload,
					Size: fmt.Sprintf("%d KB", (docs[j].Size+1023)/1024)}
			}
		}
		v.Certs = append(v.Certs, cv)
	}
	v.Common = dedupeFacts(v.Certs, facts, func(k int) bool {
		cert := c.Certifications[order[k]]
		return cert.Framework.IsSOC() && cert.IsReport()
	})
	if lang == i18n.English {
		// The labels are a list inside a sentence there.
		for k := range v.Certs {
			for j, l := range v.Certs[k].SameFacts {
				v.Certs[k].SameFacts[j] = strings.ToLower(l[:1]) + l[1:]
			}
		}
	}

	for _, cr := range c.Criteria {
		cv := pages.CriterionView{ID: "criterion-" + cr.ID, Title: cr.Title.In(lang), InScope: c.InScope(cr.ID)}
		if cv.Title == "" {
			cv.Title = t("criteria." + cr.ID)
		}
		for _, p := range cr.Practices {
			cv.Practices = append(cv.Practices, p.In(lang))
		}
		v.Criteria = append(v.Criteria, cv)
	}
	for _, sp := range c.Subprocessors {
		v.Subprocessors = append(v.Subprocessors, pages.SubprocessorView{Name: sp.Name, Website: sp.Website,
			Purpose: sp.Purpose.In(lang), Location: sp.Location.In(lang), Data: sp.Data.In(lang)})
	}
	used := map[string]bool{}
	for _, f := range c.FAQ {
		v.FAQ = append(v.FAQ, pages.FAQView{ID: anchor("faq-", f.Question.String(), used), Q: f.Question.In(lang), A: f.Answer.In(lang)})
	}
	v.Library = s.libraryView(lang, docs)
	v.KnowledgeCount = len(s.knowledgeIndex().entries)
	for _, u := range c.Updates {
		uv := pages.UpdateView{ID: u.ID, Title: u.Title.In(lang), Date: date(u.Date), DateISO: u.Date.String(),
			Kind: t("updates.kind." + string(u.Kind)), Body: u.Body.In(lang), Link: u.Link, Change: c.ChangeLines(u, lang)}
		if len(uv.Change) > 0 && !u.Change.Effective.IsZero() {
			uv.Object = content.PathObject + "?update=" + url.QueryEscape(u.ID) + langQuery
		}
		v.Updates = append(v.Updates, uv)
	}
	return v
}

// certFacts are what a reviewer checks in a report before reading it:
// standard, criteria, opinion, scope, subservice organisations and the
// controls left to customers. Facts the content does not state are left
// out.
func (s *server) certFacts(lang string, c content.Certification) []pages.FactView {
	t := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	var out []pages.FactView
	add := func(key string, values ...pages.FactValue) {
		if len(values) > 0 && values[0].Text != "" {
			out = append(out, pages.FactView{Label: t(key), Values: values})
		}
	}
	list := func(ts []content.Text) []pages.FactValue {
		var vs []pages.FactValue
		for _, x := range ts {
			vs = append(vs, pages.FactValue{Text: x.In(lang)})
		}
		return vs
	}
	add("cert.standard", pages.FactValue{Text: c.AttestationStandard()})
	add("cert.criteria_version", pages.FactValue{Text: c.CriteriaVersion.In(lang)})
	var criteria []string
	for _, id := range c.Criteria {
		criteria = append(criteria, t("criteria."+id))
	}
	add("cert.criteria_in_scope", pages.FactValue{Text: i18n.JoinList(lang, criteria)})
	opinion := pages.FactValue{Text: c.Opinion.Label(lang)}
	if c.Opinion.Modified() {
		opinion.Note = c.OpinionDetail.In(lang)
	}
	add("cert.opinion", opinion)
	add("cert.services", list(c.Scope.Services)...)
	add("cert.locations", list(c.Scope.Locations)...)
	var subs []pages.FactValue
	for _, o := range c.SubserviceOrganizations {
		v := pages.FactValue{Text: o.Name, Note: o.Method.Label(lang)}
		if svc := o.Service.In(lang); svc != "" {
			v.Text += " — " + svc
		}
		subs = append(subs, v)
	}
	add("cert.subservice", subs...)
	add("cert.user_entity_controls", list(c.UserEntityControls)...)
	if n := len(out); n > 0 && len(c.UserEntityControls) > 2 && out[n-1].Label == t("cert.user_entity_controls") {
		out[n-1].Folded = true
	}
	var bridges []pages.FactValue
	for _, b := range c.CurrentBridgeLetters() {
		bridges = append(bridges, pages.FactValue{Text: t("cert.bridge_covers", i18n.FormatShortDate(lang, b.CoversFrom.Time()),
			i18n.FormatShortDate(lang, b.CoversTo.Time()), i18n.FormatShortDate(lang, b.Issued.Time()))})
	}
	add("cert.bridge_letter", bridges...)
	return out
}

// dedupeFacts puts facts[k] on card k without repeating any: a fact every
// shared card (those for which shared(k) holds, when there are two or
// more) states alike is returned, to be shown once above the cards; a fact
// equal to one of the earliest card holding most of the same facts is
// named under SameAs instead of being written out again.
func dedupeFacts(cards []pages.CertView, facts [][]pages.FactView, shared func(int) bool) []pages.FactView {
	var members []int
	for k := range cards {
		if shared(k) {
			members = append(members, k)
		}
	}
	has := func(k int, f pages.FactView) bool {
		return slices.ContainsFunc(facts[k], func(g pages.FactView) bool { return equalFact(f, g) })
	}
	var common []pages.FactView
	if len(members) >= 2 {
		for _, f := range facts[members[0]] {
			if !slices.ContainsFunc(members, func(k int) bool { return !has(k, f) }) {
				common = append(common, f)
			}
		}
	}
	for k := range cards {
		own := facts[k]
		if shared(k) {
			own = slices.DeleteFunc(slices.Clone(own), func(f pages.FactView) bool {
				return slices.ContainsFunc(common, func(g pages.FactView) bool { return equalFact(f, g) })
			})
		}
		best, bestN := -1, 0
		for e := range k {
			n := 0
			for _, f := range own {
				if has(e, f) {
					n++
				}
			}
			if n > bestN {
				best, bestN = e, n
			}
		}
		if bestN >= 2 {
			cards[k].SameAs = cards[best].Name
			for _, f := range own {
				if has(best, f) {
					cards[k].SameFacts = append(cards[k].SameFacts, f.Label)
				}
			}
			own = slices.DeleteFunc(slices.Clone(own), func(f pages.FactView) bool { return has(best, f) })
		}
		cards[k].Facts = own
	}
	return common
}

func equalFact(a, b pages.FactView) bool {
	return a.Label == b.Label && slices.Equal(a.Values, b.Values)
}

// anchor is an id for an item that has none in the content: prefix and
// the English text's words, so that it stays the same in every language
// and when items are reordered; used keeps it unique on the page.
func anchor(prefix, english string, used map[string]bool) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(english) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
		if b.Len() >= 48 {
			break
		}
	}
	id := prefix + b.String()
	for n := 2; used[id]; n++ {
		id = fmt.Sprintf("%s%s-%d", prefix, b.String(), n)
	}
	used[id] = true
	return id
}

// sitemapPaths are the public pages, each listed in every language.
var sitemapPaths = []string{"/", PathKnowledge, content.PathVerify, PathSubscribe, "/access-requests/new"}
