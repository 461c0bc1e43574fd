package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"html"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/jsii-runtime-go"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"trustcenter/shared/aws/secretkeys"
	"trustcenter/shared/local/sample"
	"trustcenter/shared/testkit/awsfake"
	"trustcenter/shared/testkit/dynamolocal"
	"trustcenter/shared/testkit/lambdatest"
	"trustcenter/shared/testkit/modroot"
)

// firstDeployContext is what an operator passes to `make deploy` on the
// first deploy (the README's settings), with a custom domain.
var firstDeployContext = map[string]string{
	"mailFrom":       "Lumen Ledger Trust Center <trust@mail.example.com>",
	"staff":          "alice@example.com,sam@example.com:approver",
	"alarmEmail":     "ops@example.com",
	"domainName":     "trust.example.com",
	"certificateArn": testCertificate,
	"autoApprove":    "partner.example",
}

const (
	simRegion  = "us-east-1"
	simAccount = "123456789012"
	// simViewer is the visitor's address as CloudFront reports it.
	simViewer = "203.0.113.7"
	// simEdge is the CloudFront edge's address, the API's source IP.
	simEdge = "130.176.0.1"
	// dynamoKey is the one access key the proxy signs DynamoDB Local
	// requests with, whoever made them.
	dynamoKey = "AKIDFIRSTDEPLOYDB"
)

// deployment is one first deploy in the simulation: the template, the
// fakes behind it, a warm process per function and the API's routes.
type deployment struct {
	t         *testing.T
	tmpl      map[string]any
	outdir    string
	cfn       *cfn
	rec       *awsfake.Recorder
	ses       *awsfake.SES
	secrets   *lambdatest.SecretsManager
	trapped   *trapped
	fns       map[string]*simFunction // by logical id
	routes    []simRoute
	origin    string // X-Origin-Verify as CloudFront sends it
	baseURL   string
	apiHost   string
	keysID    string // the signing keys secret's logical id
	keysName  string
	s3URL     string
	s3FormURL string
	dynamoURL string
	triggers  []*trigger
}

// simFunction is one deployed function: where its asset is, the
// environment the template gives it, and its process.
type simFunction struct {
	id, name, dir string
	env           map[string]string
	creds         aws.Credentials
	rt            *lambdatest.Runtime
	p             *lambdatest.Process
	mu            sync.Mutex // one invocation at a time, as one environment takes them
}

// TestFirstDeploy deploys the stack, as synthesized for a first deploy,
// onto fakes of the AWS services it names and walks the product through
// the API's routes: the functions get exactly the template's settings, the
// table is the template's, the secrets hold what CloudFormation puts in
// them. Then every AWS call the walk made is held to the calling
// function's IAM policy.
func TestFirstDeploy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the functions, synthesizes the stack and starts DynamoDB Local")
	}
	d := deploy(t)
	t.Run("walk", d.walk)
	t.Run("leastPrivilege", d.leastPrivilege)
}

func deploy(t *testing.T) *deployment {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	d := &deployment{t: t, rec: &awsfake.Recorder{}, fns: map[string]*simFunction{}}
	d.synth()
	d.cfn = newCFN(d.tmpl, simRegion, simAccount)
	d.findFunctions()

	var principals []awsfake.Principal
	for _, f := range d.fns {
		principals = append(principals, awsfake.Principal{Name: f.name, Creds: f.creds})
	}
	sort.Slice(principals, func(i, j int) bool { return principals[i].Name < principals[j].Name })

	// Secrets first: their ARNs are the secrets' Refs.
	d.secrets = lambdatest.NewSecretsManager(func(next http.Handler) http.Handler {
		return awsfake.Signed(t, simRegion, "secretsmanager", principals, awsfake.Secrets(d.rec, d.secretsARN, next))
	})
	t.Cleanup(d.secrets.Close)
	d.keysID = d.signingKeysSecret()
	for id, r := range d.cfn.resources {
		if r["Type"] != "AWS::SecretsManager::Secret" {
			continue
		}
		v, err := d.cfn.secretValue(id)
		if err != nil {
			t.Fatal(err)
		}
		name := StackName + "-" + id
		if id == d.keysID {
			d.keysName = name
			continue
		}
		d.cfn.setSecret(id, d.secrets.Put(name, v), v)
	}
	d.initSecretAsDeployed(d.keysName)

	localStreams, dynamoLocal := d.startDynamo(ctx, principals)
	d.startS3(principals)
	d.ses = &awsfake.SES{Rec: d.rec, Region: simRegion, Account: simAccount}
	sesSrv := httptest.NewServer(awsfake.Signed(t, simRegion, "ses", principals, d.ses))
	t.Cleanup(sesSrv.Close)
	d.trapped = newTrapped(t)

	d.readEdge()
	d.readRoutes()
	for _, f := range d.fns {
		d.resolveEnv(f, map[string]string{
			"AWS_ENDPOINT_URL":                 d.trapped.URL,
			"AWS_ENDPOINT_URL_DYNAMODB":        d.dynamoURL,
			"AWS_ENDPOINT_URL_S3":              d.s3URL,
			"AWS_ENDPOINT_URL_SECRETS_MANAGER": d.secrets.URL,
			"AWS_ENDPOINT_URL_SESV2":           sesSrv.URL,
		})
	}
	d.checkSettingsAreRead()
	d.readTriggers(localStreams, dynamoLocal)
	if len(d.triggers) == 0 {
		t.Log("no stream triggers: the functions send their mail inline")
	}
	if failed := d.startAll(); len(failed) > 0 {
		t.FailNow()
	}
	return d
}

