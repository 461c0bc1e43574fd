package main

import (
	"fmt"
	"net/mail"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"trustcenter/shared/aws/dynamostore"
	"trustcenter/shared/trust"
	"trustcenter/shared/web"
)

// Function names: each is both the directory under the assets dir that holds
// its bootstrap binary and the prefix of its construct ids.
const (
	FnPublic   = "public"
	FnAccess   = "access"
	FnDownload = "download"
	FnAdmin    = "admin"
)

// FunctionNames lists the four functions in a fixed order, so that synthesis
// is deterministic.
var FunctionNames = []string{FnPublic, FnAccess, FnDownload, FnAdmin}

// ContentFile is the trust page's content, which `make build` puts next to
// each bootstrap; Lambda unpacks the asset into /var/task.
const ContentFile = "content.json"

// Defaults applied when the corresponding prop is left zero.
const (
	DefaultMailFrom      = "trust@example.com"
	DefaultThrottleRate  = 50
	DefaultThrottleBurst = 100
)

// TrustCenterStackProps configures NewTrustCenterStack. Only AssetsDir is
// required; everything else has a default that synthesizes (MailFrom's
// default cannot send mail, which is the point: it must be overridden to
// deploy for real).
type TrustCenterStackProps struct {
	awscdk.StackProps

	// AssetsDir holds <name>/bootstrap for each of FunctionNames.
	AssetsDir string
	// MailFrom is the SES sender: an address ("trust@example.com", optionally
	// with a display name) or a bare domain. The SES permission is scoped to
	// the identities it implies.
	MailFrom string
	// Staff are the staff e-mail addresses, passed to the functions as
	// TRUST_STAFF (comma-separated).
	Staff []string
	// DomainName and CertificateArn, both or neither, put the API behind a
	// custom domain. The certificate must be in the stack's region.
	DomainName     string
	CertificateArn string
	// BaseURL is the public origin used in links and mail. Default: the
	// custom domain if set, else the API's execute-api endpoint.
	BaseURL string
	// ThrottleRate (requests/s) and ThrottleBurst bound the default stage.
	ThrottleRate  float64
	ThrottleBurst float64
}

// Validate reports props the stack cannot deploy: a domain without its
// certificate or the reverse, a sender SES cannot be scoped to, a staff entry
// the functions would refuse at every cold start.
func (p *TrustCenterStackProps) Validate() error {
	if p.AssetsDir == "" {
		return fmt.Errorf("AssetsDir is required")
	}
	if (p.DomainName == "") != (p.CertificateArn == "") {
		return fmt.Errorf("domainName and certificateArn must be given together")
	}
	if _, err := SESIdentities(p.mailFrom()); err != nil {
		return fmt.Errorf("mailFrom: %w", err)
	}
	if len(p.Staff) > 0 {
		if _, err := trust.ParseStaff(strings.Join(p.Staff, ",")); err != nil {
			return fmt.Errorf("staff: %w", err)
		}
	}
	return nil
}

func (p *TrustCenterStackProps) mailFrom() string {
	if p.MailFrom == "" {
		return DefaultMailFrom
	}
	return p.MailFrom
}

// The stack sets these feature flags on itself rather than relying on
// cdk.json, because tests build the app without the CLI and must synthesize
// exactly what deploys.
var featureFlags = map[string]any{
	// Server access logs are granted by a bucket policy instead of the legacy
	// log-delivery ACL, which BucketOwnerEnforced buckets reject.
	"@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": true,
}

// grants is what one function may do; everything not listed is denied.
type grants struct {
	tableActions  []string
	secret        bool
	mail          bool
	objectActions []string
}

var tableRead = []string{"dynamodb:GetItem", "dynamodb:Query"}

// Transactions are authorised per contained operation (there is no
// TransactWriteItems IAM action): ConditionCheckItem covers the condition
// checks, PutItem/UpdateItem the writes.
var tableWrite = []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"}

var functionGrants = map[string]grants{
	// The public page only reads published documents and updates.
	FnPublic: {tableActions: tableRead},
	// Access requests, confirmations and sessions: conditional writes, signed
	// tokens, mail; never the documents themselves.
	FnAccess: {tableActions: slices.Concat(tableRead, tableWrite), secret: true, mail: true},
	// Verifies a token, records the download, streams the object.
	FnDownload: {tableActions: slices.Concat(tableRead, tableWrite), secret: true, objectActions: []string{"s3:GetObject"}},
	// Staff console: approves, revokes and deletes, uploads reports (it
	// never reads them back).
	FnAdmin: {
		tableActions:  slices.Concat(tableRead, tableWrite, []string{"dynamodb:DeleteItem"}),
		secret:        true,
		mail:          true,
		objectActions: []string{"s3:PutObject"},
	},
}

