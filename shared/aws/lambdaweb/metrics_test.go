package lambdaweb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"trustcenter/shared/aws/lambdaweb"
)

// TestLogAttrsCarryIdsAndMetrics: the request line has both request ids
// and the cold-start flag (true for the process's first invocation only),
// and the counts made while serving, in Embedded Metric Format.
func TestLogAttrsCarryIdsAndMetrics(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&out, nil)).With("function", "access")
	counts := map[string]int{}
	h := lambdaweb.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for name, n := range counts {
			lambdaweb.Count(r.Context(), name, n)
		}
		log.Info("request", lambdaweb.LogAttrs(r.Context())...)
	}))
	ev := loadEvent(t, "get_query_cookies.json")
	invokeAs := func(lambdaID string) map[string]any {
		out.Reset()
		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: lambdaID})
		if _, err := h(ctx, ev); err != nil {
			t.Fatal(err)
		}
		var line map[string]any
		if err := json.Unmarshal(out.Bytes(), &line); err != nil {
			t.Fatalf("log line %q: %v", out.String(), err)
		}
		return line
	}

	counts["Submissions"], counts["MailSent"] = 1, 2
	first := invokeAs("8476a536-e9f4-11e8-9739-2dfe598c3fcd")
	if first["lambda_request_id"] != "8476a536-e9f4-11e8-9739-2dfe598c3fcd" || first["request_id"] != "GetQ1zAbCdIAMEbVw=" || first["cold_start"] != true {
		t.Errorf("first line: %v", first)
	}
	if first["Submissions"] != 1.0 || first["MailSent"] != 2.0 {
		t.Errorf("metric values: Submissions %v, MailSent %v", first["Submissions"], first["MailSent"])
	}
	var meta struct {
		Timestamp         int64
		CloudWatchMetrics []struct {
			Namespace  string
			Dimensions [][]string
			Metrics    []struct{ Name, Unit string }
		}
	}
	raw, _ := json.Marshal(first["_aws"])
	if err := json.Unmarshal(raw, &meta); err != nil || meta.Timestamp == 0 || len(meta.CloudWatchMetrics) != 1 {
		t.Fatalf("_aws = %s (%v)", raw, err)
	}
	d := meta.CloudWatchMetrics[0]
	if d.Namespace != lambdaweb.Namespace || len(d.Dimensions) != 1 || len(d.Dimensions[0]) != 1 || d.Dimensions[0][0] != "function" {
		t.Errorf("directive %+v", d)
	}
	for _, dim := range d.Dimensions[0] {
		if _, ok := first[dim]; !ok {
			t.Errorf("dimension %q is not on the line", dim)
		}
	}
	if len(d.Metrics) != 2 || d.Metrics[0].Name != "MailSent" || d.Metrics[1].Name != "Submissions" || d.Metrics[0].Unit != "Count" {
		t.Errorf("metrics %+v", d.Metrics)
	}

	clear(counts)
	second := invokeAs("second-id")
	if second["cold_start"] != false || second["lambda_request_id"] != "second-id" {
		t.Errorf("second line: %v", second)
	}
	if _, ok := second["_aws"]; ok {
		t.Errorf("a request that counted nothing declares metrics: %v", second)
	}
	if _, ok := second["Submissions"]; ok {
		t.Error("a count leaked into the next invocation")
	}
}

func TestCountOutsideLambdaDoesNothing(t *testing.T) {
	lambdaweb.Count(context.Background(), "Downloads", 1)
	if attrs := lambdaweb.LogAttrs(context.Background()); len(attrs) != 0 {
		t.Errorf("LogAttrs outside Lambda = %v", attrs)
	}
}
