// Package web is the trust center's HTTP layer: one http.Handler per Lambda
// function (Public, Access, Download, Admin) and All, which mounts the four
// on one mux for the local server. Handlers parse requests, call the domain
// service and render templates; the one place domain errors become HTTP
// statuses is statusOf.
package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"trustcenter/shared/content"
	"trustcenter/shared/i18n"
	"trustcenter/shared/trust"
	"trustcenter/site"
)

// Deps is what every handler needs.
type Deps struct {
	Service *trust.Service
	Site    *content.Site
	Log     *slog.Logger
	// RequestID returns the platform's request id (Lambda), if any.
	RequestID func(r *http.Request) string
}

// server holds what the four handlers share: templates, the stylesheet and
// its CSP hash, the domain service.
type server struct {
	svc       *trust.Service
	site      *content.Site
	log       *slog.Logger
	requestID func(r *http.Request) string
	pages     map[string]*template.Template
	css       template.CSS
	csp       string
	docs      docList
	cache     pageCache
}

func newServer(d Deps) *server {
	s := &server{svc: d.Service, site: d.Site, log: d.Log, requestID: d.RequestID}
	if s.log == nil {
		s.log = slog.Default()
	}
	css, err := fs.ReadFile(site.Static, "static/site.css")
	if err != nil {
		panic(err) // embedded at build time
	}
	brand := ""
	if d.Site != nil && d.Site.Company.PrimaryColor != "" {
		brand = ":root{--brand:" + d.Site.Company.PrimaryColor + "}"
	}
	style := string(css) + brand
	s.css = template.CSS(style)
	sum := sha256.Sum256([]byte(style))
	s.csp = "default-src 'none'; img-src 'self' data:; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
	s.pages = parsePages()
	return s
}

// parsePages builds one template set per page: the layout, the page, and
// the console navigation for admin pages.
func parsePages() map[string]*template.Template {
	layout := template.Must(template.New("layout").ParseFS(site.Templates, "templates/layout.html"))
	names, err := fs.Glob(site.Templates, "templates/*.html")
	if err != nil {
		panic(err)
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" || name == "admin_nav" {
			continue
		}
		files := []string{n}
		if strings.HasPrefix(name, "admin_") && name != "admin_login" {
			files = append(files, "templates/admin_nav.html")
		}
		pages[name] = template.Must(template.Must(layout.Clone()).ParseFS(site.Templates, files...))
	}
	return pages
}

// page is what every template receives; Data is the page's own.
type page struct {
	Lang        string
	Title       string
	Description string
	Robots      string
	Company     string
	Logo        string
	CSS         template.CSS
	Path        string
	Langs       []langLink
	Staff       *trust.Session
	Data        any
}

type langLink struct {
	Code, Name, Href string
	Current          bool
}

// T translates an interface string into the page's language.
func (p *page) T(key string, args ...any) string { return i18n.T(p.Lang, key, args...) }

// LangQuery carries an explicit language choice along internal links.
func (p *page) LangQuery() string {
	if p.Lang == i18n.English {
		return ""
	}
	return "?lang=" + p.Lang
}

func (s *server) newPage(r *http.Request, title string, data any) *page {
	lang := i18n.Negotiate(r.Header.Get("Accept-Language"), r.URL.Query().Get("lang"))
	p := &page{Lang: lang, CSS: s.css, Path: r.URL.Path, Data: data, Robots: "noindex"}
	if s.site != nil {
		p.Company = s.site.Company.Name
		p.Logo = s.site.Company.Logo
	}
	p.Title = p.T(title) + " · " + p.Company
	for _, code := range i18n.Languages {
		q := url.Values{"lang": {code}}
		p.Langs = append(p.Langs, langLink{Code: code, Name: i18n.T(code, "lang."+code), Href: r.URL.Path + "?" + q.Encode(), Current: code == lang})
	}
	return p
}

// render writes a page whole: it is executed into a buffer first, so a
// template error becomes a clean 500 instead of half a page.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		s.log.Error("render", "page", name, "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", p.Lang)
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// statusOf is the one table from domain error codes to HTTP statuses.
func statusOf(err error) int {
	switch trust.ErrorCode(err) {
	case trust.EInvalid:
		return http.StatusBadRequest
	case trust.ENotFound:
		return http.StatusNotFound
	case trust.EConflict:
		return http.StatusConflict
	case trust.EUnauthorized:
		return http.StatusUnauthorized
	case trust.EForbidden:
		return http.StatusForbidden
	case trust.EGone:
		return http.StatusGone
	case trust.ERateLimited:
		return http.StatusTooManyRequests
	case trust.EUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// fail renders err as an error page. Internal errors and dependency
// failures go to the log in full; the client sees only the safe message.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	if status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", redact(r.URL.Path), "status", status, "err", err)
	}
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "3600")
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "30")
	}
	heading := map[int]string{
		400: "Please check your input", 401: "Please sign in", 403: "Not allowed", 404: "Page not found",
		409: "Already decided", 410: "Link expired", 429: "Too many requests", 503: "Service temporarily unavailable",
	}[status]
	if heading == "" {
		heading = "Something went wrong"
	}
	msg := trust.ErrorMessage(err)
	if status == http.StatusNotFound {
		msg = "There is nothing at this address."
	}
	p := s.newPage(r, heading, nil)
	p.Data = errorData{Heading: p.T(heading), Message: p.T(msg)}
	s.render(w, r, status, "error", p)
}

type errorData struct {
	Heading, Message string
	Link             *linkData
}

type linkData struct{ Href, Text string }

func notFound(s *server) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, trust.Errorf(trust.ENotFound, "not found"))
	}
}

// client is the caller as the service records it. RemoteAddr is the
// connection's peer locally and API Gateway's sourceIp on Lambda; headers a
// client can forge are not trusted for it.
func client(r *http.Request) trust.Client {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	return trust.Client{IP: ip, UserAgent: r.UserAgent()}
}

func isHTTPS(r *http.Request) bool {
	return r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}

// redact hides link tokens from logs: they are credentials.
func redact(path string) string {
	for _, prefix := range []string{"/access/", "/download/", "/access-requests/confirm/", "/admin/login/"} {
		if strings.HasPrefix(path, prefix) && len(path) > len(prefix) {
			return prefix + "…"
		}
	}
	return path
}

// statusWriter remembers the status for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// wrap adds what every response needs: security headers, panic recovery
// and one log line per request.
func (s *server) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		hdr := w.Header()
		hdr.Set("Content-Security-Policy", s.csp)
		hdr.Set("X-Content-Type-Options", "nosniff")
		hdr.Set("Referrer-Policy", "no-referrer") // links carry tokens
		hdr.Set("X-Frame-Options", "DENY")
		hdr.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if isHTTPS(r) {
			hdr.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				s.log.Error("panic", "path", redact(r.URL.Path), "panic", fmt.Sprint(v))
				if sw.status == 0 {
					http.Error(sw, "Internal error.", http.StatusInternalServerError)
				}
			}
			attrs := []any{"method", r.Method, "path", redact(r.URL.Path), "status", sw.status, "bytes", sw.bytes,
				"ms", float64(time.Since(start).Microseconds()) / 1000}
			if s.requestID != nil {
				attrs = append(attrs, "request_id", s.requestID(r))
			}
			s.log.Info("request", attrs...)
		}()
		h.ServeHTTP(sw, r)
	})
}

// readForm parses a url-encoded form of bounded size.
func readForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return trust.Errorf(trust.EInvalid, "The form could not be read.")
	}
	return nil
}
