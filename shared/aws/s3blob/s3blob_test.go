package s3blob_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"trustcenter/shared/aws/s3blob"
	"trustcenter/shared/testkit/sigv4test"
	"trustcenter/shared/trust"
)

const bucket = "reports"

var creds = aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret-test", SessionToken: "session-test"}

// engines are both engines on the S3 at endpoint, as the functions build them.
func engines(t *testing.T, endpoint string, hc *http.Client) (*s3blob.Blobs, trust.Presigner) {
	t.Setenv("AWS_ENDPOINT_URL_S3", endpoint)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.StaticCredentialsProvider{Value: creds}}
	if hc != nil {
		cfg.HTTPClient = hc
	}
	return s3blob.FromConfig(cfg, bucket).(*s3blob.Blobs), s3blob.LinksFromConfig(cfg, bucket)
}

// fake starts an in-memory S3 with the bucket created, and returns both
// engines pointed at it.
func fake(t *testing.T, tls bool) (*httptest.Server, *s3blob.Blobs, trust.Presigner) {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	// gofakes3 ignores signatures; the check in front of it does not.
	h := &sigv4test.Handler{T: t, Creds: creds, Region: "us-east-1", Service: "s3", Next: gofakes3.New(backend).Server()}
	var srv *httptest.Server
	if tls {
		srv = httptest.NewTLSServer(h)
	} else {
		srv = httptest.NewServer(h)
	}
	t.Cleanup(srv.Close)
	b, links := engines(t, srv.URL, srv.Client())
	return srv, b, links
}

var pdf = []byte("%PDF-1.7\n" + string(bytes.Repeat([]byte{0, 1, 2, 0xff, 'x'}, 2000)) + "\n%%EOF\n")

func TestPutOpenRoundTrip(t *testing.T) {
	ctx := t.Context()
	_, b, _ := fake(t, false)
	if err := b.Put(ctx, "docs/soc2/v1.pdf", bytes.NewReader(pdf), int64(len(pdf)), "application/pdf"); err != nil {
		t.Fatalf("Put: %v", err)
	}
	rc, err := b.Open(ctx, "docs/soc2/v1.pdf")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, pdf) {
		t.Fatalf("round trip: got %d bytes, want %d identical bytes", len(got), len(pdf))
	}
}

// Against real S3 (TLS) the upload body need not be seekable: a request body
// from a form streams straight through.
func TestPutStreamsUnseekableBodyOverTLS(t *testing.T) {
	ctx := t.Context()
	_, b, _ := fake(t, true)
	body := io.MultiReader(bytes.NewReader(pdf[:100]), bytes.NewReader(pdf[100:]))
	if err := b.Put(ctx, "k", body, int64(len(pdf)), "application/pdf"); err != nil {
		t.Fatalf("Put: %v", err)
	}
	rc, err := b.Open(ctx, "k")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer rc.Close()
	got, _ := io.ReadAll(rc)
	if !bytes.Equal(got, pdf) {
		t.Fatalf("round trip over TLS: got %d bytes, want %d identical bytes", len(got), len(pdf))
	}
}

func TestOpenMissingIsNotFound(t *testing.T) {
	_, b, _ := fake(t, false)
	_, err := b.Open(t.Context(), "no/such/key.pdf")
	if code := trust.ErrorCode(err); code != trust.ENotFound {
		t.Fatalf("Open missing: code %q (err %v), want %q", code, err, trust.ENotFound)
	}
}

// A bucket that is not there answers 404 too; that is a misconfiguration
// to report as such, not a file the reader may be told is gone.
func TestOpenInMissingBucketIsUnavailable(t *testing.T) {
	h := &sigv4test.Handler{T: t, Creds: creds, Region: "us-east-1", Service: "s3", Next: gofakes3.New(s3mem.New()).Server()}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	b, _ := engines(t, srv.URL, srv.Client())
	_, err := b.Open(t.Context(), "k")
	if code := trust.ErrorCode(err); code != trust.EUnavailable || h.Checked.Load() == 0 {
		t.Fatalf("Open in a missing bucket: code %q (err %v) after %d requests, want %q", code, err, h.Checked.Load(), trust.EUnavailable)
	}
}

