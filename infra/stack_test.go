package main

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"trustcenter/shared/aws/dynamostore"
	"trustcenter/shared/trust"
	"trustcenter/shared/web"
)

func TestMain(m *testing.M) {
	code := m.Run()
	// Stops the jsii node process that synthesis started.
	jsii.Close()
	if synthDir != "" {
		os.RemoveAll(synthDir)
	}
	os.Exit(code)
}

// synthesized is one synthesis of the app: starting jsii and loading
// aws-cdk-lib dominates the cost, so each configuration is synthesized once
// and every test inspects the result.
type synthesized struct {
	cfg       synthConfig
	template  map[string]any // the TrustCenter stack
	edge      map[string]any // the TrustCenterEdge stack, nil in us-east-1
	edgeEnv   string         // the edge stack's region
	nagErrors []string
	nagReport string
	outdir    string
}

// synthConfig is one way to deploy: a region, and a custom domain or not.
type synthConfig struct {
	name   string
	region string
	domain bool
}

var (
	// The usual case: a region other than us-east-1 (so the web ACL goes to
	// the edge stack), a custom domain, every optional setting given.
	euWest = synthConfig{"eu-west-1+domain", "eu-west-1", true}
	// Everything in one stack, on the distribution's own domain.
	usEast = synthConfig{"us-east-1", "us-east-1", false}
)

var (
	synthMu    sync.Mutex
	synthCache = map[string]*synthesized{}
	// Synthesis output must outlive the test that first asked for it.
	synthDir string
)

const (
	testDomain      = "trust.example.com"
	testMailFrom    = "Example Trust <trust@mail.example.com>"
	testAlarmEmail  = "ops@example.com"
	testCertificate = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
	testRetention   = 90
)

var (
	testStaff       = []string{"alice@example.com", "bob@example.com"}
	testAutoApprove = []string{"Example.com", "partner.example"}
)

func testProps(t *testing.T, cfg synthConfig, assets string) *TrustCenterStackProps {
	p := &TrustCenterStackProps{
		StackProps: awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String(cfg.region)}},
		AssetsDir:  assets,
		MailFrom:   testMailFrom,
		Staff:      testStaff,
		AlarmEmail: testAlarmEmail,
	}
	if cfg.domain {
		p.DomainName, p.CertificateArn = testDomain, testCertificate
		p.AutoApprove = testAutoApprove
		p.LogRetentionDays = testRetention
		p.ReservedConcurrency = map[string]int{FnPublic: 80, FnAdmin: 0}
	}
	return p
}

func synth(t *testing.T) *synthesized { return synthWith(t, euWest) }

func synthWith(t *testing.T, cfg synthConfig) *synthesized {
	t.Helper()
	synthMu.Lock()
	defer synthMu.Unlock()
	if s, ok := synthCache[cfg.name]; ok {
		if s == nil {
			t.Fatalf("synthesis of %s failed in an earlier test", cfg.name)
		}
		return s
	}
	synthCache[cfg.name] = nil
	if synthDir == "" {
		d, err := os.MkdirTemp("", "infra-test-")
		if err != nil {
			t.Fatal(err)
		}
		synthDir = d
	}
	assets := filepath.Join(synthDir, "assets")
	for _, name := range AssetNames {
		dir := filepath.Join(assets, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "bootstrap"), []byte("#!/bin/sh\n# "+name+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, ContentFile), []byte("# content\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	outdir := filepath.Join(synthDir, cfg.name)

	app := awscdk.NewApp(&awscdk.AppProps{
		Outdir: jsii.String(outdir),
		// The CLI turns path metadata on; tests name resources by it.
		Context: &map[string]any{"aws:cdk:enable-path-metadata": true},
	})
	stack := NewTrustCenterStack(app, StackName, testProps(t, cfg, assets))
	AddNagChecks(app)
	app.Synth(nil)

	res := &synthesized{cfg: cfg, template: *assertions.Template_FromStack(stack, nil).ToJSON(), outdir: outdir}
	stacks := []awscdk.Stack{stack}
	if c := app.Node().TryFindChild(jsii.String(EdgeStackName)); c != nil {
		edge := c.(awscdk.Stack)
		stacks = append(stacks, edge)
		res.edge = *assertions.Template_FromStack(edge, nil).ToJSON()
		res.edgeEnv = *edge.Region()
	}
	for _, st := range stacks {
		for _, m := range *assertions.Annotations_FromStack(st).FindError(jsii.String("*"),
			assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))) {
			//lint:ignore SA1019 FindError hands back only cxapi.SynthesisMessage; the type it moved to has no Go binding in aws-cdk-go v2.275.0.
			res.nagErrors = append(res.nagErrors, *m.Id+": "+toJSON(m.Entry.Data))
		}
	}
	reports, _ := filepath.Glob(filepath.Join(outdir, "*NagReport.csv"))
	for _, r := range reports {
		b, err := os.ReadFile(r)
		if err != nil {
			t.Fatal(err)
		}
		res.nagReport += string(b)
	}
	synthCache[cfg.name] = res
	return res
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// resources returns the template's resources of one type by logical id.
func (s *synthesized) resources(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range s.template["Resources"].(map[string]any) {
		res := r.(map[string]any)
		if res["Type"] == typ {
			out[id] = res
		}
	}
	return out
}

func props(r map[string]any) map[string]any {
	p, _ := r["Properties"].(map[string]any)
	return p
}

// cdkPath is the construct path CDK records on every resource; tests use it
// to name resources without depending on logical-id hashes.
func cdkPath(r map[string]any) string {
	md, _ := r["Metadata"].(map[string]any)
	p, _ := md["aws:cdk:path"].(string)
	return p
}

// functionsByName maps "public", "access", ... to the function's logical id.
func (s *synthesized) functionsByName(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for id, r := range s.resources("AWS::Lambda::Function") {
		for _, name := range FunctionNames {
			if cdkPath(r) == StackName+"/"+constructID(name)+"Function/Resource" {
				out[name] = id
			}
		}
	}
	if len(out) != len(FunctionNames) {
		t.Fatalf("found functions %v, want one per %v", out, FunctionNames)
	}
	return out
}

// getAtt returns the logical id in {"Fn::GetAtt": [id, attr]}.
func getAtt(v any, attr string) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	a, ok := m["Fn::GetAtt"].([]any)
	if !ok || len(a) != 2 || a[1] != attr {
		return ""
	}
	id, _ := a[0].(string)
	return id
}

