package awsenv

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
)

func TestErrorCodes(t *testing.T) {
	for _, tc := range []struct {
		name, header, body string
		status             int
		want               string
	}{
		{"json __type with namespace", "", `{"__type":"com.amazonaws.secretsmanager#ResourceNotFoundException","message":"no"}`, 400, "ResourceNotFoundException"},
		{"error type header with URL", "ThrottlingException:http://internal.amazon.com/coral/", `{}`, 400, "ThrottlingException"},
		{"json code", "", `{"code":"MessageRejected"}`, 400, "MessageRejected"},
		{"s3 xml", "", `<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>gone</Message></Error>`, 404, "NoSuchKey"},
		{"no body", "", ``, 404, "Not Found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := &http.Response{StatusCode: tc.status, Header: http.Header{}}
			if tc.header != "" {
				res.Header.Set("X-Amzn-ErrorType", tc.header)
			}
			if got := parseError("svc", res, []byte(tc.body)).Code; got != tc.want {
				t.Errorf("code %q, want %q", got, tc.want)
			}
		})
	}
}

func TestEscapePath(t *testing.T) {
	for in, want := range map[string]string{
		"reports/soc2/v1-0a.pdf": "reports/soc2/v1-0a.pdf",
		"a b+c?d#e%f":            "a%20b%2Bc%3Fd%23e%25f",
		"ü~_.":                   "%C3%BC~_.",
	} {
		if got := EscapePath(in); got != want {
			t.Errorf("EscapePath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRetries(t *testing.T) {
	for _, tc := range []struct {
		name     string
		statuses []int
		wantErr  bool
		calls    int32
		bodies   []string // of the answers, in turn; none when left out
	}{
		{"5xx then ok", []int{503, 200}, false, 2, nil},
		{"always 500", []int{500, 500, 500, 500}, true, 3, nil},
		{"4xx is final", []int{400, 200}, true, 1, nil},
		{"throttled by code", []int{429, 429, 200}, false, 3, nil},
		// SES and Secrets Manager throttle with a plain 400; only the error
		// code tells it from a bad request.
		{"throttled by a 400's code", []int{400, 400, 200}, false, 3, []string{
			`{"__type":"com.amazonaws.secretsmanager#ThrottlingException","message":"Rate exceeded"}`,
			`{"__type":"TooManyRequestsException","message":"Too many requests"}`,
		}},
		{"other 400 code is final", []int{400, 200}, true, 1, []string{`{"__type":"MessageRejected"}`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := calls.Add(1)
				w.WriteHeader(tc.statuses[n-1])
				if int(n) <= len(tc.bodies) {
					io.WriteString(w, tc.bodies[n-1])
				}
			}))
			defer srv.Close()
			s := &Service{Origin: srv.URL, SigningName: "ses", Region: "us-east-1", Backoff: time.Millisecond,
				Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")}
			_, err := s.Call(t.Context(), http.MethodPost, "/", nil, []byte("{}"))
			if (err != nil) != tc.wantErr || calls.Load() != tc.calls {
				t.Errorf("err %v after %d calls; want error %v after %d", err, calls.Load(), tc.wantErr, tc.calls)
			}
		})
	}
}

// TestClientTimeoutIsRetried: the HTTP client's own timeout reports itself
// as context.DeadlineExceeded, like a caller's deadline, but the caller has
// not given up; an attempt that stalls is tried again.
func TestClientTimeoutIsRetried(t *testing.T) {
	var calls atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Reading the body lets the server notice the client hang up.
		io.Copy(io.Discard, r.Body)
		if calls.Add(1) == 1 {
			select {
			case <-r.Context().Done(): // the client timed out and hung up
			case <-release:
			}
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	defer close(release)
	s := &Service{Origin: srv.URL, SigningName: "ses", Region: "us-east-1", Backoff: time.Millisecond,
		HTTP:        &http.Client{Timeout: 200 * time.Millisecond},
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")}
	if _, err := s.Call(t.Context(), http.MethodPost, "/", nil, []byte("{}")); err != nil || calls.Load() != 2 {
		t.Errorf("err %v after %d calls; want success on the second", err, calls.Load())
	}
}

func TestCanceledRequestIsNotRetried(t *testing.T) {
	var calls atomic.Int32
	ctx, cancel := context.WithCancel(t.Context())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		cancel()
		w.WriteHeader(500)
	}))
	defer srv.Close()
	s := &Service{Origin: srv.URL, SigningName: "ses", Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")}
	_, err := s.Call(ctx, http.MethodGet, "/", nil, nil)
	if err == nil || calls.Load() != 1 {
		t.Errorf("err %v after %d calls; want an error after 1", err, calls.Load())
	}
	if !errors.Is(err, context.Canceled) && ErrorCode(err) == "" {
		t.Errorf("err %v is neither the cancellation nor the service's answer", err)
	}
}
