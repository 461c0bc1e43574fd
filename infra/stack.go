package main

import (
	"fmt"
	"net/mail"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
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
	// FnConnect answers Slack's interactions and the identity provider's
	// sign-in (web.Connect).
	FnConnect = "connect"
	// FnScheduler delivers the outbox (shared/aws/scheduler); it serves no
	// HTTP route.
	FnScheduler = "scheduler"
)

// FunctionNames lists the web functions in a fixed order, so that
// synthesis is deterministic.
var FunctionNames = []string{FnPublic, FnAccess, FnDownload, FnAdmin, FnConnect}

// DeployedFunctions are every function's asset directory: the web
// functions and the mail scheduler.
var DeployedFunctions = append(slices.Clone(FunctionNames), FnScheduler)

// ContentFile is the trust page's content, which `make build` puts next to
// each bootstrap; Lambda unpacks the asset into /var/task.
const ContentFile = "content.json"

// The stack sets these feature flags on itself rather than relying on
// cdk.json, because tests build the app without the CLI and must synthesize
// exactly what deploys.
var featureFlags = map[string]any{
	// Server access logs are granted by a bucket policy instead of the legacy
	// log-delivery ACL, which BucketOwnerEnforced buckets reject.
	"@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": true,
	// The web ACL's ARN crosses from the edge stack to the main one: a
	// strong reference keeps the ACL from being deleted while in use.
	"@aws-cdk/core:defaultCrossStackReferences": "strong",
}

// keyAccess allows actions on the items whose partition key matches one of
// keys (a trailing * matches a prefix): an IAM condition on
// dynamodb:LeadingKeys, which DynamoDB checks for every item a call touches,
// each Put of a transaction included.
type keyAccess struct {
	actions []string
	keys    []string
}

// grants is what one function may do; everything not listed is denied.
type grants struct {
	table  []keyAccess // by the table's partition key
	index  []keyAccess // Query on GSI1, by GSI1PK
	queue  []keyAccess // Query on the queue's GSI2-4, by their partition keys
	secret bool
	staff  bool // reads TRUST_STAFF: it mails staff or signs them in
	// services reads the outside services' secret (Slack, OIDC).
	services bool
	objects  []objectAccess
}

// objectAccess allows actions on the bucket's objects under one prefix.
type objectAccess struct {
	actions []string
	prefix  string // ReportsPrefix, IncomingPrefix or CopiesPrefix
}

func prefix(p string) string { return p + "*" }

var (
	requests   = prefix(dynamostore.PrefixRequest)
	documents  = prefix(dynamostore.PrefixDoc)
	sessions   = prefix(dynamostore.PrefixSession)
	uses       = prefix(dynamostore.PrefixUse)
	mails      = prefix(dynamostore.PrefixMail)
	rates      = prefix(dynamostore.PrefixRate)
	events     = prefix(dynamostore.PrefixEvent)
	byStatus   = prefix(dynamostore.PrefixStatus)
	downloads  = prefix(dynamostore.PrefixDownloads)
	copies     = prefix(dynamostore.PrefixCopy)
	marks      = prefix(dynamostore.PrefixMark)
	rules      = prefix(dynamostore.PrefixRules)
	suppressed = prefix(dynamostore.PrefixSuppress)
	// NDA versions (one partition, Query) and each address's latest
	// acceptance (GetItem, PutItem).
	ndas        = prefix(dynamostore.PrefixNDA)
	acceptances = prefix(dynamostore.PrefixAcceptance)
	contacts    = prefix(dynamostore.PrefixContact)
	// subscribers is the one partition of every subscriber, not a prefix.
	subscribers = dynamostore.PartSubscribers
	announced   = prefix(dynamostore.PrefixAnnounced)
	health      = prefix(dynamostore.PrefixHealth) // the scheduler's mail health, which the pages that promise mail read
	accounts    = prefix(dynamostore.PrefixAccount)
	counts      = prefix(dynamostore.PrefixCounts)
	byDomain    = prefix(dynamostore.PrefixDomain)
)

