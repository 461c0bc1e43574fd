package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/jsii-runtime-go"
)

// staticBehavior caches /static/* for as long as the origin says: a hashed
// name is immutable for a year, a plain name is revalidated every time
// (no-cache), so the policy lets a year through and keys on the path and
// encoding alone, since an asset is the same in every language.
func staticBehavior(stack awscdk.Stack, cached *awscloudfront.BehaviorOptions) *awscloudfront.BehaviorOptions {
	policy := awscloudfront.NewCachePolicy(stack, jsii.String("StaticCachePolicy"), &awscloudfront.CachePolicyProps{
		Comment:                    jsii.String("Trust center static assets: hashed names kept a year"),
		MinTtl:                     awscdk.Duration_Seconds(jsii.Number(0)),
		DefaultTtl:                 awscdk.Duration_Days(jsii.Number(1)),
		MaxTtl:                     awscdk.Duration_Days(jsii.Number(365)),
		HeaderBehavior:             awscloudfront.CacheHeaderBehavior_None(),
		QueryStringBehavior:        awscloudfront.CacheQueryStringBehavior_None(),
		CookieBehavior:             awscloudfront.CacheCookieBehavior_None(),
		EnableAcceptEncodingGzip:   jsii.Bool(true),
		EnableAcceptEncodingBrotli: jsii.Bool(true),
	})
	return &awscloudfront.BehaviorOptions{
		Origin:               cached.Origin,
		ViewerProtocolPolicy: cached.ViewerProtocolPolicy,
		AllowedMethods:       cached.AllowedMethods,
		CachePolicy:          policy,
		Compress:             jsii.Bool(true),
	}
}
