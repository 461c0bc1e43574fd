package web

import (
	"errors"
	"net/http"

	"trustcenter/shared/trust"
)

// Function is one Lambda function's share of the HTTP API. The local
// server mounts every function's share on one handler. A function's main
// names only its own, so the linker leaves the other functions' handlers
// and pages out of its binary.
type Function struct {
	// Name is the function's: the directory of its main under functions/
	// and of its bootstrap in the stack's assets.
	Name  string
	mount func(*server, router)
	// mailNotice: the function's pages say when mail cannot go out
	// (mailhealth.go). A field, not a wrapper around mount, so the
	// variables stay static data the linker can leave out.
	mailNotice bool
}

var (
	// Public serves the trust page and its machine-readable companions. It
	// only reads the store (the document list) and never touches report
	// files.
	Public = Function{"public", (*server).mountPublic, false}
	// Access serves the request form, email confirmation and the
	// requester's access page.
	Access = Function{"access", (*server).mountAccess, true}
	// Download serves public documents and granted downloads. It is the
	// only function that reads report files.
	Download = Function{"download", (*server).mountDownload, false}
	// Admin serves the sales console: sign-in by emailed link, the request
	// queue, approve/deny/revoke, and report uploads.
	Admin = Function{"admin", (*server).mountAdmin, true}
	// Connect answers the staff's outside services: Slack's interactions
	// and the identity provider's sign-in. Their clients live here, not in
	// admin, which is near its size limit.
	Connect = Function{"connect", (*server).mountConnect, false}
)

func (s *server) mountConnect(m router) {
	m.handle("POST", "/slack/interactions", s.slackInteraction)
	m.handle("GET", ssoPath, s.startSSO)
	m.handle("GET", ssoCallback, s.finishSSO)
}

func (f Function) String() string { return f.Name }

// Functions are every function, in the order the stack deploys them. It is
// a function, not a variable, so that only what calls it (the local server,
// the stack) links all four.
func Functions() []Function { return []Function{Public, Access, Download, Admin, Connect} }

// Route is one method and path a function serves, in ServeMux syntax: a
// {name} is one path segment, a final {name...} the rest of the path, and
// a final {$} ends an exact path that would otherwise be a prefix.
type Route struct {
	Method string
	Path   string
}

// Pattern is the route as http.ServeMux takes it.
func (r Route) Pattern() string { return r.Method + " " + r.Path }

// router is where a mount function puts its routes: the mux that serves
// them, or, for Routes, only the list.
type router struct {
	mux    *http.ServeMux
	routes *[]Route
}

func (m router) handle(method, path string, h http.HandlerFunc) {
	r := Route{Method: method, Path: path}
	if m.mux != nil {
		m.mux.Handle(r.Pattern(), h)
	}
	if m.routes != nil {
		*m.routes = append(*m.routes, r)
	}
}

// Routes are the routes fn serves: the one list the stack deploys to fn,
// so that a route served here is routed there.
func Routes(fn Function) []Route {
	var rs []Route
	// Mounting only builds handlers; none runs, so the server may be empty.
	fn.mount(&server{}, router{routes: &rs})
	return rs
}

// New is the handler of the functions fns: one Lambda function's, or all
// of them for the local server, which then runs exactly the handlers the
// Lambda functions run. Anything else is answered 404 with the error page.
func New(d Deps, fns ...Function) http.Handler {
	s := newServer(d)
	return s.wrap(s.mux(fns...))
}

func (s *server) mux(fns ...Function) *http.ServeMux {
	mux := http.NewServeMux()
	for _, fn := range fns {
		fn.mount(s, router{mux: mux})
		s.mailHealth.on = s.mailHealth.on || fn.mailNotice
	}
	mux.HandleFunc("/", notFound(s))
	return mux
}

// Unavailable answers every request with the 503 page, in the reader's
// language and with the usual headers and log line: the handler of a
// function whose own could not be built (shared/aws/lambdaapp), which
// needs neither a service nor content.
func Unavailable(d Deps) http.Handler {
	s := newServer(d)
	return s.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, trust.Unavailable(errNotStarted))
	}))
}

var errNotStarted = errors.New("the function's dependencies are not built")