// Transactions (Store.Commit) are authorised per contained Put, so
// PutItem's keys are those of every item a function's transactions write.
// A web function only queues mail (PutItem MAIL#), after looking up whether
// the address is suppressed (GetItem SUPPRESS#); the scheduler alone sends
// it. Rate limits are counters (UpdateItem RATE#), and so are public
// downloads (UpdateItem DLCOUNT#, read back by the console's Query).
var functionGrants = map[string]grants{
	// The trust page lists the documents and reads nothing else.
	FnPublic: {
		table: []keyAccess{{[]string{"dynamodb:Query"}, []string{ndas}}}, // /nda.txt and old versions
		index: []keyAccess{{[]string{"dynamodb:Query"}, []string{dynamostore.PartDocs}}},
	},
	// Access requests, their confirmation and the access page; never a
	// document's file, session or status list.
	FnAccess: {
		table: []keyAccess{
			// Confirmation evaluates the rules, and stores the seed
			// from TRUST_AUTO_APPROVE if none is stored yet; a rate
			// limit reads the previous window's counter.
			// The NDA in effect (Query NDA#); an earlier acceptance a
			// request relies on, and the one it records (NDAACC#). A
			// confirmed request is also filed by address and domain
			// (CONTACT#), which the staff mail's flags and "my requests"
			// read back. Subscribers are read, written and erased by
			// address; its cold start announces new updates: it reads what
			// was announced and lists the subscribers. The mail health
			// (HEALTH#) says whether mail is going out. A confirmation
			// also moves the queue's counters (QCOUNT#) and rewrites the
			// domain's account (ACCT#).
			{[]string{"dynamodb:GetItem"}, []string{requests, rates, rules, suppressed, acceptances, subscribers, announced, health, accounts}},
			{[]string{"dynamodb:PutItem"}, []string{requests, uses, events, mails, rules, acceptances, contacts, subscribers, announced, accounts}},
			{[]string{"dynamodb:UpdateItem"}, []string{rates, counts}},
			{[]string{"dynamodb:DeleteItem"}, []string{subscribers}},
			{[]string{"dynamodb:Query"}, []string{ndas, contacts, subscribers}},
		},
		index: []keyAccess{{[]string{"dynamodb:Query"}, []string{dynamostore.PartDocs}}},
		// "My requests" lists the requests of the signed-in address.
		secret: true, staff: true,
	},
	// Checks a download link against its request, reads the document,
	// makes the recipient's stamped copy on first download (reads the
	// report, keeps the copy, records it by grant and by watermark ID; a
	// copy that lost a race is deleted), records the download (a public
	// one: counts it) and signs the S3 link to the copy. The public
	// verify page looks a copy up by its watermark ID.
	FnDownload: {
		table: []keyAccess{
			// A download counts on the requester's account (ACCT#).
			{[]string{"dynamodb:GetItem"}, []string{requests, documents, copies, marks, accounts}},
			// A staff member's signed-NDA link is spent on use (USE#).
			{[]string{"dynamodb:PutItem"}, []string{events, copies, marks, accounts, uses}},
			{[]string{"dynamodb:UpdateItem"}, []string{downloads}},
			// Whether the NDA in effect is agreed; the text of a signed
			// NDA staff download.
			{[]string{"dynamodb:Query"}, []string{ndas}},
		},
		secret: true,
		objects: []objectAccess{
			{[]string{"s3:GetObject"}, ReportsPrefix},
			{[]string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}, CopiesPrefix},
		},
	},
	// Staff console: sign-in and sessions, the request queue and trails,
	// decisions, traces of leaked copies (by watermark ID), removing a
	// revoked grant's copies, and uploads. Uploads go from the browser to
	// incoming/ by a POST this role presigns (PutObject), are read back to
	// be checked (GetObject) and copied under reports/ (GetObject there
	// too, for version downloads; PutObject for the copy).
	FnAdmin: {
		table: []keyAccess{
			// Decisions move the queue's counters and rewrite accounts.
			{[]string{"dynamodb:GetItem"}, []string{requests, documents, sessions, marks, rates, rules, suppressed, health, accounts, counts}},
			// An erasure rewrites copies' records (COPY#, WM#) and
			// forgets the address's acceptance (NDAACC#).
			{[]string{"dynamodb:PutItem"}, []string{requests, uses, sessions, documents, events, mails, rules, ndas, copies, marks, contacts, accounts}},
			{[]string{"dynamodb:UpdateItem"}, []string{rates, counts}},
			// An erasure also removes the request's filings (CONTACT#).
			{[]string{"dynamodb:DeleteItem"}, []string{sessions, acceptances, contacts}},
			// The tab counts read the approved grants counted by the
			// day their access ends (Query QCOUNT#grantdays).
			{[]string{"dynamodb:Query"}, []string{events, downloads, copies, ndas, contacts, counts}},
		},
		index:  []keyAccess{{[]string{"dynamodb:Query"}, []string{byStatus, dynamostore.PartDocs, dynamostore.PartAccounts}}},
		queue:  []keyAccess{{[]string{"dynamodb:Query"}, []string{dynamostore.PartConfirmed, byDomain, dynamostore.PartGrants}}},
		secret: true, staff: true,
		objects: []objectAccess{
			{[]string{"s3:GetObject", "s3:PutObject"}, IncomingPrefix},
			{[]string{"s3:GetObject", "s3:PutObject"}, ReportsPrefix},
			{[]string{"s3:DeleteObject"}, CopiesPrefix},
		},
	},
	// Slack's Approve and Deny (a decision, as the admin function's,
	// spending the interaction's signature) and single sign-on (a spent
	// attempt, a session, the audit event).
	// A decision writes the request as the admin function's do: with its
	// filing by address and domain (CONTACT#), the queue's counters
	// (QCOUNT#) and the domain's account (ACCT#); an approval's mail names
	// the documents (Query DOCS).
	FnConnect: {
		table: []keyAccess{
			{[]string{"dynamodb:GetItem"}, []string{requests, rules, suppressed, accounts}},
			{[]string{"dynamodb:PutItem"}, []string{requests, uses, sessions, events, mails, contacts, accounts}},
			{[]string{"dynamodb:UpdateItem"}, []string{counts}},
		},
		index:  []keyAccess{{[]string{"dynamodb:Query"}, []string{dynamostore.PartDocs}}},
		secret: true, staff: true, services: true,
	},
}

