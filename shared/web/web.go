// Package web is the trust center's HTTP layer: New builds the handler of
// one Lambda function (Public, Access, Download, Admin), or of all four on
// one mux for the local server, and Routes lists what each serves, for the
// stack to deploy. Handlers parse requests, call the domain service and
// render the pages of site/pages; the one place domain errors become HTTP
// statuses is statusOf.
package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/a-h/templ"

	"trustcenter/shared/content"
	"trustcenter/shared/i18n"
	"trustcenter/shared/trust"
	"trustcenter/site"
	"trustcenter/site/pages"
)

// Deps is what every handler needs.
type Deps struct {
	Service *trust.Service
	Site    *content.Site
	Log     *slog.Logger
	// RequestLog adds the platform's attributes to a request's log line,
	// called when the request is done (Lambda: its ids, the cold-start
	// flag, the request's business metrics).
	RequestLog func(r *http.Request) []any
	// OriginSecret, when set, is what every request must carry in
	// X-Origin-Verify: the edge adds it, so one without it went around
	// the edge and is refused.
	OriginSecret string
	// ClientIPHeader names the header with the viewer's "ip:port", set
	// by the edge; believed only on requests with the origin secret.
	ClientIPHeader string
	// RequestBudget bounds each request's context; 0 leaves it unbounded.
	RequestBudget time.Duration
	// Slack checks interactions (the connect function).
	Slack SlackDeps
	// SSO is the staff's identity provider (the connect function).
	SSO SSODeps
}

// server holds what the four handlers share: the stylesheet and its CSP
// hash, the domain service.
type server struct {
	svc            *trust.Service
	site           *content.Site
	log            *slog.Logger
	requestLog     func(r *http.Request) []any
	originSecret   string
	clientIPHeader string
	budget         time.Duration
	// origin is the public base URL's scheme and host, the only origin
	// the console's forms may be posted from.
	origin *url.URL
	now    func() time.Time // the document list's clock; tests move it
	css    string
	logo   string // the company's logo, inlined when it is ours
	icon   string // the favicon, inlined
	csp    string
	docs   docList
	cache  pageCache
	// mailHealth: whether this function's pages say mail is down.
	mailHealth mailHealth
	kb         kbIndex
	slack      SlackDeps
	sso        *ssoClient // nil: no single sign-on
}

