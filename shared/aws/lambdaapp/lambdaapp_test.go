package lambdaapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"trustcenter/shared/app"
	"trustcenter/shared/aws/lambdaweb"
	"trustcenter/shared/local/contentfile"
	"trustcenter/shared/trust"
	"trustcenter/shared/web"
)

// logLines parses a JSON log, one object a line.
func logLines(t *testing.T, out *bytes.Buffer) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		lines = append(lines, m)
	}
	return lines
}

func count(lines []map[string]any, msg string) int {
	n := 0
	for _, l := range lines {
		if l["msg"] == msg {
			n++
		}
	}
	return n
}

// TestFailedColdStartServesUnavailableAndRecovers: a function whose
// dependencies fail to build answers the 503 page in the reader's
// language, logs why once for the cold start and once per request, tries
// again only after a pause that grows, and serves normally once a build
// succeeds.
func TestFailedColdStartServesUnavailableAndRecovers(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&out, nil)).With("function", "access")
	builds, failFor := 0, 3
	built := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("served")) })
	build := func(context.Context) (http.Handler, error) {
		builds++
		if builds <= failFor {
			return nil, errors.New(`secretsmanager: GetSecretValue "trustcenter/link-keys": ResourceNotFoundException`)
		}
		return built, nil
	}
	now := time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC)
	h := recoveringOn(t.Context(), log, build, func() time.Time { return now })
	get := func(lang string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, "/access-requests/new", nil)
		r.Header.Set("Accept-Language", lang)
		h.ServeHTTP(rec, r)
		return rec
	}

	if lines := logLines(t, &out); builds != 1 || count(lines, "cold start failed; answering 503 until a rebuild succeeds") != 1 ||
		!strings.Contains(out.String(), "ResourceNotFoundException") {
		t.Fatalf("after the cold start: %d builds, log:\n%s", builds, out.String())
	}
	for lang, title := range map[string]string{"en": "Service temporarily unavailable", "zh-CN": "服务暂时不可用"} {
		res := get(lang)
		if res.Code != http.StatusServiceUnavailable || !strings.Contains(res.Body.String(), "<h1>"+title+"</h1>") ||
			res.Header().Get("Retry-After") == "" || res.Header().Get("Cache-Control") != "no-store" ||
			res.Header().Get("Content-Security-Policy") == "" {
			t.Errorf("%s: %d, headers %v, want the 503 page:\n%.500s", lang, res.Code, res.Header(), res.Body.String())
		}
	}
	if builds != 1 {
		t.Errorf("%d builds within the pause, want none after the cold start's", builds-1)
	}
	lines := logLines(t, &out)
	if n := count(lines, "function unavailable: its dependencies failed to build"); n != 2 {
		t.Errorf("%d requests logged as refused, want 2:\n%s", n, out.String())
	}

	// Past the pause: one more try, which fails and doubles the pause.
	now = now.Add(firstRetry)
	out.Reset()
	if res := get("en"); res.Code != http.StatusServiceUnavailable || builds != 2 {
		t.Fatalf("after the pause: %d with %d builds", res.Code, builds)
	}
	if !strings.Contains(out.String(), `"retry_in":"2s"`) {
		t.Errorf("the pause did not double:\n%s", out.String())
	}
	now = now.Add(time.Second)
	if get("en"); builds != 2 {
		t.Errorf("built again within the doubled pause")
	}
	now = now.Add(time.Second)
	get("en") // third failure
	now = now.Add(4 * time.Second)
	if res := get("en"); res.Code != http.StatusOK || res.Body.String() != "served" || builds != 4 {
		t.Fatalf("after the dependency came back: %d %q, %d builds", res.Code, res.Body.String(), builds)
	}
	if get("en"); builds != 4 {
		t.Error("built again after a success")
	}
}

// fakeStore serves one public document and takes commits.
type fakeStore struct {
	trust.Store
	commits int
}

func (f *fakeStore) GetDocument(_ context.Context, id string) (trust.Document, error) {
	if id != "soc3" {
		return trust.Document{}, trust.Errorf(trust.ENotFound, "no document %s", id)
	}
	return trust.Document{ID: "soc3", Access: trust.Public, BlobKey: "soc3/1.pdf", FileName: "soc3.pdf", Version: 1}, nil
}

