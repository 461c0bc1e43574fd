package s3blob

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"trustcenter/shared/trust"
)

// Links presigns download links for report objects, for the download
// function, which needs nothing else from S3.
type Links struct {
	presign *s3.PresignClient
	bucket  string
}

var _ trust.Presigner = (*Links)(nil)

// LinksFromConfig presigns links to bucket's objects with cfg's credentials,
// at the address FromConfig uses; AWS_ENDPOINT_URL_S3 points them at an
// emulator.
func LinksFromConfig(cfg aws.Config, bucket string) trust.Presigner {
	return &Links{presign: s3.NewPresignClient(client(cfg)), bucket: bucket}
}

// PresignGet returns a GET link for key, valid for ttl (clamped by
// linkTTL), that makes the browser save the file as fileName.
func (l *Links) PresignGet(ctx context.Context, key, fileName string, ttl time.Duration) (string, error) {
	req, err := l.presign.PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket:                     &l.bucket,
		Key:                        &key,
		ResponseContentDisposition: aws.String(contentDisposition(fileName)),
		ResponseContentType:        aws.String("application/pdf"),
	}, s3.WithPresignExpires(linkTTL(ttl)))
	if err != nil {
		return "", trust.Unavailable(err)
	}
	return req.URL, nil
}
