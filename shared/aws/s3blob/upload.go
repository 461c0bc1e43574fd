package s3blob

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"trustcenter/shared/trust"
)

var _ trust.Uploader = (*Blobs)(nil)

// UploadsFromConfig is FromConfig as the admin function's Uploader.
func UploadsFromConfig(cfg aws.Config, bucket string) trust.Uploader {
	return FromConfig(cfg, bucket).(*Blobs)
}

// PresignUpload presigns a browser form (S3 POST) for one object: the key
// exactly, Content-Type exactly contentType, 1 to maxSize bytes, and a
// redirect to redirect on success (S3 adds bucket, key and etag to its
// query). S3 refuses any field the policy does not name, so the form is
// these fields and the file, nothing else.
func (b *Blobs) PresignUpload(ctx context.Context, key string, maxSize int64, contentType, redirect string, ttl time.Duration) (trust.UploadForm, error) {
	conditions := []any{
		[]any{"content-length-range", 1, maxSize},
		map[string]string{"Content-Type": contentType},
		map[string]string{"success_action_redirect": redirect},
	}
	req, err := s3.NewPresignClient(b.s3).PresignPostObject(ctx, &s3.PutObjectInput{Bucket: &b.bucket, Key: &key}, func(o *s3.PresignPostOptions) {
		o.Expires = ttl
		o.Conditions = conditions
	})
	if err != nil {
		return trust.UploadForm{}, trust.Unavailable(err)
	}
	values := map[string]string{"Content-Type": contentType, "success_action_redirect": redirect}
	for k, v := range req.Values {
		values[k] = v
	}
	// S3 reads the key before the policy, and the file must come last; the
	// rest in a fixed order, so the page is the same for the same form.
	names := make([]string, 0, len(values))
	for k := range values {
		if k != "key" {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	f := trust.UploadForm{URL: req.URL, Fields: [][2]string{{"key", values["key"]}}}
	for _, k := range names {
		f.Fields = append(f.Fields, [2]string{k, values[k]})
	}
	return f, nil
}

// Copy copies from to to within the bucket (CopyObject): the file never
// leaves S3.
func (b *Blobs) Copy(ctx context.Context, from, to string) error {
	// Keys are ours (checked letters, digits, "/", "-", "_", "."), so
	// the source needs no escaping.
	src := b.bucket + "/" + from
	_, err := b.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &b.bucket, Key: &to, CopySource: aws.String(src), ContentType: aws.String("application/pdf"), MetadataDirective: types.MetadataDirectiveReplace})
	if err != nil {
		// CopyObject names a missing source in the error code only.
		if e, ok := errors.AsType[smithy.APIError](err); ok && e.ErrorCode() == "NoSuchKey" {
			return trust.Errorf(trust.ENotFound, "The file was not found.")
		}
		return trust.Unavailable(err)
	}
	return nil
}
