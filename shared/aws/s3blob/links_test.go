package s3blob

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestLinksMatchTheS3Presigner: the download function's signer-only links
// are the very links the S3 client presigns, signature included, so real S3
// accepts them as it accepts the SDK's. (Emulators do not check signatures;
// this comparison is what does.)
func TestLinksMatchTheS3Presigner(t *testing.T) {
	cases := []struct {
		name, region, endpoint, token, key, file string
		ttl                                      time.Duration
	}{
		{"virtual-hosted", "eu-west-1", "", "SESSION", "reports/soc2-type2-2026/v3-0123456789ab.pdf", "lumen-ledger-soc2.pdf", 60 * time.Second},
		{"us-east-1 without session token", "us-east-1", "", "", "reports/soc3/v1-abcdef012345.pdf", `odd "name"; here.pdf`, 1500 * time.Millisecond},
		{"path-style emulator", "us-east-1", "http://127.0.0.1:9000", "SESSION", "reports/soc1/v2-ffffffffffff.pdf", "SOC 1 (2026).pdf", 0},
		// Go's URL escaping leaves "+", "=", "@" and ":" in a path alone; S3
		// and its presigner escape every byte but the unreserved ones.
		{"key needing escapes", "eu-west-1", "", "SESSION", "reports/a+b=c@d:e/v1 (draft) ü~.pdf", "r.pdf", 30 * time.Second},
		{"key needing escapes, path-style", "us-east-1", "http://127.0.0.1:9000/prefix", "", "a+b=c@d", "r.pdf", 30 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.endpoint != "" {
				t.Setenv("AWS_ENDPOINT_URL_S3", c.endpoint)
			}
			cfg := aws.Config{Region: c.region, Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", c.token)}
			sdk := s3.NewFromConfig(cfg, func(o *s3.Options) {
				if c.endpoint != "" {
					o.BaseEndpoint = aws.String(c.endpoint)
				}
			})
			req, err := s3.NewPresignClient(sdk).PresignGetObject(context.Background(), &s3.GetObjectInput{
				Bucket:                     aws.String("trust-reports-1a2b3c"),
				Key:                        aws.String(c.key),
				ResponseContentDisposition: aws.String(contentDisposition(c.file)),
				ResponseContentType:        aws.String("application/pdf"),
			}, s3.WithPresignExpires(linkTTL(c.ttl)))
			if err != nil {
				t.Fatal(err)
			}
			want := req.URL
			u, _ := url.Parse(want)
			at, err := time.Parse("20060102T150405Z", u.Query().Get("X-Amz-Date"))
			if err != nil {
				t.Fatal(err)
			}
			links := LinksFromConfig(cfg, "trust-reports-1a2b3c").(*Links)
			links.now = func() time.Time { return at }
			got, err := links.PresignGet(context.Background(), c.key, c.file, c.ttl)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("link differs from the S3 presigner's:\n got %s\nwant %s", got, want)
			}
		})
	}
}
