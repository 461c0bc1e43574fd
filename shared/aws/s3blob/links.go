package s3blob

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"trustcenter/shared/trust"
)

// Links presigns download links for report objects with the SigV4 signer
// alone (through awsenv.Service, as Blobs sends its requests). The download
// function needs nothing else from S3, and leaving the S3 client out of its
// binary takes a third off its size: the SDK's s3.New turns the client into
// an interface, and html/template's reflection then keeps every one of its
// operations. A test holds the links byte for byte to the S3 client's own
// presigner.
type Links struct {
	objects *Blobs // addresses and signs for the bucket; never sends
	now     func() time.Time
}

var _ trust.Presigner = (*Links)(nil)

// LinksFromConfig presigns links to bucket's objects with cfg's credentials,
// at the address FromConfig uses; AWS_ENDPOINT_URL_S3 points them at an
// emulator.
func LinksFromConfig(cfg aws.Config, bucket string) trust.Presigner {
	return &Links{objects: newBlobs(cfg, bucket), now: time.Now}
}

// PresignGet returns a GET link for key, valid for ttl (clamped as Blobs
// does), that makes the browser save the file as fileName.
func (l *Links) PresignGet(ctx context.Context, key, fileName string, ttl time.Duration) (string, error) {
	q := url.Values{}
	q.Set("X-Amz-Expires", strconv.Itoa(int(linkTTL(ttl)/time.Second)))
	q.Set("response-content-disposition", contentDisposition(fileName))
	q.Set("response-content-type", "application/pdf")
	q.Set("x-id", "GetObject")
	query := strings.ReplaceAll(q.Encode(), "+", "%20")
	link, err := l.objects.s3.Presign(ctx, http.MethodGet, l.objects.path(key)+"?"+query, l.now())
	if err != nil {
		return "", trust.Unavailable(err)
	}
	return link, nil
}
