// Package lambdatest runs a Lambda function's real binary on one machine the
// way the Lambda service does: an in-process Runtime API that hands out
// invocations and collects answers, a launcher for the binary, and a fake
// Secrets Manager for the keyring read at cold start. It exists so tests can
// prove that a built function starts, answers and fails as it will in AWS,
// and measure its cold start.
//
// The Runtime API is the documented HTTP interface
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html):
//
//	GET  /2018-06-01/runtime/invocation/next
//	POST /2018-06-01/runtime/invocation/{id}/response
//	POST /2018-06-01/runtime/invocation/{id}/error
//	POST /2018-06-01/runtime/init/error
package lambdatest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"
)

// The Runtime API's headers.
const (
	HeaderRequestID   = "Lambda-Runtime-Aws-Request-Id"
	HeaderDeadline    = "Lambda-Runtime-Deadline-Ms"
	HeaderFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
	HeaderTraceID     = "Lambda-Runtime-Trace-Id"
	HeaderErrorType   = "Lambda-Runtime-Function-Error-Type"
)

const apiPrefix = "/2018-06-01/runtime/"

// MaxResponse is Lambda's limit on a synchronous invocation's response; a
// function that answers more fails in AWS, so it fails here too.
const MaxResponse = 6 << 20

// maxErrorBody bounds what is kept of an error report.
const maxErrorBody = 1 << 20

// Config describes the emulated function.
type Config struct {
	// FunctionName goes into the invoked-function ARN; "function" if empty.
	FunctionName string
	// Region goes into the ARN (account 123456789012); us-east-1 if empty.
	Region string
	// Timeout is each invocation's deadline, counted from its delivery to
	// the function; 10s if zero.
	Timeout time.Duration
}

// Runtime is one execution environment's Runtime API. One function process
// talks to it; Invoke may be called from any goroutine.
type Runtime struct {
	cfg Config
	arn string
	srv *httptest.Server

	// queue hands an invocation to a waiting /next. Unbuffered: an
	// invocation counts as delivered only once a /next has taken it.
	queue     chan *invocation
	closing   chan struct{}
	closeOnce sync.Once

	initDone   chan struct{} // closed at the first /next
	initFailed chan struct{} // closed at /init/error

	mu          sync.Mutex
	inflight    map[string]*invocation
	initAt      time.Time
	firstAnswer time.Time
	initErr     *FunctionError
}

type invocation struct {
	id     string
	event  []byte
	result chan result // buffered: the answer never waits for Invoke
}

type result struct {
	body []byte
	err  error
}

// FunctionError is a failure the function reported itself, through
// .../invocation/{id}/error or, with Init set, /init/error.
type FunctionError struct {
	Init    bool
	Type    string // errorType, or the Lambda-Runtime-Function-Error-Type header
	Message string // errorMessage
	Body    []byte // the report as sent
}

func (e *FunctionError) Error() string {
	phase := "invocation"
	if e.Init {
		phase = "init"
	}
	if e.Message == "" {
		return fmt.Sprintf("lambdatest: function reported an %s error %s: %s", phase, e.Type, e.Body)
	}
	return fmt.Sprintf("lambdatest: function reported an %s error %s: %s", phase, e.Type, e.Message)
}

// ErrClosed is returned by Invoke once the Runtime is closed.
var ErrClosed = errors.New("lambdatest: runtime closed")

// NewRuntime starts a Runtime API on a free loopback port. Close it when done.
func NewRuntime(cfg Config) *Runtime {
	if cfg.FunctionName == "" {
		cfg.FunctionName = "function"
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	rt := &Runtime{
		cfg:        cfg,
		arn:        fmt.Sprintf("arn:aws:lambda:%s:123456789012:function:%s", cfg.Region, cfg.FunctionName),
		queue:      make(chan *invocation),
		closing:    make(chan struct{}),
		initDone:   make(chan struct{}),
		initFailed: make(chan struct{}),
		inflight:   map[string]*invocation{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+apiPrefix+"invocation/next", rt.next)
	mux.HandleFunc("POST "+apiPrefix+"invocation/{id}/response", rt.response)
	mux.HandleFunc("POST "+apiPrefix+"invocation/{id}/error", rt.invocationError)
	mux.HandleFunc("POST "+apiPrefix+"init/error", rt.initError)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		apiError(w, http.StatusNotFound, "UnknownRoute", r.Method+" "+r.URL.Path+" is not part of the Runtime API")
	})
	rt.srv = httptest.NewServer(mux)
	return rt
}

// Addr is the value for AWS_LAMBDA_RUNTIME_API: host and port, no scheme.
func (rt *Runtime) Addr() string { return rt.srv.Listener.Addr().String() }

// FunctionARN is the ARN each invocation is delivered with.
func (rt *Runtime) FunctionARN() string { return rt.arn }

// Close stops the API. Invocations still waiting fail with ErrClosed, and a
// function blocked in /next gets an error, as when Lambda shuts an
// environment down.
func (rt *Runtime) Close() {
	rt.closeOnce.Do(func() {
		close(rt.closing)
		rt.srv.Close()
	})
}

