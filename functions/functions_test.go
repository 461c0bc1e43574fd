// Package functions_test runs the five Lambda functions, and the keyring
// custom resource, as the binaries that get deployed: built with -tags
// lambda.norpc, started as processes against
// an emulated Runtime API, with DynamoDB Local, a fake Secrets Manager and an
// in-memory S3 standing in for AWS. The handlers are tested in depth
// elsewhere; this proves the wiring of each main (settings, engines,
// keyring, event decoding) and measures cold starts.
package functions_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"trustcenter/shared/aws/dynamostore"
	"trustcenter/shared/testkit/dynamolocal"
	"trustcenter/shared/testkit/lambdatest"
	"trustcenter/shared/testkit/modroot"
	"trustcenter/shared/testkit/sigv4test"
	"trustcenter/shared/trust"
)

// dynamo is the package's one DynamoDB Local; each world gets its own table.
var dynamo dynamolocal.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	dynamo.Stop()
	for _, bb := range bins {
		if bb.dir != "" {
			os.RemoveAll(bb.dir)
		}
	}
	os.Exit(code)
}

// function is what these tests know of a Lambda function: its main's
// folder and the settings its cold start must insist on.
type function struct {
	Name  string
	Needs []string
}

var (
	publicFunction   = function{"public", []string{"TRUST_TABLE", "TRUST_BASE_URL", "TRUST_CONTENT"}}
	accessFunction   = function{"access", []string{"TRUST_TABLE", "TRUST_BASE_URL", "TRUST_CONTENT", "TRUST_STAFF", "TRUST_KEYS_SECRET"}}
	downloadFunction = function{"download", []string{"TRUST_TABLE", "TRUST_BASE_URL", "TRUST_CONTENT", "TRUST_BUCKET", "TRUST_KEYS_SECRET"}}
	adminFunction    = function{"admin", []string{"TRUST_TABLE", "TRUST_BASE_URL", "TRUST_CONTENT", "TRUST_BUCKET", "TRUST_STAFF", "TRUST_KEYS_SECRET"}}
	connectFunction  = function{"connect", []string{"TRUST_TABLE", "TRUST_BASE_URL", "TRUST_CONTENT", "TRUST_STAFF", "TRUST_KEYS_SECRET"}}
	// webFunctions answer API Gateway; the scheduler answers the table's
	// stream, the schedule and SES notifications, and is the only one
	// that sends mail.
	webFunctions      = []function{publicFunction, accessFunction, downloadFunction, adminFunction, connectFunction}
	schedulerFunction = function{"scheduler", []string{"TRUST_TABLE", "TRUST_MAIL_FROM"}}
	functions         = append(slices.Clone(webFunctions), schedulerFunction)
	// The deployment's custom resource that gives the keys secret its
	// first keyring: no settings, no web handler.
	keyringFunction = function{"keyring", nil}
	// built is every Lambda binary make build ships.
	built = append(slices.Clone(functions), keyringFunction)
)

// The deployment's settings, as infra/ passes them.
const (
	region     = "us-east-1"
	accessKey  = "AKIDFUNCTIONSTEST"
	secretKey  = "functions-test-secret"
	baseURL    = "https://trust.example.com"
	mailFrom   = "no-reply@example.com"
	staff      = "admin@example.com,sales@example.com:approver"
	bucket     = "trustcenter-reports"
	keysSecret = "trustcenter/link-keys"
	// invokeTimeout bounds one invocation including the cold start: a
	// process start on a loaded two-core machine can take seconds.
	invokeTimeout = time.Minute
)

// buildFlags are what every build of the functions passes to go build,
// as `make build` does (TestMakefileBuildsAsShipped holds it to them).
var buildFlags = lambdatest.BuildFlags

// A build is the four functions compiled as `make build` does, with CGO
// off, for one platform.
type build struct{ goos, goarch string }

var (
	// host is the build the tests and benchmarks run.
	host = build{runtime.GOOS, runtime.GOARCH}
	// deployed is the build Lambda runs, which TestBootstrapSizes weighs.
	deployed = build{"linux", "arm64"}
)