// synth synthesizes the app as `cdk deploy` would with firstDeployContext,
// on functions built for this machine as `make build` lays them out, and
// reads the template CloudFormation receives.
func (d *deployment) synth() {
	t := d.t
	assets, err := lambdatest.Build(runtime.GOOS, runtime.GOARCH, AssetNames...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(assets) })
	get := func(k string) string {
		if k == "assets" {
			return assets
		}
		return firstDeployContext[k]
	}
	p, err := PropsFromContext(get, simAccount, simRegion)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckAssets(p.AssetsDir); err != nil {
		t.Fatal(err)
	}
	d.outdir = t.TempDir()
	// The CLI turns both metadata on: the paths name resources, the asset
	// paths say where each function's code was staged.
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(d.outdir),
		Context: &map[string]any{"aws:cdk:enable-path-metadata": true, "aws:cdk:enable-asset-metadata": true}})
	NewTrustCenterStack(app, StackName, p)
	app.Synth(nil)
	b, err := os.ReadFile(filepath.Join(d.outdir, StackName+".template.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &d.tmpl); err != nil {
		t.Fatal(err)
	}
}

// findFunctions finds every function the template deploys from a Go
// bootstrap, with the asset CDK staged for it.
func (d *deployment) findFunctions() {
	t := d.t
	for id, r := range d.cfn.resources {
		if r["Type"] != "AWS::Lambda::Function" {
			continue
		}
		p := props(r)
		md, _ := r["Metadata"].(map[string]any)
		asset, _ := md["aws:asset:path"].(string)
		if p["Handler"] != "bootstrap" || asset == "" {
			t.Logf("function %s (%v, %v) is not one of ours; not started", id, p["Runtime"], p["Handler"])
			continue
		}
		cid := strings.TrimSuffix(strings.TrimPrefix(cdkPath(r), StackName+"/"), "Function/Resource")
		name := strings.ToLower(cid[:1]) + cid[1:]
		dir := filepath.Join(d.outdir, asset)
		if _, err := os.Stat(filepath.Join(dir, "bootstrap")); err != nil {
			t.Fatalf("function %s: the staged asset has no bootstrap: %v", name, err)
		}
		if _, err := os.Stat(filepath.Join(mustRoot(t), "functions", name)); err != nil {
			t.Fatalf("function %s (%s): no functions/%s main to check its settings against", name, id, name)
		}
		key := "AKIDSIM" + strings.ToUpper(name)
		d.fns[id] = &simFunction{id: id, name: name, dir: dir,
			creds: aws.Credentials{AccessKeyID: key, SecretAccessKey: "secret-of-" + name, SessionToken: "session-of-" + name}}
	}
	if len(d.fns) < len(FunctionNames) {
		t.Fatalf("the template deploys %d Go functions, want at least %v", len(d.fns), FunctionNames)
	}
}

// signingKeysSecret is the logical id of the secret the functions get as
// TRUST_KEYS_SECRET; every function that gets it must get the same one.
func (d *deployment) signingKeysSecret() string {
	id := ""
	for _, f := range d.fns {
		v, _ := props(d.cfn.resources[f.id])["Environment"].(map[string]any)
		vars, _ := v["Variables"].(map[string]any)
		if s, ok := vars["TRUST_KEYS_SECRET"]; ok {
			r := ref(s)
			// The functions take the secret by way of the keyring
			// resource (so they start after it): its SecretId is the secret.
			if res := d.cfn.resources[r]; res != nil && res["Type"] != "AWS::SecretsManager::Secret" {
				if sid := ref(props(res)["SecretId"]); sid != "" {
					r = sid
				}
			}
			if r == "" || (id != "" && r != id) {
				d.t.Fatalf("%s: TRUST_KEYS_SECRET is %s, want a Ref of the one signing-keys secret", f.name, toJSON(s))
			}
			id = r
		}
	}
	if id == "" {
		d.t.Fatal("no function gets TRUST_KEYS_SECRET")
	}
	return id
}

func (d *deployment) secretsARN(id string) string { return d.secrets.ARN(id) }

// initSecretAsDeployed does what a first deploy does to the signing-keys
// secret: CloudFormation creates it with its generated placeholder, then
// the template's custom resource runs secretkeys.Ensure on the secret its
// SecretId names, on the keyring function's credentials. The resource's
// Ref is then its physical id, the secret.
//
// It calls secretkeys.Ensure directly rather than invoking the keyring
// bootstrap with a CloudFormation event.
func (d *deployment) initSecretAsDeployed(name string) {
	t := d.t
	v, err := d.cfn.secretValue(d.keysID)
	if err != nil {
		t.Fatal(err)
	}
	arn := d.secrets.Put(name, v)
	d.cfn.setSecret(d.keysID, arn, v)
	var keyring *simFunction
	for _, f := range d.fns {
		if f.name == FnKeyring {
			keyring = f
		}
	}
	if keyring == nil {
		t.Fatal("the template deploys no keyring function")
	}
	n := 0
	for id, r := range d.cfn.resources {
		if r["Type"] != secretkeys.ResourceType {
			continue
		}
		n++
		secretID, err := d.cfn.resolve(props(r)["SecretId"])
		if err != nil {
			t.Fatalf("%s: SecretId: %v", id, err)
		}
		if secretID != arn {
			t.Fatalf("%s initialises %s, not the signing-keys secret %s", id, secretID, arn)
		}
		cfg := aws.Config{Region: simRegion, Credentials: credentials.NewStaticCredentialsProvider(keyring.creds.AccessKeyID, keyring.creds.SecretAccessKey, keyring.creds.SessionToken),
			BaseEndpoint: aws.String(d.secrets.URL)}
		created, err := secretkeys.Ensure(context.Background(), secretkeys.NewClient(cfg), secretID)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if !created {
			t.Errorf("%s: Ensure found a keyring in a freshly created secret", id)
		}
		nv, _ := d.secrets.Value(name)
		d.cfn.setSecret(d.keysID, arn, nv)
		d.cfn.refs[id] = secretID
	}
	if n != 1 {
		t.Fatalf("the template has %d %s resources, want one", n, secretkeys.ResourceType)
	}
}

