package awsenv

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// getSecret makes one SDK call, with l applied, to a service answering h;
// it returns the requests the service saw, how long the call took and its
// error.
func getSecret(t *testing.T, l Limits, h http.HandlerFunc) (int32, time.Duration, error) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	cfg := l.Apply(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")})
	// The deadline only ends a call that the limits failed to end.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	start := time.Now()
	_, err := secretsmanager.NewFromConfig(cfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s")})
	return calls.Load(), time.Since(start), err
}

func TestFailingServiceIsTriedAttemptsTimes(t *testing.T) {
	l := Limits{Attempts: 3, MaxBackoff: 10 * time.Millisecond, Timeout: time.Second}
	calls, _, err := getSecret(t, l, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amzn-ErrorType", "InternalServiceError")
		w.WriteHeader(http.StatusInternalServerError)
	})
	if err == nil || calls != 3 {
		t.Errorf("err %v after %d calls; want an error after 3", err, calls)
	}
}

// A service that never answers costs each try its Timeout, not the
// caller's whole deadline.
func TestStalledServiceFailsWithinTheLimits(t *testing.T) {
	l := Limits{Attempts: 2, MaxBackoff: 10 * time.Millisecond, Timeout: 200 * time.Millisecond}
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	calls, took, err := getSecret(t, l, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // so the server notices the client hang up
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	// Each try ends at its Timeout; the slack is for a loaded machine.
	if err == nil || calls != 2 || took > 2*time.Second {
		t.Errorf("err %v after %d calls and %v; want an error after 2 calls of about 200 ms each", err, calls, took)
	}
}

// The functions' limits end a failing call well inside the 10 s a Lambda
// function has per request.
func TestBoundedFitsTheLambdaTimeout(t *testing.T) {
	b := Bounded
	worst := time.Duration(b.Attempts)*b.Timeout + time.Duration(b.Attempts-1)*b.MaxBackoff
	if b.Attempts < 2 || worst > 8*time.Second {
		t.Errorf("Bounded %+v: %d attempts, %v at worst; want a retry and at most 8 s", b, b.Attempts, worst)
	}
}
