package web

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"trustcenter/shared/content"
	"trustcenter/shared/i18n"
	"trustcenter/shared/trust"
	"trustcenter/site"
)

// docsTTL is how long the public function trusts its copy of the document
// list before asking the store again: a new report version shows within
// this time without a query per page view.
const docsTTL = 30 * time.Second

// Public serves the trust page and its machine-readable companions. It only
// reads the store (the document list) and never touches report files.
func Public(d Deps) http.Handler {
	s := newServer(d)
	mux := http.NewServeMux()
	s.mountPublic(mux)
	return s.wrap(mux)
}

func (s *server) mountPublic(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.trustPage)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET "+content.PathTrustJSON, s.machine("application/json", func(r *http.Request, docs []trust.Document, now time.Time) ([]byte, error) {
		return content.TrustJSON(s.site, docs, s.svc.BaseURL, now)
	}))
	mux.HandleFunc("GET "+content.PathFeed, s.machine("application/atom+xml; charset=utf-8", func(r *http.Request, _ []trust.Document, _ time.Time) ([]byte, error) {
		return content.Atom(s.site, s.svc.BaseURL, s.lang(r))
	}))
	mux.HandleFunc("GET "+content.PathSecurityTxt, s.machine("text/plain; charset=utf-8", func(*http.Request, []trust.Document, time.Time) ([]byte, error) {
		return content.SecurityTxt(s.site, s.svc.BaseURL), nil
	}))
	mux.HandleFunc("GET "+content.PathSitemap, s.machine("application/xml; charset=utf-8", func(*http.Request, []trust.Document, time.Time) ([]byte, error) {
		return content.Sitemap(s.svc.BaseURL, []string{"/", "/access-requests/new"}, i18n.Languages), nil
	}))
	mux.HandleFunc("GET "+content.PathRobots, s.machine("text/plain; charset=utf-8", func(*http.Request, []trust.Document, time.Time) ([]byte, error) {
		return content.Robots(s.svc.BaseURL), nil
	}))
	static, _ := fs.Sub(site.Static, "static")
	files := http.FileServerFS(static)
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r)
	})))
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/static/favicon.svg", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/", notFound(s))
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
type docList struct {
	mu   sync.Mutex
	at   time.Time
	docs []trust.Document
	key  string // changes whenever any document's version changes
}

func (s *server) documents(ctx context.Context) ([]trust.Document, string, error) {
	l := &s.docs
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.key != "" && time.Since(l.at) < docsTTL {
		return l.docs, l.key, nil
	}
	docs, err := s.svc.Documents(ctx)
	if err != nil {
		return nil, "", err
	}
	var key strings.Builder
	for _, d := range docs {
		fmt.Fprintf(&key, "%s@%d;", d.ID, d.Version)
	}
	l.docs, l.key, l.at = docs, key.String()+"|", time.Now()
	return l.docs, l.key, nil
}