func newServer(d Deps) *server {
	s := &server{svc: d.Service, site: d.Site, log: d.Log, requestLog: d.RequestLog,
		originSecret: d.OriginSecret, clientIPHeader: d.ClientIPHeader, budget: d.RequestBudget, now: time.Now, slack: d.Slack}
	if d.SSO.Enabled() && d.Service != nil {
		s.sso = &ssoClient{deps: d.SSO, redirect: d.Service.BaseURL() + ssoCallback}
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if d.Service != nil {
		if u, err := url.Parse(d.Service.BaseURL()); err == nil && u.Host != "" {
			s.origin = &url.URL{Scheme: u.Scheme, Host: u.Host}
		}
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
	s.css = style
	s.icon = inlineStatic("/static/favicon.svg")
	if d.Site != nil {
		s.logo = d.Site.Company.Logo
		if l := inlineStatic(s.logo); l != "" {
			s.logo = l
		} else {
			s.logo = staticAssets.url(s.logo)
		}
	}
	sum := sha256.Sum256([]byte(style))
	img := "'self' data:"
	if d.Site != nil {
		if origin := logoOrigin(d.Site.Company.Logo); origin != "" {
			img += " " + origin
		}
	}
	s.csp = "default-src 'none'; img-src " + img + "; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
	return s
}

// cspHost is what may stand as a host in the CSP: a name or address and a
// port, nothing that could end the source list or start a directive.
var cspHost = regexp.MustCompile(`^[A-Za-z0-9.-]+(:[0-9]+)?$`)

// logoOrigin is the origin (scheme and host) of a logo served by another
// site, which img-src must name for the page to show it; "" for a logo of
// our own, a path under /static/.
func logoOrigin(logo string) string {
	u, err := url.Parse(logo)
	if err != nil || u.Scheme != "https" || !cspHost.MatchString(u.Host) {
		return ""
	}
	return "https://" + u.Host
}

// page is what a handler fills in for the templates; the methods here are
// the web layer's own, turning domain errors into the reader's language.
type page struct{ pages.Page }

// postedFrom names the page whose form a post came from, for a page
// rendered in answer to the post; a page answering a GET keeps its own
// address.
func (p *page) postedFrom(address string) {
	if p.Address == "" {
		p.Address = address
	}
}

func (s *server) newPage(r *http.Request, title string) *page {
	return s.newPageIn(r, s.lang(r), title)
}

// newPageIn is newPage in lang, for a page whose language is not only the
// reader's to choose (a request's pages open in the request's).
func (s *server) newPageIn(r *http.Request, lang, title string) *page {
	p := &page{pages.Page{Lang: lang, CSS: s.css, Robots: "noindex", Site: s.site, Logo: s.logo, Icon: s.icon}}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		p.Address = r.URL.RequestURI()
	}
	if s.site != nil {
		p.Company = s.site.Company.Name
	}
	p.Title = p.T(title)
	if p.Company != "" {
		p.Title += " · " + p.Company
	}
	return p
}

// execute renders a page into memory.
func execute(ctx context.Context, c templ.Component) ([]byte, error) {
	var buf bytes.Buffer
	if err := c.Render(ctx, &buf); err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	return buf.Bytes(), nil
}

// render writes a page whole: it is executed into a buffer first, so a
// template error becomes a clean 500 instead of half a page. The status is
// err's, or 200 without one. Every page that reports an error comes
// through here, so this is where a failure is logged and where an error
// answer gets its headers.
func (s *server) render(w http.ResponseWriter, r *http.Request, p *page, c templ.Component, err error) {
	err = spent(r, err)
	status := http.StatusOK
	if err != nil {
		status = statusOf(err)
	}
	if status >= 500 {
		// Internal errors and dependency failures go to the log in full;
		// the client sees only the safe message.
		s.log.Error("request failed", "method", r.Method, "path", redact(r.URL.Path), "status", status, "err", err)
	}
	s.noteMail(r, p)
	// Rendering waits on nothing, and the page that says the budget ran
	// out is rendered after it did.
	body, rerr := execute(context.WithoutCancel(r.Context()), c)
	if rerr != nil {
		s.log.Error("render", "path", redact(r.URL.Path), "err", rerr)
		refused(w.Header(), http.StatusInternalServerError)
		http.Error(w, p.T("error.internal"), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", p.Lang)
	if status >= 400 {
		refused(h, status)
	} else if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	w.Write(body)
}

// refused sets the headers every error answer needs, whatever the handler
// set before it failed: no cache may keep it (a handler may have declared
// the success it expected public), and a client turned away for load learns
// when to come back.
func refused(h http.Header, status int) {
	h.Set("Cache-Control", "no-store")
	switch status {
	case http.StatusTooManyRequests:
		h.Set("Retry-After", "3600")
	case http.StatusServiceUnavailable:
		h.Set("Retry-After", "30")
	}
}

// statuses is the one table from domain error codes to HTTP statuses;
// anything else is a 500.
var statuses = map[trust.Code]int{
	trust.EInvalid:      http.StatusBadRequest,
	trust.ENotFound:     http.StatusNotFound,
	trust.EConflict:     http.StatusConflict,
	trust.EUnauthorized: http.StatusUnauthorized,
	trust.EForbidden:    http.StatusForbidden,
	trust.EGone:         http.StatusGone,
	trust.ERateLimited:  http.StatusTooManyRequests,
	trust.EUnavailable:  http.StatusServiceUnavailable,
}

func statusOf(err error) int {
	if status, ok := statuses[trust.ErrorCode(err)]; ok {
		return status
	}
	return http.StatusInternalServerError
}

// fail renders err as an error page.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	err = spent(r, err)
	status := statusOf(err)
	heading, ok := errorHeadings[status]
	if !ok {
		heading = "error.internal.title"
	}
	p := s.newPage(r, heading)
	if len(p.Address) > maxErrorAddress {
		// The language links would repeat whatever address was asked
		// for; a made-up one of any length is not worth echoing.
		p.Address = ""
	}
	msg := p.errorText(err)
	if status == http.StatusNotFound {
		// Whatever was missing, the reader only learns that the address
		// leads nowhere.
		msg = p.T("error.not_found.body")
	}
	s.render(w, r, p, pages.Error(&p.Page, p.T(heading), msg), err)
}

// maxErrorAddress bounds the request address an error page repeats in its
// links; longer ones are left out, and the links lead home.
const maxErrorAddress = 256

var errorHeadings = map[int]string{
	http.StatusBadRequest: "error.invalid.title", http.StatusUnauthorized: "error.unauthorized.title",
	http.StatusForbidden: "error.forbidden.title", http.StatusNotFound: "error.not_found.title",
	http.StatusConflict: "error.conflict.title", http.StatusGone: "error.gone.title",
	http.StatusTooManyRequests: "error.rate_limited.title", http.StatusServiceUnavailable: "error.unavailable.title",
}

// codeMessages stand in for an error that has only English (an engine's,
// which knows no catalog keys) when the reader wants another language: a
// general sentence they can read beats a precise one they cannot.
var codeMessages = map[trust.Code]string{
	trust.EInvalid: "error.invalid", trust.ENotFound: "error.not_found.body", trust.EConflict: "error.conflict",
	trust.EUnauthorized: "error.sign_in", trust.EForbidden: "error.forbidden", trust.EGone: "error.gone",
	trust.ERateLimited: "error.rate_limited", trust.EUnavailable: "error.unavailable",
}

// errorText is the user-safe message of err in the page's language. It is
// the one place domain messages are translated; internal errors never show
// their text.
func (p *page) errorText(err error) string {
	var e *trust.Error
	if !errors.As(err, &e) || e.Code == trust.EInternal {
		return p.T("error.internal")
	}
	if e.Key != "" {
		return p.msg(trust.Msg{Key: e.Key, Args: e.Args})
	}
	if p.Lang == i18n.English {
		return e.Message
	}
	if key, ok := codeMessages[e.Code]; ok {
		return p.T(key)
	}
	return p.T("error.internal")
}

// fieldErrors are the per-field messages of a validation error in the
// page's language.
func (p *page) fieldErrors(err error) map[string]string {
	var e *trust.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return nil
	}
	out := make(map[string]string, len(e.Fields))
	for field, english := range e.Fields {
		if m, ok := e.FieldMsgs[field]; ok {
			out[field] = p.msg(m)
		} else {
			out[field] = english
		}
	}
	return out
}

// msg translates a domain message. A request status among the arguments is
// a word of the sentence, so it is translated too.
func (p *page) msg(m trust.Msg) string {
	args := slices.Clone(m.Args)
	for i, a := range args {
		if st, ok := a.(trust.Status); ok && i18n.Has("request_state."+string(st)) {
			args[i] = p.T("request_state." + string(st))
		}
	}
	return p.T(m.Key, args...)
}

// userError is a refusal made by the web layer itself, keyed like the
// domain's own, so that errorText shows it in the reader's language.
func userError(code trust.Code, key string, args ...any) error {
	return &trust.Error{Code: code, Message: i18n.T(i18n.English, key, args...), Key: key, Args: args}
}

func notFound(s *server) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, trust.Errorf(trust.ENotFound, "not found"))
	}
}

