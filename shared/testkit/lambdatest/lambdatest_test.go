package lambdatest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"

	"trustcenter/shared/aws/secretkeys"
	"trustcenter/shared/testkit/lambdatest"
)

// helperEnv makes the test binary act as a function process (see TestMain),
// so Process is tested without building anything.
const helperEnv = "LAMBDATEST_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "echo":
		echoFunction(os.Getenv("AWS_LAMBDA_RUNTIME_API"))
	case "fail-init":
		fmt.Fprintln(os.Stderr, "helper: cold start: missing settings: TRUST_TABLE")
		os.Exit(3)
	}
}

// echoFunction is the Runtime API loop of a function that answers each event
// with itself.
func echoFunction(api string) {
	base := "http://" + api + "/2018-06-01/runtime/invocation/"
	for {
		res, err := http.Get(base + "next")
		if err != nil {
			os.Exit(1)
		}
		event, _ := io.ReadAll(res.Body)
		res.Body.Close()
		id := res.Header.Get(lambdatest.HeaderRequestID)
		post, err := http.Post(base+id+"/response", "application/json", bytes.NewReader(event))
		if err != nil {
			os.Exit(1)
		}
		post.Body.Close()
	}
}

func newRuntime(t *testing.T) *lambdatest.Runtime {
	rt := lambdatest.NewRuntime(lambdatest.Config{FunctionName: "fn", Timeout: 3 * time.Second})
	t.Cleanup(rt.Close)
	return rt
}