// schedulerGrants: the scheduler reads a mail (GetItem MAIL#), claims and
// records each attempt (UpdateItem MAIL#), drains the outbox (Query
// OUTBOX), reads and writes suppressions (SUPPRESS#) and the mail health
// (HEALTH#mail, which the access and admin pages read). For the lapse
// mails it reads the approved requests and the documents (Query
// STATUS#approved, DOCS) and queues each mail with its event and its
// once-only marker (PutItem MAIL#, EVT#, USE#); reminders read the
// pending queue (Query STATUS#pending) and commit the same; the copy
// sweep reads the approved requests and their copies (COPY#). Its SES
// and stream permissions are in mail.go.
var schedulerGrants = grants{
	table: []keyAccess{
		{[]string{"dynamodb:GetItem"}, []string{mails, suppressed, health}},
		{[]string{"dynamodb:UpdateItem"}, []string{mails}},
		{[]string{"dynamodb:PutItem"}, []string{suppressed, health, mails, events, uses}},
		{[]string{"dynamodb:Query"}, []string{copies}},
	},
	index: []keyAccess{{[]string{"dynamodb:Query"}, []string{dynamostore.PartOutbox, byStatus, dynamostore.PartDocs}}},
	// The sweep of ended grants' kept copies (ops.go).
	objects: []objectAccess{{[]string{"s3:DeleteObject"}, CopiesPrefix}},
}

// ReportsPrefix is where the service stores report files (trust.Service
// Publish), IncomingPrefix where uploads wait for review, CopiesPrefix its
// recipients' stamped copies; the S3 grants reach nothing else.
const (
	ReportsPrefix  = trust.ReportsPrefix
	IncomingPrefix = trust.IncomingPrefix
	CopiesPrefix   = trust.CopiesPrefix
)

// copiesExpireAfter is when the bucket removes a stamped copy on its own,
// in days: once no grant can serve it any more (trust.MaxCopyAge), and a
// week of grace for a grant approved at the end of a day. Revocation
// removes a grant's copies at once; an expired grant's stay until then
// (the record of each stays in the table for tracing).
const copiesExpireAfter = int(trust.MaxCopyAge/(24*time.Hour)) + 7

