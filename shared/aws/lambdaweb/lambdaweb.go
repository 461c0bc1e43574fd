// Package lambdaweb runs an ordinary http.Handler as a Lambda function behind
// an API Gateway HTTP API (payload format 2.0), so the same handlers serve
// locally on net/http and in AWS.
//
// What the handler sees:
//   - r.Method, r.URL (path and query only, as net/http's server gives them),
//     r.RequestURI: from the event's method, rawPath and rawQueryString. With
//     a named stage rawPath starts with the stage; deploy on $default.
//   - r.Header: the event's headers, comma-joined as API Gateway delivers
//     them; the event's cookies array becomes one Cookie header.
//   - r.Host: the custom or execute-api domain name.
//   - r.RemoteAddr: "<sourceIp>:0". API Gateway gives no client port; the
//     zero port keeps net.SplitHostPort working as it does locally.
//   - r.TLS is nil even though the client used HTTPS (API Gateway terminates
//     TLS). The header X-Forwarded-Proto is always "https", overwriting
//     whatever the client sent: check that header, not r.TLS, to decide on
//     Secure cookies and absolute links.
//   - RequestID(r.Context()): API Gateway's requestContext.requestId, which
//     is also in API Gateway's access log; LogAttrs(r.Context()) adds the
//     Lambda request id, the cold-start flag and the metrics Count made,
//     for the handler's request log line.
//
// The response is buffered whole (payload 2.0 cannot stream): Set-Cookie
// headers go to the Cookies field, other multi-value headers are joined with
// ", ", and a body that is not UTF-8 text is base64-encoded. A panicking
// handler is logged with log/slog and answered with a bare 500. A panic with
// http.ErrAbortHandler gets the same answer without a log entry: package
// web's handlers log a panic themselves and abort that way when part of the
// answer is already written.
package lambdaweb

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// Start runs h as the Lambda function's handler; it never returns.
func Start(h http.Handler) {
	lambda.Start(Handler(h))
}

// Handler adapts h to API Gateway HTTP API events. It never returns an
// error: an error would make API Gateway answer its own 500, whereas every
// failure here is already turned into a response.
func Handler(h http.Handler) func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	var invoked atomic.Bool
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		inv := &invocation{apiRequestID: ev.RequestContext.RequestID, coldStart: !invoked.Swap(true)}
		ctx = context.WithValue(ctx, invocationKey{}, inv)
		r, err := newRequest(ctx, ev)
		if err != nil {
			slog.WarnContext(ctx, "lambdaweb: unusable event", "request_id", ev.RequestContext.RequestID, "err", err)
			return plain(http.StatusBadRequest), nil
		}
		w := &responseWriter{header: http.Header{}}
		if !serve(h, w, r) {
			return plain(http.StatusInternalServerError), nil
		}
		return w.response(r.Method == http.MethodHead), nil
	}
}

// serve runs the handler and reports whether it returned normally. Whatever
// a panicking handler wrote is dropped, so no partial page or internal
// detail reaches the client.
func serve(h http.Handler, w http.ResponseWriter, r *http.Request) (ok bool) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		// net/http treats ErrAbortHandler as a deliberate abort and does not
		// log it (whoever aborted has); the client still needs some answer
		// here.
		if v == http.ErrAbortHandler {
			return
		}
		slog.ErrorContext(r.Context(), "lambdaweb: handler panicked",
			"request_id", RequestID(r.Context()),
			"method", r.Method,
			"path", r.URL.Path,
			"panic", fmt.Sprint(v),
			"stack", string(debug.Stack()))
	}()
	h.ServeHTTP(w, r)
	return true
}