// startDynamo starts DynamoDB Local with the template's table in it, and
// the recording proxy the functions reach it through.
// It returns each table's stream, as the template's StreamArn and as
// DynamoDB Local names it, and DynamoDB Local's own endpoint.
func (d *deployment) startDynamo(ctx context.Context, principals []awsfake.Principal) (map[string]string, string) {
	t := d.t
	srv, err := dynamolocal.Launch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	db := dynamolocal.Client(srv.Endpoint, func(o *dynamodb.Options) {
		o.Region, o.Credentials = simRegion, credentials.NewStaticCredentialsProvider(dynamoKey, "x", "")
	})
	proxy := &awsfake.DynamoDB{Rec: d.rec, Upstream: srv.Endpoint, UpstreamKey: dynamoKey, Region: simRegion, Account: simAccount,
		PartitionKeys: map[string]string{}}
	n := 0
	streams := map[string]string{}
	for id, r := range d.cfn.resources {
		if r["Type"] != "AWS::DynamoDB::Table" {
			continue
		}
		n++
		name := d.cfn.refs[id]
		in, pks, err := createTableInput(name, props(r))
		if err != nil {
			t.Fatalf("table %s: %v", id, err)
		}
		maps.Copy(proxy.PartitionKeys, pks)
		out, err := db.CreateTable(ctx, in)
		if err != nil {
			t.Fatalf("create table %s as the template defines it: %v", id, err)
		}
		if a := out.TableDescription.LatestStreamArn; a != nil {
			streams[d.cfn.atts[id+".StreamArn"]] = *a
		}
		if ttl, ok := props(r)["TimeToLiveSpecification"].(map[string]any); ok && ttl["Enabled"] == true {
			attr, _ := ttl["AttributeName"].(string)
			if _, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: &name,
				TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{AttributeName: &attr, Enabled: aws.Bool(true)}}); err != nil {
				t.Fatalf("table %s TTL: %v", id, err)
			}
		}
	}
	if n == 0 {
		t.Fatal("the template has no table")
	}
	s := httptest.NewServer(awsfake.Signed(t, simRegion, "dynamodb", principals, proxy))
	t.Cleanup(s.Close)
	d.dynamoURL = s.URL
	return streams, srv.Endpoint
}

// createTableInput is the table a CloudFormation AWS::DynamoDB::Table
// creates, and the partition key of the table and of each index.
func createTableInput(name string, p map[string]any) (*dynamodb.CreateTableInput, map[string]string, error) {
	in := &dynamodb.CreateTableInput{TableName: &name, BillingMode: ddbtypes.BillingModePayPerRequest}
	if p["BillingMode"] != "PAY_PER_REQUEST" {
		return nil, nil, fmt.Errorf("BillingMode %v, which the simulation does not model", p["BillingMode"])
	}
	for _, a := range asList(p["AttributeDefinitions"]) {
		m := a.(map[string]any)
		in.AttributeDefinitions = append(in.AttributeDefinitions, ddbtypes.AttributeDefinition{
			AttributeName: aws.String(m["AttributeName"].(string)), AttributeType: ddbtypes.ScalarAttributeType(m["AttributeType"].(string))})
	}
	keys := func(v any) ([]ddbtypes.KeySchemaElement, string) {
		var out []ddbtypes.KeySchemaElement
		pk := ""
		for _, k := range asList(v) {
			m := k.(map[string]any)
			out = append(out, ddbtypes.KeySchemaElement{AttributeName: aws.String(m["AttributeName"].(string)), KeyType: ddbtypes.KeyType(m["KeyType"].(string))})
			if m["KeyType"] == "HASH" {
				pk = m["AttributeName"].(string)
			}
		}
		return out, pk
	}
	pks := map[string]string{}
	in.KeySchema, pks[name] = keys(p["KeySchema"])
	for _, g := range asList(p["GlobalSecondaryIndexes"]) {
		m := g.(map[string]any)
		ks, pk := keys(m["KeySchema"])
		proj := m["Projection"].(map[string]any)
		idx := ddbtypes.GlobalSecondaryIndex{IndexName: aws.String(m["IndexName"].(string)), KeySchema: ks,
			Projection: &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionType(proj["ProjectionType"].(string))}}
		for _, a := range asList(proj["NonKeyAttributes"]) {
			idx.Projection.NonKeyAttributes = append(idx.Projection.NonKeyAttributes, a.(string))
		}
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, idx)
		pks[name+"/index/"+*idx.IndexName] = pk
	}
	if ss, ok := p["StreamSpecification"].(map[string]any); ok {
		in.StreamSpecification = &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true),
			StreamViewType: ddbtypes.StreamViewType(ss["StreamViewType"].(string))}
	}
	return in, pks, nil
}

// startS3 creates every bucket of the template in one in-memory S3.
func (d *deployment) startS3(principals []awsfake.Principal) {
	backend := s3mem.New()
	for id, r := range d.cfn.resources {
		if r["Type"] == "AWS::S3::Bucket" {
			if err := backend.CreateBucket(d.cfn.refs[id]); err != nil {
				d.t.Fatal(err)
			}
		}
	}
	s := httptest.NewServer(awsfake.Signed(d.t, simRegion, "s3", principals, awsfake.S3(d.rec, gofakes3.New(backend).Server())))
	d.t.Cleanup(s.Close)
	d.s3URL = s.URL
	// A browser's form post to the bucket carries a signed policy, not a
	// signed request: the same bucket, without the request-signature check
	// (s3blob's tests check the policy's signature).
	b := httptest.NewServer(gofakes3.New(backend).Server())
	d.t.Cleanup(b.Close)
	d.s3FormURL = b.URL
}

