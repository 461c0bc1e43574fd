// Package s3blob keeps report files in an S3 bucket (Blobs, used by the
// admin function to upload) and hands out short-lived presigned links to
// them (Links, used by the download function), so large PDFs never stream
// through a Lambda function.
package s3blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"trustcenter/shared/aws/awsenv"
	"trustcenter/shared/trust"
)

// MaxLinkTTL bounds every presigned link: a leaked link must die before it
// can be passed around, and the download function hands out a fresh one per
// click anyway.
const MaxLinkTTL = 60 * time.Second

// Blobs is the S3 engine for trust.Blobs, on one bucket.
type Blobs struct {
	s3     *s3.Client
	bucket string
}

var _ trust.Blobs = (*Blobs)(nil)

// FromConfig is the engine of a Lambda function, on bucket, with
// awsenv.Bounded retries; AWS_ENDPOINT_URL_S3 points it at an emulator.
func FromConfig(cfg aws.Config, bucket string) trust.Blobs {
	return &Blobs{s3: client(cfg), bucket: bucket}
}

// client is the S3 client of Blobs and Links alike, so that uploads and
// links cannot disagree on where an object is. An emulator is addressed
// path-style: it has no DNS name per bucket. Uploads carry a CRC32 that S3
// checks (over TLS in an aws-chunked trailer), as config.LoadDefaultConfig
// would have set; the zero aws.Config leaves them out.
func client(cfg aws.Config) *s3.Client {
	endpoint := awsenv.Endpoint(cfg, "S3")
	return s3.NewFromConfig(awsenv.Bounded.Apply(cfg), func(o *s3.Options) {
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenSupported
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenSupported
		if endpoint != nil {
			o.BaseEndpoint, o.UsePathStyle = endpoint, true
		}
	})
}

// Put stores the size bytes of body under key. The body is read in full
// first, into a buffer made for the announced size: a body of another size
// is refused before anything is stored, and a retry can send the bytes
// again. A report is a few megabytes at most.
func (b *Blobs) Put(ctx context.Context, key string, body io.Reader, size int64, contentType string) error {
	buf := bytes.NewBuffer(make([]byte, 0, min(max(size, 0), trust.MaxFileSize)+bytes.MinRead))
	// One byte more than announced is enough to tell a longer body.
	if _, err := buf.ReadFrom(io.LimitReader(body, size+1)); err != nil {
		return trust.Unavailable(err)
	}
	if int64(buf.Len()) != size {
		return trust.Unavailable(fmt.Errorf("s3blob: body of %q has %d bytes, not the %d announced", key, buf.Len(), size))
	}
	in := &s3.PutObjectInput{Bucket: &b.bucket, Key: &key, Body: bytes.NewReader(buf.Bytes()), ContentLength: &size}
	if contentType != "" {
		in.ContentType = &contentType
	}
	if _, err := b.s3.PutObject(ctx, in); err != nil {
		return trust.Unavailable(err)
	}
	return nil
}

// Open returns the stored file; the caller closes it.
func (b *Blobs) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	out, err := b.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: &b.bucket, Key: &key})
	if err != nil {
		// Only NoSuchKey means the file is gone: a missing bucket answers
		// 404 as well, but that is a broken deployment.
		if _, ok := errors.AsType[*types.NoSuchKey](err); ok {
			return nil, trust.Errorf(trust.ENotFound, "The file was not found.")
		}
		return nil, trust.Unavailable(err)
	}
	return out.Body, nil
}

// Delete removes the object; S3 answers a missing key with success too.
// The bucket is versioned, so this leaves a delete marker, and the bucket's
// rule on noncurrent versions of copies removes the bytes.
func (b *Blobs) Delete(ctx context.Context, key string) error {
	if _, err := b.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &b.bucket, Key: &key}); err != nil {
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