// next takes one invocation the way a function does.
func next(t *testing.T, rt *lambdatest.Runtime) (*http.Response, []byte) {
	t.Helper()
	res, err := http.Get("http://" + rt.Addr() + "/2018-06-01/runtime/invocation/next")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

func post(t *testing.T, rt *lambdatest.Runtime, path string, body []byte, header http.Header) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+rt.Addr()+"/2018-06-01/runtime/"+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

type invokeResult struct {
	body []byte
	err  error
}

func invokeAsync(ctx context.Context, rt *lambdatest.Runtime, event string) <-chan invokeResult {
	ch := make(chan invokeResult, 1)
	go func() {
		b, err := rt.Invoke(ctx, []byte(event))
		ch <- invokeResult{b, err}
	}()
	return ch
}

func TestInvokeDeliversEventAndReturnsResponse(t *testing.T) {
	rt := newRuntime(t)
	result := invokeAsync(t.Context(), rt, `{"rawPath":"/"}`)

	before := time.Now()
	res, event := next(t, rt)
	after := time.Now()
	if string(event) != `{"rawPath":"/"}` {
		t.Fatalf("event %q", event)
	}
	select {
	case <-rt.InitDone():
	default:
		t.Error("InitDone not closed after /next")
	}
	id := res.Header.Get(lambdatest.HeaderRequestID)
	if len(id) != 36 {
		t.Errorf("request id %q, want a UUID", id)
	}
	ms, err := strconv.ParseInt(res.Header.Get(lambdatest.HeaderDeadline), 10, 64)
	if err != nil {
		t.Fatalf("deadline header: %v", err)
	}
	// Delivery happened between before and after; the header has whole
	// milliseconds.
	if dl := time.UnixMilli(ms); dl.Before(before.Add(3*time.Second-time.Millisecond)) || dl.After(after.Add(3*time.Second)) {
		t.Errorf("deadline %v, want 3s (the timeout) after delivery, which was between %v and %v", dl, before, after)
	}
	if arn := res.Header.Get(lambdatest.HeaderFunctionARN); arn != "arn:aws:lambda:us-east-1:123456789012:function:fn" || arn != rt.FunctionARN() {
		t.Errorf("function ARN %q", arn)
	}
	if tr := res.Header.Get(lambdatest.HeaderTraceID); !strings.HasPrefix(tr, "Root=1-") {
		t.Errorf("trace id %q", tr)
	}
	if !rt.FirstResponseAt().IsZero() {
		t.Error("FirstResponseAt set before any response")
	}

	if code := post(t, rt, "invocation/"+id+"/response", []byte(`{"statusCode":200}`), nil); code != http.StatusAccepted {
		t.Fatalf("response: status %d, want 202", code)
	}
	r := <-result
	if r.err != nil || string(r.body) != `{"statusCode":200}` {
		t.Fatalf("Invoke = %q, %v", r.body, r.err)
	}
	if init, first := rt.InitFinishedAt(), rt.FirstResponseAt(); init.IsZero() || first.Before(init) {
		t.Errorf("init at %v, first response at %v", init, first)
	}
	// Each invocation is answered once.
	if code := post(t, rt, "invocation/"+id+"/response", []byte(`{}`), nil); code != http.StatusBadRequest {
		t.Errorf("second response: status %d, want 400", code)
	}
}

func TestInvocationErrorIsFunctionError(t *testing.T) {
	rt := newRuntime(t)
	result := invokeAsync(t.Context(), rt, `{}`)
	res, _ := next(t, rt)
	id := res.Header.Get(lambdatest.HeaderRequestID)
	code := post(t, rt, "invocation/"+id+"/error", []byte(`{"errorMessage":"boom","errorType":"errorString"}`),
		http.Header{lambdatest.HeaderErrorType: {"Function.Panic"}})
	if code != http.StatusAccepted {
		t.Fatalf("error: status %d, want 202", code)
	}
	r := <-result
	var fe *lambdatest.FunctionError
	if !errors.As(r.err, &fe) || fe.Init || fe.Type != "Function.Panic" || fe.Message != "boom" {
		t.Fatalf("Invoke error %#v, want the reported function error", r.err)
	}
}

func TestInitErrorFailsInvocations(t *testing.T) {
	rt := newRuntime(t)
	result := invokeAsync(t.Context(), rt, `{}`)
	if code := post(t, rt, "init/error", []byte(`{"errorMessage":"no TRUST_TABLE","errorType":"Runtime.InitError"}`), nil); code != http.StatusAccepted {
		t.Fatalf("init/error: status %d, want 202", code)
	}
	for _, r := range []invokeResult{<-result, <-invokeAsync(t.Context(), rt, `{}`)} {
		var fe *lambdatest.FunctionError
		if !errors.As(r.err, &fe) || !fe.Init || fe.Message != "no TRUST_TABLE" {
			t.Errorf("Invoke error %v, want the init error", r.err)
		}
	}
	if code := post(t, rt, "init/error", []byte(`{}`), nil); code != http.StatusForbidden {
		t.Errorf("second init/error: status %d, want 403", code)
	}
}

func TestOversizedResponseFailsInvocation(t *testing.T) {
	rt := newRuntime(t)
	result := invokeAsync(t.Context(), rt, `{}`)
	res, _ := next(t, rt)
	id := res.Header.Get(lambdatest.HeaderRequestID)
	if code := post(t, rt, "invocation/"+id+"/response", bytes.Repeat([]byte("x"), lambdatest.MaxResponse+1), nil); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", code)
	}
	if r := <-result; r.err == nil {
		t.Fatal("Invoke succeeded with an oversized response")
	}
}

func TestInvokeEndsWithContextOrClose(t *testing.T) {
	rt := newRuntime(t)
	ctx, cancel := context.WithCancelCause(t.Context())
	result := invokeAsync(ctx, rt, `{}`)
	stop := errors.New("gave up")
	cancel(stop)
	if r := <-result; !errors.Is(r.err, stop) {
		t.Errorf("Invoke after cancel: %v, want the cause", r.err)
	}

	polled := make(chan int, 1)
	go func() {
		res, err := http.Get("http://" + rt.Addr() + "/2018-06-01/runtime/invocation/next")
		if err != nil {
			polled <- 0
			return
		}
		res.Body.Close()
		polled <- res.StatusCode
	}()
	<-rt.InitDone()
	rt.Close()
	if code := <-polled; code != http.StatusInternalServerError {
		t.Errorf("/next at close: status %d, want 500", code)
	}
	if _, err := rt.Invoke(t.Context(), []byte(`{}`)); !errors.Is(err, lambdatest.ErrClosed) {
		t.Errorf("Invoke after Close: %v, want ErrClosed", err)
	}
}