// readEdge reads what CloudFront adds to each request for the API: the
// origin secret's header, resolved as CloudFormation resolves it.
func (d *deployment) readEdge() {
	t := d.t
	for id, r := range d.cfn.resources {
		if r["Type"] != "AWS::CloudFront::Distribution" {
			continue
		}
		cfg := props(r)["DistributionConfig"].(map[string]any)
		for _, o := range asList(cfg["Origins"]) {
			for _, h := range asList(o.(map[string]any)["OriginCustomHeaders"]) {
				m := h.(map[string]any)
				if m["HeaderName"] == OriginSecretHeader {
					v, err := d.cfn.resolve(m["HeaderValue"])
					if err != nil {
						t.Fatalf("distribution %s: %s: %v", id, OriginSecretHeader, err)
					}
					d.origin = v
				}
			}
		}
		for _, a := range asList(cfg["Aliases"]) {
			d.baseURL = "https://" + a.(string)
		}
	}
	if d.origin == "" {
		t.Fatalf("the distribution sends no %s to the API", OriginSecretHeader)
	}
	if d.baseURL == "" {
		t.Fatal("the distribution has no alias; the simulation deploys with a custom domain")
	}
	api, err := d.cfn.getAtt(d.only("AWS::ApiGatewayV2::Api"), "ApiEndpoint")
	if err != nil {
		t.Fatal(err)
	}
	d.apiHost = strings.TrimPrefix(api, "https://")
}

func (d *deployment) only(typ string) string {
	var ids []string
	for id, r := range d.cfn.resources {
		if r["Type"] == typ {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		d.t.Fatalf("%d %s in the template, want 1", len(ids), typ)
	}
	return ids[0]
}

// simRoute is one of the API's routes, with the function it invokes.
type simRoute struct {
	key, method string
	segments    []string
	fn          *simFunction
}

// readRoutes reads the API's routes: route key → integration → function.
func (d *deployment) readRoutes() {
	t := d.t
	integrations := map[string]*simFunction{}
	for id, r := range d.cfn.resources {
		if r["Type"] != "AWS::ApiGatewayV2::Integration" {
			continue
		}
		p := props(r)
		if p["IntegrationType"] != "AWS_PROXY" || p["PayloadFormatVersion"] != "2.0" {
			t.Fatalf("integration %s: %v %v; the simulation sends payload 2.0 proxy events", id, p["IntegrationType"], p["PayloadFormatVersion"])
		}
		fn := d.fns[getAtt(p["IntegrationUri"], "Arn")]
		if fn == nil {
			t.Fatalf("integration %s invokes %s, not a deployed Go function", id, toJSON(p["IntegrationUri"]))
		}
		integrations[id] = fn
	}
	for id, r := range d.cfn.resources {
		if r["Type"] != "AWS::ApiGatewayV2::Route" {
			continue
		}
		p := props(r)
		target, err := d.cfn.eval(p["Target"])
		integ, ok := strings.CutPrefix(target, "integrations/")
		if err != nil || !ok {
			t.Fatalf("route %s: target %s", id, toJSON(p["Target"]))
		}
		// Integration Refs resolve to the simulation's names for them.
		var fn *simFunction
		for iid, f := range integrations {
			if d.cfn.refs[iid] == integ {
				fn = f
			}
		}
		if fn == nil {
			t.Fatalf("route %s: no integration %s", id, integ)
		}
		key := p["RouteKey"].(string)
		method, path, _ := strings.Cut(key, " ")
		d.routes = append(d.routes, simRoute{key: key, method: method, segments: strings.Split(strings.Trim(path, "/"), "/"), fn: fn})
	}
	if len(d.routes) == 0 {
		t.Fatal("the API has no routes")
	}
}

// route picks the route API Gateway would for method and path: the most
// specific match, a literal segment before a {param} before a {greedy+},
// a method before ANY.
func (d *deployment) route(method, path string) (simRoute, map[string]string, bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	var best simRoute
	var bestParams map[string]string
	bestScore := -1
	for _, r := range d.routes {
		if r.method != method && r.method != "ANY" {
			continue
		}
		score, params, ok := 0, map[string]string{}, true
		greedy := false
		for i, s := range r.segments {
			if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "+}") {
				if i >= len(segs) || segs[i] == "" {
					ok = false
				} else {
					params[s[1:len(s)-2]] = strings.Join(segs[i:], "/")
				}
				greedy = true
				break
			}
			if i >= len(segs) {
				ok = false
				break
			}
			switch {
			case strings.HasPrefix(s, "{"):
				params[s[1:len(s)-1]] = segs[i]
				score++
			case s == segs[i]:
				score += 2
			default:
				ok = false
			}
			if !ok {
				break
			}
		}
		if !ok || (!greedy && len(r.segments) != len(segs)) {
			continue
		}
		score = score*4 + len(r.segments)*2
		if r.method != "ANY" {
			score++
		}
		if score > bestScore {
			best, bestScore, bestParams = r, score, params
		}
	}
	return best, bestParams, bestScore >= 0
}

