// Package s3blob keeps report files in an S3 bucket (Blobs, used by the
// admin function to upload) and hands out short-lived presigned links to
// them (Links, used by the download function), so large PDFs never stream
// through a Lambda function.
package s3blob

import (
	"context"
	"errors"
	"io"
	"path"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"trustcenter/shared/awsenv"
	"trustcenter/shared/trust"
)

// MaxLinkTTL bounds every presigned link: a leaked link must die before it
// can be passed around, and the download function hands out a fresh one per
// click anyway.
const MaxLinkTTL = 60 * time.Second

// Blobs is the S3 engine for trust.Blobs.
//
// It holds the client's methods as values rather than the client: see
// dynamostore's api type for why (binary size).
type Blobs struct {
	putObject func(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	getObject func(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	bucket    string
}

var _ trust.Blobs = (*Blobs)(nil)

// New returns the engine for bucket.
func New(client *s3.Client, bucket string) *Blobs {
	return &Blobs{putObject: client.PutObject, getObject: client.GetObject, bucket: bucket}
}

// Put stores body under key. Over plain HTTP (local emulators) the SDK can
// only sign a body it can rewind, so pass an io.ReadSeeker there; against
// real S3 (TLS) any reader streams.
func (b *Blobs) Put(ctx context.Context, key string, body io.Reader, size int64, contentType string) error {
	in := &s3.PutObjectInput{
		Bucket:        aws.String(b.bucket),
		Key:           aws.String(key),
		Body:          body,
		ContentLength: aws.Int64(size),
	}
	if contentType != "" {
		in.ContentType = aws.String(contentType)
	}
	if _, err := b.putObject(ctx, in); err != nil {
		return trust.Unavailable(err)
	}
	return nil
}

// Open returns the stored file; the caller closes it.
func (b *Blobs) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	out, err := b.getObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(b.bucket),
		Key:    aws.String(key),
	})
	if err != nil {
		if isNotFound(err) {
			return nil, trust.Errorf(trust.ENotFound, "The file was not found.")
		}
		return nil, trust.Unavailable(err)
	}
	return out.Body, nil
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

func isNotFound(err error) bool {
	var nsk *types.NoSuchKey
	if errors.As(err, &nsk) {
		return true
	}
	var nf *types.NotFound
	if errors.As(err, &nf) {
		return true
	}
	var api smithy.APIError
	return errors.As(err, &api) && (api.ErrorCode() == "NoSuchKey" || api.ErrorCode() == "NotFound")
}

// FromConfig is the engine of a Lambda function, on bucket.
func FromConfig(cfg aws.Config, bucket string) trust.Blobs {
	return New(s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = awsenv.Endpoint(cfg, "S3") }), bucket)
}