func ref(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	id, _ := m["Ref"].(string)
	return id
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

type statement struct {
	Sid       string
	Actions   []string
	Resources []any
	Condition map[string]any
}

// policyStatements gathers every Allow statement that applies to a
// function's role: inline policies and any AWS::IAM::Policy attached to it.
func (s *synthesized) policyStatements(t *testing.T, fnID string) []statement {
	t.Helper()
	fn := s.resources("AWS::Lambda::Function")[fnID]
	roleID := getAtt(props(fn)["Role"], "Arn")
	role, ok := s.resources("AWS::IAM::Role")[roleID]
	if !ok {
		t.Fatalf("function %s: role %q not in template", fnID, roleID)
	}
	if mp := props(role)["ManagedPolicyArns"]; mp != nil {
		t.Errorf("function %s role has managed policies %v; every permission must be an explicit statement", fnID, mp)
	}
	var docs []any
	for _, p := range asList(props(role)["Policies"]) {
		docs = append(docs, p.(map[string]any)["PolicyDocument"])
	}
	for _, p := range s.resources("AWS::IAM::Policy") {
		for _, r := range asList(props(p)["Roles"]) {
			if ref(r) == roleID {
				docs = append(docs, props(p)["PolicyDocument"])
			}
		}
	}
	var out []statement
	for _, d := range docs {
		for _, st := range asList(d.(map[string]any)["Statement"]) {
			m := st.(map[string]any)
			if m["Effect"] != "Allow" {
				continue
			}
			var st statement
			for _, a := range asList(m["Action"]) {
				st.Actions = append(st.Actions, a.(string))
			}
			st.Resources = asList(m["Resource"])
			st.Sid, _ = m["Sid"].(string)
			st.Condition, _ = m["Condition"].(map[string]any)
			out = append(out, st)
		}
	}
	return out
}

func (s *synthesized) actions(t *testing.T, fnID string) []string {
	var out []string
	for _, st := range s.policyStatements(t, fnID) {
		out = append(out, st.Actions...)
	}
	sort.Strings(out)
	return slices.Compact(out)
}

func logicalIDByPath(t *testing.T, s *synthesized, typ, path string) string {
	t.Helper()
	for id, r := range s.resources(typ) {
		if cdkPath(r) == StackName+"/"+path {
			return id
		}
	}
	t.Fatalf("no %s at %s", typ, path)
	return ""
}

// only returns the one resource of type typ, failing t unless there is
// exactly one.
func (s *synthesized) only(t *testing.T, typ string) (string, map[string]any) {
	t.Helper()
	rs := s.resources(typ)
	if len(rs) != 1 {
		t.Fatalf("got %d %s, want 1", len(rs), typ)
	}
	for id, r := range rs {
		return id, r
	}
	return "", nil
}

func TestTableMatchesSchema(t *testing.T) {
	s := synth(t)
	_, table := s.only(t, "AWS::DynamoDB::Table")
	p := props(table)

	if p["BillingMode"] != "PAY_PER_REQUEST" {
		t.Errorf("BillingMode = %v", p["BillingMode"])
	}
	if p["DeletionProtectionEnabled"] != true {
		t.Errorf("DeletionProtectionEnabled = %v", p["DeletionProtectionEnabled"])
	}
	if toJSON(p["PointInTimeRecoverySpecification"]) != `{"PointInTimeRecoveryEnabled":true}` {
		t.Errorf("PointInTimeRecoverySpecification = %v", toJSON(p["PointInTimeRecoverySpecification"]))
	}
	if want := `{"AttributeName":"` + dynamostore.Schema.TTLAttribute + `","Enabled":true}`; toJSON(p["TimeToLiveSpecification"]) != want {
		t.Errorf("TimeToLiveSpecification = %s, want %s", toJSON(p["TimeToLiveSpecification"]), want)
	}
	// AWS-managed KMS key: SSE enabled, no customer key, no KMS type override.
	if toJSON(p["SSESpecification"]) != `{"SSEEnabled":true}` {
		t.Errorf("SSESpecification = %s", toJSON(p["SSESpecification"]))
	}
	if table["DeletionPolicy"] != "Retain" {
		t.Errorf("table DeletionPolicy = %v, want Retain", table["DeletionPolicy"])
	}

	keySchema := func(pk, sk dynamostore.KeyAttribute) string {
		return toJSON([]map[string]string{
			{"AttributeName": pk.Name, "KeyType": "HASH"},
			{"AttributeName": sk.Name, "KeyType": "RANGE"},
		})
	}
	schema := dynamostore.Schema
	if got, want := toJSON(p["KeySchema"]), keySchema(schema.PartitionKey, schema.SortKey); got != want {
		t.Errorf("KeySchema = %s, want %s", got, want)
	}

	wantAttrs := map[string]string{schema.PartitionKey.Name: schema.PartitionKey.Type, schema.SortKey.Name: schema.SortKey.Type}
	gsis := map[string]any{}
	for _, g := range asList(p["GlobalSecondaryIndexes"]) {
		gm := g.(map[string]any)
		gsis[gm["IndexName"].(string)] = gm
	}
	if len(gsis) != len(schema.GSIs) {
		t.Errorf("got %d GSIs, want %d", len(gsis), len(schema.GSIs))
	}
	for _, g := range schema.GSIs {
		wantAttrs[g.PartitionKey.Name] = g.PartitionKey.Type
		wantAttrs[g.SortKey.Name] = g.SortKey.Type
		got, ok := gsis[g.Name].(map[string]any)
		if !ok {
			t.Errorf("GSI %s missing", g.Name)
			continue
		}
		if ks, want := toJSON(got["KeySchema"]), keySchema(g.PartitionKey, g.SortKey); ks != want {
			t.Errorf("GSI %s KeySchema = %s, want %s", g.Name, ks, want)
		}
		if pr := toJSON(got["Projection"]); pr != `{"ProjectionType":"ALL"}` {
			t.Errorf("GSI %s Projection = %s", g.Name, pr)
		}
	}
	gotAttrs := map[string]string{}
	for _, a := range asList(p["AttributeDefinitions"]) {
		am := a.(map[string]any)
		gotAttrs[am["AttributeName"].(string)] = am["AttributeType"].(string)
	}
	if toJSON(gotAttrs) != toJSON(wantAttrs) {
		t.Errorf("AttributeDefinitions = %v, want %v", gotAttrs, wantAttrs)
	}
}

func TestBuckets(t *testing.T) {
	s := synth(t)
	buckets := s.resources("AWS::S3::Bucket")
	if len(buckets) != 3 {
		t.Fatalf("got %d buckets, want the reports bucket, the edge-log bucket and their access-log bucket", len(buckets))
	}
	reportsID := logicalIDByPath(t, s, "AWS::S3::Bucket", "ReportsBucket/Resource")
	logsID := logicalIDByPath(t, s, "AWS::S3::Bucket", "AccessLogsBucket/Resource")
	edgeLogsID := logicalIDByPath(t, s, "AWS::S3::Bucket", "EdgeLogsBucket/Resource")

	for id, b := range buckets {
		p := props(b)
		if got := toJSON(p["PublicAccessBlockConfiguration"]); got != `{"BlockPublicAcls":true,"BlockPublicPolicy":true,"IgnorePublicAcls":true,"RestrictPublicBuckets":true}` {
			t.Errorf("%s PublicAccessBlockConfiguration = %s", id, got)
		}
		if got := toJSON(p["BucketEncryption"]); got != `{"ServerSideEncryptionConfiguration":[{"ServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}` {
			t.Errorf("%s BucketEncryption = %s", id, got)
		}
		if b["DeletionPolicy"] != "Retain" {
			t.Errorf("%s DeletionPolicy = %v, want Retain", id, b["DeletionPolicy"])
		}
		if id != logsID {
			lc, _ := p["LoggingConfiguration"].(map[string]any)
			if ref(lc["DestinationBucketName"]) != logsID {
				t.Errorf("%s LoggingConfiguration = %s, want delivery to %s", id, toJSON(lc), logsID)
			}
		}
	}
	rp := props(buckets[reportsID])
	if got := toJSON(rp["VersioningConfiguration"]); got != `{"Status":"Enabled"}` {
		t.Errorf("reports VersioningConfiguration = %s", got)
	}
	// CloudFront's standard logging needs ACLs on its bucket, nowhere else.
	for id, b := range buckets {
		own := toJSON(props(b)["OwnershipControls"])
		if want := map[bool]string{true: "BucketOwnerPreferred", false: "BucketOwnerEnforced"}[id == edgeLogsID]; !strings.Contains(own, want) {
			t.Errorf("%s OwnershipControls = %s, want %s", id, own, want)
		}
	}

	// Each bucket's policy must deny every request that is not over TLS.
	tlsDenied := map[string]bool{}
	var reportReads []map[string]any
	for _, bp := range s.resources("AWS::S3::BucketPolicy") {
		p := props(bp)
		for _, st := range asList(p["PolicyDocument"].(map[string]any)["Statement"]) {
			m := st.(map[string]any)
			cond := toJSON(m["Condition"])
			if m["Effect"] == "Deny" && toJSON(m["Principal"]) == `{"AWS":"*"}` && m["Action"] == "s3:*" &&
				strings.Contains(cond, `"aws:SecureTransport":"false"`) {
				tlsDenied[ref(p["Bucket"])] = true
			}
			if ref(p["Bucket"]) == reportsID && slices.Contains(asList(m["Action"]), any("s3:GetObject")) {
				reportReads = append(reportReads, m)
			}
		}
	}
	for id := range buckets {
		if !tlsDenied[id] {
			t.Errorf("bucket %s has no policy denying non-TLS requests", id)
		}
	}

	// Report files: every principal but the download and admin roles is
	// refused, whatever its IAM policies allow.
	if len(reportReads) != 1 {
		t.Fatalf("reports bucket: %d statements on s3:GetObject, want the one deny: %s", len(reportReads), toJSON(reportReads))
	}
	deny := reportReads[0]
	fns := s.functionsByName(t)
	roleOf := func(name string) string {
		return getAtt(props(s.resources("AWS::Lambda::Function")[fns[name]])["Role"], "Arn")
	}
	var exempt []string
	for _, a := range asList(deny["Condition"].(map[string]any)["ArnNotEquals"].(map[string]any)["aws:PrincipalArn"]) {
		exempt = append(exempt, getAtt(a, "Arn"))
	}
	sort.Strings(exempt)
	want := []string{roleOf(FnDownload), roleOf(FnAdmin)}
	sort.Strings(want)
	if deny["Effect"] != "Deny" || toJSON(deny["Principal"]) != `{"AWS":"*"}` || !slices.Equal(exempt, want) ||
		getAtt(asList(deny["Resource"])[0].(map[string]any)["Fn::Join"].([]any)[1].([]any)[0], "Arn") != reportsID {
		t.Errorf("reports read deny = %s, want Deny to * on the bucket's objects except roles %v", toJSON(deny), want)
	}
}

func TestFunctions(t *testing.T) {
	for _, cfg := range []synthConfig{euWest, usEast} {
		s := synthWith(t, cfg)
		fns := s.functionsByName(t)
		tableID := logicalIDByPath(t, s, "AWS::DynamoDB::Table", "Table/Resource")
		originSecretID := logicalIDByPath(t, s, "AWS::SecretsManager::Secret", "OriginSecret/Resource")
		distID := logicalIDByPath(t, s, "AWS::CloudFront::Distribution", "Distribution/Resource")
		for name, id := range fns {
			p := props(s.resources("AWS::Lambda::Function")[id])
			if p["Runtime"] != "provided.al2023" {
				t.Errorf("%s Runtime = %v", name, p["Runtime"])
			}
			if toJSON(p["Architectures"]) != `["arm64"]` {
				t.Errorf("%s Architectures = %v", name, toJSON(p["Architectures"]))
			}
			if p["Handler"] != "bootstrap" {
				t.Errorf("%s Handler = %v", name, p["Handler"])
			}
			if mem, _ := p["MemorySize"].(float64); mem < 128 || mem > 1024 {
				t.Errorf("%s MemorySize = %v", name, p["MemorySize"])
			}
			// Stamping a copy takes about seven times the report's size.
			if mem, _ := p["MemorySize"].(float64); name == FnDownload && mem < 1024 {
				t.Errorf("download MemorySize = %v, want 1024 for stamping", mem)
			}
			if to, _ := p["Timeout"].(float64); to < 3 || to > 29 {
				t.Errorf("%s Timeout = %v (API Gateway gives up after 30 s)", name, p["Timeout"])
			}
			// The defaults, but for the two the eu-west-1 config overrides
			// (admin=0: unreserved).
			wantRC := DefaultReservedConcurrency[name]
			if cfg.domain && name == FnPublic {
				wantRC = 80
			}
			if cfg.domain && name == FnAdmin {
				wantRC = 0
			}
			if rc, _ := p["ReservedConcurrentExecutions"].(float64); int(rc) != wantRC {
				t.Errorf("%s %s ReservedConcurrentExecutions = %v, want %d", cfg.name, name, p["ReservedConcurrentExecutions"], wantRC)
			}

			env := p["Environment"].(map[string]any)["Variables"].(map[string]any)
			if ref(env["TRUST_TABLE"]) != tableID {
				t.Errorf("%s TRUST_TABLE = %v", name, toJSON(env["TRUST_TABLE"]))
			}
			// No web function sends mail (the scheduler does); the two
			// that mail staff or sign them in know the staff.
			if from, ok := env["TRUST_MAIL_FROM"]; ok {
				t.Errorf("%s TRUST_MAIL_FROM = %v, want none: only the scheduler sends", name, from)
			}
			mails := name == FnAccess || name == FnAdmin || name == FnConnect
			if staff, ok := env["TRUST_STAFF"]; ok != mails || (mails && staff != strings.Join(testStaff, ",")) {
				t.Errorf("%s TRUST_STAFF = %v (set: %v), want set %v", name, staff, ok, mails)
			}
			auto, hasAuto := env["TRUST_AUTO_APPROVE"]
			if want := cfg.domain && (name == FnAccess || name == FnAdmin); hasAuto != want || (want && auto != "example.com,partner.example") {
				t.Errorf("%s %s TRUST_AUTO_APPROVE = %v (set: %v), want set %v", cfg.name, name, auto, hasAuto, want)
			}
			if env["TRUST_CONTENT"] != "/var/task/"+ContentFile {
				t.Errorf("%s TRUST_CONTENT = %v", name, env["TRUST_CONTENT"])
			}
			if cfg.domain {
				if env["TRUST_BASE_URL"] != "https://"+testDomain {
					t.Errorf("%s TRUST_BASE_URL = %v", name, env["TRUST_BASE_URL"])
				}
			} else if got := toJSON(env["TRUST_BASE_URL"]); got != `{"Fn::Join":["",["https://",{"Fn::GetAtt":["`+distID+`","DomainName"]}]]}` {
				t.Errorf("%s TRUST_BASE_URL = %s, want the distribution's domain", name, got)
			}
			// The origin secret is the generated secret's value, resolved
			// by CloudFormation: the same one CloudFront sends.
			if got := toJSON(env["TRUST_ORIGIN_SECRET"]); got != `{"Fn::Join":["",["{{resolve:secretsmanager:",{"Ref":"`+originSecretID+`"},":SecretString:::}}"]]}` {
				t.Errorf("%s TRUST_ORIGIN_SECRET = %s", name, got)
			}
			if env["TRUST_CLIENT_IP_HEADER"] != "CloudFront-Viewer-Address" {
				t.Errorf("%s TRUST_CLIENT_IP_HEADER = %v", name, env["TRUST_CLIENT_IP_HEADER"])
			}
			_, hasBucket := env["TRUST_BUCKET"]
			if want := name == FnDownload || name == FnAdmin; hasBucket != want {
				t.Errorf("%s has TRUST_BUCKET = %v, want %v", name, hasBucket, want)
			}
			_, hasSecret := env["TRUST_KEYS_SECRET"]
			if want := name != FnPublic; hasSecret != want {
				t.Errorf("%s has TRUST_KEYS_SECRET = %v, want %v", name, hasSecret, want)
			}
		}
	}
}

func TestLeastPrivilege(t *testing.T) {
	s := synth(t)
	fns := s.functionsByName(t)
	bucketID := logicalIDByPath(t, s, "AWS::S3::Bucket", "ReportsBucket/Resource")
	secretID := logicalIDByPath(t, s, "AWS::SecretsManager::Secret", "SigningKeys/Resource")
	tableID := logicalIDByPath(t, s, "AWS::DynamoDB::Table", "Table/Resource")

	// Written out independently of functionGrants from what each
	// function's handlers call (shared/web → trust.Service → dynamostore):
	// action → partition keys, on the table ("T"), on GSI1 ("I") or on a
	// queue index ("Q GSI2" …). Every function that writes a request or a
	// download also keeps the queue's counters (QCOUNT#) and the domain's
	// account (ACCT#) in the same transaction.
	type access map[string][]string
	want := map[string]access{
		FnPublic: {"I dynamodb:Query": {"DOCS"}, "T dynamodb:Query": {"NDA#*"}},
		FnAccess: {
			"T dynamodb:GetItem":    {"ACCT#*", "ANNOUNCED#*", "HEALTH#*", "NDAACC#*", "RATE#*", "REQ#*", "RULES#*", "SUB#", "SUPPRESS#*"},
			"T dynamodb:PutItem":    {"ACCT#*", "ANNOUNCED#*", "CONTACT#*", "EVT#*", "MAIL#*", "NDAACC#*", "REQ#*", "RULES#*", "SUB#", "USE#*"},
			"T dynamodb:UpdateItem": {"QCOUNT#*", "RATE#*"},
			"T dynamodb:DeleteItem": {"SUB#"},
			"T dynamodb:Query":      {"CONTACT#*", "NDA#*", "SUB#"},
			"I dynamodb:Query":      {"DOCS"},
		},
		FnDownload: {
			"T dynamodb:GetItem":    {"ACCT#*", "COPY#*", "DOC#*", "REQ#*", "WM#*"},
			"T dynamodb:PutItem":    {"ACCT#*", "COPY#*", "EVT#*", "USE#*", "WM#*"},
			"T dynamodb:Query":      {"NDA#*"},
			"T dynamodb:UpdateItem": {"DLCOUNT#*"},
		},
		FnAdmin: {
			"T dynamodb:GetItem":    {"ACCT#*", "DOC#*", "HEALTH#*", "QCOUNT#*", "RATE#*", "REQ#*", "RULES#*", "SESSION#*", "SUPPRESS#*", "WM#*"},
			"T dynamodb:PutItem":    {"ACCT#*", "CONTACT#*", "COPY#*", "DOC#*", "EVT#*", "MAIL#*", "NDA#*", "REQ#*", "RULES#*", "SESSION#*", "USE#*", "WM#*"},
			"T dynamodb:UpdateItem": {"QCOUNT#*", "RATE#*"},
			"T dynamodb:DeleteItem": {"CONTACT#*", "NDAACC#*", "SESSION#*"},
			"T dynamodb:Query":      {"CONTACT#*", "COPY#*", "DLCOUNT#*", "EVT#*", "NDA#*", "QCOUNT#*"},
			"I dynamodb:Query":      {"ACCOUNTS", "DOCS", "STATUS#*"},
			"Q GSI2 dynamodb:Query": {"CONFIRMED", "DOMAIN#*", "GRANTS"},
			"Q GSI3 dynamodb:Query": {"CONFIRMED", "DOMAIN#*", "GRANTS"},
			"Q GSI4 dynamodb:Query": {"CONFIRMED", "DOMAIN#*", "GRANTS"},
		},
		FnConnect: {
			"T dynamodb:GetItem":    {"ACCT#*", "REQ#*", "RULES#*", "SUPPRESS#*"},
			"T dynamodb:PutItem":    {"ACCT#*", "CONTACT#*", "EVT#*", "MAIL#*", "REQ#*", "SESSION#*", "USE#*"},
			"T dynamodb:UpdateItem": {"QCOUNT#*"},
			"I dynamodb:Query":      {"DOCS"},
		},
	}
	servicesID := logicalIDByPath(t, s, "AWS::SecretsManager::Secret", "StaffServices/Resource")

	for name, id := range fns {
		acts := s.actions(t, id)
		has := func(a string) bool { return slices.Contains(acts, a) }
		hasPrefix := func(prefix string) bool {
			return slices.ContainsFunc(acts, func(a string) bool { return strings.HasPrefix(a, prefix) })
		}
		for _, a := range acts {
			if strings.Contains(a, "*") {
				t.Errorf("%s: wildcard action %q", name, a)
			}
			if !strings.HasPrefix(a, "dynamodb:") && !strings.HasPrefix(a, "logs:") && !strings.HasPrefix(a, "s3:") &&
				!strings.HasPrefix(a, "ses:") && !strings.HasPrefix(a, "secretsmanager:") {
				t.Errorf("%s: unexpected action %q", name, a)
			}
		}
		if name == FnPublic && (hasPrefix("s3:") || hasPrefix("secretsmanager:") || hasPrefix("ses:")) {
			t.Errorf("public: actions %v reach beyond the table", acts)
		}
		if got, want := has("secretsmanager:GetSecretValue"), name != FnPublic; got != want {
			t.Errorf("%s: reads the signing keys = %v, want %v", name, got, want)
		}
		if got, want := has("s3:GetObject"), name == FnDownload || name == FnAdmin; got != want {
			t.Errorf("%s: s3:GetObject = %v, want %v", name, got, want)
		}
		if got, want := has("s3:PutObject"), name == FnAdmin || name == FnDownload; got != want {
			t.Errorf("%s: s3:PutObject = %v, want %v", name, got, want)
		}
		if got, want := has("s3:DeleteObject"), name == FnAdmin || name == FnDownload; got != want {
			t.Errorf("%s: s3:DeleteObject = %v, want %v", name, got, want)
		}
		if hasPrefix("ses:") {
			t.Errorf("%s: may use SES; only the scheduler sends mail", name)
		}

		got := map[string][]string{}
		for _, st := range s.policyStatements(t, id) {
			res := toJSON(st.Resources)
			refsBucket := strings.Contains(res, `"`+bucketID+`"`)
			if refsBucket && name != FnDownload && name != FnAdmin {
				t.Errorf("%s: references the reports bucket: %v %s", name, st.Actions, res)
			}
			for _, a := range st.Actions {
				switch {
				case strings.HasPrefix(a, "s3:"):
					// Reports are only read (download, admin) and written
					// (admin); uploads waiting for review are the admin's
					// only; copies are kept and removed, never a report.
					reports, copies, incoming := strings.Contains(res, `"/reports/*"`), strings.Contains(res, `"/copies/*"`), strings.Contains(res, `"/incoming/*"`)
					okReports := reports && (a == "s3:GetObject" && (name == FnDownload || name == FnAdmin) || a == "s3:PutObject" && name == FnAdmin)
					okIncoming := incoming && name == FnAdmin && (a == "s3:GetObject" || a == "s3:PutObject")
					if !refsBucket || len(st.Resources) != 1 || !okReports && !copies && !okIncoming {
						t.Errorf("%s: %s not scoped to the reports/, incoming/ or copies/ objects as its function needs: %s", name, a, res)
					}
				case strings.HasPrefix(a, "secretsmanager:"):
					// connect also reads the outside services' secret.
					okServices := name == FnConnect && ref(st.Resources[0]) == servicesID
					if len(st.Resources) != 1 || ref(st.Resources[0]) != secretID && !okServices {
						t.Errorf("%s: %s not scoped to the signing-key secret: %s", name, a, res)
					}
				case strings.HasPrefix(a, "ses:"):
					if len(st.Resources) != 2 || !strings.Contains(res, `:identity/trust@mail.example.com"`) ||
						!strings.Contains(res, `:identity/mail.example.com"`) || strings.Contains(res, "*") {
						t.Errorf("%s: %s not scoped to the sender identities: %s", name, a, res)
					}
				case strings.HasPrefix(a, "logs:"):
					if len(st.Resources) != 1 || !strings.HasPrefix(cdkPath(s.resources("AWS::Logs::LogGroup")[getAtt(st.Resources[0], "Arn")]),
						StackName+"/"+constructID(name)+"Logs/") {
						t.Errorf("%s: %s not scoped to its own log group: %s", name, a, res)
					}
				case strings.HasPrefix(a, "dynamodb:"):
					if len(st.Resources) != 1 {
						t.Errorf("%s: %s on %d resources, want the table or the index: %s", name, a, len(st.Resources), res)
						continue
					}
					where := ""
					switch {
					case getAtt(st.Resources[0], "Arn") == tableID:
						where = "T"
					case res == `[{"Fn::Join":["",[{"Fn::GetAtt":["`+tableID+`","Arn"]},"/index/`+dynamostore.IndexGSI1+`"]]}]`:
						where = "I"
					case res == `[{"Fn::Join":["",[{"Fn::GetAtt":["`+tableID+`","Arn"]},"/index/`+dynamostore.IndexGSI2+`"]]}]`:
						where = "Q " + dynamostore.IndexGSI2
					case res == `[{"Fn::Join":["",[{"Fn::GetAtt":["`+tableID+`","Arn"]},"/index/`+dynamostore.IndexGSI3+`"]]}]`:
						where = "Q " + dynamostore.IndexGSI3
					case res == `[{"Fn::Join":["",[{"Fn::GetAtt":["`+tableID+`","Arn"]},"/index/`+dynamostore.IndexGSI4+`"]]}]`:
						where = "Q " + dynamostore.IndexGSI4
					default:
						t.Errorf("%s: %s on %s, want the table or GSI1", name, a, res)
						continue
					}
					if len(st.Condition) != 1 {
						t.Errorf("%s: %s has conditions %s, want the one on LeadingKeys", name, a, toJSON(st.Condition))
					}
					like, _ := st.Condition["ForAllValues:StringLike"].(map[string]any)
					var keys []string
					for _, k := range asList(like["dynamodb:LeadingKeys"]) {
						keys = append(keys, k.(string))
					}
					if len(keys) == 0 {
						t.Errorf("%s: %s is not limited by dynamodb:LeadingKeys: %s", name, a, toJSON(st.Condition))
					}
					k := where + " " + a
					got[k] = append(got[k], keys...)
				}
			}
		}
		for k := range got {
			sort.Strings(got[k])
		}
		if toJSON(got) != toJSON(want[name]) {
			t.Errorf("%s: table access\n got %s\nwant %s", name, toJSON(got), toJSON(want[name]))
		}
	}
}

func TestLogGroups(t *testing.T) {
	for cfg, days := range map[synthConfig]float64{euWest: testRetention, usEast: DefaultLogRetentionDays} {
		s := synthWith(t, cfg)
		groups := s.resources("AWS::Logs::LogGroup")
		// One per function, the keyring resource's and the scheduler's
		// included, plus the API's access log.
		if len(groups) != len(AssetNames)+1 {
			t.Errorf("got %d log groups, want %d", len(groups), len(AssetNames)+1)
		}
		for id, g := range groups {
			if got := props(g)["RetentionInDays"]; got != days {
				t.Errorf("%s: log group %s RetentionInDays = %v, want %v", cfg.name, id, got, days)
			}
		}
		for name, id := range s.functionsByName(t) {
			lc, _ := props(s.resources("AWS::Lambda::Function")[id])["LoggingConfig"].(map[string]any)
			if _, ok := groups[ref(lc["LogGroup"])]; !ok {
				t.Errorf("%s LoggingConfig = %s, want one of the stack's log groups", name, toJSON(lc))
			}
		}
	}
}

func TestAlarms(t *testing.T) {
	s := synth(t)
	topicID := logicalIDByPath(t, s, "AWS::SNS::Topic", "AlarmTopic/Resource")
	topic := s.resources("AWS::SNS::Topic")[topicID]
	keyID := logicalIDByPath(t, s, "AWS::KMS::Key", "AlarmTopicKey/Resource")
	if getAtt(props(topic)["KmsMasterKeyId"], "Arn") != keyID {
		t.Errorf("alarm topic KmsMasterKeyId = %s, want the stack's key", toJSON(props(topic)["KmsMasterKeyId"]))
	}
	key := props(s.resources("AWS::KMS::Key")[keyID])
	if key["EnableKeyRotation"] != true || !strings.Contains(toJSON(key["KeyPolicy"]), `"Service":"cloudwatch.amazonaws.com"`) {
		t.Errorf("alarm key: rotation %v, policy %s: CloudWatch must be able to publish", key["EnableKeyRotation"], toJSON(key["KeyPolicy"]))
	}
	emailed := false
	for _, sub := range s.resources("AWS::SNS::Subscription") {
		if p := props(sub); ref(p["TopicArn"]) == topicID {
			emailed = p["Protocol"] == "email" && p["Endpoint"] == testAlarmEmail
		}
	}
	if !emailed {
		t.Errorf("the alarm topic is not subscribed to by %s", testAlarmEmail)
	}
	ssl := false
	for _, tp := range s.resources("AWS::SNS::TopicPolicy") {
		for _, st := range asList(props(tp)["PolicyDocument"].(map[string]any)["Statement"]) {
			m := st.(map[string]any)
			if m["Effect"] == "Deny" && strings.Contains(toJSON(m["Condition"]), `"aws:SecureTransport":"false"`) {
				ssl = true
			}
		}
	}
	if !ssl {
		t.Error("alarm topic does not refuse publishing without TLS")
	}

	// Every alarm tells the topic; each is named by what it watches.
	got := map[string]bool{}
	for id, a := range s.resources("AWS::CloudWatch::Alarm") {
		p := props(a)
		if acts := toJSON(p["AlarmActions"]); acts != `[{"Ref":"`+topicID+`"}]` {
			t.Errorf("alarm %s AlarmActions = %s, want the topic", id, acts)
		}
		if p["ActionsEnabled"] == false {
			t.Errorf("alarm %s has actions disabled", id)
		}
		if ns, _ := p["Namespace"].(string); ns != "" {
			dims := asList(p["Dimensions"])
			dim := ""
			if len(dims) == 1 {
				dim = toJSON(dims[0].(map[string]any)["Value"])
			}
			stat, _ := p["Statistic"].(string)
			if stat == "" {
				stat, _ = p["ExtendedStatistic"].(string)
			}
			got[ns+" "+p["MetricName"].(string)+" "+stat+" "+dim] = true
			continue
		}
		// Metric math: record which metrics the expression divides.
		var names []string
		for _, m := range asList(p["Metrics"]) {
			if ms, ok := m.(map[string]any)["MetricStat"].(map[string]any); ok {
				names = append(names, ms["Metric"].(map[string]any)["MetricName"].(string))
			}
		}
		sort.Strings(names)
		got["math "+strings.Join(names, ",")] = true
	}
	apiID := logicalIDByPath(t, s, "AWS::ApiGatewayV2::Api", "Api/Resource")
	tableID := logicalIDByPath(t, s, "AWS::DynamoDB::Table", "Table/Resource")
	want := []string{
		"math 5xx,Count",
		"math Api429,Count",
		"AWS/ApiGateway Latency p99 " + toJSON(map[string]string{"Ref": apiID}),
		"AWS/DynamoDB ReadThrottleEvents Sum " + toJSON(map[string]string{"Ref": tableID}),
		"AWS/DynamoDB WriteThrottleEvents Sum " + toJSON(map[string]string{"Ref": tableID}),
	}
	fnIDs := slices.Collect(maps.Values(s.functionsByName(t)))
	fnIDs = append(fnIDs, logicalIDByPath(t, s, "AWS::Lambda::Function", "SchedulerFunction/Resource"))
	for _, id := range fnIDs {
		for _, m := range []string{"Errors", "Throttles"} {
			want = append(want, "AWS/Lambda "+m+" Sum "+toJSON(map[string]string{"Ref": id}))
		}
	}
	// The scheduler's embedded metrics: mail waiting, mail given up.
	want = append(want,
		MetricsNamespace+" OldestPendingMailAge Maximum \"scheduler\"",
		MetricsNamespace+" MailPermanentFailure Sum \"scheduler\"",
		// The account's SES reputation, at SES's review levels.
		"AWS/SES Reputation.BounceRate Maximum ",
		"AWS/SES Reputation.ComplaintRate Maximum ")
	want = append(want, opsAlarms(t, s)...)
	for _, w := range want {
		if !got[w] {
			t.Errorf("no alarm on %s", w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("alarms %v, want exactly %v", got, want)
	}
	filters := s.resources("AWS::Logs::MetricFilter")
	apiLogsID := logicalIDByPath(t, s, "AWS::Logs::LogGroup", "ApiAccessLogs/Resource")
	if len(filters) != 1 {
		t.Fatalf("got %d metric filters, want the 429 one", len(filters))
	}
	for _, f := range filters {
		if p := props(f); ref(p["LogGroupName"]) != apiLogsID || p["FilterPattern"] != `{ $.status = "429" }` {
			t.Errorf("429 filter = %s", toJSON(p))
		}
	}
	if _, d := s.only(t, "AWS::CloudWatch::Dashboard"); !strings.Contains(toJSON(props(d)), "AWS/WAFV2") {
		t.Errorf("dashboard lacks the WAF metrics")
	}
}

func TestRoutes(t *testing.T) {
	s := synth(t)
	// Written out independently of Routes, so that a route pointed at the
	// wrong function there fails here.
	want := map[string]string{
		"GET /":                                        FnPublic,
		"GET /knowledge":                               FnPublic,
		"GET /healthz":                                 FnPublic,
		"GET /static/{proxy+}":                         FnPublic,
		"GET /trust.json":                              FnPublic,
		"GET /updates.atom":                            FnPublic,
		"GET /sitemap.xml":                             FnPublic,
		"GET /robots.txt":                              FnPublic,
		"GET /.well-known/security.txt":                FnPublic,
		"GET /favicon.ico":                             FnPublic,
		"GET /nda.txt":                                 FnPublic,
		"GET /llms.txt":                                FnPublic,
		"GET /trust.json.jws":                          FnAccess,
		"GET /.well-known/jwks.json":                   FnAccess,
		"GET /subscriptions/new":                       FnAccess,
		"POST /subscriptions":                          FnAccess,
		"GET /subscriptions/sent":                      FnAccess,
		"GET /subscriptions/confirm/{token}":           FnAccess,
		"GET /subscriptions/unsubscribe/{token}":       FnAccess,
		"POST /subscriptions/unsubscribe/{token}":      FnAccess,
		"GET /subprocessors/objections/new":            FnAccess,
		"POST /subprocessors/objections":               FnAccess,
		"GET /subprocessors/objections/sent":           FnAccess,
		"GET /verify":                                  FnDownload,
		"GET /access-requests/new":                     FnAccess,
		"POST /access-requests":                        FnAccess,
		"GET /access-requests/sent":                    FnAccess,
		"GET /access-requests/confirm/{token}":         FnAccess,
		"GET /access/{token}":                          FnAccess,
		"GET /access-requests/sent/{token}":            FnAccess,
		"POST /access-requests/sent/{token}":           FnAccess,
		"GET /requests/{token}":                        FnAccess,
		"GET /download/{token}":                        FnDownload,
		"GET /documents/{id}":                          FnDownload,
		"GET /admin":                                   FnAdmin,
		"GET /admin/login":                             FnAdmin,
		"POST /admin/login":                            FnAdmin,
		"GET /admin/login/{token}":                     FnAdmin,
		"POST /admin/login/{token}":                    FnAdmin,
		"POST /admin/logout":                           FnAdmin,
		"GET /admin/requests":                          FnAdmin,
		"GET /admin/accounts":                          FnAdmin,
		"GET /admin/accounts.csv":                      FnAdmin,
		"GET /admin/accounts/{domain}":                 FnAdmin,
		"POST /admin/requests/bulk":                    FnAdmin,
		"GET /my-requests":                             FnAccess,
		"POST /my-requests":                            FnAccess,
		"GET /my-requests/sign-in/{token}":             FnAccess,
		"POST /my-requests/sign-in/{token}":            FnAccess,
		"POST /my-requests/sign-out":                   FnAccess,
		"GET /admin/requests/{id}":                     FnAdmin,
		"POST /admin/requests/{id}/approve":            FnAdmin,
		"POST /admin/requests/{id}/deny":               FnAdmin,
		"POST /admin/requests/{id}/revoke":             FnAdmin,
		"POST /admin/requests/{id}/extend":             FnAdmin,
		"POST /admin/requests/{id}/resend":             FnAdmin,
		"POST /admin/requests/{id}/reinstate":          FnAdmin,
		"POST /admin/requests/{id}/notes":              FnAdmin,
		"GET /admin/requests/{id}/next":                FnAdmin,
		"GET /admin/documents":                         FnAdmin,
		"GET /admin/documents/{id}":                    FnAdmin,
		"POST /admin/documents/{id}/upload":            FnAdmin,
		"GET /admin/documents/{id}/confirm":            FnAdmin,
		"POST /admin/documents/{id}/publish":           FnAdmin,
		"POST /admin/documents/{id}/rollback":          FnAdmin,
		"GET /admin/documents/{id}/versions/{version}": FnAdmin,
		"GET /admin/trace":                             FnAdmin,
		"POST /admin/trace":                            FnAdmin,
		"GET /admin/rules":                             FnAdmin,
		"POST /admin/rules":                            FnAdmin,
		"GET /nda/{file}":                              FnPublic,
		"POST /access/{token}/nda":                     FnAccess,
		"GET /signed-nda/{token}":                      FnDownload,
		"GET /admin/nda":                               FnAdmin,
		"POST /admin/nda":                              FnAdmin,
		"GET /admin/nda/evidence.csv":                  FnAdmin,
		"GET /admin/nda/evidence.json":                 FnAdmin,
		"POST /admin/requests/{id}/nda":                FnAdmin,
		"GET /admin/requests/{id}/nda.pdf":             FnAdmin,
		"POST /admin/requests/{id}/erase":              FnAdmin,
		"POST /requests/{token}/erase":                 FnAccess,
		"POST /slack/interactions":                     FnConnect,
		"GET /admin/sso":                               FnConnect,
		"GET /admin/sso/callback":                      FnConnect,
	}

	got, fnName := deployedRoutes(t, s)
	if toJSON(got) != toJSON(want) {
		for k, v := range want {
			if got[k] != v {
				t.Errorf("route %q → %q, want %q", k, got[k], v)
			}
		}
		for k, v := range got {
			if _, ok := want[k]; !ok {
				t.Errorf("unexpected route %q → %q", k, v)
			}
		}
	}

	// API Gateway may invoke each web function; nothing else is granted,
	// but the schedule and the mail events topic invoking the scheduler.
	invokable := map[string]bool{}
	schedulerID := logicalIDByPath(t, s, "AWS::Lambda::Function", "SchedulerFunction/Resource")
	for _, perm := range s.resources("AWS::Lambda::Permission") {
		p := props(perm)
		if getAtt(p["FunctionName"], "Arn") == schedulerID {
			if src := toJSON(p["SourceArn"]); p["Action"] != "lambda:InvokeFunction" ||
				!(p["Principal"] == "events.amazonaws.com" && strings.Contains(src, "MailDrainSchedule")) &&
					!(p["Principal"] == "sns.amazonaws.com" && strings.Contains(src, "MailEventsTopic")) {
				t.Errorf("unexpected scheduler permission %s", toJSON(p))
			}
			continue
		}
		if p["Principal"] != "apigateway.amazonaws.com" || p["Action"] != "lambda:InvokeFunction" {
			t.Errorf("unexpected Lambda permission %s", toJSON(p))
		}
		invokable[fnName[getAtt(p["FunctionName"], "Arn")]] = true
	}
	for _, name := range FunctionNames {
		if !invokable[name] {
			t.Errorf("API Gateway cannot invoke %s", name)
		}
	}
}

// deployedRoutes are the synthesized API's routes, by route key, each with
// the name of the function its integration invokes; and the function
// names by logical id.
func deployedRoutes(t *testing.T, s *synthesized) (routes, fnName map[string]string) {
	t.Helper()
	fnName = map[string]string{}
	for name, id := range s.functionsByName(t) {
		fnName[id] = name
	}
	integrationFn := map[string]string{}
	for id, in := range s.resources("AWS::ApiGatewayV2::Integration") {
		p := props(in)
		if p["IntegrationType"] != "AWS_PROXY" || p["PayloadFormatVersion"] != "2.0" {
			t.Errorf("integration %s: type %v, payload %v; want AWS_PROXY 2.0", id, p["IntegrationType"], p["PayloadFormatVersion"])
		}
		integrationFn[id] = fnName[getAtt(p["IntegrationUri"], "Arn")]
	}

	got := map[string]string{}
	for id, r := range s.resources("AWS::ApiGatewayV2::Route") {
		p := props(r)
		// Target is {"Fn::Join": ["", ["integrations/", {"Ref": id}]]}.
		var integ string
		if j, ok := p["Target"].(map[string]any)["Fn::Join"].([]any); ok && len(j) == 2 {
			if parts := j[1].([]any); len(parts) == 2 && parts[0] == "integrations/" {
				integ = ref(parts[1])
			}
		}
		if integ == "" {
			t.Errorf("route %s: unexpected target %s", id, toJSON(p["Target"]))
			continue
		}
		got[p["RouteKey"].(string)] = integrationFn[integ]
	}
	return got, fnName
}

// TestDeployedRoutesAreServed: the API routes each function exactly the
// routes its web handler serves (web.Routes), so nothing served locally is
// missing from the deployment, and nothing deployed goes to a function
// that would answer 404.
func TestDeployedRoutesAreServed(t *testing.T) {
	var names []string
	for _, fn := range web.Functions() {
		names = append(names, fn.Name)
	}
	if !slices.Equal(names, FunctionNames) {
		t.Fatalf("the stack deploys %v, the web layer has %v", FunctionNames, names)
	}
	got, _ := deployedRoutes(t, synth(t))
	served := map[string]string{}
	for _, fn := range web.Functions() {
		for _, r := range web.Routes(fn) {
			key := r.Method + " " + apiPath(r.Path)
			served[key] = fn.Name
			if got[key] != fn.Name {
				t.Errorf("%s serves %s, which the API routes to %q", fn, r.Pattern(), got[key])
			}
		}
	}
	for key, fn := range got {
		if served[key] != fn {
			t.Errorf("the API routes %s to %s, which does not serve it", key, fn)
		}
	}
}

func TestAPIPath(t *testing.T) {
	for mux, want := range map[string]string{
		"/{$}":                             "/",
		"/healthz":                         "/healthz",
		"/static/{proxy...}":               "/static/{proxy+}",
		"/admin/requests/{id}/deny":        "/admin/requests/{id}/deny",
		"/access-requests/confirm/{token}": "/access-requests/confirm/{token}",
	} {
		if got := apiPath(mux); got != want {
			t.Errorf("apiPath(%q) = %q, want %q", mux, got, want)
		}
	}
}

func TestStage(t *testing.T) {
	s := synth(t)
	id, st := s.only(t, "AWS::ApiGatewayV2::Stage")
	apiLogsID := logicalIDByPath(t, s, "AWS::Logs::LogGroup", "ApiAccessLogs/Resource")
	p := props(st)
	if p["StageName"] != "$default" || p["AutoDeploy"] != true {
		t.Errorf("stage %s: name %v autoDeploy %v", id, p["StageName"], p["AutoDeploy"])
	}
	rs, _ := p["DefaultRouteSettings"].(map[string]any)
	if rs["ThrottlingRateLimit"] != float64(DefaultThrottleRate) || rs["ThrottlingBurstLimit"] != float64(DefaultThrottleBurst) {
		t.Errorf("stage %s: default route settings %s", id, toJSON(rs))
	}
	// The form post and the token routes are throttled far below the
	// pages, each on its own, so that a flood on one leaves the others
	// their share.
	perRoute, _ := p["RouteSettings"].(map[string]any)
	routeKeys := map[string]bool{}
	for _, r := range s.resources("AWS::ApiGatewayV2::Route") {
		routeKeys[props(r)["RouteKey"].(string)] = true
	}
	for _, key := range []string{"POST /access-requests", "GET /download/{token}", "POST /admin/login", "POST /admin/requests/{id}/approve"} {
		r, _ := perRoute[key].(map[string]any)
		rate, _ := r["ThrottlingRateLimit"].(float64)
		burst, _ := r["ThrottlingBurstLimit"].(float64)
		if rate <= 0 || rate >= DefaultThrottleRate || burst <= 0 || burst >= DefaultThrottleBurst {
			t.Errorf("route %s throttle = %s, want below the stage's %v/%v", key, toJSON(r), DefaultThrottleRate, DefaultThrottleBurst)
		}
	}
	for key := range perRoute {
		if !routeKeys[key] {
			t.Errorf("route setting for %q, which is not a route", key)
		}
	}
	// A route setting on a route not yet created fails the deploy.
	deps := toJSON(st["DependsOn"])
	for _, r := range asList(st["DependsOn"]) {
		if route, ok := s.resources("AWS::ApiGatewayV2::Route")[r.(string)]; ok {
			delete(routeKeys, props(route)["RouteKey"].(string))
		}
	}
	for key := range perRoute {
		if _, missing := routeKeys[key]; missing {
			t.Errorf("stage does not depend on route %s: DependsOn %s", key, deps)
		}
	}

	al, _ := p["AccessLogSettings"].(map[string]any)
	if getAtt(al["DestinationArn"], "Arn") != apiLogsID {
		t.Errorf("stage %s: access logs go to %s, want %s", id, toJSON(al["DestinationArn"]), apiLogsID)
	}
	format, _ := al["Format"].(string)
	var fields map[string]string
	if err := json.Unmarshal([]byte(format), &fields); err != nil {
		t.Errorf("stage %s: access log format is not JSON: %v", id, err)
	}
	if fields["requestId"] != "$context.requestId" || fields["status"] != "$context.status" {
		t.Errorf("stage %s: access log format lacks the request id or status: %s", id, format)
	}
	// Raw paths carry tokens; only the route template may be logged.
	if strings.Contains(format, "$context.path") || strings.Contains(format, "$context.requestPath") {
		t.Errorf("stage %s: access log would record token-bearing paths: %s", id, format)
	}
	// The custom domain is CloudFront's; the API has none.
	if n := len(s.resources("AWS::ApiGatewayV2::DomainName")); n != 0 {
		t.Errorf("got %d API domain names, want none", n)
	}
}

func TestSecrets(t *testing.T) {
	s := synth(t)
	if n := len(s.resources("AWS::SecretsManager::Secret")); n != 3 {
		t.Errorf("got %d secrets, want the signing keys, the origin secret and the staff services'", n)
	}
	keysID := logicalIDByPath(t, s, "AWS::SecretsManager::Secret", "SigningKeys/Resource")
	keys := s.resources("AWS::SecretsManager::Secret")[keysID]
	if keys["DeletionPolicy"] != "Retain" {
		t.Errorf("secret %s DeletionPolicy = %v, want Retain", keysID, keys["DeletionPolicy"])
	}
	if props(keys)["GenerateSecretString"] == nil && props(keys)["SecretString"] == nil {
		t.Errorf("secret %s has no placeholder value", keysID)
	}
	originID := logicalIDByPath(t, s, "AWS::SecretsManager::Secret", "OriginSecret/Resource")
	gen, _ := props(s.resources("AWS::SecretsManager::Secret")[originID])["GenerateSecretString"].(map[string]any)
	// Header-safe and long enough not to be guessed.
	if gen["ExcludePunctuation"] != true || gen["PasswordLength"].(float64) < 32 {
		t.Errorf("origin secret generation = %s", toJSON(gen))
	}
}

func TestNag(t *testing.T) {
	for _, cfg := range []synthConfig{euWest, usEast} {
		s := synthWith(t, cfg)
		if len(s.nagErrors) > 0 {
			t.Errorf("%s: cdk-nag errors:\n%s", cfg.name, strings.Join(s.nagErrors, "\n"))
		}
		// The report proves the checks ran at all, so that "no errors" is
		// not vacuous.
		if !strings.Contains(s.nagReport, `"AwsSolutions-IAM4"`) || !strings.Contains(s.nagReport, `"AwsSolutions-CFR2"`) ||
			!strings.Contains(s.nagReport, `"Compliant"`) {
			t.Fatalf("%s: no cdk-nag AwsSolutions report covering the distribution; did the checks run?", cfg.name)
		}
		for _, line := range strings.Split(s.nagReport, "\n") {
			if strings.Contains(line, `"Non-Compliant"`) {
				t.Errorf("%s: non-compliant: %s", cfg.name, line)
			}
		}

		// Every suppression carries a reason, and only these rules may be
		// suppressed at all: anything else must be fixed, not waived.
		allowed := map[string]bool{
			"AwsSolutions-SMG4": true, "AwsSolutions-APIG4": true, "AwsSolutions-IAM5": true,
			"AwsSolutions-CFR1": true, "AwsSolutions-CFR4": !cfg.domain,
			// Lambda's on-failure destinations are not seen as dead-letter
			// queues by the rule, which wants every queue to have one.
			"AwsSolutions-SQS3": true,
		}
		seen := map[string]bool{}
		check := func(where string, md any) {
			m, _ := md.(map[string]any)
			nag, _ := m["cdk_nag"].(map[string]any)
			for _, r := range asList(nag["rules_to_suppress"]) {
				rule := r.(map[string]any)
				id, _ := rule["id"].(string)
				reason, _ := rule["reason"].(string)
				seen[id] = true
				if strings.TrimSpace(reason) == "" {
					t.Errorf("%s: suppression of %s has no reason", where, id)
				}
				if !allowed[id] {
					t.Errorf("%s %s: suppression of %s is not allowed", cfg.name, where, id)
				}
				if id == "AwsSolutions-IAM5" && rule["applies_to"] == nil {
					t.Errorf("%s: IAM5 suppressed for every finding; scope it with appliesTo", where)
				}
			}
		}
		for _, tmpl := range []map[string]any{s.template, s.edge} {
			if tmpl == nil {
				continue
			}
			check("stack", tmpl["Metadata"])
			for id, r := range tmpl["Resources"].(map[string]any) {
				check(id, r.(map[string]any)["Metadata"])
			}
		}
		if !seen["AwsSolutions-SMG4"] {
			t.Errorf("expected the signing-key rotation suppression; saw %v", seen)
		}
	}
}

func TestSESIdentities(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		err  bool
	}{
		{"trust@example.com", []string{"trust@example.com", "example.com"}, false},
		{"Example Trust <trust@Mail.Example.com>", []string{"trust@Mail.Example.com", "mail.example.com"}, false},
		{"Example.COM", []string{"example.com"}, false},
		{"", nil, true},
		{"not an address", nil, true},
		{"<@>", nil, true},
	} {
		got, err := SESIdentities(tc.in)
		if (err != nil) != tc.err || !slices.Equal(got, tc.want) {
			t.Errorf("SESIdentities(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestCheckAssets(t *testing.T) {
	dir := t.TempDir()
	if err := CheckAssets(dir); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, FnPublic, "bootstrap")) {
		t.Errorf("CheckAssets(empty) = %v, want an error naming the missing bootstrap", err)
	}
	for _, name := range AssetNames {
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name, "bootstrap"), nil, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := CheckAssets(dir); err == nil || !strings.Contains(err.Error(), ContentFile) {
		t.Errorf("CheckAssets(no content) = %v, want an error naming the content file", err)
	}
	for _, name := range AssetNames {
		if err := os.WriteFile(filepath.Join(dir, name, ContentFile), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := CheckAssets(dir); err != nil {
		t.Errorf("CheckAssets(complete) = %v", err)
	}
}

// Stamped copies expire on their own after the longest grant and its
// grace, and a deleted copy's old version goes a day later; uploads left
// unpublished go after a day; reports never expire.
func TestCopiesExpire(t *testing.T) {
	s := synth(t)
	bucketID := logicalIDByPath(t, s, "AWS::S3::Bucket", "ReportsBucket/Resource")
	rules := asList(props(s.resources("AWS::S3::Bucket")[bucketID])["LifecycleConfiguration"].(map[string]any)["Rules"])
	var copies []map[string]any
	for _, r := range rules {
		m := r.(map[string]any)
		if m["Prefix"] == IncomingPrefix {
			if m["ExpirationInDays"] != float64(1) || m["Status"] != "Enabled" || m["NoncurrentVersionExpiration"] == nil {
				t.Errorf("uploads rule = %s, want expiry after a day, old versions too", toJSON(m))
			}
			continue
		}
		if m["ExpirationInDays"] != nil && m["Prefix"] != CopiesPrefix {
			t.Errorf("a rule expires objects outside copies/ and incoming/: %s", toJSON(m))
		}
		if m["Prefix"] == CopiesPrefix {
			copies = append(copies, m)
		}
	}
	if len(copies) != 1 {
		t.Fatalf("%d lifecycle rules on copies/, want 1: %s", len(copies), toJSON(rules))
	}
	r := copies[0]
	days, _ := r["ExpirationInDays"].(float64)
	if time.Duration(days)*24*time.Hour <= trust.MaxCopyAge || r["Status"] != "Enabled" || r["NoncurrentVersionExpiration"] == nil {
		t.Errorf("copies rule = %s, want expiry after %v and of noncurrent versions", toJSON(r), trust.MaxCopyAge)
	}
}
