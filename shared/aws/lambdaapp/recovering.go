package lambdaapp

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"trustcenter/shared/web"
)

// The pause between two tries at building a function that failed to,
// doubling from the first to the last: a dependency back within seconds
// is used within seconds, and one down for long costs a try a minute.
const (
	firstRetry = time.Second
	lastRetry  = time.Minute
)

// recovering is a function's handler that may not have been built yet.
type recovering struct {
	build       func(context.Context) (http.Handler, error)
	log         *slog.Logger
	unavailable http.Handler
	now         func() time.Time

	mu      sync.Mutex
	h       http.Handler
	err     error // why the last build failed
	retryAt time.Time
	pause   time.Duration
}

// Recovering builds the function's handler at once (the cold start) and,
// when that fails, answers every request with the trust center's 503 page
// and builds again on a request after a pause, so the environment recovers
// by itself once the dependency is back. Each failure is logged: the cold
// start's once, and each request's with the reason it was refused.
func Recovering(ctx context.Context, log *slog.Logger, build func(context.Context) (http.Handler, error)) http.Handler {
	return recoveringOn(ctx, log, build, time.Now)
}

// recoveringOn is Recovering on a clock of the caller's.
func recoveringOn(ctx context.Context, log *slog.Logger, build func(context.Context) (http.Handler, error), now func() time.Time) *recovering {
	rc := &recovering{build: build, log: log, now: now, pause: firstRetry,
		unavailable: web.Unavailable(web.Deps{
			Log: log, RequestLog: requestLog,
			// Read here, not from a configuration that may be what failed:
			// a request around the edge is refused even now.
			OriginSecret: os.Getenv("TRUST_ORIGIN_SECRET"),
		})}
	if h, err := build(ctx); err != nil {
		rc.err, rc.retryAt = err, rc.now().Add(rc.pause)
		log.Error("cold start failed; answering 503 until a rebuild succeeds", "err", err, "retry_in", rc.pause.String())
	} else {
		rc.h = h
	}
	return rc
}

func (rc *recovering) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := rc.handler(r.Context()); h != nil {
		h.ServeHTTP(w, r)
		return
	}
	rc.unavailable.ServeHTTP(w, r)
}

// handler is the built handler, built now if the pause since the last
// failure is over; nil while the function cannot be built.
func (rc *recovering) handler(ctx context.Context) http.Handler {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.h != nil {
		return rc.h
	}
	now := rc.now()
	if now.Before(rc.retryAt) {
		rc.log.Error("function unavailable: its dependencies failed to build", "err", rc.err, "retry_at", rc.retryAt.UTC())
		return nil
	}
	h, err := rc.build(ctx)
	if err == nil {
		rc.log.Info("function built after an earlier failure", "previous_err", rc.err)
		rc.h, rc.err = h, nil
		return h
	}
	rc.pause = min(rc.pause*2, lastRetry)
	rc.err, rc.retryAt = err, now.Add(rc.pause)
	rc.log.Error("function unavailable: rebuilding its dependencies failed", "err", err, "retry_in", rc.pause.String())
	return nil
}