func (f *fakeStore) Commit(context.Context, trust.Tx) error { f.commits++; return nil }

func (f *fakeStore) CountDownload(context.Context, string, time.Time) error { return nil }

type presigner struct{}

func (presigner) PresignGet(context.Context, string, string, time.Duration) (string, error) {
	return "https://bucket.example/soc3.pdf?sig=1", nil
}

type mailer struct{ fail bool }

func (m mailer) Send(context.Context, trust.Mail) error {
	if m.fail {
		return trust.Unavailable(errors.New("ses throttled"))
	}
	return nil
}

// TestRequestLogLine: one JSON line per request with both request ids, the
// route, status, duration and cold-start flag, and the request's business
// counts as Embedded Metric Format that CloudWatch reads as metrics.
func TestRequestLogLine(t *testing.T) {
	site, err := contentfile.Example()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&out, nil)).With("function", "download")
	c := app.Config{BaseURL: "https://trust.example", Issuer: "test", RequestBudget: app.DefaultRequestBudget}
	h := lambdaweb.Handler(newHandler(c, web.Download, site, nil, trust.Engines{Store: &fakeStore{}, Links: presigner{}}, log))
	invoke := func(lambdaID, path string) map[string]any {
		out.Reset()
		ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: lambdaID})
		ev := events.APIGatewayV2HTTPRequest{RawPath: path, RequestContext: events.APIGatewayV2HTTPRequestContext{
			RequestID: "api-" + lambdaID, DomainName: "trust.example",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", SourceIP: "203.0.113.7"},
		}}
		if _, err := h(ctx, ev); err != nil {
			t.Fatal(err)
		}
		for _, l := range logLines(t, &out) {
			if l["msg"] == "request" {
				return l
			}
		}
		t.Fatalf("no request line:\n%s", out.String())
		return nil
	}

	line := invoke("lambda-1", "/documents/soc3")
	for k, want := range map[string]any{
		"lambda_request_id": "lambda-1", "request_id": "api-lambda-1", "route": "GET /documents/{id}",
		"status": 302.0, "cold_start": true, "function": "download", "Downloads": 1.0,
	} {
		if line[k] != want {
			t.Errorf("%s = %v, want %v", k, line[k], want)
		}
	}
	if _, ok := line["ms"].(float64); !ok {
		t.Errorf("no duration: %v", line)
	}
	meta, _ := json.Marshal(line["_aws"])
	if !strings.Contains(string(meta), `"Namespace":"TrustCenter"`) || !strings.Contains(string(meta), `{"Name":"Downloads","Unit":"Count"}`) {
		t.Errorf("_aws = %s", meta)
	}

	line = invoke("lambda-2", "/documents/nothing")
	if line["cold_start"] != false || line["status"] != 404.0 || line["Downloads"] != nil || line["_aws"] != nil {
		t.Errorf("second request: %v", line)
	}
}

// TestMailCounts: each mail sent or failed counts in its request.
func TestMailCounts(t *testing.T) {
	var attrs []any
	h := lambdaweb.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		countingMailer{mailer{}}.Send(ctx, trust.Mail{})
		countingMailer{mailer{}}.Send(ctx, trust.Mail{})
		if err := (countingMailer{mailer{fail: true}}).Send(ctx, trust.Mail{}); err == nil {
			t.Error("the failure was swallowed")
		}
		attrs = lambdaweb.LogAttrs(ctx)
	}))
	if _, err := h(t.Context(), events.APIGatewayV2HTTPRequest{RawPath: "/"}); err != nil {
		t.Fatal(err)
	}
	got := map[string]any{}
	for i := 0; i+1 < len(attrs); i += 2 {
		got[attrs[i].(string)] = attrs[i+1]
	}
	if got[mailSent] != 2 || got[mailFailed] != 1 {
		t.Errorf("MailSent %v, MailFailed %v, want 2 and 1", got[mailSent], got[mailFailed])
	}
}