func isHTTPS(r *http.Request) bool {
	return r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}

// redact hides link tokens from logs: they are credentials.
func redact(path string) string {
	for _, prefix := range []string{"/access/", "/download/", "/access-requests/confirm/", "/access-requests/sent/", "/requests/", "/admin/login/", "/my-requests/sign-in/"} {
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
// and one log line per request. It is the one place a panic is logged,
// with its stack; lambdaweb, which recovers too, answers an abort from here
// without logging it again.
func (s *server) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		hdr := w.Header()
		hdr.Set("Content-Security-Policy", s.csp)
		hdr.Set("X-Content-Type-Options", "nosniff")
		// Links carry tokens in their path: never send them to another site. Not
		// no-referrer, under which browsers post forms with "Origin: null" and
		// the console could not tell its own forms from a forged one.
		hdr.Set("Referrer-Policy", "same-origin")
		hdr.Set("X-Frame-Options", "DENY")
		hdr.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if isHTTPS(r) {
			hdr.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			// The request's attributes, built once for both lines; not a
			// logger.With, which would clone the handler on every request.
			attrs := []any{"method", r.Method, "path", redact(r.URL.Path), "route", r.Pattern}
			if s.requestLog != nil {
				attrs = append(attrs, s.requestLog(r)...)
			}
			v := recover()
			abort := false
			if v != nil {
				if v != http.ErrAbortHandler {
					s.log.Error("panic", append(attrs, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))...)
				}
				if sw.status == 0 && v != http.ErrAbortHandler {
					refused(sw.Header(), http.StatusInternalServerError)
					http.Error(sw, i18n.T(s.lang(r), "error.internal"), http.StatusInternalServerError)
				} else {
					// Part of the answer is out (or the handler asked to
					// abort), and an error page after it would read as its
					// end. Aborting makes net/http cut the connection and
					// lambdaweb drop what it buffered, so the client sees
					// the answer fail.
					abort = true
				}
			}
			s.log.Info("request", append(attrs, "status", sw.status, "bytes", sw.bytes, "ms", float64(time.Since(start).Microseconds())/1000)...)
			if abort {
				panic(http.ErrAbortHandler)
			}
		}()
		if !s.fromEdge(r) {
			s.log.Warn("request without the edge's origin secret refused", "method", r.Method, "path", redact(r.URL.Path))
			s.fail(sw, r, userError(trust.EForbidden, "error.forbidden"))
			return
		}
		// r is the variable the deferred log line reads: it must see the
		// request the mux matched, to name its route.
		var cancel context.CancelFunc
		r, cancel = s.withBudget(s.withClient(r))
		defer cancel()
		h.ServeHTTP(sw, r)
	})
}

// readForm parses a url-encoded form of bounded size.
func readForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return userError(trust.EInvalid, "error.form_unreadable")
	}
	return nil
}