// machine serves a generated text body from the cache; the key covers the
// day (statuses depend on it), the documents and the language.
func (s *server) machine(contentType string, build func(*http.Request, []trust.Document, time.Time) ([]byte, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		docs, docsKey, err := s.documents(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		now := time.Now().UTC()
		key := r.URL.Path + "|" + s.lang(r) + "|" + now.Format(time.DateOnly) + "|" + docsKey
		page, err := s.cache.get(key, func() (*rendered, error) {
			body, err := build(r, docs, now)
			if err != nil {
				return nil, err
			}
			return newRendered(contentType, body), nil
		})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		page.serve(w, r, 5*time.Minute)
	}
}

func (s *server) trustPage(w http.ResponseWriter, r *http.Request) {
	docs, docsKey, err := s.documents(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := s.lang(r)
	now := time.Now().UTC()
	key := "/|" + lang + "|" + now.Format(time.DateOnly) + "|" + docsKey
	page, err := s.cache.get(key, func() (*rendered, error) {
		p := s.newPage(r, "", nil)
		p.Robots = ""
		p.Title = p.T("site.title", s.site.Company.Name)
		p.Description = p.T("site.description", s.site.Company.Name)
		p.Data = s.trustView(lang, docs, now)
		var buf bytes.Buffer
		if err := s.pages["index"].ExecuteTemplate(&buf, "layout", p); err != nil {
			return nil, fmt.Errorf("render trust page: %w", err)
		}
		return newRendered("text/html; charset=utf-8", buf.Bytes()), nil
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Language", lang)
	page.serve(w, r, 5*time.Minute)
}

// The trust page's view: everything already in the reader's language and
// formatted, so the template only lays it out.
type trustView struct {
	BaseURL, OGImage                             string
	Tagline, Overview, LegalName, Website, Email string
	Locations                                    []string
	Certs                                        []certView
	Criteria                                     []criterionView
	Subprocessors                                []subprocessorView
	FAQ                                          []faqView
	Updates                                      []updateView
}

type certView struct {
	ID, Name, Summary, Status, StatusLabel string
	StatusHelp                             string // why, when the status is not current
	IsReport                               bool
	Period, Auditor, Issued, NextAudit     string
	Criteria, Bridges                      []string
	Coverage, Gap                          string
	Segments                               []segmentView
	Window                                 string
	Doc                                    *docView
}

type segmentView struct {
	X, W   string
	Bridge bool
}

type docView struct {
	ID, Title, Size string
	Public          bool
}

type criterionView struct {
	Title     string
	InScope   bool
	Practices []string
}

type subprocessorView struct{ Name, Website, Purpose, Location, Data string }

type faqView struct{ Q, A string }

type updateView struct{ ID, Title, Date, DateISO, Kind, Body, Link string }

// timelineYears is how far back the coverage bars reach.
const timelineYears = 3

func (s *server) trustView(lang string, docs []trust.Document, now time.Time) trustView {
	c := s.site
	t := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	date := func(d content.Date) string {
		if d.IsZero() {
			return ""
		}
		return i18n.FormatDate(lang, d.Time())
	}
	v := trustView{
		BaseURL: s.svc.BaseURL, Tagline: c.Company.Tagline.In(lang), Overview: c.Company.Overview.In(lang),
		LegalName: c.Company.LegalName, Website: c.Company.Website, Email: c.Company.Email,
	}
	if v.Tagline == "" {
		v.Tagline = c.Company.Name
	}
	if strings.HasPrefix(c.Company.Logo, "https://") {
		v.OGImage = c.Company.Logo
	} else if c.Company.Logo != "" {
		v.OGImage = s.svc.BaseURL + c.Company.Logo
	}
	for _, l := range c.Company.Locations {
		v.Locations = append(v.Locations, l.In(lang))
	}
	windowStart := content.DateOf(now).AddMonths(-12 * timelineYears)
	windowDays := float64(windowStart.DaysUntil(content.DateOf(now)))
	pos := func(d content.Date) float64 {
		x := float64(windowStart.DaysUntil(d)) / windowDays * 100
		return min(max(x, 0), 100)
	}
	inScope := map[string]bool{}
	for _, cov := range c.Coverage(now) {
		cert, _ := c.Certification(cov.Certification)
		cv := certView{
			ID: cert.ID, Name: cert.Label(lang), Summary: cert.Summary.In(lang), Status: string(cov.Status),
			StatusLabel: t("status." + string(cov.Status)), IsReport: cert.IsReport(), Auditor: cert.Auditor,
			Issued: date(cert.Issued), NextAudit: date(cert.NextAudit),
		}
		if cert.IsReport() {
			p := cert.LatestPeriod()
			if p.Start == p.End {
				cv.Period = t("cert.as_of", date(p.End))
			} else {
				cv.Period = t("cert.range", date(p.Start), date(p.End))
			}
		} else {
			cv.Period = t("cert.range", date(cert.ValidFrom), date(cert.ValidUntil))
		}
		for _, id := range cert.Criteria {
			cv.Criteria = append(cv.Criteria, t("criteria."+id))
			if cert.Framework == content.SOC2 {
				inScope[id] = true
			}
		}
		for _, b := range cert.BridgeLetters {
			cv.Bridges = append(cv.Bridges, t("cert.bridge_covers", date(b.CoversFrom), date(b.CoversTo), date(b.Issued)))
		}
		switch cov.Status {
		case content.Expired:
			cv.Coverage = t("coverage.expired_on", date(cov.Through))
		case content.Upcoming:
			cv.Coverage = t("coverage.starts", date(cert.ValidFrom))
		default:
			cv.Coverage = t("coverage.through", date(cov.Through))
		}
		switch cov.Status {
		case content.Stale:
			months := c.StaleAfterMonths
			if months == 0 {
				months = content.DefaultStaleAfterMonths
			}
			cv.StatusHelp = t("status.stale.help", months)
		case content.Expired, content.Upcoming:
			cv.StatusHelp = t("status." + string(cov.Status) + ".help")
		}
		if cov.GapDays > 0 {
			cv.Gap = i18n.Plural(lang, "coverage.gap_days", cov.GapDays)
		}
		for _, seg := range cov.Segments {
			x0, x1 := pos(seg.Start), pos(seg.End.AddDays(1))
			if x1 > x0 {
				cv.Segments = append(cv.Segments, segmentView{X: fmt.Sprintf("%.2f", x0), W: fmt.Sprintf("%.2f", x1-x0), Bridge: seg.Bridged})
			}
		}
		cv.Window = t("cert.range", date(windowStart), date(content.DateOf(now)))
		if cert.Document != "" {
			if cd, ok := c.Document(cert.Document); ok {
				dv := &docView{ID: cd.ID, Title: cd.Title.In(lang), Public: cd.Access == trust.Public}
				if i := slices.IndexFunc(docs, func(d trust.Document) bool { return d.ID == cd.ID }); i >= 0 && docs[i].Size > 0 {
					dv.Size = fmt.Sprintf("%d KB", (docs[i].Size+1023)/1024)
				}
				cv.Doc = dv
			}
		}
		v.Certs = append(v.Certs, cv)
	}
	for _, cr := range c.Criteria {
		cv := criterionView{Title: cr.Title.In(lang), InScope: inScope[cr.ID]}
		if cv.Title == "" {
			cv.Title = t("criteria." + cr.ID)
		}
		for _, p := range cr.Practices {
			cv.Practices = append(cv.Practices, p.In(lang))
		}
		v.Criteria = append(v.Criteria, cv)
	}
	for _, sp := range c.Subprocessors {
		v.Subprocessors = append(v.Subprocessors, subprocessorView{Name: sp.Name, Website: sp.Website,
			Purpose: sp.Purpose.In(lang), Location: sp.Location.In(lang), Data: sp.Data.In(lang)})
	}
	for _, f := range c.FAQ {
		v.FAQ = append(v.FAQ, faqView{Q: f.Question.In(lang), A: f.Answer.In(lang)})
	}
	for _, u := range c.Updates {
		v.Updates = append(v.Updates, updateView{ID: u.ID, Title: u.Title.In(lang), Date: date(u.Date), DateISO: u.Date.String(),
			Kind: t("updates.kind." + string(u.Kind)), Body: u.Body.In(lang), Link: u.Link})
	}
	return v
}
