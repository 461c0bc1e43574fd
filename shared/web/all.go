package web

import "net/http"

// All mounts every function's routes on one mux: the local server, and the
// end-to-end tests, run exactly the handlers the Lambda functions run.
func All(d Deps) http.Handler {
	s := newServer(d)
	mux := http.NewServeMux()
	s.mountPublic(mux)
	s.mountAccess(mux)
	s.mountDownload(mux)
	s.mountAdmin(mux)
	return s.wrap(mux)
}