// memoryMB is a function's memory. The download function stamps copies,
// which takes about seven times the PDF's size in heap (a 20 MB, 300-page
// report peaked at 145 MB; the largest upload, 50 MB, would need some
// 350 MB), and Lambda gives CPU in proportion to memory, which the first
// stamping of a large report needs as much. The others render pages and
// need little.
func memoryMB(fn string) float64 {
	if fn == FnDownload {
		return 1024
	}
	return 256
}

// timeoutSeconds is a function's time limit: the download function's first
// download of a large report stamps it, the others answer in milliseconds.
// API Gateway gives up at 30 s whatever the function does.
func timeoutSeconds(fn string) float64 {
	if fn == FnDownload {
		return 28
	}
	return 10
}

// routeThrottle tightens single routes below the stage default, so that a
// flood on a form or a token route cannot use up the API's rate for the
// pages: the request form's post most, every route that carries a token or
// a staff session less. Each route gets its own budget.
func routeThrottle(method, path string) (rate, burst float64, ok bool) {
	if method == "POST" && path == "/access-requests" {
		return 5, 10, true
	}
	for _, prefix := range []string{"/access/", "/access-requests/", "/download/", "/documents/", "/admin", "/slack/"} {
		if strings.HasPrefix(path, prefix) {
			return 10, 20, true
		}
	}
	return 0, 0, false
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

// keyStatements are g's table and index grants, each limited by
// dynamodb:LeadingKeys.
func keyStatements(g grants, table awsdynamodb.Table, indexArn *string) []awsiam.PolicyStatement {
	var out []awsiam.PolicyStatement
	add := func(sid string, resource *string, access []keyAccess) {
		for i, a := range access {
			out = append(out, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String(fmt.Sprintf("%s%d", sid, i)),
				Actions:   jsii.Strings(a.actions...),
				Resources: &[]*string{resource},
				Conditions: &map[string]any{
					"ForAllValues:StringLike": map[string]any{"dynamodb:LeadingKeys": a.keys},
				},
			}))
		}
	}
	add("Table", table.TableArn(), g.table)
	add("Index", indexArn, g.index)
	for _, name := range []string{dynamostore.IndexGSI2, dynamostore.IndexGSI3, dynamostore.IndexGSI4} {
		if len(g.queue) > 0 {
			add("Queue"+name, awscdk.Fn_Join(jsii.String(""), &[]*string{table.TableArn(), jsii.String("/index/" + name)}), g.queue)
		}
	}
	return out
}

// servicesStatement lets a function read the outside services' secret.
func servicesStatement(services awssecretsmanager.Secret) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("StaffServices"),
		Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
		Resources: &[]*string{services.SecretArn()},
	})
}

// staffServicesEnv are the Slack and single sign-on settings fn reads:
// the channel where pending requests are queued (access, admin) and
// reminded (scheduler), the user map and the provider (connect).
func staffServicesEnv(props *TrustCenterStackProps, fn string) map[string]*string {
	env := map[string]*string{}
	set := func(k, v string) {
		if v != "" {
			env[k] = jsii.String(v)
		}
	}
	switch fn {
	case FnAccess, FnAdmin:
		set("TRUST_SLACK_CHANNEL", props.SlackChannel)
	case FnScheduler:
		set("TRUST_SLACK_CHANNEL", props.SlackChannel)
		set("TRUST_REMIND_AFTER", props.RemindAfter)
	case FnConnect:
		set("TRUST_SLACK_USERS", props.SlackUsers)
		set("TRUST_OIDC_ISSUER", props.OIDCIssuer)
		set("TRUST_OIDC_CLIENT_ID", props.OIDCClientID)
		set("TRUST_OIDC_GROUP_ROLES", props.OIDCGroupRoles)
	}
	return env
}

// logStatement lets a function write to its own log group only.
func logStatement(logGroup awslogs.LogGroup) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("Logs"),
		Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
		Resources: &[]*string{logGroup.LogGroupArn()},
	})
}