// route is one HTTP API route and the function that serves it.
type route struct {
	Method string
	Path   string
	Fn     string
}

// Routes is the whole HTTP API: each function's routes as its web handler
// serves them, so that nothing is served that is not deployed, or deployed
// to a function that does not serve it. Tests assert against it and against
// the synthesized template.
var Routes = apiRoutes()

func apiRoutes() []route {
	var rs []route
	for _, f := range web.Functions() {
		fn := f.Name
		for _, r := range web.Routes(f) {
			method := r.Method
			if method == "" {
				method = "ANY"
			}
			rs = append(rs, route{Method: method, Path: apiPath(r.Path), Fn: fn})
		}
	}
	return rs
}

// apiPath writes a ServeMux path as an API Gateway route path: the rest of
// the path, {name...}, is the greedy {name+}, and the {$} that keeps "/"
// from matching every path is not needed, since API Gateway matches whole
// paths.
func apiPath(muxPath string) string {
	p := strings.TrimSuffix(muxPath, "{$}")
	if i := strings.LastIndex(p, "{"); i >= 0 && strings.HasSuffix(p, "...}") {
		p = p[:len(p)-len("...}")] + "+}"
	}
	if p == "" {
		p = "/"
	}
	return p
}

// constructID turns a function name into the prefix of its construct ids.
func constructID(fn string) string {
	return strings.ToUpper(fn[:1]) + fn[1:]
}

// SESIdentities returns the SES identity names a sender may be authorised
// by: the address itself and its domain, since either may be the verified
// identity. A bare domain yields just the domain.
func SESIdentities(mailFrom string) ([]string, error) {
	s := strings.TrimSpace(mailFrom)
	if s == "" {
		return nil, fmt.Errorf("mail sender is empty")
	}
	if !strings.Contains(s, "@") {
		if strings.ContainsAny(s, " <>") {
			return nil, fmt.Errorf("mail sender %q is neither an address nor a domain", mailFrom)
		}
		return []string{strings.ToLower(s)}, nil
	}
	addr, err := mail.ParseAddress(s)
	if err != nil {
		return nil, fmt.Errorf("mail sender %q: %w", mailFrom, err)
	}
	at := strings.LastIndex(addr.Address, "@")
	return []string{addr.Address, strings.ToLower(addr.Address[at+1:])}, nil
}

// accessLogSettings exists because the Go bindings expose
// IAccessLogSettings only as an interface, with no struct or factory to fill.
type accessLogSettings struct {
	destination awsapigatewayv2.IAccessLogDestination
	format      awsapigateway.AccessLogFormat
}

func (s *accessLogSettings) Destination() awsapigatewayv2.IAccessLogDestination {
	return s.destination
}

func (s *accessLogSettings) Format() awsapigateway.AccessLogFormat { return s.format }

// The access log records the route template, never the raw path: paths carry
// single-use tokens (/access/{token}, /download/{token}) that must not end up
// in logs readable by anyone with CloudWatch access.
const accessLogFormat = `{"requestId":"$context.requestId","time":"$context.requestTime",` +
	`"ip":"$context.identity.sourceIp","userAgent":"$context.identity.userAgent",` +
	`"route":"$context.routeKey","status":"$context.status","bytes":"$context.responseLength",` +
	`"latencyMs":"$context.responseLatency","integrationLatencyMs":"$context.integrationLatency",` +
	`"integrationError":"$context.integrationErrorMessage"}`

func attributeType(t string) awsdynamodb.AttributeType {
	switch t {
	case "S":
		return awsdynamodb.AttributeType_STRING
	case "N":
		return awsdynamodb.AttributeType_NUMBER
	case "B":
		return awsdynamodb.AttributeType_BINARY
	}
	panic(fmt.Sprintf("dynamostore schema: unknown attribute type %q", t))
}

func attribute(k dynamostore.KeyAttribute) *awsdynamodb.Attribute {
	return &awsdynamodb.Attribute{Name: jsii.String(k.Name), Type: attributeType(k.Type)}
}