// resolveEnv is f's whole environment: the template's variables resolved
// as CloudFormation does (with /var/task, where Lambda unpacks the asset,
// at the staged asset), the Lambda runtime's own, and the test's endpoints.
func (d *deployment) resolveEnv(f *simFunction, endpoints map[string]string) {
	t := d.t
	p := props(d.cfn.resources[f.id])
	f.env = map[string]string{}
	envp, _ := p["Environment"].(map[string]any)
	vars, _ := envp["Variables"].(map[string]any)
	for k, v := range vars {
		s, err := d.cfn.resolve(v)
		if err != nil {
			t.Fatalf("%s: %s: %v", f.name, k, err)
		}
		if rest, ok := strings.CutPrefix(s, "/var/task/"); ok {
			s = filepath.Join(f.dir, rest)
		}
		f.env[k] = s
	}
	name, _ := d.cfn.ref(f.id)
	mem, _ := p["MemorySize"].(float64)
	home := t.TempDir()
	runtimeVars := map[string]string{
		"AWS_REGION": simRegion, "AWS_DEFAULT_REGION": simRegion,
		"AWS_ACCESS_KEY_ID": f.creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY": f.creds.SecretAccessKey, "AWS_SESSION_TOKEN": f.creds.SessionToken,
		"AWS_LAMBDA_FUNCTION_NAME": name, "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(int(mem)),
		"LAMBDA_TASK_ROOT":                f.dir, "_HANDLER": "bootstrap", "TZ": ":UTC",
		// No shared config of the developer's may leak in.
		"HOME": home, "AWS_CONFIG_FILE": filepath.Join(home, "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(home, "none"),
		"AWS_EC2_METADATA_DISABLED": "true",
	}
	maps.Copy(runtimeVars, endpoints)
	for k, v := range runtimeVars {
		if _, clash := f.env[k]; clash {
			t.Errorf("%s: the template sets %s, which Lambda reserves", f.name, k)
		}
		f.env[k] = v
	}
}

// checkSettingsAreRead: every setting the template gives a function is one
// its code reads. The code's reads are the TRUST_ names written in the
// packages its main links (shared/app reads them all with os.Getenv).
func (d *deployment) checkSettingsAreRead() {
	t := d.t
	for _, f := range sortedFunctions(d.fns) {
		reads := linkedCode(t, f.name).settings
		envp, _ := props(d.cfn.resources[f.id])["Environment"].(map[string]any)
		vars, _ := envp["Variables"].(map[string]any)
		for k := range vars {
			if !reads[k] {
				t.Errorf("DISAGREEMENT: the template gives %s %s, which its code (functions/%s and what it links) never reads", f.name, k, f.name)
			}
		}
		var unset []string
		for k := range reads {
			if _, ok := vars[k]; !ok {
				unset = append(unset, k)
			}
		}
		sort.Strings(unset)
		t.Logf("%s reads but the template leaves at their defaults: %v (a needed one fails the cold start)", f.name, unset)
	}
}

var settingRE = regexp.MustCompile(`^TRUST_[A-Z0-9_]+$`)

// code is what the trust center's own packages that a function's main
// links write: the TRUST_ settings they name, and every identifier (the
// SDK operations they call among them).
type code struct{ settings, idents map[string]bool }

var (
	codeMu sync.Mutex
	codeOf = map[string]code{}
)

func linkedCode(t *testing.T, fn string) code {
	codeMu.Lock()
	defer codeMu.Unlock()
	if c, ok := codeOf[fn]; ok {
		return c
	}
	root := mustRoot(t)
	cmd := exec.Command("go", "list", "-tags", "lambda.norpc", "-deps", "-f", `{{if not .Standard}}{{.Dir}}{{range .GoFiles}}|{{.}}{{end}}{{end}}`, "./functions/"+fn)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list functions/%s: %v", fn, err)
	}
	c := code{settings: map[string]bool{}, idents: map[string]bool{}}
	fset := token.NewFileSet()
	for line := range strings.Lines(string(out)) {
		parts := strings.Split(strings.TrimSpace(line), "|")
		if len(parts) < 2 || !strings.HasPrefix(parts[0], root+string(filepath.Separator)) {
			continue
		}
		for _, file := range parts[1:] {
			f, err := parser.ParseFile(fset, filepath.Join(parts[0], file), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.BasicLit:
					if s, err := strconv.Unquote(n.Value); err == nil && n.Kind == token.STRING && settingRE.MatchString(s) {
						c.settings[s] = true
					}
				case *ast.Ident:
					c.idents[n.Name] = true
				}
				return true
			})
		}
	}
	codeOf[fn] = c
	return c
}

// startAll starts every function and waits for its cold start. One that
// fails is reported with its output; startAll returns their names.
func (d *deployment) startAll() []string {
	t := d.t
	var wg sync.WaitGroup
	for _, f := range d.fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.rt = lambdatest.NewRuntime(lambdatest.Config{FunctionName: f.env["AWS_LAMBDA_FUNCTION_NAME"], Region: simRegion})
			var env []string
			for k, v := range f.env {
				env = append(env, k+"="+v)
			}
			sort.Strings(env)
			p, err := lambdatest.Start(f.rt, filepath.Join(f.dir, "bootstrap"), env)
			if err != nil {
				t.Error(err)
				return
			}
			f.p = p
		}()
	}
	wg.Wait()
	deadline := time.After(time.Minute)
	var failed []string
	for _, f := range sortedFunctions(d.fns) {
		t.Cleanup(f.rt.Close)
		if f.p == nil {
			failed = append(failed, f.name)
			continue
		}
		t.Cleanup(f.p.Kill)
		select {
		case <-f.rt.InitDone():
		case <-f.p.Exited():
			failed = append(failed, f.name)
			t.Errorf("FIRST DEPLOY BUG: %s fails its cold start with the template's settings: %v\nstderr:\n%s\nstdout:\n%s", f.name, f.p.ExitErr(), f.p.Stderr(), f.p.Stdout())
		case <-deadline:
			failed = append(failed, f.name)
			t.Errorf("%s: no cold start within a minute\nstderr:\n%s", f.name, f.p.Stderr())
		}
	}
	return failed
}

// response is a function's payload 2.0 answer as the browser sees it.
type simResponse struct {
	Status  int
	Header  http.Header
	Body    string
	Fn      string
	Cookies []string
}

// browser is one person's browser: cookies for the trust center's domain.
type browser struct {
	d       *deployment
	cookies map[string]string
	// direct sends requests to the API's own endpoint, around CloudFront:
	// without the origin secret or the viewer's address.
	direct bool
}

func (d *deployment) browser() *browser { return &browser{d: d, cookies: map[string]string{}} }

func (b *browser) get(target string) simResponse { return b.do("GET", target, "", nil) }

func (b *browser) postForm(target string, form url.Values) simResponse {
	return b.do("POST", target, "application/x-www-form-urlencoded", []byte(form.Encode()))
}