func newRequest(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (*http.Request, error) {
	var body []byte
	if ev.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(ev.Body)
		if err != nil {
			return nil, fmt.Errorf("body: %w", err)
		}
		body = b
	} else {
		body = []byte(ev.Body)
	}

	uri := ev.RawPath
	if uri == "" {
		uri = "/"
	}
	if ev.RawQueryString != "" {
		uri += "?" + ev.RawQueryString
	}
	method := ev.RequestContext.HTTP.Method
	if method == "" {
		method = http.MethodGet
	}
	r, err := http.NewRequestWithContext(ctx, method, uri, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	// A server-side request carries the request line here; NewRequest is
	// client-side and leaves it empty.
	r.RequestURI = uri
	r.Proto = ev.RequestContext.HTTP.Protocol
	var okProto bool
	if r.ProtoMajor, r.ProtoMinor, okProto = http.ParseHTTPVersion(r.Proto); !okProto {
		r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.1", 1, 1
	}

	for k, v := range ev.Headers {
		r.Header[http.CanonicalHeaderKey(k)] = []string{v}
	}
	if len(ev.Cookies) > 0 {
		r.Header.Set("Cookie", strings.Join(ev.Cookies, "; "))
	}
	r.Host = ev.RequestContext.DomainName
	if r.Host == "" {
		r.Host = r.Header.Get("Host")
	}
	// net/http moves Host out of the map; handlers should not see both.
	r.Header.Del("Host")
	r.Header.Set("X-Forwarded-Proto", "https")
	// The decoded body is what the handler reads; a length taken from the
	// base64 text would be wrong.
	r.ContentLength = int64(len(body))
	if len(body) > 0 || r.Header.Get("Content-Length") != "" {
		r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	if ip := ev.RequestContext.HTTP.SourceIP; ip != "" {
		r.RemoteAddr = net.JoinHostPort(ip, "0")
	}
	return r, nil
}

// responseWriter buffers the whole response, since payload 2.0 answers in
// one piece.
type responseWriter struct {
	header http.Header
	sent   http.Header // the headers as of WriteHeader, as net/http freezes them
	status int
	body   bytes.Buffer
}

func (w *responseWriter) Header() http.Header { return w.header }

func (w *responseWriter) WriteHeader(code int) {
	// 1xx answers are interim in net/http; payload 2.0 has no way to send
	// them, so the final status is still to come.
	if w.status != 0 || code < 200 {
		return
	}
	w.status = code
	w.sent = w.header.Clone()
}

func (w *responseWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.body.Write(p)
}

func (w *responseWriter) response(head bool) events.APIGatewayV2HTTPResponse {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	hdr := w.sent
	body := w.body.Bytes()
	// net/http sniffs a missing Content-Type; an explicitly nil one means
	// "send none".
	if _, set := hdr["Content-Type"]; !set && len(body) > 0 {
		hdr.Set("Content-Type", http.DetectContentType(body))
	}
	if head {
		body = nil
	}

	resp := events.APIGatewayV2HTTPResponse{StatusCode: w.status, Headers: map[string]string{}}
	merged := map[string][]string{}
	for k, vs := range hdr {
		k = http.CanonicalHeaderKey(k)
		merged[k] = append(merged[k], vs...)
	}
	for k, vs := range merged {
		switch {
		case len(vs) == 0:
		case k == "Set-Cookie":
			resp.Cookies = vs
		default:
			resp.Headers[k] = strings.Join(vs, ", ")
		}
	}
	if len(body) > 0 {
		if isText(hdr.Get("Content-Type")) && utf8.Valid(body) {
			resp.Body = string(body)
		} else {
			// The event is JSON: bytes that are not UTF-8 would be mangled
			// in transit unless encoded.
			resp.Body = base64.StdEncoding.EncodeToString(body)
			resp.IsBase64Encoded = true
		}
	}
	return resp
}

// isText reports whether a body of this content type is text that API
// Gateway can carry as is.
func isText(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt, _, _ = strings.Cut(contentType, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
	}
	switch {
	case strings.HasPrefix(mt, "text/"),
		strings.HasSuffix(mt, "/json"), strings.HasSuffix(mt, "+json"),
		strings.HasSuffix(mt, "/xml"), strings.HasSuffix(mt, "+xml"), // covers image/svg+xml
		strings.HasSuffix(mt, "/javascript"), strings.HasSuffix(mt, "/x-javascript"),
		strings.HasSuffix(mt, "/ecmascript"):
		return true
	}
	return false
}

// plain is a bare status answer that says nothing about what went wrong.
func plain(status int) events.APIGatewayV2HTTPResponse {
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers: map[string]string{
			"Content-Type":           "text/plain; charset=utf-8",
			"Cache-Control":          "no-store",
			"X-Content-Type-Options": "nosniff",
		},
		Body: http.StatusText(status) + "\n",
	}
}