// maxBootstrap is the most a function's deployed bootstrap may weigh, in
// bytes (15 MB, as `make sizes` counts them): Lambda loads the package at
// every cold start, and the limit catches a dependency that would bloat
// every function. The console (admin) may weigh 16 MB: it carries the PDF
// library for upload checks and tracing, and only staff wait on its cold
// start; moving publishing into a function of its own is what would bring
// it back under 15 MB.
const maxBootstrap = 15_000_000

// bootstrapLimit is maxBootstrap for every function but the console.
func bootstrapLimit(name string) int64 {
	if name == "admin" {
		return 16_000_000
	}
	return maxBootstrap
}

// bins holds each build's four binaries, built once per test run.
var (
	binsMu sync.Mutex
	bins   = map[build]*builtBinaries{}
)

type builtBinaries struct {
	once sync.Once
	dir  string
	err  error
}

// binary returns the path of the named function's binary for this machine.
func binary(tb testing.TB, name string) string { return binaryOf(tb, host, name) }

// binaryOf returns the path of the named function's binary in build b.
func binaryOf(tb testing.TB, b build, name string) string {
	tb.Helper()
	binsMu.Lock()
	bb := bins[b]
	if bb == nil {
		bb = &builtBinaries{}
		bins[b] = bb
	}
	binsMu.Unlock()
	bb.once.Do(func() { bb.dir, bb.err = b.compile() })
	if bb.err != nil {
		tb.Fatal(bb.err)
	}
	return filepath.Join(bb.dir, name, "bootstrap")
}

// compile builds every function in one go command, as `make build` does
// but for b's platform, so the cold start measured is the deployed
// binary's, compiled for this machine.
func (b build) compile() (string, error) {
	names := make([]string, len(built))
	for i, f := range built {
		names[i] = f.Name
	}
	return lambdatest.Build(b.goos, b.goarch, names...)
}

// env is what b sets for go build, as the Makefile writes it.
func (b build) env() []string {
	return []string{"GOOS=" + b.goos, "GOARCH=" + b.goarch, "CGO_ENABLED=0"}
}

// endpoints are where the functions' AWS clients are sent. trap gets every
// service without an endpoint of its own, so nothing can reach real AWS.
type endpoints struct {
	dynamo, secrets, s3, trap string
}

// world is one deployment's worth of AWS stand-ins: a table with one public
// document, its file in a bucket, and the keyring secret.
type world struct {
	ep      endpoints
	table   string
	store   *dynamostore.Store
	secrets *lambdatest.SecretsManager
	keysARN string
	trap    *trap
	doc     trust.Document
	pdf     []byte
}

func newWorld(tb testing.TB) *world {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w := &world{trap: newTrap(tb)}
	w.ep.trap = w.trap.URL

	// The seeding client uses the functions' credentials and region:
	// DynamoDB Local keeps one database per access key and region, so
	// any other pair would seed a table the functions cannot see.
	w.ep.dynamo = dynamo.Endpoint(tb)
	db := dynamolocal.Client(w.ep.dynamo, func(o *dynamodb.Options) {
		o.Region, o.Credentials = region, credentials.NewStaticCredentialsProvider(accessKey, secretKey, "")
	})
	w.table = dynamolocal.NewTable(tb, db)
	w.store = dynamostore.New(db, w.table, trust.SystemClock)

	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		tb.Fatal(err)
	}
	// The bucket checks signatures, presigned links included, as S3 does.
	s3srv := httptest.NewServer(signed(tb, "s3")(gofakes3.New(backend).Server()))
	tb.Cleanup(s3srv.Close)
	w.ep.s3 = s3srv.URL

	w.secrets = lambdatest.NewSecretsManager(signed(tb, "secretsmanager"))
	tb.Cleanup(w.secrets.Close)
	w.ep.secrets = w.secrets.URL
	var err error
	if _, w.keysARN, err = w.secrets.PutKeyring(keysSecret); err != nil {
		tb.Fatal(err)
	}

	// The id is one the built-in example content offers as public, so the
	// trust page links it.
	w.pdf = []byte("%PDF-1.7\n" + strings.Repeat("1 0 obj << >> endobj\n", 150) + "%%EOF\n")
	sum := sha256.Sum256(w.pdf)
	w.doc = trust.Document{
		ID:        "soc3-2026",
		Title:     "SOC 3 report",
		Kind:      "SOC 3",
		Access:    trust.Public,
		FileName:  "lumen-ledger-soc3-2026.pdf",
		BlobKey:   "documents/soc3-2026/v1.pdf",
		SHA256:    hex.EncodeToString(sum[:]),
		Size:      int64(len(w.pdf)),
		Version:   1,
		UpdatedAt: time.Now().UTC(),
	}
	if _, err := backend.PutObject(bucket, w.doc.BlobKey, map[string]string{"Content-Type": "application/pdf"}, bytes.NewReader(w.pdf), w.doc.Size, nil); err != nil {
		tb.Fatal(err)
	}
	if err := w.store.Commit(ctx, trust.Tx{Document: &w.doc}); err != nil {
		tb.Fatal(err)
	}
	return w
}