// newFunctionRole is a function's role: statements as its one inline
// policy, nothing managed.
func newFunctionRole(stack awscdk.Stack, name string, statements []awsiam.PolicyStatement) awsiam.Role {
	return awsiam.NewRole(stack, jsii.String(constructID(name)+"Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Trust center " + name + " function"),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"LeastPrivilege": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &statements}),
		},
	})
}

// functionProps are what every function shares: the arm64 bootstrap from
// its asset directory, its role, log group and settings.
func functionProps(props *TrustCenterStackProps, name string, role awsiam.Role, logGroup awslogs.LogGroup, env map[string]*string) *awslambda.FunctionProps {
	fp := &awslambda.FunctionProps{
		Description:  jsii.String("Trust center " + name),
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("bootstrap"),
		Code:         awslambda.Code_FromAsset(jsii.String(filepath.Join(props.AssetsDir, name)), nil),
		MemorySize:   jsii.Number(memoryMB(name)),
		Timeout:      awscdk.Duration_Seconds(jsii.Number(timeoutSeconds(name))),
		Role:         role,
		LogGroup:     logGroup,
		Environment:  &env,
	}
	if n := props.concurrency(name); n > 0 {
		fp.ReservedConcurrentExecutions = jsii.Number(float64(n))
	}
	return fp
}

func newFunction(stack awscdk.Stack, name string, fp *awslambda.FunctionProps) awslambda.Function {
	fn := awslambda.NewFunction(stack, jsii.String(constructID(name)+"Function"), fp)
	// CDK also writes DependsOn the role, which the Role GetAtt already
	// implies (cfn-lint W3005); the inline policy is part of the role.
	fn.Node().DefaultChild().(awscdk.CfnResource).AddDeletionOverride(jsii.String("DependsOn"))
	return fn
}

// setFeatureFlags pins the flags on a stack (featureFlags).
func setFeatureFlags(stack awscdk.Stack) {
	flags := make([]string, 0, len(featureFlags))
	for k := range featureFlags {
		flags = append(flags, k)
	}
	sort.Strings(flags)
	for _, k := range flags {
		stack.Node().SetContext(jsii.String(k), featureFlags[k])
	}
}

