package sigv4test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
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

// awsChunked is body as the SDK uploads it over TLS: aws-chunked, in
// chunks of at most size bytes, with the CRC32 crc in the trailer.
func awsChunked(body string, size int, crc string) *http.Request {
	var enc strings.Builder
	for rest := body; rest != ""; {
		n := min(size, len(rest))
		fmt.Fprintf(&enc, "%x\r\n%s\r\n", n, rest[:n])
		rest = rest[n:]
	}
	fmt.Fprintf(&enc, "0\r\nx-amz-checksum-crc32:%s\r\n\r\n", crc)
	r, _ := http.NewRequest(http.MethodPut, "https://s3.example/bucket/k", strings.NewReader(enc.String()))
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(body)))
	r.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
	return r
}

func crc32Of(s string) string {
	sum := crc32.ChecksumIEEE([]byte(s))
	return base64.StdEncoding.EncodeToString([]byte{byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)})
}

func TestDecode(t *testing.T) {
	const pdf = "%PDF-1.7 a body longer than one chunk %%EOF"
	read := func(r *http.Request) []byte { b, _ := io.ReadAll(r.Body); return b }

	r := awsChunked(pdf, 8, crc32Of(pdf))
	got, err := decode(r, read(r))
	if err != nil || string(got) != pdf {
		t.Fatalf("aws-chunked: %q, %v; want %q", got, err, pdf)
	}
	for _, h := range []string{"Content-Encoding", "X-Amz-Decoded-Content-Length", "X-Amz-Trailer"} {
		if v := r.Header.Get(h); v != "" {
			t.Errorf("%s %q left on the decoded request", h, v)
		}
	}

	plain, _ := http.NewRequest(http.MethodPut, "http://s3.example/bucket/k", nil)
	plain.Header.Set("X-Amz-Checksum-Crc32", crc32Of(pdf))
	if got, err := decode(plain, []byte(pdf)); err != nil || string(got) != pdf {
		t.Errorf("checksum in a header: %q, %v", got, err)
	}

	refused := map[string]func() (*http.Request, []byte){
		"trailer checksum of another body": func() (*http.Request, []byte) {
			r := awsChunked(pdf, 8, crc32Of(pdf+"x"))
			return r, read(r)
		},
		"header checksum of another body": func() (*http.Request, []byte) {
			r, _ := http.NewRequest(http.MethodPut, "http://s3.example/bucket/k", nil)
			r.Header.Set("X-Amz-Checksum-Crc32", crc32Of(pdf))
			return r, []byte(pdf + "x")
		},
		"decoded length wrong": func() (*http.Request, []byte) {
			r := awsChunked(pdf, 8, crc32Of(pdf))
			r.Header.Set("X-Amz-Decoded-Content-Length", "3")
			return r, read(r)
		},
		"trailer announced but missing": func() (*http.Request, []byte) {
			r := awsChunked(pdf, 8, crc32Of(pdf))
			r.Header.Set("X-Amz-Trailer", "x-amz-checksum-sha256")
			return r, read(r)
		},
		"chunk cut short": func() (*http.Request, []byte) {
			r := awsChunked(pdf, 8, crc32Of(pdf))
			b := read(r)
			return r, append(bytes.Clone(b[:5]), b[7:]...)
		},
	}
	for name, req := range refused {
		if got, err := decode(req()); err == nil {
			t.Errorf("%s: accepted, body %q", name, got)
		}
	}
}

// TestHandlerPassesTheDecodedBody: the service behind Handler reads the
// object as stored, not its aws-chunked encoding.
func TestHandlerPassesTheDecodedBody(t *testing.T) {
	const pdf = "%PDF-1.7 bytes %%EOF"
	var got string
	var length int64
	h := &Handler{T: t, Creds: creds, Region: "eu-west-1", Service: "s3", Next: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got, length = string(b), r.ContentLength
	})}
	r := awsChunked(pdf, 5, crc32Of(pdf))
	r.Header.Set("X-Amz-Content-Sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
	if err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).
		SignHTTP(context.Background(), creds, r, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "s3", "eu-west-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	r.Host = r.URL.Host
	h.ServeHTTP(httptest.NewRecorder(), r)
	if got != pdf || length != int64(len(pdf)) || h.Checked.Load() != 1 {
		t.Errorf("next read %q (length %d) after %d checked requests; want %q", got, length, h.Checked.Load(), pdf)
	}
}
