package web

import (
	"fmt"
	"net/http"
)

// Function names one Lambda function's share of the HTTP API. The local
// server mounts every function's share on one handler.
type Function string

const (
	// Public serves the trust page and its machine-readable companions. It
	// only reads the store (the document list) and never touches report
	// files.
	Public Function = "public"
	// Access serves the request form, email confirmation and the
	// requester's access page.
	Access Function = "access"
	// Download serves public documents and granted downloads. It is the
	// only function that reads report files.
	Download Function = "download"
	// Admin serves the sales console: sign-in by emailed link, the request
	// queue, approve/deny/revoke, and report uploads.
	Admin Function = "admin"
)

// Functions are every function, in the order the stack deploys them.
var Functions = []Function{Public, Access, Download, Admin}

// mounts puts each function's routes on a router.
var mounts = map[Function]func(*server, router){
	Public:   (*server).mountPublic,
	Access:   (*server).mountAccess,
	Download: (*server).mountDownload,
	Admin:    (*server).mountAdmin,
}

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

func mountFor(fn Function) func(*server, router) {
	mount, ok := mounts[fn]
	if !ok {
		panic(fmt.Sprintf("web: no function %q", fn))
	}
	return mount
}

// Routes are the routes fn serves: the one list the stack deploys to fn,
// so that a route served here is routed there.
func Routes(fn Function) []Route {
	var rs []Route
	// Mounting only builds handlers; none runs, so the server may be empty.
	mountFor(fn)(&server{}, router{routes: &rs})
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
		mountFor(fn)(s, router{mux: mux})
	}
	mux.HandleFunc("/", notFound(s))
	return mux
}
