// Package awsenv builds the AWS SDK configuration of a Lambda function from
// the environment the Lambda runtime sets: region and the execution role's
// credentials. It replaces config.LoadDefaultConfig, whose profile, SSO and
// STS providers a Lambda never uses and which add about a megabyte of code
// to every binary.
package awsenv

import (
	"errors"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
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
// else the general one from cfg, else nil for the real AWS endpoint.
func Endpoint(cfg aws.Config, service string) *string {
	if u := os.Getenv("AWS_ENDPOINT_URL_" + service); u != "" {
		return &u
	}
	return cfg.BaseEndpoint
}