// signed wraps a fake AWS service so that it refuses, and fails tb on, any
// request not signed with the functions' credentials for service.
func signed(tb testing.TB, service string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return &sigv4test.Handler{T: tb, Region: region, Service: service, Next: next,
			Creds: aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey}}
	}
}

// env is the whole environment of f's process: f's settings and no others,
// as infra/ deploys it, minus the names in drop; dummy credentials; every
// endpoint local; and no shared AWS config files, so a developer's profile
// cannot leak in.
func env(tb testing.TB, f function, ep endpoints, table, keysSecret string, drop ...string) []string {
	home := tb.TempDir()
	settings := map[string]string{
		"TRUST_TABLE":       table,
		"TRUST_BASE_URL":    baseURL,
		"TRUST_KEYS_SECRET": keysSecret,
		"TRUST_MAIL_FROM":   mailFrom,
		"TRUST_STAFF":       staff,
		"TRUST_BUCKET":      bucket,
		"TRUST_CONTENT":     filepath.Join(filepath.Dir(binary(tb, f.Name)), "content.json"),
	}
	vars := []string{
		"HOME=" + home,
		"AWS_CONFIG_FILE=" + filepath.Join(home, "no-config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "no-credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_REGION=" + region,
		"AWS_DEFAULT_REGION=" + region,
		"AWS_ACCESS_KEY_ID=" + accessKey,
		"AWS_SECRET_ACCESS_KEY=" + secretKey,
		"AWS_ENDPOINT_URL=" + ep.trap,
		"AWS_ENDPOINT_URL_DYNAMODB=" + ep.dynamo,
		"AWS_ENDPOINT_URL_SECRETS_MANAGER=" + ep.secrets,
		"AWS_ENDPOINT_URL_S3=" + ep.s3,
		"AWS_LAMBDA_FUNCTION_NAME=trustcenter-" + f.Name,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
	}
	for _, k := range f.Needs {
		if slices.Contains(drop, k) {
			continue
		}
		v, ok := settings[k]
		if !ok {
			tb.Fatalf("%s needs %s, which this test does not know how to set", f.Name, k)
		}
		vars = append(vars, k+"="+v)
	}
	return vars
}

func (w *world) env(tb testing.TB, f function) []string {
	return env(tb, f, w.ep, w.table, w.keysARN)
}

// start launches f's binary against a fresh Runtime; both end with tb.
func start(tb testing.TB, f function, vars []string) (*lambdatest.Runtime, *lambdatest.Process) {
	tb.Helper()
	bin := binary(tb, f.Name)
	rt := lambdatest.NewRuntime(lambdatest.Config{FunctionName: "trustcenter-" + f.Name, Region: region})
	tb.Cleanup(rt.Close)
	p, err := lambdatest.Start(rt, bin, vars)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		p.Kill()
		if tb.Failed() {
			tb.Logf("%s stdout:\n%s\n%s stderr:\n%s", f.Name, p.Stdout(), f.Name, p.Stderr())
		}
	})
	return rt, p
}

