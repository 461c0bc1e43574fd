package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfrontorigins"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awswafv2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// EdgeStackName is the us-east-1 stack that holds the web ACL when the
// trust center is in another region: WAF only attaches CLOUDFRONT-scope
// ACLs created in us-east-1.
const EdgeStackName = StackName + "Edge"

// EdgeRegion is where CloudFront's WAF ACLs and certificates live.
const EdgeRegion = "us-east-1"

// OriginSecretHeader carries the shared secret from CloudFront to the API;
// the functions refuse requests without it (TRUST_ORIGIN_SECRET), so the
// execute-api endpoint cannot be used to go around the edge.
const OriginSecretHeader = "X-Origin-Verify"

// ClientAddressHeader is the header CloudFront puts the viewer's address
// ("ip:port") in. Only requests that carry the origin secret may be believed
// about it; functions learn its name from TRUST_CLIENT_IP_HEADER.
const ClientAddressHeader = "CloudFront-Viewer-Address"

// CachedPaths are the public, anonymous routes CloudFront caches, keyed by
// language and encoding only. Every other path passes through uncached.
var CachedPaths = []string{
	"/", "/trust.json", "/updates.atom", "/sitemap.xml", "/robots.txt",
	"/.well-known/security.txt", "/favicon.ico", "/static/*", "/nda.txt",
	"/llms.txt", "/trust.json.jws", "/.well-known/jwks.json",
}

// langFunction runs on viewer request for the cached paths. It rewrites
// Accept-Language to the one supported language it selects, so that the
// cache keeps one copy per language instead of one per browser header; an
// explicit ?lang= (which the pages honour first) is kept in the key as is.
// It mirrors shared/i18n.Negotiate (TestLanguageFunction runs both).
const langFunction = `function handler(event) {
  var req = event.request;
  var h = req.headers['accept-language'];
  var best = 'en', bestQ = 0;
  if (h) {
    var parts = h.value.split(',').slice(0, 32);
    for (var i = 0; i < parts.length; i++) {
      var p = parts[i].split(';');
      var tag = p[0].trim().toLowerCase().replace(/_/g, '-');
      var q = 1;
      for (var j = 1; j < p.length; j++) {
        var kv = p[j].split('=');
        if (kv.length < 2 || kv[0].trim().toLowerCase() !== 'q') { continue; }
        var v = kv.slice(1).join('=').trim();
        q = /^[0-9]*\.?[0-9]*$/.test(v) && v !== '' && v !== '.' ? Number(v) : 0;
        if (!(q >= 0 && q <= 1)) { q = 0; }
      }
      var lang = '';
      if (tag === 'en' || tag.indexOf('en-') === 0) { lang = 'en'; }
      else if (tag === 'zh' || tag === 'zh-cn' || tag === 'zh-sg' || tag === 'zh-hans' || tag.indexOf('zh-hans-') === 0) { lang = 'zh-CN'; }
      if (lang && q > bestQ) { best = lang; bestQ = q; }
    }
  }
  req.headers['accept-language'] = { value: best };
  return req;
}`

// webACLName is the ACL's name, also its metrics' dimension; the region
// keeps two deployments in one account apart.
func webACLName(stackID, region string) string { return fmt.Sprintf("%s-%s", stackID, region) }

// Rate limits per client address over WAF's 5-minute window. The
// per-route ones are far below the overall one: a form post or a sign-in
// costs a mail.
const (
	rateAccessRequests = 100
	rateAdminLogin     = 50
	ratePerIP          = 3000
)

