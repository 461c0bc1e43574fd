package lambdaapp

import (
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"trustcenter/shared/app"
	"trustcenter/shared/aws/dynamostore"
	"trustcenter/shared/aws/lambdaweb"
	"trustcenter/shared/content"
	"trustcenter/shared/local/contentfile"
	"trustcenter/shared/token"
	"trustcenter/shared/trust"
	"trustcenter/shared/web"
)

// functionTimeout is the web functions' Lambda timeout (infra,
// timeoutSeconds); budgetMargin is the least time an answer must leave
// before it, for the response to get back through API Gateway.
const (
	functionTimeout = 10 * time.Second
	budgetMargin    = time.Second
)

// faultyDynamo is a DynamoDB endpoint that answers every call with a
// fault: it hangs until the client gives up, or refuses as throttled.
func faultyDynamo(t *testing.T, fault string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // so the server sees the client hang up
		switch fault {
		case "hang":
			<-r.Context().Done()
		case "throttle":
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"The level of configured provisioned throughput for the table was exceeded."}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestBudgetWithFailingDynamoDB: with DynamoDB hanging or throttling every
// call, each function's routes answer the trust center's own 503 page
// (never a gateway's timeout, never a 500) well inside the function's
// timeout. The SDK's bounded retries (awsenv.Bounded) and the request
// budget are what keep it there; the bound is asserted, not timed as a
// goal.
func TestBudgetWithFailingDynamoDB(t *testing.T) {
	site, err := contentfile.Example()
	if err != nil {
		t.Fatal(err)
	}
	ring, err := token.ParseKeyring(newKeyring(t))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := token.NewHolder(t.Context(), token.SourceFunc(func(context.Context) (*token.Keyring, error) { return ring, nil }), trust.SystemClock)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"name": {"Ada"}, "email": {"ada@buyer.example"}, "company": {"Buyer"}, "reason": {"Review"},
		"document": {"soc2-type2-2026"}, "nda_version": {"1"}, "nda_accept": {"yes"}, "nda_signature": {"Ada"}}
	routes := []struct {
		fn           web.Function
		method, path string
		body         string
	}{
		{web.Public, "GET", "/", ""},
		{web.Public, "GET", "/trust.json", ""},
		{web.Access, "GET", "/access-requests/new", ""},
		{web.Access, "POST", "/access-requests", form.Encode()},
		{web.Download, "GET", "/documents/soc3-2026", ""},
		{web.Admin, "POST", "/admin/login", url.Values{"email": {"admin@trust.example"}}.Encode()},
	}
	for _, fault := range []string{"hang", "throttle"} {
		srv := faultyDynamo(t, fault)
		cfg := aws.Config{Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL),
			Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}
		c := app.Config{BaseURL: "https://trust.example", Issuer: "test", RequestBudget: app.DefaultRequestBudget,
			Staff: []trust.Staff{{Email: "admin@trust.example", Role: trust.Admin}}}
		for _, rt := range routes {
			t.Run(fault+rt.method+rt.path, func(t *testing.T) {
				t.Parallel()
				budgetRoute(t, fault, rt.fn, rt.method, rt.path, rt.body, c, cfg, site, keys)
			})
		}
	}
}

// budgetRoute sends one request to fn's handler on the faulty endpoint and
// checks the answer and its time.
func budgetRoute(t *testing.T, fault string, fn web.Function, method, path, reqBody string, c app.Config, cfg aws.Config, site *content.Site, keys *token.Holder) {
	e := trust.Engines{Store: dynamostore.FromConfig(cfg, "TrustCenter", trust.SystemClock), Links: presigner{}}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	h := lambdaweb.Handler(newHandler(c, fn, site, keys, e, log))
	// Lambda's context carries the function's deadline.
	ctx, cancel := context.WithTimeout(lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "req"}), functionTimeout)
	ev := events.APIGatewayV2HTTPRequest{RawPath: path, Body: base64.StdEncoding.EncodeToString([]byte(reqBody)), IsBase64Encoded: true,
		Headers: map[string]string{"content-type": "application/x-www-form-urlencoded", "origin": "https://trust.example"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{RequestID: "api-req", DomainName: "trust.example",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, SourceIP: "203.0.113.7"}}}
	start := time.Now()
	res, err := h(ctx, ev)
	took := time.Since(start)
	cancel()
	name := fault + " " + method + " " + path
	if err != nil {
		t.Errorf("%s: the adapter failed (a gateway error): %v", name, err)
		return
	}
	body := res.Body
	if res.IsBase64Encoded {
		b, _ := base64.StdEncoding.DecodeString(body)
		body = string(b)
	}
	// The 503 page, or the sign-in form saying the same beside
	// the address typed.
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "temporarily unavailable") || !strings.HasPrefix(body, "<!doctype html>") ||
		res.Headers["Retry-After"] == "" {
		t.Errorf("%s: %d, Retry-After %q, want the trust center's 503 page:\n%.300s", name, res.StatusCode, res.Headers["Retry-After"], body)
	}
	if took > functionTimeout-budgetMargin {
		t.Errorf("%s: answered after %v, want under %v (timeout %v less %v)", name, took, functionTimeout-budgetMargin, functionTimeout, budgetMargin)
	}
	t.Logf("%s: %d in %v", name, res.StatusCode, took.Round(time.Millisecond))
}

// newKeyring is a fresh signing keyring in its stored form.
func newKeyring(t *testing.T) []byte {
	t.Helper()
	var k token.Keyring
	if err := k.Rotate(time.Now()); err != nil {
		t.Fatal(err)
	}
	return k.Marshal()
}