// event is an API Gateway HTTP API (payload 2.0) request as AWS documents
// it, for the custom domain of baseURL on the $default stage.
func event(method, target string) []byte {
	u, err := url.Parse(target)
	if err != nil {
		panic(err)
	}
	host := strings.TrimPrefix(baseURL, "https://")
	now := time.Now().UTC()
	ev := map[string]any{
		"version":        "2.0",
		"routeKey":       "$default",
		"rawPath":        u.EscapedPath(),
		"rawQueryString": u.RawQuery,
		"headers": map[string]string{
			"accept":            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
			"accept-encoding":   "gzip, deflate, br",
			"accept-language":   "en-US,en;q=0.9",
			"content-length":    "0",
			"host":              host,
			"user-agent":        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
			"x-amzn-trace-id":   "Root=1-67a0c0de-0123456789abcdef01234567",
			"x-forwarded-for":   "203.0.113.7",
			"x-forwarded-port":  "443",
			"x-forwarded-proto": "https",
		},
		"requestContext": map[string]any{
			"accountId":    "123456789012",
			"apiId":        "a1b2c3d4e5",
			"domainName":   host,
			"domainPrefix": strings.Split(host, ".")[0],
			"http": map[string]string{
				"method":    method,
				"path":      u.Path,
				"protocol":  "HTTP/1.1",
				"sourceIp":  "203.0.113.7",
				"userAgent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
			},
			"requestId": "Ab1CdEfGhIjKlM=",
			"routeKey":  "$default",
			"stage":     "$default",
			"time":      now.Format("02/Jan/2006:15:04:05 -0700"),
			"timeEpoch": now.UnixMilli(),
		},
		"isBase64Encoded": false,
	}
	if u.RawQuery != "" {
		q := map[string]string{}
		for k, vs := range u.Query() {
			q[k] = strings.Join(vs, ",")
		}
		ev["queryStringParameters"] = q
	}
	b, err := json.Marshal(ev)
	if err != nil {
		panic(err)
	}
	return b
}

// response is the payload 2.0 response as API Gateway reads it.
type response struct {
	StatusCode      int               `json:"statusCode"`
	Headers         map[string]string `json:"headers"`
	Cookies         []string          `json:"cookies"`
	Body            string            `json:"body"`
	IsBase64Encoded bool              `json:"isBase64Encoded"`
}

func (r response) header(name string) string {
	for k, v := range r.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// text is the body as the browser reads it: API Gateway undoes the base64,
// the browser the gzip (the events ask for it, as browsers do).
func (r response) text(tb testing.TB) string {
	tb.Helper()
	body := []byte(r.Body)
	if r.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(r.Body)
		if err != nil {
			tb.Fatalf("base64 body: %v", err)
		}
		body = b
	}
	switch enc := r.header("Content-Encoding"); enc {
	case "":
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			tb.Fatalf("gzip body: %v", err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			tb.Fatalf("gzip body: %v", err)
		}
	default:
		tb.Fatalf("Content-Encoding %q: the events accept only gzip, deflate and br, and the site sends only gzip", enc)
	}
	return string(body)
}

func invoke(tb testing.TB, p *lambdatest.Process, method, target string) response {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), invokeTimeout)
	defer cancel()
	out, err := p.Invoke(ctx, event(method, target))
	if err != nil {
		tb.Fatalf("%s %s: %v", method, target, err)
	}
	var res response
	if err := json.Unmarshal(out, &res); err != nil {
		tb.Fatalf("%s %s: response is not a payload 2.0 response: %v\n%s", method, target, err, out)
	}
	return res
}

// call is one request to a function and what its answer must show.
type call struct {
	method, target string
	status         int
	body           []string // substrings of the body
	check          func(t *testing.T, w *world, res response)
}

