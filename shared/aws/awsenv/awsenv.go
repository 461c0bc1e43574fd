// Package awsenv builds the AWS SDK configuration of a Lambda function from
// the environment the Lambda runtime sets: region, the execution role's
// credentials and, in tests, endpoint overrides. config.LoadDefaultConfig
// would read the same variables, but also shared config files, profiles and
// SSO that a Lambda never has; here a missing variable is a clear error.
package awsenv

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Config reads AWS_REGION and the AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
// and AWS_SESSION_TOKEN the runtime provides for the function's role.
// AWS_ENDPOINT_URL, when set, points every client elsewhere (tests).
func Config() (aws.Config, error) {
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = os.Getenv("AWS_DEFAULT_REGION")
	}
	key, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	var missing []string
	if region == "" {
		missing = append(missing, "AWS_REGION")
	}
	if key == "" || secret == "" {
		missing = append(missing, "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY")
	}
	if len(missing) > 0 {
		return aws.Config{}, errors.New("aws: missing " + strings.Join(missing, ", "))
	}
	cfg := aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, os.Getenv("AWS_SESSION_TOKEN")),
	}
	if u := os.Getenv("AWS_ENDPOINT_URL"); u != "" {
		cfg.BaseEndpoint = &u
	}
	return cfg, nil
}

// Endpoint is the endpoint override for one service, as the SDK names it
// in AWS_ENDPOINT_URL_<SERVICE> (DYNAMODB, S3, SESV2, SECRETS_MANAGER),
// else the general one from cfg, else nil for the real AWS endpoint. The
// SDK clients read these variables only through config.LoadDefaultConfig.
func Endpoint(cfg aws.Config, service string) *string {
	if u := os.Getenv("AWS_ENDPOINT_URL_" + service); u != "" {
		return &u
	}
	return cfg.BaseEndpoint
}

// Limits bound one call to an AWS service, its retries included.
type Limits struct {
	Attempts   int           // tries in all, the first included
	MaxBackoff time.Duration // the longest wait before a retry
	Timeout    time.Duration // one try, from dialling to the last byte of the answer
}

// Bounded is what every AWS engine (DynamoDB, S3, SES, Secrets Manager) keeps to. A
// function has 10 seconds per request (and for its cold start); a
// dependency that stalls or keeps failing must fail the call well within
// them, with an error of its own, rather than let the Lambda time out. The
// SDK's defaults would wait up to 20 s between tries and forever for an
// answer. Two seconds is ample for the largest call, an upload of at most
// the 6 MB a Lambda can receive.
var Bounded = Limits{Attempts: 3, MaxBackoff: 500 * time.Millisecond, Timeout: 2 * time.Second}

// Apply returns cfg with the SDK's standard retries (throttling, 5xx
// answers and failed connections are tried again, with jittered backoff)
// held to l, and an HTTP client that gives up on a try after l.Timeout. An
// HTTP client already in cfg is kept: a test's, say, that trusts its own
// server's certificate.
func (l Limits) Apply(cfg aws.Config) aws.Config {
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts, o.MaxBackoff = l.Attempts, l.MaxBackoff
		})
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = awshttp.NewBuildableClient().WithTimeout(l.Timeout)
	}
	return cfg
}

// RequireSettings fails, naming every one, when any of the settings a
// function cannot start without is unset: the cold start's first check.
func RequireSettings(names ...string) error {
	var missing []string
	for _, k := range names {
		if os.Getenv(k) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing settings: %s", strings.Join(missing, ", "))
	}
	return nil
}