// Keys with bytes Go's URL escaping leaves alone in a path are escaped the
// way S3 signs them, on upload and in links alike.
func TestKeysNeedingEscapes(t *testing.T) {
	ctx := t.Context()
	srv, b, links := fake(t, false)
	for _, key := range []string{"a+b=c@d", "reports/x:y/v1 (draft) ü~.pdf"} {
		if err := b.Put(ctx, key, bytes.NewReader(pdf), int64(len(pdf)), "application/pdf"); err != nil {
			t.Fatalf("Put %q: %v", key, err)
		}
		rc, err := b.Open(ctx, key)
		if err != nil {
			t.Fatalf("Open %q: %v", key, err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(got, pdf) {
			t.Errorf("%q: round trip gave %d bytes, want %d identical bytes", key, len(got), len(pdf))
		}
		link, err := links.PresignGet(ctx, key, "r.pdf", 30*time.Second)
		if err != nil {
			t.Fatalf("PresignGet %q: %v", key, err)
		}
		resp, err := srv.Client().Get(link)
		if err != nil {
			t.Fatal(err)
		}
		got, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !bytes.Equal(got, pdf) {
			t.Errorf("%q: presigned GET: status %d, %d bytes", key, resp.StatusCode, len(got))
		}
	}
}

func TestPutRefusesWrongSize(t *testing.T) {
	_, b, _ := fake(t, false)
	for _, size := range []int64{int64(len(pdf)) - 1, int64(len(pdf)) + 1, -1} {
		err := b.Put(t.Context(), "k", bytes.NewReader(pdf), size, "application/pdf")
		if code := trust.ErrorCode(err); code != trust.EUnavailable {
			t.Errorf("size %d for %d bytes: code %q (err %v), want %q", size, len(pdf), code, err, trust.EUnavailable)
		}
	}
}

func TestPresignedLinkDownloads(t *testing.T) {
	ctx := t.Context()
	srv, b, links := fake(t, false)
	if err := b.Put(ctx, "docs/soc3.pdf", bytes.NewReader(pdf), int64(len(pdf)), "application/pdf"); err != nil {
		t.Fatal(err)
	}
	link, err := links.PresignGet(ctx, "docs/soc3.pdf", "ACME SOC 3 \"2025\".pdf", 30*time.Second)
	if err != nil {
		t.Fatalf("PresignGet: %v", err)
	}
	resp, err := srv.Client().Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET presigned: status %d: %s", resp.StatusCode, got)
	}
	if !bytes.Equal(got, pdf) {
		t.Fatalf("GET presigned: got %d bytes, want %d identical bytes", len(got), len(pdf))
	}
	if cd, want := resp.Header.Get("Content-Disposition"), `attachment; filename="ACME SOC 3 _2025_.pdf"`; cd != want {
		t.Errorf("Content-Disposition = %q, want %q", cd, want)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Errorf("Content-Type = %q, want application/pdf", ct)
	}
}

func TestPresignedLinkLivesAtMostSixtySeconds(t *testing.T) {
	_, _, links := fake(t, false)
	for _, tc := range []struct {
		ttl  time.Duration
		want int
	}{
		{10 * time.Minute, 60},
		{0, 60},
		{-time.Second, 60},
		{15 * time.Second, 15},
		{1500 * time.Millisecond, 2},
		{60 * time.Second, 60},
	} {
		link, err := links.PresignGet(t.Context(), "k", "r.pdf", tc.ttl)
		if err != nil {
			t.Fatalf("ttl %v: %v", tc.ttl, err)
		}
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		got, err := strconv.Atoi(u.Query().Get("X-Amz-Expires"))
		if err != nil {
			t.Fatalf("ttl %v: X-Amz-Expires %q: %v", tc.ttl, u.Query().Get("X-Amz-Expires"), err)
		}
		if got != tc.want || got > 60 {
			t.Errorf("ttl %v: X-Amz-Expires = %d, want %d (and <= 60)", tc.ttl, got, tc.want)
		}
	}
}

func TestServerDownIsUnavailable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	endpoint := srv.URL
	srv.Close()
	b, _ := engines(t, endpoint, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()

	err := b.Put(ctx, "k", bytes.NewReader(pdf), int64(len(pdf)), "application/pdf")
	if code := trust.ErrorCode(err); code != trust.EUnavailable {
		t.Errorf("Put with server down: code %q (err %v), want %q", code, err, trust.EUnavailable)
	}
	_, err = b.Open(ctx, "k")
	if code := trust.ErrorCode(err); code != trust.EUnavailable {
		t.Errorf("Open with server down: code %q (err %v), want %q", code, err, trust.EUnavailable)
	}
	if msg := trust.ErrorMessage(err); bytes.Contains([]byte(msg), []byte(endpoint)) {
		t.Errorf("user message leaks the endpoint: %q", msg)
	}
}

func TestSafeFileName(t *testing.T) {
	for in, want := range map[string]string{
		"SOC 2 Type II (2025).pdf": "SOC 2 Type II (2025).pdf",
		`evil".pdf`:                "evil_.pdf",
		"a\r\nSet-Cookie: x=1.pdf": "a__Set-Cookie_ x_1.pdf",
		"../../etc/passwd":         "passwd",
		`C:\Users\me\report.pdf`:   "report.pdf",
		"Prüfbericht.pdf":          "Pr_fbericht.pdf",
		"":                         "document.pdf",
		"..":                       "document.pdf",
		"\"\";":                    "document.pdf",
		"x;filename=other.exe":     "x_filename_other.exe",
	} {
		if got := s3blob.SafeFileName(in); got != want {
			t.Errorf("SafeFileName(%q) = %q, want %q", in, got, want)
		}
	}
}

// Delete removes the object, and deleting it again (or a key never
// written) succeeds, so a removal cut short can run again.
func TestDelete(t *testing.T) {
	ctx := t.Context()
	_, b, _ := fake(t, false)
	const key = "copies/gnt_1/soc2/v1-WM-AAAA-0001.pdf"
	if err := b.Put(ctx, key, bytes.NewReader(pdf), int64(len(pdf)), "application/pdf"); err != nil {
		t.Fatalf("Put: %v", err)
	}
	for i := range 2 {
		if err := b.Delete(ctx, key); err != nil {
			t.Fatalf("Delete %d: %v", i+1, err)
		}
	}
	if _, err := b.Open(ctx, key); trust.ErrorCode(err) != trust.ENotFound {
		t.Fatalf("Open after Delete: %v, want ENotFound", err)
	}
}