// calls returns each function's requests; the first is also the one the
// cold-start benchmark sends.
func calls(w *world) map[string][]call {
	return map[string][]call{
		"public": {
			{method: "GET", target: "/", status: http.StatusOK,
				// The link and the size come from the document record in
				// DynamoDB, not from the content file.
				body: []string{`<h1`, `href="/documents/soc3-2026"`, fmt.Sprintf("PDF · %d KB", (w.doc.Size+1023)/1024)}},
			{method: "GET", target: "/healthz", status: http.StatusOK, body: []string{"ok"}},
		},
		"access": {
			{method: "GET", target: "/access-requests/new", status: http.StatusOK,
				body: []string{`name="nda_signature"`, `action="/access-requests`}},
		},
		"download": {
			{method: "GET", target: "/documents/soc3-2026", status: http.StatusFound, check: checkPresignedDownload},
		},
		"admin": {
			{method: "GET", target: "/admin/login", status: http.StatusOK,
				body: []string{`name="email"`, `action="/admin/login"`}},
		},
		// Slack and single sign-on are off without their settings: the
		// interaction is refused unsigned, the sign-in is not found.
		"connect": {
			{method: "POST", target: "/slack/interactions", status: http.StatusUnauthorized},
			{method: "GET", target: "/admin/sso", status: http.StatusNotFound},
		},
	}
}

