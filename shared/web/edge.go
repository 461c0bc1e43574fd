package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"trustcenter/shared/trust"
)

// OriginSecretHeader is where the edge (CloudFront) proves a request came
// through it; infra sets the same name.
const OriginSecretHeader = "X-Origin-Verify"

// ErrRequestBudget is the cause of a request context whose budget ran out:
// whatever failed after it failed because the request took too long.
var ErrRequestBudget = errors.New("request budget spent")

// budgetMargin is what a request leaves of the platform's own deadline (a
// Lambda invocation's) for the error page to get out.
const budgetMargin = time.Second

// fromEdge reports whether r carries the origin secret, compared in
// constant time so the answer's timing says nothing about the secret.
// Without a secret configured (one machine) every request passes.
func (s *server) fromEdge(r *http.Request) bool {
	if s.originSecret == "" {
		return true
	}
	got := r.Header.Get(OriginSecretHeader)
	return subtle.ConstantTimeCompare([]byte(got), []byte(s.originSecret)) == 1
}

type clientIPKey struct{}

// viewerAddress is the client's IP from the edge's header, "ip:port" with
// an IPv6 address unbracketed (CloudFront-Viewer-Address), so the port is
// after the last colon; "" when the header is absent or not an address.
func viewerAddress(v string) string {
	i := strings.LastIndexByte(v, ':')
	if i < 0 || i == len(v)-1 || strings.Trim(v[i+1:], "0123456789") != "" {
		return ""
	}
	host := strings.TrimSuffix(strings.TrimPrefix(v[:i], "["), "]")
	ip, err := netip.ParseAddr(host)
	if err != nil || ip.Zone() != "" {
		return ""
	}
	return ip.Unmap().String()
}

// withClient records the client's address on a request that came through
// the edge, from the header the edge sets; the header is believed on
// nothing else, since anyone can send it straight to the API.
func (s *server) withClient(r *http.Request) *http.Request {
	if s.originSecret == "" || s.clientIPHeader == "" {
		return r
	}
	ip := viewerAddress(r.Header.Get(s.clientIPHeader))
	if ip == "" {
		s.log.Warn("edge sent no usable client address; using the API's source address",
			"header", s.clientIPHeader, "path", redact(r.URL.Path))
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), clientIPKey{}, ip))
}

// withBudget gives r a deadline of the configured budget, or less when the
// platform's own deadline comes sooner, so a dependency that hangs is
// answered with our 503 page rather than the platform's timeout.
func (s *server) withBudget(r *http.Request) (*http.Request, context.CancelFunc) {
	if s.budget <= 0 {
		return r, func() {}
	}
	deadline := time.Now().Add(s.budget)
	if d, ok := r.Context().Deadline(); ok && d.Add(-budgetMargin).Before(deadline) {
		deadline = d.Add(-budgetMargin)
	}
	ctx, cancel := context.WithDeadlineCause(r.Context(), deadline, ErrRequestBudget)
	return r.WithContext(ctx), cancel
}

// spent turns a failure that came after the request's budget ran out into
// the dependency failure it is: a store or mail call cut off by the
// deadline answers whatever its engine makes of a cancelled context, and
// the reader should see "try again shortly", not an internal error.
func spent(r *http.Request, err error) error {
	if err == nil || statusOf(err) < 500 || !errors.Is(context.Cause(r.Context()), ErrRequestBudget) {
		return err
	}
	return trust.Unavailable(fmt.Errorf("%w: %w", ErrRequestBudget, err))
}

// client is the caller as the service records it: the edge's viewer
// address on a request that proved it came through the edge, else
// RemoteAddr, the connection's peer locally and API Gateway's sourceIp on
// Lambda. Headers a client can forge are not trusted for it.
func client(r *http.Request) trust.Client {
	ip, ok := r.Context().Value(clientIPKey{}).(string)
	if !ok {
		var err error
		if ip, _, err = net.SplitHostPort(r.RemoteAddr); err != nil {
			ip = r.RemoteAddr
		}
	}
	return trust.Client{IP: ip, UserAgent: r.UserAgent()}
}