// newWebACL builds the CLOUDFRONT-scope ACL in stack (which must be in
// us-east-1).
func newWebACL(stack awscdk.Stack, name string) awswafv2.CfnWebACL {
	visibility := func(metric string) *awswafv2.CfnWebACL_VisibilityConfigProperty {
		return &awswafv2.CfnWebACL_VisibilityConfigProperty{
			CloudWatchMetricsEnabled: jsii.Bool(true),
			MetricName:               jsii.String(metric),
			SampledRequestsEnabled:   jsii.Bool(true),
		}
	}
	exact := func(field *awswafv2.CfnWebACL_FieldToMatchProperty, value string) *awswafv2.CfnWebACL_StatementProperty {
		return &awswafv2.CfnWebACL_StatementProperty{ByteMatchStatement: &awswafv2.CfnWebACL_ByteMatchStatementProperty{
			FieldToMatch:         field,
			PositionalConstraint: jsii.String("EXACTLY"),
			SearchString:         jsii.String(value),
			TextTransformations:  &[]*awswafv2.CfnWebACL_TextTransformationProperty{{Priority: jsii.Number(0), Type: jsii.String("NONE")}},
		}}
	}
	method := &awswafv2.CfnWebACL_FieldToMatchProperty{Method: map[string]any{}}
	path := &awswafv2.CfnWebACL_FieldToMatchProperty{UriPath: map[string]any{}}
	// Rate-limited clients are told so (429), not shown WAF's bare 403.
	tooMany := &awswafv2.CfnWebACL_RuleActionProperty{Block: &awswafv2.CfnWebACL_BlockActionProperty{
		CustomResponse: &awswafv2.CfnWebACL_CustomResponseProperty{ResponseCode: jsii.Number(429)},
	}}
	managed := func(priority float64, group string, overrides ...string) *awswafv2.CfnWebACL_RuleProperty {
		st := &awswafv2.CfnWebACL_ManagedRuleGroupStatementProperty{VendorName: jsii.String("AWS"), Name: jsii.String(group)}
		var ov []*awswafv2.CfnWebACL_RuleActionOverrideProperty
		for _, o := range overrides {
			ov = append(ov, &awswafv2.CfnWebACL_RuleActionOverrideProperty{
				Name:        jsii.String(o),
				ActionToUse: &awswafv2.CfnWebACL_RuleActionProperty{Count: map[string]any{}},
			})
		}
		if len(ov) > 0 {
			st.RuleActionOverrides = &ov
		}
		return &awswafv2.CfnWebACL_RuleProperty{
			Name:             jsii.String(group),
			Priority:         jsii.Number(priority),
			OverrideAction:   &awswafv2.CfnWebACL_OverrideActionProperty{None: map[string]any{}},
			Statement:        &awswafv2.CfnWebACL_StatementProperty{ManagedRuleGroupStatement: st},
			VisibilityConfig: visibility(group),
		}
	}
	rate := func(priority float64, ruleName string, limit float64, scope *awswafv2.CfnWebACL_StatementProperty) *awswafv2.CfnWebACL_RuleProperty {
		st := &awswafv2.CfnWebACL_RateBasedStatementProperty{
			AggregateKeyType:    jsii.String("IP"),
			Limit:               jsii.Number(limit),
			EvaluationWindowSec: jsii.Number(300),
		}
		if scope != nil {
			st.ScopeDownStatement = scope
		}
		return &awswafv2.CfnWebACL_RuleProperty{
			Name:             jsii.String(ruleName),
			Priority:         jsii.Number(priority),
			Action:           tooMany,
			Statement:        &awswafv2.CfnWebACL_StatementProperty{RateBasedStatement: st},
			VisibilityConfig: visibility(ruleName),
		}
	}
	post := func(p string) *awswafv2.CfnWebACL_StatementProperty {
		return &awswafv2.CfnWebACL_StatementProperty{AndStatement: &awswafv2.CfnWebACL_AndStatementProperty{
			Statements: &[]*awswafv2.CfnWebACL_StatementProperty{exact(method, "POST"), exact(path, p)},
		}}
	}

	rules := []*awswafv2.CfnWebACL_RuleProperty{
		// Cheapest and most specific first: the rate rules stop floods
		// before the managed groups spend capacity on them.
		rate(0, "RateAccessRequests", rateAccessRequests, post("/access-requests")),
		rate(1, "RateAdminLogin", rateAdminLogin, post("/admin/login")),
		rate(2, "RatePerIP", ratePerIP, nil),
		managed(3, "AWSManagedRulesAmazonIpReputationList"),
		managed(4, "AWSManagedRulesKnownBadInputsRuleSet"),
		// Report uploads (POST /admin/documents/{id}, a few MB of PDF) are
		// far above the common rule set's 8 KB body limit; that one rule
		// only counts, the rest of the set blocks.
		managed(5, "AWSManagedRulesCommonRuleSet", "SizeRestrictions_BODY"),
	}
	return awswafv2.NewCfnWebACL(stack, jsii.String("WebAcl"), &awswafv2.CfnWebACLProps{
		Name:             jsii.String(name),
		Description:      jsii.String("Trust center edge: managed rule groups and per-address rate limits"),
		Scope:            jsii.String("CLOUDFRONT"),
		DefaultAction:    &awswafv2.CfnWebACL_DefaultActionProperty{Allow: map[string]any{}},
		VisibilityConfig: visibility(name),
		Rules:            &rules,
	})
}