// checkPresignedDownload follows the download function's redirect to the
// bucket and checks the file arrives, and that the download was audited.
func checkPresignedDownload(t *testing.T, w *world, res response) {
	loc := res.header("Location")
	prefix := w.ep.s3 + "/" + bucket + "/" + w.doc.BlobKey + "?"
	if !strings.HasPrefix(loc, prefix) {
		t.Fatalf("Location %q, want a path-style link starting %q", loc, prefix)
	}
	q, err := url.ParseQuery(strings.TrimPrefix(loc, prefix))
	if err != nil {
		t.Fatal(err)
	}
	if q.Get("X-Amz-Signature") == "" || q.Get("X-Amz-Expires") != "60" {
		t.Errorf("link query %v: want a SigV4 presigned URL valid for 60s", q)
	}
	if cd := q.Get("response-content-disposition"); !strings.Contains(cd, w.doc.FileName) {
		t.Errorf("response-content-disposition %q, want the file name %q", cd, w.doc.FileName)
	}
	got, err := http.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Body.Close()
	body, err := io.ReadAll(got.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got.StatusCode != http.StatusOK || !bytes.Equal(body, w.pdf) {
		t.Fatalf("GET presigned link: %s, %d bytes; want 200 and the %d bytes stored", got.Status, len(body), len(w.pdf))
	}
	// An anonymous download is counted for the day, not kept as an event.
	now := time.Now()
	if n, err := w.store.DownloadCount(t.Context(), w.doc.ID, now.Add(-time.Hour), now.Add(time.Hour)); err != nil || n != 1 {
		t.Errorf("downloads of %s counted: %d, %v; want 1", w.doc.ID, n, err)
	}
}

func TestFunctionsStartAndAnswer(t *testing.T) {
	w := newWorld(t)
	all := calls(w)
	for _, f := range webFunctions {
		t.Run(f.Name, func(t *testing.T) {
			secretCalls := w.secrets.Calls()
			rt, p := start(t, f, w.env(t, f))
			for i, c := range all[f.Name] {
				res := invoke(t, p, c.method, c.target)
				if i == 0 {
					cold, _ := p.ColdStart()
					init, _ := p.Init()
					t.Logf("%s cold start: init %v, first response %v", f.Name, init.Round(time.Millisecond), cold.Round(time.Millisecond))
				}
				body := res.text(t)
				if res.StatusCode != c.status {
					t.Fatalf("%s %s: status %d, want %d; body:\n%s", c.method, c.target, res.StatusCode, c.status, body)
				}
				for _, want := range c.body {
					if !strings.Contains(body, want) {
						t.Errorf("%s %s: body lacks %q; body:\n%s", c.method, c.target, want, body)
					}
				}
				if c.check != nil {
					c.check(t, w, res)
				}
			}
			if init, first := rt.InitFinishedAt(), rt.FirstResponseAt(); init.IsZero() || first.Before(init) {
				t.Errorf("init finished at %v, first response at %v: want init first", init, first)
			}
			// The keyring is read once per cold start, and only by the
			// functions that sign or verify links.
			want := 0
			if slices.Contains(f.Needs, "TRUST_KEYS_SECRET") {
				want = 1
			}
			if got := w.secrets.Calls() - secretCalls; got != want {
				t.Errorf("Secrets Manager calls: %d, want %d", got, want)
			}
			select {
			case <-p.Exited():
				t.Errorf("the process exited after answering (%v); a warm environment must stay up", p.ExitErr())
			default:
			}
		})
	}
	if c := w.trap.Calls(); len(c) > 0 {
		t.Errorf("requests to AWS services without a test endpoint: %v", c)
	}
}

// A function missing a setting fails its cold start, saying which setting,
// before it touches any AWS service; but it does not exit, which would
// leave its readers API Gateway's bare 500: it answers the trust center's
// 503 page, logs why, and stays up to try again on later requests.
func TestColdStartFailsWithoutSetting(t *testing.T) {
	tr := newTrap(t)
	ep := endpoints{dynamo: tr.URL, secrets: tr.URL, s3: tr.URL, trap: tr.URL}
	missing := map[string]string{
		"public":    "TRUST_TABLE",
		"access":    "TRUST_STAFF",
		"download":  "TRUST_BUCKET",
		"admin":     "TRUST_KEYS_SECRET",
		"connect":   "TRUST_STAFF",
		"scheduler": "TRUST_MAIL_FROM",
	}
	for _, f := range functions {
		missing := missing[f.Name]
		t.Run(f.Name+"/"+missing, func(t *testing.T) {
			if !slices.Contains(f.Needs, missing) {
				t.Fatalf("%s does not need %s; pick a setting it needs", f.Name, missing)
			}
			_, p := start(t, f, env(t, f, ep, "trust", keysSecret, missing))
			if f.Name == schedulerFunction.Name {
				// Nobody reads the scheduler's answers: it stops, naming
				// the setting, and Lambda reports the failed init.
				select {
				case <-p.Exited():
				case <-time.After(invokeTimeout):
					t.Fatal("the scheduler kept running without " + missing)
				}
				if !strings.Contains(p.Stderr(), missing) || p.ExitCode() == 0 {
					t.Errorf("exit %d, stderr %q; want a failure naming %s", p.ExitCode(), p.Stderr(), missing)
				}
				return
			}
			for range 2 {
				assertUnavailablePage(t, invoke(t, p, "GET", "/"))
			}
			if out := p.Stdout(); !strings.Contains(out, missing) || strings.Count(out, "cold start failed") != 1 {
				t.Errorf("the log does not name %s as the cold start's failure, once:\n%s", missing, out)
			}
			assertStaysUp(t, p)
		})
	}
	if c := tr.Calls(); len(c) > 0 {
		t.Errorf("requests to AWS before the settings were checked: %v", c)
	}
}

// A keyring secret that cannot be read fails the cold start too, naming the
// secret, and the function answers 503 until a later try reads it.
func TestColdStartFailsWithoutKeyring(t *testing.T) {
	tr := newTrap(t)
	sm := lambdatest.NewSecretsManager()
	t.Cleanup(sm.Close)
	ep := endpoints{dynamo: tr.URL, secrets: sm.URL, s3: tr.URL, trap: tr.URL}
	_, p := start(t, accessFunction, env(t, accessFunction, ep, "trust", "trustcenter/no-such-secret"))
	assertUnavailablePage(t, invoke(t, p, "GET", "/access-requests/new"))
	out := p.Stdout()
	for _, want := range []string{`trustcenter/no-such-secret`, "ResourceNotFoundException", "cold start failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %s:\n%s", want, out)
		}
	}
	if sm.Calls() < 1 {
		t.Errorf("Secrets Manager calls: %d, want the cold start's", sm.Calls())
	}
	assertStaysUp(t, p)
	if c := tr.Calls(); len(c) > 0 {
		t.Errorf("requests to other AWS services: %v", c)
	}
}

// assertUnavailablePage checks res is the trust center's own 503 page.
func assertUnavailablePage(t *testing.T, res response) {
	t.Helper()
	body := res.text(t)
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "<h1>Service temporarily unavailable</h1>") ||
		res.header("Retry-After") == "" || res.header("Cache-Control") != "no-store" {
		t.Errorf("status %d, headers %v, want the 503 page:\n%.500s", res.StatusCode, res.Headers, body)
	}
}

