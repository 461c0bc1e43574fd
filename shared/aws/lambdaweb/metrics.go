package lambdaweb

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Namespace is the CloudWatch namespace of the business metrics.
const Namespace = "TrustCenter"

// invocation is what the adapter knows of one event beyond the request:
// its ids, whether it is the process's first, and the counts the handler
// made while serving it.
type invocation struct {
	apiRequestID string
	coldStart    bool

	mu     sync.Mutex
	counts map[string]int
}

type invocationKey struct{}

func invocationOf(ctx context.Context) *invocation {
	inv, _ := ctx.Value(invocationKey{}).(*invocation)
	return inv
}

// RequestID returns API Gateway's request id for the request ctx belongs
// to, or "" outside Lambda.
func RequestID(ctx context.Context) string {
	if inv := invocationOf(ctx); inv != nil {
		return inv.apiRequestID
	}
	return ""
}

// Count adds n to a business metric (a submission, a download, a mail
// sent) of the invocation ctx belongs to; LogAttrs reports it. Outside an
// invocation it does nothing.
func Count(ctx context.Context, metric string, n int) {
	inv := invocationOf(ctx)
	if inv == nil {
		return
	}
	inv.mu.Lock()
	if inv.counts == nil {
		inv.counts = map[string]int{}
	}
	inv.counts[metric] += n
	inv.mu.Unlock()
}

// LogAttrs are the invocation's attributes for its request log line: the
// Lambda and API Gateway request ids, whether this was the environment's
// cold start and, when the request counted any, its metrics in CloudWatch's
// Embedded Metric Format. CloudWatch Logs turns that into metrics with no
// API call: the "_aws" key declares each count, found under its own name
// at the top level, dimensioned by the line's "function" attribute, which
// the logger must carry (lambdaapp's does).
func LogAttrs(ctx context.Context) []any {
	attrs := []any{}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		attrs = append(attrs, "lambda_request_id", lc.AwsRequestID)
	}
	inv := invocationOf(ctx)
	if inv == nil {
		return attrs
	}
	attrs = append(attrs, "request_id", inv.apiRequestID, "cold_start", inv.coldStart)
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if len(inv.counts) == 0 {
		return attrs
	}
	names := make([]string, 0, len(inv.counts))
	for name := range inv.counts {
		names = append(names, name)
	}
	slices.Sort(names)
	metrics := make([]emfMetric, len(names))
	for i, name := range names {
		metrics[i] = emfMetric{Name: name, Unit: "Count"}
	}
	attrs = append(attrs, "_aws", emf{
		Timestamp: time.Now().UnixMilli(),
		CloudWatchMetrics: []emfDirective{{
			Namespace:  Namespace,
			Dimensions: [][]string{{"function"}},
			Metrics:    metrics,
		}},
	})
	for _, name := range names {
		attrs = append(attrs, name, inv.counts[name])
	}
	return attrs
}

// The Embedded Metric Format's metadata, as CloudWatch documents it.
type emf struct {
	Timestamp         int64          `json:"Timestamp"`
	CloudWatchMetrics []emfDirective `json:"CloudWatchMetrics"`
}

type emfDirective struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []emfMetric `json:"Metrics"`
}

type emfMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}