// Invoke delivers event to the function and returns its response payload.
// It waits for the function to ask for work, so it may be called before the
// process has started. A function-reported error comes back as
// *FunctionError; an init error fails every Invoke.
func (rt *Runtime) Invoke(ctx context.Context, event []byte) ([]byte, error) {
	inv := &invocation{id: newRequestID(), event: event, result: make(chan result, 1)}
	select {
	case rt.queue <- inv:
	case <-rt.initFailed:
		return nil, rt.InitError()
	case <-rt.closing:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
	select {
	case res := <-inv.result:
		return res.body, res.err
	case <-rt.initFailed:
		return nil, rt.InitError()
	case <-rt.closing:
		return nil, ErrClosed
	case <-ctx.Done():
		rt.mu.Lock()
		delete(rt.inflight, inv.id)
		rt.mu.Unlock()
		return nil, context.Cause(ctx)
	}
}

// InitDone is closed when the function first asks for an invocation, which
// is how the Runtime API learns that its init phase is over.
func (rt *Runtime) InitDone() <-chan struct{} { return rt.initDone }

// InitFinishedAt is when the function first called /next; zero before.
func (rt *Runtime) InitFinishedAt() time.Time {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.initAt
}

// FirstResponseAt is when the first complete answer (response or error)
// arrived; zero before.
func (rt *Runtime) FirstResponseAt() time.Time {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.firstAnswer
}

// InitError is what the function posted to /init/error, or nil.
func (rt *Runtime) InitError() error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.initErr == nil {
		return nil
	}
	return rt.initErr
}

func (rt *Runtime) next(w http.ResponseWriter, r *http.Request) {
	rt.mu.Lock()
	if rt.initAt.IsZero() {
		rt.initAt = time.Now()
		close(rt.initDone)
	}
	rt.mu.Unlock()

	select {
	case inv := <-rt.queue:
		deadline := time.Now().Add(rt.cfg.Timeout)
		rt.mu.Lock()
		rt.inflight[inv.id] = inv
		rt.mu.Unlock()
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set(HeaderRequestID, inv.id)
		h.Set(HeaderDeadline, strconv.FormatInt(deadline.UnixMilli(), 10))
		h.Set(HeaderFunctionARN, rt.arn)
		h.Set(HeaderTraceID, traceID())
		w.WriteHeader(http.StatusOK)
		w.Write(inv.event)
	case <-rt.closing:
		apiError(w, http.StatusInternalServerError, "ServiceShutdown", "the execution environment is shutting down")
	case <-r.Context().Done():
		// The function went away while waiting; nothing was delivered.
	}
}

func (rt *Runtime) response(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxResponse+1))
	if err != nil {
		apiError(w, http.StatusBadRequest, "InvalidRequest", err.Error())
		return
	}
	if len(body) > MaxResponse {
		// The invocation fails as in Lambda; the function is told so and
		// moves on to the next one.
		err := fmt.Errorf("lambdatest: response larger than %d bytes", MaxResponse)
		rt.settle(w, r.PathValue("id"), result{err: err}, func(w http.ResponseWriter) {
			apiError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", err.Error())
		})
		return
	}
	rt.settle(w, r.PathValue("id"), result{body: body}, accepted)
}

func (rt *Runtime) invocationError(w http.ResponseWriter, r *http.Request) {
	fe, err := readFunctionError(r)
	if err != nil {
		apiError(w, http.StatusBadRequest, "InvalidRequest", err.Error())
		return
	}
	rt.settle(w, r.PathValue("id"), result{err: fe}, accepted)
}

func (rt *Runtime) initError(w http.ResponseWriter, r *http.Request) {
	fe, err := readFunctionError(r)
	if err != nil {
		apiError(w, http.StatusBadRequest, "InvalidRequest", err.Error())
		return
	}
	fe.Init = true
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.initErr != nil || !rt.initAt.IsZero() {
		// Init is over once /next was called, and it fails only once.
		apiError(w, http.StatusForbidden, "InvalidStateTransition", "init already finished")
		return
	}
	rt.initErr = fe
	close(rt.initFailed)
	accepted(w)
}

// settle answers invocation id with res and tells the function how that
// went: ok's answer, or InvalidRequestID when no such invocation is in
// flight.
func (rt *Runtime) settle(w http.ResponseWriter, id string, res result, ok func(http.ResponseWriter)) {
	if !rt.answer(id, res) {
		apiError(w, http.StatusBadRequest, "InvalidRequestID", "no invocation in flight with this id")
		return
	}
	ok(w)
}

// answer completes the in-flight invocation id with res, reporting whether
// there was one: each invocation is answered once.
func (rt *Runtime) answer(id string, res result) bool {
	rt.mu.Lock()
	inv, ok := rt.inflight[id]
	if ok {
		delete(rt.inflight, id)
		if rt.firstAnswer.IsZero() {
			rt.firstAnswer = time.Now()
		}
	}
	rt.mu.Unlock()
	if ok {
		inv.result <- res
	}
	return ok
}

func readFunctionError(r *http.Request) (*FunctionError, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxErrorBody))
	if err != nil {
		return nil, err
	}
	fe := &FunctionError{Type: r.Header.Get(HeaderErrorType), Body: body}
	var doc struct {
		Message string `json:"errorMessage"`
		Type    string `json:"errorType"`
	}
	// The body is documented as JSON but is the function's to choose; an
	// unparsable one is still kept whole.
	if json.Unmarshal(body, &doc) == nil {
		fe.Message = doc.Message
		if fe.Type == "" {
			fe.Type = doc.Type
		}
	}
	if fe.Type == "" {
		fe.Type = "Unhandled"
	}
	return fe, nil
}

func accepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, `{"status":"OK"}`)
}

func apiError(w http.ResponseWriter, status int, typ, msg string) {
	body, _ := json.Marshal(map[string]string{"errorType": typ, "errorMessage": msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

// newRequestID returns a UUID v4, the form of Lambda's request ids.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// traceID returns an X-Ray trace header with a fresh, unsampled root.
func traceID() string {
	var root [12]byte
	var parent [8]byte
	rand.Read(root[:])
	rand.Read(parent[:])
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), hex.EncodeToString(root[:]), hex.EncodeToString(parent[:]))
}