func assertStaysUp(t *testing.T, p *lambdatest.Process) {
	t.Helper()
	select {
	case <-p.Exited():
		t.Errorf("the process exited (%v); it must stay up to recover", p.ExitErr())
	default:
	}
}

// BenchmarkColdStart starts each function's process b.N times, sends it its
// first request and kills it. ns/op covers process start to answer; the
// ms/coldstart metric is process start to the Runtime API receiving the
// response, and ms/init process start to the first /next (the keyring
// fetch included). Each iteration is a process start: keep -benchtime
// small (e.g. 5x).
func BenchmarkColdStart(b *testing.B) { eachFunction(b, coldStart) }

// eachFunction runs bench as a sub-benchmark per function, on one world,
// after warmUp.
func eachFunction(b *testing.B, bench func(b *testing.B, w *world, f function, bin string, c call)) {
	w := newWorld(b)
	all := calls(w)
	warmUp(b, w, all)
	for _, f := range webFunctions {
		b.Run(f.Name, func(b *testing.B) {
			bench(b, w, f, binary(b, f.Name), all[f.Name][0])
		})
	}
}

func coldStart(b *testing.B, w *world, f function, bin string, c call) {
	vars := w.env(b, f)
	ev := event(c.method, c.target)
	var cold, init time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		rt := lambdatest.NewRuntime(lambdatest.Config{FunctionName: "trustcenter-" + f.Name, Region: region})
		ctx, cancel := context.WithTimeout(context.Background(), invokeTimeout)
		b.StartTimer()

		p, err := lambdatest.Start(rt, bin, vars)
		if err != nil {
			b.Fatal(err)
		}
		out, err := p.Invoke(ctx, ev)

		b.StopTimer()
		cancel()
		p.Kill()
		rt.Close()
		if err != nil {
			b.Fatalf("%s %s: %v\nstdout:\n%s", c.method, c.target, err, p.Stdout())
		}
		var res response
		if err := json.Unmarshal(out, &res); err != nil || res.StatusCode != c.status {
			b.Fatalf("%s %s: status %d (%v), want %d; response:\n%s", c.method, c.target, res.StatusCode, err, c.status, out)
		}
		d, _ := p.ColdStart()
		i, _ := p.Init()
		cold += d
		init += i
		b.StartTimer()
	}
	b.ReportMetric(float64(cold.Microseconds())/1000/float64(b.N), "ms/coldstart")
	b.ReportMetric(float64(init.Microseconds())/1000/float64(b.N), "ms/init")
}

// warmUp sends every function its first request a few dozen times before
// anything is measured, so that the first sub-benchmark alone does not pay
// for DynamoDB Local's JIT compilation and the page cache filling with the
// binaries.
func warmUp(b *testing.B, w *world, all map[string][]call) {
	for _, f := range webFunctions {
		c := all[f.Name][0]
		rt := lambdatest.NewRuntime(lambdatest.Config{FunctionName: "trustcenter-" + f.Name, Region: region})
		p, err := lambdatest.Start(rt, binary(b, f.Name), w.env(b, f))
		if err != nil {
			rt.Close()
			b.Fatal(err)
		}
		for range 30 {
			invoke(b, p, c.method, c.target)
		}
		p.Kill()
		rt.Close()
	}
}

// BenchmarkWarmRequest sends one started process of each function its
// first request b.N times, through the Runtime API, with DynamoDB Local,
// S3 and Secrets Manager behind it as in TestFunctionsStartAndAnswer: the
// time a warm Lambda spends on a request, less API Gateway.
func BenchmarkWarmRequest(b *testing.B) { eachFunction(b, warmRequest) }

func warmRequest(b *testing.B, w *world, f function, bin string, c call) {
	rt := lambdatest.NewRuntime(lambdatest.Config{FunctionName: "trustcenter-" + f.Name, Region: region})
	defer rt.Close()
	p, err := lambdatest.Start(rt, bin, w.env(b, f))
	if err != nil {
		b.Fatal(err)
	}
	defer p.Kill()
	invoke(b, p, c.method, c.target) // the cold start, not measured
	b.ResetTimer()
	for range b.N {
		if res := invoke(b, p, c.method, c.target); res.StatusCode != c.status {
			b.Fatalf("%s %s: status %d, want %d", c.method, c.target, res.StatusCode, c.status)
		}
	}
}

