// Package s3blob keeps report files in an S3 bucket (Blobs, used by the
// admin function to upload) and hands out short-lived presigned links to
// them (Links, used by the download function), so large PDFs never stream
// through a Lambda function.
package s3blob

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"trustcenter/shared/aws/awsenv"
	"trustcenter/shared/trust"
)

// MaxLinkTTL bounds every presigned link: a leaked link must die before it
// can be passed around, and the download function hands out a fresh one per
// click anyway.
const MaxLinkTTL = 60 * time.Second

// Blobs is the S3 engine for trust.Blobs. PutObject and GetObject go
// through awsenv.Service rather than the S3 client, which would add four
// megabytes to the admin function (see awsenv.Service); the tests run them
// against an in-process S3 that checks every signature.
type Blobs struct {
	s3     *awsenv.Service
	prefix string // "" against AWS (virtual-hosted); "/<bucket>" against an emulator (path-style)
}

var _ trust.Blobs = (*Blobs)(nil)

// FromConfig is the engine of a Lambda function, on bucket;
// AWS_ENDPOINT_URL_S3 points it at an emulator, path-style.
func FromConfig(cfg aws.Config, bucket string) trust.Blobs { return newBlobs(cfg, bucket) }

// newBlobs addresses bucket as FromConfig describes; Links uses the same
// address, so links and uploads cannot disagree on where an object is.
func newBlobs(cfg aws.Config, bucket string) *Blobs {
	if awsenv.Endpoint(cfg, "S3") != nil {
		return &Blobs{s3: awsenv.NewService(cfg, "S3", "s3", "s3"), prefix: "/" + bucket}
	}
	return &Blobs{s3: awsenv.NewService(cfg, "S3", bucket+".s3", "s3")}
}

// Service is the signed-request sender under the engine, for tests to tune.
func (b *Blobs) Service() *awsenv.Service { return b.s3 }

// path is key's escaped path, as S3 signs and serves it.
func (b *Blobs) path(key string) string { return b.prefix + "/" + awsenv.EscapePath(key) }

// Put stores the size bytes of body under key. The body is read in full
// first: the request is signed over its hash, and a report is a few
// megabytes at most. It is read once, into a buffer made for the announced
// size, so that no growing buffer copies it over and over.
func (b *Blobs) Put(ctx context.Context, key string, body io.Reader, size int64, contentType string) error {
	buf := bytes.NewBuffer(make([]byte, 0, min(max(size, 0), trust.MaxFileSize)+bytes.MinRead))
	// One byte more than announced is enough to tell a longer body.
	if _, err := buf.ReadFrom(io.LimitReader(body, size+1)); err != nil {
		return trust.Unavailable(err)
	}
	data := buf.Bytes()
	if int64(len(data)) != size {
		return trust.Unavailable(fmt.Errorf("s3blob: body of %q has %d bytes, not the %d announced", key, len(data), size))
	}
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	if _, err := b.s3.Call(ctx, http.MethodPut, b.path(key), h, data); err != nil {
		return trust.Unavailable(err)
	}
	return nil
}

// Open returns the stored file; the caller closes it.
func (b *Blobs) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	res, err := b.s3.Do(ctx, http.MethodGet, b.path(key), nil, nil)
	if err != nil {
		// A missing bucket answers 404 as well, but that is a broken
		// deployment, not a missing file.
		if awsenv.HTTPStatus(err) == http.StatusNotFound && awsenv.ErrorCode(err) != "NoSuchBucket" {
			return nil, trust.Errorf(trust.ENotFound, "The file was not found.")
		}
		return nil, trust.Unavailable(err)
	}
	return res.Body, nil
}

// Delete removes the object; S3 answers a missing key with success too.
// The bucket is versioned, so this leaves a delete marker, and the bucket's
// rule on noncurrent versions of copies removes the bytes.
func (b *Blobs) Delete(ctx context.Context, key string) error {
	if _, err := b.s3.Call(ctx, http.MethodDelete, b.path(key), nil, nil); err != nil {
		return trust.Unavailable(err)
	}
	return nil
}

// linkTTL clamps ttl to (0, MaxLinkTTL], in whole seconds: X-Amz-Expires
// counts seconds, so a sub-second rest is rounded up rather than cut into an
// already-expired (or invalid) link.
func linkTTL(ttl time.Duration) time.Duration {
	if ttl <= 0 || ttl > MaxLinkTTL {
		ttl = MaxLinkTTL
	}
	if rem := ttl % time.Second; rem != 0 {
		ttl += time.Second - rem
	}
	return ttl
}

// contentDisposition makes the browser save the object as fileName.
func contentDisposition(fileName string) string {
	return `attachment; filename="` + SafeFileName(fileName) + `"`
}

// SafeFileName reduces name to something that cannot break out of a quoted
// Content-Disposition parameter or smuggle a path: the base name only, in
// printable ASCII without quotes, backslashes or semicolons. Other characters
// become '_'; an empty result becomes "document.pdf".
func SafeFileName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = path.Base(name)
	var sb strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			sb.WriteRune(r)
		case strings.ContainsRune(" .-_()+,[]", r):
			sb.WriteRune(r)
		default:
			sb.WriteByte('_')
		}
	}
	s := strings.Trim(sb.String(), " .")
	if len(s) > 120 {
		s = s[len(s)-120:] // keep the extension
	}
	if s == "" || strings.Trim(s, "_") == "" {
		return "document.pdf"
	}
	return s
}
