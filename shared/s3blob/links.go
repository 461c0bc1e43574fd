package s3blob

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"trustcenter/shared/awsenv"
	"trustcenter/shared/trust"
)

// Links presigns download links for report objects with the SigV4 signer
// alone. The download function needs nothing else from S3, and leaving the
// S3 client out of its binary takes a third off its size: the SDK's s3.New
// turns the client into an interface, and html/template's reflection then
// keeps every one of its operations. A test holds the links byte for byte
// to the S3 client's own presigner.
type Links struct {
	creds    aws.CredentialsProvider
	region   string
	bucket   string
	endpoint string // "" for AWS; else path-style against this origin (tests, emulators)
	signer   *v4.Signer
	now      func() time.Time
}

var _ trust.Presigner = (*Links)(nil)

// LinksFromConfig presigns links to bucket's objects with cfg's credentials;
// AWS_ENDPOINT_URL_S3 points them at an emulator.
func LinksFromConfig(cfg aws.Config, bucket string) trust.Presigner {
	l := &Links{creds: cfg.Credentials, region: cfg.Region, bucket: bucket, now: time.Now,
		// S3 signs the path as sent, without the second escaping other
		// services apply.
		signer: v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })}
	if e := awsenv.Endpoint(cfg, "S3"); e != nil {
		l.endpoint = strings.TrimRight(*e, "/")
	}
	return l
}

// PresignGet returns a GET link for key, valid for ttl (clamped as Blobs
// does), that makes the browser save the file as fileName.
func (l *Links) PresignGet(ctx context.Context, key, fileName string, ttl time.Duration) (string, error) {
	ttl = linkTTL(ttl)
	u := &url.URL{Scheme: "https", Host: l.bucket + ".s3." + l.region + "." + awsenv.DNSSuffix(l.region), Path: "/" + key}
	if l.endpoint != "" {
		base, err := url.Parse(l.endpoint)
		if err != nil {
			return "", trust.Unavailable(err)
		}
		u.Scheme, u.Host, u.Path = base.Scheme, base.Host, base.Path+"/"+l.bucket+"/"+key
	}
	q := url.Values{}
	q.Set("X-Amz-Expires", strconv.Itoa(int(ttl/time.Second)))
	q.Set("response-content-disposition", contentDisposition(fileName))
	q.Set("response-content-type", "application/pdf")
	q.Set("x-id", "GetObject")
	u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", trust.Unavailable(err)
	}
	creds, err := l.creds.Retrieve(ctx)
	if err != nil {
		return "", trust.Unavailable(err)
	}
	signed, _, err := l.signer.PresignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", "s3", l.region, l.now().UTC())
	if err != nil {
		return "", trust.Unavailable(err)
	}
	return signed, nil
}