// trap answers every request with an error and remembers it: the endpoint
// of any AWS service a test did not mean the functions to use.
type trap struct {
	URL   string
	mu    sync.Mutex
	calls []string
}

func newTrap(tb testing.TB) *trap {
	tr := &trap{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr.mu.Lock()
		tr.calls = append(tr.calls, fmt.Sprintf("%s %s%s target=%q", r.Method, r.Host, r.URL.Path, r.Header.Get("X-Amz-Target")))
		tr.mu.Unlock()
		// A 4xx, so the SDK fails at once instead of retrying.
		http.Error(w, "not an endpoint this test expects to be called", http.StatusForbidden)
	}))
	tb.Cleanup(srv.Close)
	tr.URL = srv.URL
	return tr
}

func (tr *trap) Calls() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return slices.Clone(tr.calls)
}

// TestMakefileBuildsAsShipped: make build compiles as these tests do, for
// the deployed platform, so their figures and sizes are the deployed
// binaries'.
func TestMakefileBuildsAsShipped(t *testing.T) {
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	// buildFlags as the Makefile's shell line writes them.
	var words []string
	for _, f := range buildFlags {
		if strings.Contains(f, " ") {
			f = `"` + f + `"`
		}
		words = append(words, f)
	}
	want := strings.Join(deployed.env(), " ") + " $(GO) build " + strings.Join(words, " ") + " -o build/$$f/bootstrap ./functions/$$f"
	if !strings.Contains(string(mk), want) {
		t.Errorf("the Makefile has no %s", want)
	}
}

// TestBootstrapSizes: no function's deployed bootstrap passes its limit.
func TestBootstrapSizes(t *testing.T) {
	for _, f := range built {
		fi, err := os.Stat(binaryOf(t, deployed, f.Name))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %.2f MB", f.Name, float64(fi.Size())/1e6)
		if limit := bootstrapLimit(f.Name); fi.Size() > limit {
			t.Errorf("%s bootstrap (%s/%s) is %.2f MB, more than %.0f MB", f.Name, deployed.goos, deployed.goarch, float64(fi.Size())/1e6, float64(limit)/1e6)
		}
	}
}

// TestFunctionsLeaveOutLocalCode: no function links what only the local
// server or the tests use. The rule is on folders: nothing under
// shared/local/ or shared/testkit/ reaches a Lambda binary, and neither does
// the YAML parser or the embedded database those folders bring in. Nor does
// the SDK's config package: a function's AWS settings come from its
// environment alone (shared/aws/awsenv), never from shared config files.
func TestFunctionsLeaveOutLocalCode(t *testing.T) {
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	forbiddenPrefixes := []string{"trustcenter/shared/local/", "trustcenter/shared/testkit/", "go.yaml.in/yaml/", "go.etcd.io/bbolt"}
	forbidden := []string{"github.com/aws/aws-sdk-go-v2/config"}
	for _, f := range built {
		cmd := exec.Command("go", "list", "-tags", "lambda.norpc", "-deps", "./functions/"+f.Name)
		cmd.Dir = root
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list %s: %v", f.Name, err)
		}
		// pdfcpu reads its configuration format with the YAML parser, so
		// the functions that stamp or trace copies (download, admin) or
		// write signed NDAs (download, scheduler) carry it; the content
		// still reaches them compiled.
		stamps := strings.Contains(string(out), "github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model\n")
		if want := f.Name == "download" || f.Name == "admin" || f.Name == "scheduler"; stamps != want {
			t.Errorf("functions/%s links pdfcpu = %v, want %v", f.Name, stamps, want)
		}
		for dep := range strings.Lines(string(out)) {
			dep = strings.TrimSpace(dep)
			if stamps && strings.HasPrefix(dep, "go.yaml.in/yaml/") {
				continue
			}
			if slices.Contains(forbidden, dep) || slices.ContainsFunc(forbiddenPrefixes, func(p string) bool { return strings.HasPrefix(dep, p) }) {
				t.Errorf("functions/%s imports %s", f.Name, dep)
			}
		}
	}
}