// NewTrustCenterStack builds the whole trust center: table, buckets,
// secrets, four functions, the HTTP API behind CloudFront and its web ACL,
// alarms and a dashboard. Outside us-east-1 the web ACL goes into a second
// stack, <id>Edge, in us-east-1, created beside the returned stack in scope.
func NewTrustCenterStack(scope constructs.Construct, id string, props *TrustCenterStackProps) awscdk.Stack {
	if props == nil {
		panic("TrustCenterStackProps are required")
	}
	if err := props.Validate(); err != nil {
		panic(err)
	}
	rate, burst := props.ThrottleRate, props.ThrottleBurst
	if rate == 0 {
		rate = DefaultThrottleRate
	}
	if burst == 0 {
		burst = DefaultThrottleBurst
	}
	retention := props.logRetention()

	stackProps := props.StackProps
	if props.region() != EdgeRegion {
		stackProps.CrossRegionReferences = jsii.Bool(true)
	}
	stack := awscdk.NewStack(scope, &id, &stackProps)
	setFeatureFlags(stack)
	mon := newMonitoring(stack, props.AlarmEmail)

	newLogGroup := func(cid string) awslogs.LogGroup {
		lg := awslogs.NewLogGroup(stack, jsii.String(cid), &awslogs.LogGroupProps{RemovalPolicy: awscdk.RemovalPolicy_RETAIN})
		// Any value CloudWatch accepts, not only those RetentionDays names.
		lg.Node().DefaultChild().(awslogs.CfnLogGroup).SetRetentionInDays(jsii.Number(retention))
		return lg
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
		// The mail scheduler is woken by the outbox items' inserts.
		Stream:        awsdynamodb.StreamViewType_NEW_IMAGE,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	var indexArn *string
	for _, g := range schema.GSIs {
		table.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
			IndexName:      jsii.String(g.Name),
			PartitionKey:   attribute(g.PartitionKey),
			SortKey:        attribute(g.SortKey),
			ProjectionType: awsdynamodb.ProjectionType_ALL,
		})
	}
	// Naming the index keeps the policies free of "index/*" wildcards.
	indexArn = awscdk.Fn_Join(jsii.String(""), &[]*string{table.TableArn(), jsii.String("/index/" + dynamostore.IndexGSI1)})
	mon.tableAlarms(table)

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
	// CloudFront's standard logs are delivered with an ACL grant, which a
	// BucketOwnerEnforced bucket refuses: they get a bucket of their own.
	edgeLogs := awss3.NewBucket(stack, jsii.String("EdgeLogsBucket"), &awss3.BucketProps{
		BlockPublicAccess:      awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:             jsii.Bool(true),
		Encryption:             awss3.BucketEncryption_S3_MANAGED,
		ObjectOwnership:        awss3.ObjectOwnership_BUCKET_OWNER_PREFERRED,
		ServerAccessLogsBucket: logsBucket,
		ServerAccessLogsPrefix: jsii.String("edge-logs/"),
		RemovalPolicy:          awscdk.RemovalPolicy_RETAIN,
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
		}, {
			// The bucket is versioned: a copy deleted on revocation stays
			// as a noncurrent version, kept a day and no longer.
			Id:                          jsii.String("ExpireStampedCopies"),
			Prefix:                      jsii.String(CopiesPrefix),
			Expiration:                  awscdk.Duration_Days(jsii.Number(copiesExpireAfter)),
			NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(1)),
		}, {
			// An upload is reviewed and published within minutes; one left
			// unpublished is gone the next day, old versions with it.
			Id:                          jsii.String("ExpireUploads"),
			Prefix:                      jsii.String(IncomingPrefix),
			Expiration:                  awscdk.Duration_Days(jsii.Number(1)),
			NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(1)),
		}},
	})

	// CloudFormation fills the secret with a generated password, a
	// placeholder the keyring resource replaces on the first deploy.
	secret := awssecretsmanager.NewSecret(stack, jsii.String("SigningKeys"), &awssecretsmanager.SecretProps{
		Description: jsii.String("Trust center Ed25519 signing keyring (JSON), created by the deployment; rotate with `keyring rotate --secret` (README)"),
		// Losing the keyring would invalidate every issued link.
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	suppress(secret, "AwsSolutions-SMG4",
		"Rotation is `go run ./functions/local keyring rotate --secret <arn>` (README, key rotation): it adds a signing key and keeps the old ones, because they must keep verifying the links already sent until those expire; Secrets Manager's automatic rotation would replace the whole value and break every link in flight.")
	keyring := newSigningKeyring(stack, secret, newLogGroup(constructID(FnKeyring)+"Logs"), props.AssetsDir)

	// Slack's bot token and signing secret and the identity provider's
	// client secret: the operator fills them in after the first deploy
	// (README); empty, the services stay off.
	services := awssecretsmanager.NewSecret(stack, jsii.String("StaffServices"), &awssecretsmanager.SecretProps{
		Description: jsii.String("Trust center: Slack bot token and signing secret, OIDC client secret (JSON; fill in after deploy)"),
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			SecretStringTemplate: jsii.String(`{"slack_bot_token":"","slack_signing_secret":"","oidc_client_secret":""}`),
			GenerateStringKey:    jsii.String("placeholder"),
			ExcludePunctuation:   jsii.Bool(true),
		},
	})
	suppress(services, "AwsSolutions-SMG4",
		"Slack's tokens and the identity provider's client secret are issued by those services; they are rotated there and pasted here (README), which a rotation Lambda cannot do.")

	// The value CloudFront sends in OriginSecretHeader and the functions
	// expect. CloudFormation resolves it into both at deploy time.
	originSecret := awssecretsmanager.NewSecret(stack, jsii.String("OriginSecret"), &awssecretsmanager.SecretProps{
		Description: jsii.String("Trust center: the header value CloudFront adds to every origin request; requests without it did not come through the edge"),
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			ExcludePunctuation: jsii.Bool(true),
			PasswordLength:     jsii.Number(40),
		},
	})
	suppress(originSecret, "AwsSolutions-SMG4",
		"The value lives in the distribution's origin header and the functions' environment, both set by CloudFormation: rotating it is a new value and a redeploy, which a rotation Lambda cannot do.")
	originSecretValue := originSecret.SecretValue().UnsafeUnwrap()

	api := awsapigatewayv2.NewHttpApi(stack, jsii.String("Api"), &awsapigatewayv2.HttpApiProps{
		Description:        jsii.String("Trust center (behind CloudFront; the functions refuse requests without the origin secret)"),
		CreateDefaultStage: jsii.Bool(false),
	})
	apiLogs := newLogGroup("ApiAccessLogs")
	stage := awsapigatewayv2.NewHttpStage(stack, jsii.String("DefaultStage"), &awsapigatewayv2.HttpStageProps{
		HttpApi:    api,
		StageName:  jsii.String("$default"),
		AutoDeploy: jsii.Bool(true),
		Throttle:   &awsapigatewayv2.ThrottleSettings{RateLimit: jsii.Number(rate), BurstLimit: jsii.Number(burst)},
		AccessLogSettings: &accessLogSettings{
			destination: awsapigatewayv2.NewLogGroupLogDestination(apiLogs),
			format:      awsapigateway.AccessLogFormat_Custom(jsii.String(accessLogFormat)),
		},
	})

	webACLArn, _ := edgeACL(scope, stack, id, props)
	dist := newDistribution(stack, props, edgeProps{api: api, originSecret: originSecretValue, webACLArn: webACLArn, logsBucket: edgeLogs})

	baseURL := props.BaseURL
	switch {
	case baseURL != "":
	case props.DomainName != "":
		baseURL = "https://" + props.DomainName
	default:
		baseURL = *awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("https://"), dist.DistributionDomainName()})
	}

	integrations := map[string]awsapigatewayv2.HttpRouteIntegration{}
	fns := map[string]awslambda.Function{}
	roles := map[string]awsiam.Role{}
	for _, name := range FunctionNames {
		g := functionGrants[name]
		cid := constructID(name)
		logGroup := newLogGroup(cid + "Logs")

		statements := []awsiam.PolicyStatement{logStatement(logGroup)}
		statements = append(statements, keyStatements(g, table, indexArn)...)
		if g.secret {
			statements = append(statements, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("SigningKeys"),
				Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
				Resources: &[]*string{secret.SecretArn()},
			}))
		}
		if g.services {
			statements = append(statements, servicesStatement(services))
		}
		for _, o := range g.objects {
			statements = append(statements, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String(objectsSid(o.prefix)),
				Actions:   jsii.Strings(o.actions...),
				Resources: &[]*string{bucket.ArnForObjects(jsii.String(o.prefix + "*"))},
			}))
		}
		role := newFunctionRole(stack, name, statements)
		roles[name] = role
		if len(g.objects) > 0 {
			suppress(role, "AwsSolutions-IAM5",
				"Report object keys (reports/<id>/v<n>-<hash>.pdf, incoming/<id>/<random>.pdf) are made at upload time and copy keys (copies/<grant>/<doc>/v<n>-<watermark>.pdf) at first download, so object actions are granted on the reports/, incoming/ and copies/ prefixes of the reports bucket; nothing else in it or in other buckets is reachable.",
				&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::<ReportsBucket[0-9A-Fa-f]+\.Arn>\/(reports|incoming|copies)\/\*$/g`)})
		}

		// Each function gets the settings its engines read (lambdaapp.Function's
		// needs), the edge's two (origin secret, client address header) and
		// no others.
		env := map[string]*string{
			"TRUST_TABLE":            table.TableName(),
			"TRUST_BASE_URL":         jsii.String(baseURL),
			"TRUST_CONTENT":          jsii.String("/var/task/" + ContentFile),
			"TRUST_ORIGIN_SECRET":    originSecretValue,
			"TRUST_CLIENT_IP_HEADER": jsii.String(ClientAddressHeader),
		}
		if g.staff {
			env["TRUST_STAFF"] = jsii.String(strings.Join(props.Staff, ","))
		}
		// The rules' seed: whichever of the two first finds no stored rule
		// set stores it (trust.Service.Rules), so both must know it.
		if (name == FnAccess || name == FnAdmin) && len(props.AutoApprove) > 0 {
			env["TRUST_AUTO_APPROVE"] = jsii.String(strings.ToLower(strings.Join(props.AutoApprove, ",")))
		}
		for k, v := range staffServicesEnv(props, name) {
			env[k] = v
		}
		if g.services {
			env["TRUST_SERVICES_SECRET"] = services.SecretArn()
		}
		if g.secret {
			// The secret's ARN, by way of the keyring resource: so the
			// function is created after the secret holds a keyring.
			env["TRUST_KEYS_SECRET"] = keyring.Ref()
		}
		if len(g.objects) > 0 {
			env["TRUST_BUCKET"] = bucket.BucketName()
		}

		fp := functionProps(props, name, role, logGroup, env)
		fn := newFunction(stack, name, fp)
		fns[name] = fn
		integrations[name] = awsapigatewayv2integrations.NewHttpLambdaIntegration(jsii.String(cid+"Integration"), fn,
			&awsapigatewayv2integrations.HttpLambdaIntegrationProps{
				PayloadFormatVersion: awsapigatewayv2.PayloadFormatVersion_VERSION_2_0(),
			})
		mon.functionAlarms(name, fn)
	}

	// Only the download function reads reports (it signs the links); the
	// admin role may, should the console ever show one. Everyone else,
	// account administrators included, is refused whatever IAM says.
	bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("ReportsReadOnlyByTrustCenter"),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("s3:GetObject", "s3:GetObjectVersion"),
		Resources:  &[]*string{bucket.ArnForObjects(jsii.String("*"))},
		Conditions: &map[string]any{"ArnNotEquals": map[string]any{
			"aws:PrincipalArn": []*string{roles[FnDownload].RoleArn(), roles[FnAdmin].RoleArn()},
		}},
	}))

	cfnStage := stage.Node().DefaultChild().(awscdk.CfnResource)
	routeSettings := map[string]any{}
	for _, r := range Routes {
		routes := api.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
			Path:        jsii.String(r.Path),
			Methods:     &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod(r.Method)},
			Integration: integrations[r.Fn],
		})
		key := r.Method + " " + r.Path
		if rate, burst, ok := routeThrottle(r.Method, r.Path); ok {
			routeSettings[key] = map[string]any{"ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst}
			// A route setting names a route that must exist first.
			for _, rt := range *routes {
				cfnStage.Node().AddDependency(rt)
			}
		}
	}
	if len(routeSettings) > 0 {
		cfnStage.AddPropertyOverride(jsii.String("RouteSettings"), routeSettings)
	}
	suppress(api, "AwsSolutions-APIG4",
		"A public trust center: pages and access-request forms are anonymous by design; document and admin routes authorise in the function with signed tokens and staff sessions.")

	newMailScheduler(stack, mon, props, mailDeps{table: table, indexArn: indexArn, bucket: bucket, services: services, baseURL: baseURL, logs: newLogGroup(constructID(FnScheduler) + "Logs")})

	req, e5, throttled, p99 := mon.apiAlarms(api, apiLogs)
	mon.dashboard(dist.DistributionId(), webACLName(id, props.region()), req, e5, throttled, p99, fns, table)

	awscdk.NewCfnOutput(stack, jsii.String("BaseUrl"), &awscdk.CfnOutputProps{Value: jsii.String(baseURL)})
	awscdk.NewCfnOutput(stack, jsii.String("DomainTarget"), &awscdk.CfnOutputProps{
		Description: jsii.String("The distribution's domain: point the custom domain's CNAME (or Route 53 alias) here"),
		Value:       dist.DistributionDomainName(),
	})
	awscdk.NewCfnOutput(stack, jsii.String("DistributionId"), &awscdk.CfnOutputProps{Value: dist.DistributionId()})
	awscdk.NewCfnOutput(stack, jsii.String("TableName"), &awscdk.CfnOutputProps{Value: table.TableName()})
	awscdk.NewCfnOutput(stack, jsii.String("ReportsBucketName"), &awscdk.CfnOutputProps{Value: bucket.BucketName()})
	awscdk.NewCfnOutput(stack, jsii.String("SigningKeysSecretArn"), &awscdk.CfnOutputProps{Value: secret.SecretArn()})
	return stack
}

// objectsSid names an object statement by its prefix: "Reports", "Incoming".
func objectsSid(prefix string) string {
	p := strings.TrimSuffix(prefix, "/")
	return strings.ToUpper(p[:1]) + p[1:]
}