func suppress(construct constructs.IConstruct, id, reason string, appliesTo ...any) {
	s := &cdknag.NagPackSuppression{Id: jsii.String(id), Reason: jsii.String(reason)}
	if len(appliesTo) > 0 {
		s.AppliesTo = &appliesTo
	}
	cdknag.NagSuppressions_AddResourceSuppressions(construct, &[]*cdknag.NagPackSuppression{s}, jsii.Bool(true))
}

// NewTrustCenterStack builds the whole trust center: table, reports bucket,
// signing-key secret, four functions, HTTP API and alarms.
func NewTrustCenterStack(scope constructs.Construct, id string, props *TrustCenterStackProps) awscdk.Stack {
	if props == nil {
		panic("TrustCenterStackProps are required")
	}
	if err := props.Validate(); err != nil {
		panic(err)
	}
	mailFrom := props.mailFrom()
	identities, _ := SESIdentities(mailFrom)
	rate, burst := props.ThrottleRate, props.ThrottleBurst
	if rate == 0 {
		rate = DefaultThrottleRate
	}
	if burst == 0 {
		burst = DefaultThrottleBurst
	}

	stack := awscdk.NewStack(scope, &id, &props.StackProps)
	flags := make([]string, 0, len(featureFlags))
	for k := range featureFlags {
		flags = append(flags, k)
	}
	sort.Strings(flags)
	for _, k := range flags {
		stack.Node().SetContext(jsii.String(k), featureFlags[k])
	}

	schema := dynamostore.Schema
	table := awsdynamodb.NewTable(stack, jsii.String("Table"), &awsdynamodb.TableProps{
		PartitionKey: attribute(schema.PartitionKey),
		SortKey:      attribute(schema.SortKey),
		BillingMode:  awsdynamodb.BillingMode_PAY_PER_REQUEST,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		DeletionProtection:  jsii.Bool(true),
		Encryption:          awsdynamodb.TableEncryption_AWS_MANAGED,
		TimeToLiveAttribute: jsii.String(schema.TTLAttribute),
		RemovalPolicy:       awscdk.RemovalPolicy_RETAIN,
	})
	indexArns := []*string{}
	for _, g := range schema.GSIs {
		table.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
			IndexName:      jsii.String(g.Name),
			PartitionKey:   attribute(g.PartitionKey),
			SortKey:        attribute(g.SortKey),
			ProjectionType: awsdynamodb.ProjectionType_ALL,
		})
		// Naming each index keeps the policies free of "index/*" wildcards.
		indexArns = append(indexArns, awscdk.Fn_Join(jsii.String(""), &[]*string{table.TableArn(), jsii.String("/index/" + g.Name)}))
	}

	// The log bucket is not itself logged: cdk-nag accepts a bucket that
	// receives other buckets' access logs, and logging it would recurse.
	logsBucket := awss3.NewBucket(stack, jsii.String("AccessLogsBucket"), &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:        jsii.Bool(true),
		// Server access logging can only deliver to SSE-S3 buckets.
		Encryption:      awss3.BucketEncryption_S3_MANAGED,
		ObjectOwnership: awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		RemovalPolicy:   awscdk.RemovalPolicy_RETAIN,
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Expiration: awscdk.Duration_Days(jsii.Number(365)),
		}},
	})

	bucket := awss3.NewBucket(stack, jsii.String("ReportsBucket"), &awss3.BucketProps{
		BlockPublicAccess:      awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:             jsii.Bool(true),
		MinimumTLSVersion:      jsii.Number(1.2),
		Encryption:             awss3.BucketEncryption_S3_MANAGED,
		ObjectOwnership:        awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		Versioned:              jsii.Bool(true),
		ServerAccessLogsBucket: logsBucket,
		ServerAccessLogsPrefix: jsii.String("reports/"),
		RemovalPolicy:          awscdk.RemovalPolicy_RETAIN,
		LifecycleRules: &[]*awss3.LifecycleRule{{
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(7)),
		}},
	})

	secret := awssecretsmanager.NewSecret(stack, jsii.String("SigningKeys"), &awssecretsmanager.SecretProps{
		Description: jsii.String("Trust center Ed25519 signing keyring (JSON). The generated value is a placeholder: put the keyring in before first use."),
		// Losing the keyring would invalidate every issued link.
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	suppress(secret, "AwsSolutions-SMG4",
		"Signing keys rotate by adding a new kid to the keyring and retiring the old one after its tokens expire; a Secrets Manager rotation Lambda cannot do that safely.")

	// HTTP API (created before the functions, whose TRUST_BASE_URL may be
	// its endpoint).
	api := awsapigatewayv2.NewHttpApi(stack, jsii.String("Api"), &awsapigatewayv2.HttpApiProps{
		Description:        jsii.String("Trust center"),
		CreateDefaultStage: jsii.Bool(false),
	})
	var domain awsapigatewayv2.DomainName
	if props.DomainName != "" {
		domain = awsapigatewayv2.NewDomainName(stack, jsii.String("Domain"), &awsapigatewayv2.DomainNameProps{
			DomainName:     jsii.String(props.DomainName),
			Certificate:    awscertificatemanager.Certificate_FromCertificateArn(stack, jsii.String("Certificate"), jsii.String(props.CertificateArn)),
			SecurityPolicy: awsapigatewayv2.SecurityPolicy_TLS_1_2,
		})
	}
	apiLogs := awslogs.NewLogGroup(stack, jsii.String("ApiAccessLogs"), &awslogs.LogGroupProps{
		Retention:     awslogs.RetentionDays_ONE_MONTH,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	stageProps := &awsapigatewayv2.HttpStageProps{
		HttpApi:    api,
		StageName:  jsii.String("$default"),
		AutoDeploy: jsii.Bool(true),
		Throttle:   &awsapigatewayv2.ThrottleSettings{RateLimit: jsii.Number(rate), BurstLimit: jsii.Number(burst)},
		AccessLogSettings: &accessLogSettings{
			destination: awsapigatewayv2.NewLogGroupLogDestination(apiLogs),
			format:      awsapigateway.AccessLogFormat_Custom(jsii.String(accessLogFormat)),
		},
	}
	if domain != nil {
		stageProps.DomainMapping = &awsapigatewayv2.DomainMappingOptions{DomainName: domain}
	}
	awsapigatewayv2.NewHttpStage(stack, jsii.String("DefaultStage"), stageProps)

	baseURL := props.BaseURL
	switch {
	case baseURL != "":
	case props.DomainName != "":
		baseURL = "https://" + props.DomainName
	default:
		baseURL = *api.ApiEndpoint()
	}

	var identityArns []*string
	for _, name := range identities {
		identityArns = append(identityArns, stack.FormatArn(&awscdk.ArnComponents{
			Service:      jsii.String("ses"),
			Resource:     jsii.String("identity"),
			ResourceName: jsii.String(name),
		}))
	}
	tableResources := append([]*string{table.TableArn()}, indexArns...)
	integrations := map[string]awsapigatewayv2.HttpRouteIntegration{}
	for _, name := range FunctionNames {
		g := functionGrants[name]
		cid := constructID(name)

		logGroup := awslogs.NewLogGroup(stack, jsii.String(cid+"Logs"), &awslogs.LogGroupProps{
			Retention:     awslogs.RetentionDays_ONE_MONTH,
			RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
		})

		statements := []awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("Logs"),
				Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
				Resources: &[]*string{logGroup.LogGroupArn()},
			}),
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("Table"),
				Actions:   jsii.Strings(g.tableActions...),
				Resources: &tableResources,
			}),
		}
		if g.secret {
			statements = append(statements, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("SigningKeys"),
				Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
				Resources: &[]*string{secret.SecretArn()},
			}))
		}
		if g.mail {
			statements = append(statements, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("Mail"),
				Actions:   jsii.Strings("ses:SendEmail", "ses:SendRawEmail"),
				Resources: &identityArns,
			}))
		}
		if len(g.objectActions) > 0 {
			statements = append(statements, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("Reports"),
				Actions:   jsii.Strings(g.objectActions...),
				Resources: &[]*string{bucket.ArnForObjects(jsii.String("*"))},
			}))
		}
		role := awsiam.NewRole(stack, jsii.String(cid+"Role"), &awsiam.RoleProps{
			AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
			Description: jsii.String("Trust center " + name + " function"),
			InlinePolicies: &map[string]awsiam.PolicyDocument{
				"LeastPrivilege": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &statements}),
			},
		})
		if len(g.objectActions) > 0 {
			suppress(role, "AwsSolutions-IAM5",
				"Report object keys are created at upload time, so object actions are granted on the reports bucket's objects; the bucket itself and other buckets are not reachable.",
				&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::<ReportsBucket[0-9A-Fa-f]+\.Arn>\/\*$/g`)})
		}

		// Each function gets the settings its engines read (lambdaapp.Function's
		// needs) and no others.
		env := map[string]*string{
			"TRUST_TABLE":    table.TableName(),
			"TRUST_BASE_URL": jsii.String(baseURL),
			"TRUST_CONTENT":  jsii.String("/var/task/" + ContentFile),
		}
		if g.mail {
			env["TRUST_MAIL_FROM"] = jsii.String(mailFrom)
			env["TRUST_STAFF"] = jsii.String(strings.Join(props.Staff, ","))
		}
		if g.secret {
			env["TRUST_KEYS_SECRET"] = secret.SecretArn()
		}
		if len(g.objectActions) > 0 {
			env["TRUST_BUCKET"] = bucket.BucketName()
		}

		fn := awslambda.NewFunction(stack, jsii.String(cid+"Function"), &awslambda.FunctionProps{
			Description:  jsii.String("Trust center " + name),
			Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
			Architecture: awslambda.Architecture_ARM_64(),
			Handler:      jsii.String("bootstrap"),
			Code:         awslambda.Code_FromAsset(jsii.String(filepath.Join(props.AssetsDir, name)), nil),
			MemorySize:   jsii.Number(256),
			Timeout:      awscdk.Duration_Seconds(jsii.Number(10)),
			Role:         role,
			LogGroup:     logGroup,
			Environment:  &env,
		})
		integrations[name] = awsapigatewayv2integrations.NewHttpLambdaIntegration(jsii.String(cid+"Integration"), fn,
			&awsapigatewayv2integrations.HttpLambdaIntegrationProps{
				PayloadFormatVersion: awsapigatewayv2.PayloadFormatVersion_VERSION_2_0(),
			})

		for _, metric := range []struct {
			id     string
			metric awscloudwatch.Metric
			what   string
		}{
			{"Errors", fn.MetricErrors(nil), "errors"},
			{"Throttles", fn.MetricThrottles(nil), "throttles"},
		} {
			alarmOnAny(stack, cid+metric.id+"Alarm", metric.metric, "Trust center "+name+" function "+metric.what)
		}
	}

	for _, r := range Routes {
		api.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
			Path:        jsii.String(r.Path),
			Methods:     &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod(r.Method)},
			Integration: integrations[r.Fn],
		})
	}
	suppress(api, "AwsSolutions-APIG4",
		"A public trust center: pages and access-request forms are anonymous by design; document and admin routes authorise in the function with signed tokens and staff sessions.")

	alarmOnAny(stack, "Api5xxAlarm", api.MetricServerError(nil), "Trust center API 5xx responses")

	awscdk.NewCfnOutput(stack, jsii.String("ApiEndpoint"), &awscdk.CfnOutputProps{Value: api.ApiEndpoint()})
	awscdk.NewCfnOutput(stack, jsii.String("BaseUrl"), &awscdk.CfnOutputProps{Value: jsii.String(baseURL)})
	awscdk.NewCfnOutput(stack, jsii.String("TableName"), &awscdk.CfnOutputProps{Value: table.TableName()})
	awscdk.NewCfnOutput(stack, jsii.String("ReportsBucketName"), &awscdk.CfnOutputProps{Value: bucket.BucketName()})
	awscdk.NewCfnOutput(stack, jsii.String("SigningKeysSecretArn"), &awscdk.CfnOutputProps{Value: secret.SecretArn()})
	if domain != nil {
		awscdk.NewCfnOutput(stack, jsii.String("DomainTarget"), &awscdk.CfnOutputProps{
			Description: jsii.String("Point the custom domain's CNAME (or alias) here"),
			Value:       domain.RegionalDomainName(),
		})
	}
	return stack
}

// alarmOnAny raises an alarm on the first occurrence of metric in a period;
// no data counts as fine.
func alarmOnAny(stack awscdk.Stack, id string, metric awscloudwatch.IMetric, description string) {
	awscloudwatch.NewAlarm(stack, jsii.String(id), &awscloudwatch.AlarmProps{
		Metric:             metric,
		Threshold:          jsii.Number(1),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		AlarmDescription:   jsii.String(description),
	})
}