// do sends one request as CloudFront passes it to the API and the API to
// the function its routes name: payload 2.0, the viewer's headers but
// Host, plus the origin secret and the viewer's address.
func (b *browser) do(method, target, contentType string, body []byte) simResponse {
	t, d := b.d.t, b.d
	t.Helper()
	if rest, ok := strings.CutPrefix(target, d.baseURL); ok {
		target = rest
	} else if strings.HasPrefix(target, "http") {
		t.Fatalf("%s %s: not a link to the trust center's domain %s", method, target, d.baseURL)
	}
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	r, params, ok := d.route(method, u.Path)
	if !ok {
		return simResponse{Status: http.StatusNotFound, Body: `{"message":"Not Found"}`}
	}
	headers := map[string]string{
		"accept":                             "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
		"accept-encoding":                    "gzip, deflate, br",
		"accept-language":                    "en-US,en;q=0.9",
		"user-agent":                         "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
		"host":                               d.apiHost,
		"x-forwarded-for":                    simViewer + ", 130.176.0.1",
		"x-forwarded-proto":                  "https",
		"x-forwarded-port":                   "443",
		"via":                                "2.0 abcdef.cloudfront.net (CloudFront)",
		"x-amz-cf-id":                        "sim-" + strconv.FormatInt(time.Now().UnixNano(), 36),
		"content-length":                     strconv.Itoa(len(body)),
		strings.ToLower(OriginSecretHeader):  d.origin,
		strings.ToLower(ClientAddressHeader): simViewer + ":51234",
	}
	if b.direct {
		for _, h := range []string{"via", "x-amz-cf-id", strings.ToLower(OriginSecretHeader), strings.ToLower(ClientAddressHeader)} {
			delete(headers, h)
		}
		headers["x-forwarded-for"] = simViewer
	}
	if method == "POST" {
		// Browsers send their page's origin with every form post.
		headers["origin"] = d.baseURL
		headers["content-type"] = contentType
	}
	var cookies []string
	for k, v := range b.cookies {
		cookies = append(cookies, k+"="+v)
	}
	sort.Strings(cookies)
	now := time.Now().UTC()
	ev := map[string]any{
		"version": "2.0", "routeKey": r.key, "rawPath": u.EscapedPath(), "rawQueryString": u.RawQuery,
		"headers": headers,
		"requestContext": map[string]any{
			"accountId": simAccount, "apiId": strings.Split(d.apiHost, ".")[0], "domainName": d.apiHost,
			"domainPrefix": strings.Split(d.apiHost, ".")[0],
			"http": map[string]string{"method": method, "path": u.Path, "protocol": "HTTP/1.1", "sourceIp": simEdge,
				"userAgent": headers["user-agent"]},
			"requestId": "sim" + strconv.FormatInt(now.UnixNano(), 36), "routeKey": r.key, "stage": "$default",
			"time": now.Format("02/Jan/2006:15:04:05 -0700"), "timeEpoch": now.UnixMilli(),
		},
		"isBase64Encoded": len(body) > 0,
	}
	if len(cookies) > 0 {
		ev["cookies"] = cookies
	}
	if len(params) > 0 {
		ev["pathParameters"] = params
	}
	if u.RawQuery != "" {
		q := map[string]string{}
		for k, vs := range u.Query() {
			q[k] = strings.Join(vs, ",")
		}
		ev["queryStringParameters"] = q
	}
	if len(body) > 0 {
		ev["body"] = base64.StdEncoding.EncodeToString(body)
	}
	event, _ := json.Marshal(ev)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r.fn.mu.Lock()
	out, err := r.fn.p.Invoke(ctx, event)
	r.fn.mu.Unlock()
	if err != nil {
		t.Fatalf("%s %s (route %s → %s): %v\nstderr:\n%s", method, target, r.key, r.fn.name, err, r.fn.p.Stderr())
	}
	var res struct {
		StatusCode        int
		Headers           map[string]string
		MultiValueHeaders map[string][]string
		Cookies           []string
		Body              string
		IsBase64Encoded   bool
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("%s %s: not a payload 2.0 response: %v\n%s", method, target, err, out)
	}
	sr := simResponse{Status: res.StatusCode, Header: http.Header{}, Fn: r.fn.name, Cookies: res.Cookies}
	for k, v := range res.Headers {
		sr.Header.Set(k, v)
	}
	raw := []byte(res.Body)
	if res.IsBase64Encoded {
		if raw, err = base64.StdEncoding.DecodeString(res.Body); err != nil {
			t.Fatal(err)
		}
	}
	if sr.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if raw, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	sr.Body = string(raw)
	// What the request wrote reaches the stream triggers before the
	// next request, as if Lambda's poller were instant.
	d.pumpStreams()
	for _, c := range res.Cookies {
		hc, err := http.ParseSetCookie(c)
		if err != nil {
			t.Fatalf("%s %s: Set-Cookie %q: %v", method, target, c, err)
		}
		if hc.MaxAge < 0 || (!hc.Expires.IsZero() && hc.Expires.Before(time.Now())) {
			delete(b.cookies, hc.Name)
		} else {
			b.cookies[hc.Name] = hc.Value
		}
	}
	return sr
}

// mailLink waits for a mail to addr with a link to the trust center whose
// path starts with prefix, and returns that link.
func (d *deployment) mailLink(addr, prefix string) string {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m, err := d.ses.WaitFor(ctx, addr, d.baseURL+prefix)
	if err != nil {
		d.t.Fatalf("%v\nmails: %+v", err, d.ses.Mails())
	}
	link := regexp.MustCompile(regexp.QuoteMeta(d.baseURL+prefix) + `[^\s"<>]*`).FindString(m.Text)
	return link
}

var (
	ndaVersionRE = regexp.MustCompile(`name="nda_version" value="([^"]+)"`)
	ndaHashRE    = regexp.MustCompile(`name="nda_sha256" value="([0-9a-f]{64})"`)
	csrfRE       = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	requestIDRE  = regexp.MustCompile(`/admin/requests/(req_[A-Za-z0-9_-]+)`)
	downloadRE   = regexp.MustCompile(`/download/[A-Za-z0-9_.-]+`)
)