// edgeProps is what the distribution is built from.
type edgeProps struct {
	api          awsapigatewayv2.HttpApi
	originSecret *string
	webACLArn    *string
	logsBucket   awss3.IBucket
}

// newDistribution puts CloudFront in front of the API: the cached public
// paths get a language-normalized cache key, everything else passes through
// with the viewer's headers, cookies and query and its address.
func newDistribution(stack awscdk.Stack, props *TrustCenterStackProps, e edgeProps) awscloudfront.Distribution {
	// The API's endpoint is https://<id>.execute-api.<region>.amazonaws.com.
	apiHost := awscdk.Fn_Select(jsii.Number(2), awscdk.Fn_Split(jsii.String("/"), e.api.ApiEndpoint(), nil))
	origin := awscloudfrontorigins.NewHttpOrigin(apiHost, &awscloudfrontorigins.HttpOriginProps{
		ProtocolPolicy:     awscloudfront.OriginProtocolPolicy_HTTPS_ONLY,
		OriginSslProtocols: &[]awscloudfront.OriginSslPolicy{awscloudfront.OriginSslPolicy_TLS_V1_2},
		CustomHeaders:      &map[string]*string{OriginSecretHeader: e.originSecret},
	})

	// Cached pages: TTLs follow the origin's Cache-Control (max-age, with
	// no-store errors never kept); the key is path, ?lang=, the normalized
	// Accept-Language and the encoding CloudFront negotiates itself.
	public := awscloudfront.NewCachePolicy(stack, jsii.String("PublicCachePolicy"), &awscloudfront.CachePolicyProps{
		Comment:                    jsii.String("Trust center public pages: by language and encoding"),
		MinTtl:                     awscdk.Duration_Seconds(jsii.Number(0)),
		DefaultTtl:                 awscdk.Duration_Seconds(jsii.Number(60)),
		MaxTtl:                     awscdk.Duration_Days(jsii.Number(1)),
		HeaderBehavior:             awscloudfront.CacheHeaderBehavior_AllowList(jsii.String("Accept-Language")),
		QueryStringBehavior:        awscloudfront.CacheQueryStringBehavior_AllowList(jsii.String("lang")),
		CookieBehavior:             awscloudfront.CacheCookieBehavior_None(),
		EnableAcceptEncodingGzip:   jsii.Bool(true),
		EnableAcceptEncodingBrotli: jsii.Bool(true),
	})
	lang := awscloudfront.NewFunction(stack, jsii.String("LanguageFunction"), &awscloudfront.FunctionProps{
		Comment: jsii.String("Normalizes Accept-Language to en or zh-CN for the cache key"),
		Runtime: awscloudfront.FunctionRuntime_JS_2_0(),
		Code:    awscloudfront.FunctionCode_FromInline(jsii.String(langFunction)),
	})
	cached := &awscloudfront.BehaviorOptions{
		Origin:               origin,
		ViewerProtocolPolicy: awscloudfront.ViewerProtocolPolicy_REDIRECT_TO_HTTPS,
		AllowedMethods:       awscloudfront.AllowedMethods_ALLOW_GET_HEAD(),
		CachePolicy:          public,
		Compress:             jsii.Bool(true),
		FunctionAssociations: &[]*awscloudfront.FunctionAssociation{{
			EventType: awscloudfront.FunctionEventType_VIEWER_REQUEST,
			Function:  lang,
		}},
	}
	behaviors := map[string]*awscloudfront.BehaviorOptions{}
	for _, p := range CachedPaths {
		behaviors[p] = cached
	}
	behaviors["/static/*"] = staticBehavior(stack, cached)

	dp := &awscloudfront.DistributionProps{
		Comment: jsii.String("Trust center"),
		DefaultBehavior: &awscloudfront.BehaviorOptions{
			Origin:               origin,
			ViewerProtocolPolicy: awscloudfront.ViewerProtocolPolicy_REDIRECT_TO_HTTPS,
			AllowedMethods:       awscloudfront.AllowedMethods_ALLOW_ALL(),
			CachePolicy:          awscloudfront.CachePolicy_CACHING_DISABLED(),
			// Everything the viewer sent but Host (API Gateway routes on
			// its own host name), plus CloudFront's headers, among them
			// CloudFront-Viewer-Address.
			OriginRequestPolicy: awscloudfront.OriginRequestPolicy_ALL_VIEWER_EXCEPT_HOST_HEADER(),
		},
		AdditionalBehaviors: &behaviors,
		HttpVersion:         awscloudfront.HttpVersion_HTTP2_AND_3,
		WebAclId:            e.webACLArn,
		EnableLogging:       jsii.Bool(true),
		LogBucket:           e.logsBucket,
		LogFilePrefix:       jsii.String("cloudfront/"),
	}
	if props.DomainName != "" {
		dp.DomainNames = jsii.Strings(props.DomainName)
		dp.Certificate = awscertificatemanager.Certificate_FromCertificateArn(stack, jsii.String("Certificate"), jsii.String(props.CertificateArn))
		dp.MinimumProtocolVersion = awscloudfront.SecurityPolicyProtocol_TLS_V1_2_2021
	}
	dist := awscloudfront.NewDistribution(stack, jsii.String("Distribution"), dp)
	suppress(dist, "AwsSolutions-CFR1",
		"A public trust center serves customers and auditors in every country; there is no region to restrict it to.")
	if props.DomainName == "" {
		suppress(dist, "AwsSolutions-CFR4",
			"Without domainName/certificateArn the distribution uses the *.cloudfront.net certificate, for which CloudFront fixes the policy; with a custom domain it is TLSv1.2_2021.")
	}
	return dist
}

// edgeACL returns the ARN of the distribution's web ACL: built in the main
// stack when that is in us-east-1, else in the TrustCenterEdge stack there,
// which the main stack then depends on.
func edgeACL(scope constructs.Construct, main awscdk.Stack, id string, props *TrustCenterStackProps) (*string, awscdk.Stack) {
	name := webACLName(id, props.region())
	if props.region() == EdgeRegion {
		return newWebACL(main, name).AttrArn(), nil
	}
	env := &awscdk.Environment{Region: jsii.String(EdgeRegion)}
	if props.Env.Account != nil {
		env.Account = props.Env.Account
	}
	edge := awscdk.NewStack(scope, jsii.String(id+"Edge"), &awscdk.StackProps{
		Env:                   env,
		CrossRegionReferences: jsii.Bool(true),
		Description:           jsii.String("Trust center edge: the CloudFront web ACL, which must live in us-east-1"),
	})
	setFeatureFlags(edge)
	acl := newWebACL(edge, name)
	main.AddStackDependency(edge, jsii.String("the distribution attaches the web ACL"))
	return acl.AttrArn(), edge
}
