package sigv4test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

var creds = aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret-test", SessionToken: "tok"}

// signed is a request as a client would send it, signed with c over body.
func signed(t *testing.T, c aws.Credentials, body string, s3 bool) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPut, "http://127.0.0.1:9000/bucket/reports/a%20b.pdf?x-id=PutObject", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/pdf")
	sum := sha256.Sum256([]byte(body))
	hash := hex.EncodeToString(sum[:])
	if s3 {
		r.Header.Set("X-Amz-Content-Sha256", hash)
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = s3 })
	if err := signer.SignHTTP(context.Background(), c, r, hash, map[bool]string{true: "s3", false: "ses"}[s3], "eu-west-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	// As the server sees it: Host taken out of the URL, path as sent.
	r.Host = r.URL.Host
	return r
}

func TestVerify(t *testing.T) {
	h := &Handler{T: t, Creds: creds, Region: "eu-west-1", Service: "s3"}
	if err := h.Verify(signed(t, creds, "pdf bytes", true), []byte("pdf bytes")); err != nil {
		t.Fatalf("a correct signature was refused: %v", err)
	}
	wrongSecret := creds
	wrongSecret.SecretAccessKey = "other"
	for name, tc := range map[string]struct {
		r    *http.Request
		body string
	}{
		"other secret":          {signed(t, wrongSecret, "pdf bytes", true), "pdf bytes"},
		"body changed":          {signed(t, creds, "pdf bytes", true), "pdf bytez"},
		"no payload hash on s3": {signed(t, creds, "pdf bytes", false), "pdf bytes"},
	} {
		if err := h.Verify(tc.r, []byte(tc.body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	r := signed(t, creds, "pdf bytes", true)
	r.Header.Set("Content-Type", "text/html")
	if err := h.Verify(r, []byte("pdf bytes")); err == nil {
		t.Error("a changed signed header was accepted")
	}
	r = signed(t, creds, "pdf bytes", true)
	r.URL.Path, r.URL.RawPath = "/bucket/reports/other.pdf", ""
	if err := h.Verify(r, []byte("pdf bytes")); err == nil {
		t.Error("a changed path was accepted")
	}
	ses := &Handler{T: t, Creds: creds, Region: "eu-west-1", Service: "ses"}
	if err := ses.Verify(signed(t, creds, "{}", false), []byte("{}")); err != nil {
		t.Errorf("a correct non-S3 signature was refused: %v", err)
	}
	if err := ses.Verify(signed(t, creds, "{}", false), bytes.Repeat([]byte("x"), 2)); err == nil {
		t.Error("a non-S3 request with a changed body was accepted")
	}
}

func presigned(t *testing.T, at time.Time, expires string) *http.Request {
	t.Helper()
	r, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:9000/bucket/k.pdf?X-Amz-Expires="+expires+"&response-content-type=application%2Fpdf", nil)
	u, _, err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).
		PresignHTTP(context.Background(), creds, r, "UNSIGNED-PAYLOAD", "s3", "eu-west-1", at)
	if err != nil {
		t.Fatal(err)
	}
	r, _ = http.NewRequest(http.MethodGet, u, nil)
	r.Host = r.URL.Host
	return r
}

func TestVerifyPresigned(t *testing.T) {
	h := &Handler{T: t, Creds: creds, Region: "eu-west-1", Service: "s3"}
	if err := h.Verify(presigned(t, time.Now(), "60"), nil); err != nil {
		t.Fatalf("a fresh link was refused: %v", err)
	}
	if err := h.Verify(presigned(t, time.Now().Add(-61*time.Second), "60"), nil); err == nil {
		t.Error("an expired link was accepted")
	}
	r := presigned(t, time.Now(), "60")
	q := r.URL.Query()
	q.Set("response-content-type", "text/html")
	r.URL.RawQuery = q.Encode()
	if err := h.Verify(r, nil); err == nil {
		t.Error("a link with a changed parameter was accepted")
	}
}