// signIn signs staff in by the emailed link and its confirmation post; it
// returns the session's CSRF token.
func (b *browser) signIn(addr string) string {
	t, d := b.d.t, b.d
	t.Helper()
	if res := b.postForm("/admin/login", url.Values{"email": {addr}}); res.Status != http.StatusSeeOther {
		t.Fatalf("POST /admin/login (%s): %d\n%s", res.Fn, res.Status, res.Body)
	}
	link := d.mailLink(addr, "/admin/login/")
	res := b.get(link)
	path := strings.TrimPrefix(link, d.baseURL)
	if res.Status != http.StatusOK || !strings.Contains(res.Body, `action="`+path+`"`) {
		t.Fatalf("GET sign-in link (%s): %d, no form posting to it\n%s", res.Fn, res.Status, res.Body)
	}
	res = b.postForm(link, nil)
	if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/admin/requests" {
		t.Fatalf("POST sign-in link (%s): %d %v\n%s", res.Fn, res.Status, res.Header, res.Body)
	}
	res = b.get("/admin/requests")
	m := csrfRE.FindStringSubmatch(res.Body)
	if res.Status != http.StatusOK || m == nil {
		t.Fatalf("GET /admin/requests after sign-in (%s): %d\n%s", res.Fn, res.Status, res.Body)
	}
	return m[1]
}

// fetchFile follows a document response to the file: a redirect to the
// bucket (a presigned link, fetched as the browser would) or the body.
func (d *deployment) fetchFile(res simResponse) []byte {
	t := d.t
	t.Helper()
	switch res.Status {
	case http.StatusOK:
		return []byte(res.Body)
	case http.StatusFound, http.StatusSeeOther:
		loc := res.Header.Get("Location")
		if !strings.HasPrefix(loc, d.s3URL+"/") {
			t.Fatalf("redirect to %q, want the bucket", loc)
		}
		got, err := http.Get(loc)
		if err != nil {
			t.Fatal(err)
		}
		defer got.Body.Close()
		b, _ := io.ReadAll(got.Body)
		if got.StatusCode != http.StatusOK {
			t.Fatalf("GET presigned link: %s\n%s", got.Status, b)
		}
		return b
	}
	t.Fatalf("document: %d (%s)\n%s", res.Status, res.Fn, res.Body)
	return nil
}