func TestProcessAnswersAndMeasuresColdStart(t *testing.T) {
	rt := newRuntime(t)
	p, err := lambdatest.Start(rt, os.Args[0], []string{helperEnv + "=echo"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Kill)
	for i := range 2 {
		event := fmt.Sprintf(`{"n":%d}`, i)
		out, err := p.Invoke(t.Context(), []byte(event))
		if err != nil || string(out) != event {
			t.Fatalf("Invoke %d = %q, %v", i, out, err)
		}
	}
	cold, ok := p.ColdStart()
	init, iok := p.Init()
	if !ok || !iok || init <= 0 || cold < init {
		t.Errorf("init %v (%v), cold start %v (%v): want 0 < init <= cold start", init, iok, cold, ok)
	}
	p.Kill()
	if code := p.ExitCode(); code != -1 {
		t.Errorf("exit code after Kill %d, want -1 (signal)", code)
	}
}

func TestProcessExitFailsInvoke(t *testing.T) {
	rt := newRuntime(t)
	p, err := lambdatest.Start(rt, os.Args[0], []string{helperEnv + "=fail-init"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Kill)
	_, err = p.Invoke(t.Context(), []byte(`{}`))
	if err == nil || !strings.Contains(err.Error(), "missing settings: TRUST_TABLE") {
		t.Fatalf("Invoke = %v, want the process's exit with its stderr", err)
	}
	if code := p.ExitCode(); code != 3 {
		t.Errorf("exit code %d, want 3", code)
	}
	if _, ok := p.ColdStart(); ok {
		t.Error("ColdStart reported for a process that never answered")
	}
}

func smClient(url string) *secretsmanager.Client {
	return secretsmanager.New(secretsmanager.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		RetryMaxAttempts: 1,
	})
}

func TestSecretsManagerServesKeyring(t *testing.T) {
	sm := lambdatest.NewSecretsManager()
	t.Cleanup(sm.Close)
	want, arn, err := sm.PutKeyring("app/keys")
	if err != nil {
		t.Fatal(err)
	}
	client := smClient(sm.URL)
	for _, id := range []string{"app/keys", arn} {
		got, err := secretkeys.Load(t.Context(), client, id)
		if err != nil {
			t.Fatalf("Load(%q): %v", id, err)
		}
		if !bytes.Equal(got.Marshal(), want.Marshal()) {
			t.Errorf("Load(%q): a different keyring", id)
		}
	}
	out, err := client.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("app/keys")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Name) != "app/keys" || aws.ToString(out.ARN) != arn || out.CreatedDate == nil {
		t.Errorf("GetSecretValue = name %q, ARN %q, created %v", aws.ToString(out.Name), aws.ToString(out.ARN), out.CreatedDate)
	}

	_, err = client.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("other")})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "ResourceNotFoundException" {
		t.Errorf("unknown secret: %v, want ResourceNotFoundException", err)
	}
	if n := sm.Calls(); n != 4 {
		t.Errorf("Calls = %d, want 4", n)
	}
}

func TestSecretsManagerRefusesUnsigned(t *testing.T) {
	sm := lambdatest.NewSecretsManager()
	t.Cleanup(sm.Close)
	sm.Put("s", "v")
	req, _ := http.NewRequest(http.MethodPost, sm.URL, strings.NewReader(`{"SecretId":"s"}`))
	req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "MissingAuthenticationToken") || strings.Contains(string(body), `"v"`) {
		t.Errorf("unsigned request: %d %s", res.StatusCode, body)
	}
}