// walk is the product's first day: a visitor, an admin publishing the
// reports, a requester, a salesperson approving, the requester downloading.
func (d *deployment) walk(t *testing.T) {
	d.t = t
	defer func() { d.t = nil }()
	visitor, admin, requester, sales := d.browser(), d.browser(), d.browser(), d.browser()

	res := visitor.get("/")
	if res.Status != http.StatusOK || !strings.Contains(res.Body, "<h1") {
		t.Fatalf("GET / on an empty table (%s): %d\n%s", res.Fn, res.Status, res.Body)
	}
	if res := visitor.get("/trust.json"); res.Status != http.StatusOK || !json.Valid([]byte(res.Body)) {
		t.Fatalf("GET /trust.json (%s): %d\n%s", res.Fn, res.Status, res.Body)
	}

	csrf := admin.signIn("alice@example.com")
	for id, pdf := range map[string][]byte{"soc3-2026": sample.SOC3(), "soc2-type2-2026": sample.SOC2TypeII()} {
		// Upload, review, publish: the console's three steps, the upload
		// straight from the browser to the bucket by the page's presigned
		// POST, as the browser would send it.
		page := admin.get("/admin/documents")
		form := regexp.MustCompile(`(?s)<form method="post" action="([^"]+)" enctype="multipart/form-data">(.*?)</form>`)
		var action string
		fields := map[string]string{}
		for _, m := range form.FindAllStringSubmatch(page.Body, -1) {
			if !strings.Contains(m[2], `/admin/documents/`+id+`/confirm`) {
				continue
			}
			action = html.UnescapeString(m[1])
			for _, in := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(m[2], -1) {
				fields[in[1]] = html.UnescapeString(in[2])
			}
		}
		if action == "" {
			t.Fatalf("no upload form for %s on the documents page (%s): %d\n%s", id, page.Fn, page.Status, page.Body)
		}
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("file", id+".pdf")
		fw.Write(pdf)
		mw.Close()
		post, err := http.Post(strings.Replace(action, d.s3URL, d.s3FormURL, 1), mw.FormDataContentType(), &body)
		if err != nil {
			t.Fatal(err)
		}
		post.Body.Close()
		if post.StatusCode >= 300 && post.StatusCode != http.StatusSeeOther {
			t.Fatalf("presigned POST of %s: %s", id, post.Status)
		}
		res := simResponse{Header: http.Header{"Location": {"/admin/documents/" + id + "/confirm?key=" + url.QueryEscape(fields["key"])}}}
		review := admin.get(res.Header.Get("Location"))
		key := regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(review.Body)
		sum := regexp.MustCompile(`name="sha256" value="([^"]+)"`).FindStringSubmatch(review.Body)
		if review.Status != http.StatusOK || key == nil || sum == nil {
			t.Fatalf("review %s (%s): %d\n%s", id, review.Fn, review.Status, review.Body)
		}
		res = admin.postForm("/admin/documents/"+id+"/publish", url.Values{"csrf": {csrf}, "key": {html.UnescapeString(key[1])},
			"sha256": {sum[1]}, "confirm": {"1"}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("publish %s (%s): %d\n%s", id, res.Fn, res.Status, res.Body)
		}
	}

	res = visitor.get("/")
	if !strings.Contains(res.Body, `href="/documents/soc3-2026"`) {
		t.Fatalf("the trust page does not link the uploaded SOC 3:\n%s", res.Body)
	}
	if file := d.fetchFile(visitor.get("/documents/soc3-2026")); !bytes.Equal(file, sample.SOC3()) {
		t.Errorf("the public SOC 3 downloads as %d bytes, not the %d uploaded", len(file), len(sample.SOC3()))
	}
	if res := visitor.get("/trust.json"); !strings.Contains(res.Body, "soc3-2026") {
		t.Errorf("trust.json does not list the SOC 3:\n%s", res.Body)
	}

	res = requester.get("/access-requests/new?document=soc2-type2-2026")
	m := ndaVersionRE.FindStringSubmatch(res.Body)
	hash := ndaHashRE.FindStringSubmatch(res.Body)
	if res.Status != http.StatusOK || m == nil || hash == nil {
		t.Fatalf("request form (%s): %d\n%s", res.Fn, res.Status, res.Body)
	}
	const who = "ada@buyer.example"
	res = requester.postForm("/access-requests", url.Values{
		"name": {"Ada Lovelace"}, "email": {who}, "company": {"Example Buyer Ltd"}, "reason": {"Vendor review"},
		"document": {"soc2-type2-2026"}, "nda_version": {m[1]}, "nda_sha256": {hash[1]}, "nda_mode": {"accept"}, "nda_accept": {"yes"}, "nda_signature": {"Ada Lovelace"},
	})
	sent := res.Header.Get("Location")
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(sent, "/access-requests/sent/") {
		t.Fatalf("submit (%s): %d %v\n%s", res.Fn, res.Status, res.Header, res.Body)
	}
	if res := requester.get(sent); res.Status != http.StatusOK || !strings.Contains(res.Body, who) {
		t.Fatalf("sent page (%s): %d", res.Fn, res.Status)
	}
	res = requester.get(d.mailLink(who, "/access-requests/confirm/"))
	if res.Status != http.StatusOK || !strings.Contains(res.Body, "Waiting for approval") {
		t.Fatalf("confirm (%s): %d\n%s", res.Fn, res.Status, res.Body)
	}

	notice := d.mailLink("sam@example.com", "/admin/requests/req_")
	id := requestIDRE.FindStringSubmatch(notice)[1]
	salesCSRF := sales.signIn("sam@example.com")
	if res := sales.get("/admin/requests/" + id); res.Status != http.StatusOK || !strings.Contains(res.Body, who) {
		t.Fatalf("request page (%s): %d", res.Fn, res.Status)
	}
	res = sales.postForm("/admin/requests/"+id+"/approve", url.Values{"days": {"14"}, "csrf": {salesCSRF}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("approve (%s): %d\n%s", res.Fn, res.Status, res.Body)
	}

	res = requester.get(d.mailLink(who, "/access/"))
	if res.Status != http.StatusOK {
		t.Fatalf("access page (%s): %d\n%s", res.Fn, res.Status, res.Body)
	}
	links := downloadRE.FindAllString(res.Body, -1)
	if len(links) != 1 {
		t.Fatalf("access page lists %d download links, want 1\n%s", len(links), res.Body)
	}
	if file := d.fetchFile(requester.get(links[0])); !bytes.HasPrefix(file, []byte("%PDF-")) {
		t.Errorf("the SOC 2 download is not a PDF: %q", file[:min(len(file), 40)])
	}
	if res := sales.get("/admin/requests/" + id); !strings.Contains(res.Body, "document.downloaded") {
		t.Error("the download is not in the request's audit trail")
	}
	if res := admin.get("/admin/documents"); res.Status != http.StatusOK || !strings.Contains(res.Body, "soc3-2026") {
		t.Errorf("documents page (%s): %d", res.Fn, res.Status)
	}
	// The queue's tabs, search and accounts read the queue indexes and the
	// account items, each within the admin function's grants.
	for path, want := range map[string]string{
		"/admin/requests?status=all":                 id,
		"/admin/requests?status=approved":            id,
		"/admin/requests?status=all&q=buyer.example": id,
		"/admin/accounts":                            "buyer.example",
		"/admin/accounts/buyer.example":              who,
	} {
		if res := sales.get(path); res.Status != http.StatusOK || !strings.Contains(res.Body, want) {
			t.Errorf("GET %s (%s): %d, no %q", path, res.Fn, res.Status, want)
		}
	}
	if res := sales.postForm("/admin/logout", url.Values{"csrf": {salesCSRF}}); res.Status != http.StatusSeeOther {
		t.Errorf("logout (%s): %d\n%s", res.Fn, res.Status, res.Body)
	}
	if res := sales.get("/admin/requests"); res.Status != http.StatusSeeOther {
		t.Errorf("the console after logout (%s): %d, want a redirect to sign in", res.Fn, res.Status)
	}

	// Around the edge: the API's own endpoint, without the origin secret.
	// Every function must refuse, or the WAF and CloudFront are optional.
	bypass := d.browser()
	bypass.direct = true
	for _, target := range []string{"/", "/access-requests/new", "/documents/soc3-2026", "/admin/login"} {
		if res := bypass.get(target); res.Status < 400 {
			t.Errorf("EDGE BYPASS: GET %s on the API's endpoint without %s: %s answers %d; the template gives it TRUST_ORIGIN_SECRET to refuse such requests",
				target, OriginSecretHeader, res.Fn, res.Status)
		}
	}
	// Rate limits count per viewer: behind CloudFront the source address
	// is the edge's, shared by every viewer it serves.
	reported := map[string]bool{}
	for _, c := range d.rec.Calls() {
		for _, k := range c.LeadingKeys {
			if strings.HasPrefix(k, "RATE#") && strings.Contains(k, simEdge) && !reported[c.Principal] {
				reported[c.Principal] = true
				t.Errorf("CLIENT ADDRESS: %s counts a rate limit on CloudFront's address, not the viewer's %s (the template names its header in TRUST_CLIENT_IP_HEADER): %s", c.Principal, simViewer, k)
				break
			}
		}
	}
	if c := d.trapped.calls(); len(c) > 0 {
		t.Errorf("calls to AWS services the simulation has no fake for: %v", c)
	}
}

// trapped is the endpoint of every AWS service without a fake.
type trapped struct {
	URL string
	mu  sync.Mutex
	c   []string
}

func newTrapped(t *testing.T) *trapped {
	tr := &trapped{}
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr.mu.Lock()
		tr.c = append(tr.c, r.Method+" "+r.URL.Path+" "+r.Header.Get("X-Amz-Target")+" "+r.Header.Get("Authorization"))
		tr.mu.Unlock()
		http.Error(w, "no fake for this service", http.StatusForbidden)
	}))
	t.Cleanup(s.Close)
	tr.URL = s.URL
	return tr
}

func (tr *trapped) calls() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return slices.Clone(tr.c)
}

func mustRoot(t *testing.T) string {
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	return root
}
