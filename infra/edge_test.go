package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"trustcenter/shared/i18n"
)

// Managed CloudFront policies (their ids are fixed by AWS).
const (
	cachingDisabled           = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
	allViewerExceptHostHeader = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
)

func TestDistribution(t *testing.T) {
	for _, cfg := range []synthConfig{euWest, usEast} {
		s := synthWith(t, cfg)
		_, d := s.only(t, "AWS::CloudFront::Distribution")
		dc := props(d)["DistributionConfig"].(map[string]any)

		// The one origin is the API, over TLS 1.2, with the origin secret.
		origins := asList(dc["Origins"])
		if len(origins) != 1 {
			t.Fatalf("%s: %d origins, want the API", cfg.name, len(origins))
		}
		o := origins[0].(map[string]any)
		apiID := logicalIDByPath(t, s, "AWS::ApiGatewayV2::Api", "Api/Resource")
		if got := toJSON(o["DomainName"]); got != `{"Fn::Select":[2,{"Fn::Split":["/",{"Fn::GetAtt":["`+apiID+`","ApiEndpoint"]}]}]}` {
			t.Errorf("%s: origin domain = %s", cfg.name, got)
		}
		if got := toJSON(o["CustomOriginConfig"]); got != `{"OriginProtocolPolicy":"https-only","OriginSSLProtocols":["TLSv1.2"]}` {
			t.Errorf("%s: origin config = %s", cfg.name, got)
		}
		secretID := logicalIDByPath(t, s, "AWS::SecretsManager::Secret", "OriginSecret/Resource")
		if got := toJSON(o["OriginCustomHeaders"]); got != `[{"HeaderName":"X-Origin-Verify","HeaderValue":{"Fn::Join":["",["{{resolve:secretsmanager:",{"Ref":"`+secretID+`"},":SecretString:::}}"]]}}]` {
			t.Errorf("%s: origin headers = %s", cfg.name, got)
		}

		// Default: everything else, uncached, with the viewer's request.
		def := dc["DefaultCacheBehavior"].(map[string]any)
		if def["CachePolicyId"] != cachingDisabled || def["OriginRequestPolicyId"] != allViewerExceptHostHeader ||
			len(asList(def["AllowedMethods"])) != 7 || def["ViewerProtocolPolicy"] != "redirect-to-https" {
			t.Errorf("%s: default behaviour = %s", cfg.name, toJSON(def))
		}

		// Cached: exactly the public paths, one cache policy, the language
		// function on viewer request, GET/HEAD only.
		policyID := logicalIDByPath(t, s, "AWS::CloudFront::CachePolicy", "PublicCachePolicy/Resource")
		fnID := logicalIDByPath(t, s, "AWS::CloudFront::Function", "LanguageFunction/Resource")
		var paths []string
		for _, b := range asList(dc["CacheBehaviors"]) {
			bm := b.(map[string]any)
			paths = append(paths, bm["PathPattern"].(string))
			if bm["PathPattern"] == "/static/*" {
				checkStaticBehavior(t, s, cfg.name, bm)
				continue
			}
			if ref(bm["CachePolicyId"]) != policyID || bm["OriginRequestPolicyId"] != nil || bm["Compress"] != true ||
				toJSON(bm["AllowedMethods"]) != `["GET","HEAD"]` || bm["ViewerProtocolPolicy"] != "redirect-to-https" {
				t.Errorf("%s: behaviour %s = %s", cfg.name, bm["PathPattern"], toJSON(bm))
			}
			fa := asList(bm["FunctionAssociations"])
			if len(fa) != 1 || fa[0].(map[string]any)["EventType"] != "viewer-request" || getAtt(fa[0].(map[string]any)["FunctionARN"], "FunctionARN") != fnID {
				t.Errorf("%s: behaviour %s functions = %s", cfg.name, bm["PathPattern"], toJSON(fa))
			}
		}
		sort.Strings(paths)
		want := []string{"/", "/.well-known/jwks.json", "/.well-known/security.txt", "/favicon.ico", "/llms.txt", "/nda.txt", "/robots.txt", "/sitemap.xml", "/static/*", "/trust.json", "/trust.json.jws", "/updates.atom"}
		if !slices.Equal(paths, want) {
			t.Errorf("%s: cached paths %v, want %v", cfg.name, paths, want)
		}
		// Nothing that carries a token, a form or a session is cached.
		for _, p := range paths {
			for _, never := range []string{"/access", "/download", "/documents", "/admin", "/healthz"} {
				if strings.HasPrefix(p, never) {
					t.Errorf("%s: %s is cached", cfg.name, p)
				}
			}
		}

		cp := props(s.resources("AWS::CloudFront::CachePolicy")[policyID])["CachePolicyConfig"].(map[string]any)
		pin := cp["ParametersInCacheKeyAndForwardedToOrigin"].(map[string]any)
		if got := toJSON(pin); got != `{"CookiesConfig":{"CookieBehavior":"none"},"EnableAcceptEncodingBrotli":true,"EnableAcceptEncodingGzip":true,`+
			`"HeadersConfig":{"HeaderBehavior":"whitelist","Headers":["Accept-Language"]},"QueryStringsConfig":{"QueryStringBehavior":"whitelist","QueryStrings":["lang"]}}` {
			t.Errorf("%s: cache key = %s", cfg.name, got)
		}
		if cp["MinTTL"] != 0.0 || cp["MaxTTL"].(float64) > 86400 {
			t.Errorf("%s: cache TTLs = %v..%v", cfg.name, cp["MinTTL"], cp["MaxTTL"])
		}

		// The custom domain and its certificate are on the distribution.
		vc, _ := dc["ViewerCertificate"].(map[string]any)
		if cfg.domain {
			if toJSON(dc["Aliases"]) != `["`+testDomain+`"]` || vc["AcmCertificateArn"] != testCertificate ||
				vc["MinimumProtocolVersion"] != "TLSv1.2_2021" || vc["SslSupportMethod"] != "sni-only" {
				t.Errorf("%s: aliases %s, certificate %s", cfg.name, toJSON(dc["Aliases"]), toJSON(vc))
			}
		} else if dc["Aliases"] != nil || vc != nil {
			t.Errorf("%s: aliases %s, certificate %s without a domain", cfg.name, toJSON(dc["Aliases"]), toJSON(vc))
		}
		edgeLogsID := logicalIDByPath(t, s, "AWS::S3::Bucket", "EdgeLogsBucket/Resource")
		if lg, _ := dc["Logging"].(map[string]any); getAtt(lg["Bucket"], "RegionalDomainName") != edgeLogsID {
			t.Errorf("%s: logging = %s", cfg.name, toJSON(lg))
		}

		// The web ACL: in this stack in us-east-1, else read across from
		// the edge stack.
		acl := toJSON(dc["WebACLId"])
		if cfg.region == EdgeRegion {
			aclID := logicalIDByPath(t, s, "AWS::WAFv2::WebACL", "WebAcl")
			if acl != `{"Fn::GetAtt":["`+aclID+`","Arn"]}` {
				t.Errorf("%s: WebACLId = %s", cfg.name, acl)
			}
		} else if !strings.Contains(acl, "ExportsReader") || !strings.Contains(acl, "WebAclArn") {
			t.Errorf("%s: WebACLId = %s, want the edge stack's ACL through the cross-region reader", cfg.name, acl)
		}

		outputs := s.template["Outputs"].(map[string]any)
		distID := logicalIDByPath(t, s, "AWS::CloudFront::Distribution", "Distribution/Resource")
		if got := toJSON(outputs["DomainTarget"].(map[string]any)["Value"]); got != `{"Fn::GetAtt":["`+distID+`","DomainName"]}` {
			t.Errorf("%s: DomainTarget = %s", cfg.name, got)
		}
		if _, ok := outputs["BaseUrl"]; !ok {
			t.Errorf("%s: no BaseUrl output", cfg.name)
		}
	}
}

// webACL returns the ACL resource of cfg's synthesis and the template
// holding it.
func webACL(t *testing.T, s *synthesized) map[string]any {
	t.Helper()
	tmpl := s.template
	if s.edge != nil {
		tmpl = s.edge
		if n := len(s.resources("AWS::WAFv2::WebACL")); n != 0 {
			t.Errorf("%s: %d web ACLs in the main stack, want them all in the edge stack", s.cfg.name, n)
		}
	}
	var found []map[string]any
	for _, r := range tmpl["Resources"].(map[string]any) {
		if rm := r.(map[string]any); rm["Type"] == "AWS::WAFv2::WebACL" {
			found = append(found, rm)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s: %d web ACLs, want 1", s.cfg.name, len(found))
	}
	return found[0]
}

func TestWebACL(t *testing.T) {
	for _, cfg := range []synthConfig{euWest, usEast} {
		s := synthWith(t, cfg)
		if cfg.region == EdgeRegion {
			if s.edge != nil {
				t.Errorf("%s: an edge stack, though the stack is in us-east-1 already", cfg.name)
			}
		} else if s.edge == nil || s.edgeEnv != EdgeRegion {
			t.Fatalf("%s: edge stack in %q, want one in us-east-1", cfg.name, s.edgeEnv)
		}
		p := props(webACL(t, s))
		if p["Scope"] != "CLOUDFRONT" || toJSON(p["DefaultAction"]) != `{"Allow":{}}` {
			t.Errorf("%s: scope %v, default %s", cfg.name, p["Scope"], toJSON(p["DefaultAction"]))
		}
		rules := map[string]map[string]any{}
		priorities := map[float64]bool{}
		for _, r := range asList(p["Rules"]) {
			rm := r.(map[string]any)
			rules[rm["Name"].(string)] = rm
			if priorities[rm["Priority"].(float64)] {
				t.Errorf("%s: two rules at priority %v", cfg.name, rm["Priority"])
			}
			priorities[rm["Priority"].(float64)] = true
			if vc := rm["VisibilityConfig"].(map[string]any); vc["CloudWatchMetricsEnabled"] != true {
				t.Errorf("%s: rule %s has no metrics", cfg.name, rm["Name"])
			}
		}
		for _, group := range []string{"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList"} {
			r, ok := rules[group]
			if !ok {
				t.Errorf("%s: no %s rule", cfg.name, group)
				continue
			}
			st := r["Statement"].(map[string]any)["ManagedRuleGroupStatement"].(map[string]any)
			if st["VendorName"] != "AWS" || st["Name"] != group || toJSON(r["OverrideAction"]) != `{"None":{}}` {
				t.Errorf("%s: %s = %s", cfg.name, group, toJSON(r))
			}
		}
		for name, want := range map[string]struct {
			limit  float64
			method string
			path   string
		}{
			"RateAccessRequests": {rateAccessRequests, "POST", "/access-requests"},
			"RateAdminLogin":     {rateAdminLogin, "POST", "/admin/login"},
			"RatePerIP":          {ratePerIP, "", ""},
		} {
			r, ok := rules[name]
			if !ok {
				t.Errorf("%s: no %s rule", cfg.name, name)
				continue
			}
			rb := r["Statement"].(map[string]any)["RateBasedStatement"].(map[string]any)
			if rb["AggregateKeyType"] != "IP" || rb["Limit"] != want.limit {
				t.Errorf("%s: %s = %s", cfg.name, name, toJSON(rb))
			}
			if toJSON(r["Action"]) != `{"Block":{"CustomResponse":{"ResponseCode":429}}}` {
				t.Errorf("%s: %s action = %s", cfg.name, name, toJSON(r["Action"]))
			}
			scope := toJSON(rb["ScopeDownStatement"])
			if want.path == "" {
				if rb["ScopeDownStatement"] != nil {
					t.Errorf("%s: %s is scoped: %s", cfg.name, name, scope)
				}
				continue
			}
			if !strings.Contains(scope, `"FieldToMatch":{"Method":{}},"PositionalConstraint":"EXACTLY","SearchString":"`+want.method+`"`) ||
				!strings.Contains(scope, `"FieldToMatch":{"UriPath":{}},"PositionalConstraint":"EXACTLY","SearchString":"`+want.path+`"`) ||
				!strings.HasPrefix(scope, `{"AndStatement"`) {
				t.Errorf("%s: %s scope-down = %s, want %s %s", cfg.name, name, scope, want.method, want.path)
			}
		}
		if len(rules) != 6 {
			t.Errorf("%s: rules %v", cfg.name, len(rules))
		}
	}
}

// The language function, run by Node (which jsii needs anyway), picks what
// shared/i18n.Negotiate picks for the same header, so the cached page is the
// one the function would have rendered.
func TestLanguageFunction(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node not found (the CDK needs it): %v", err)
	}
	headers := []string{
		"", "en-US,en;q=0.9", "zh-CN,zh;q=0.9,en;q=0.8", "fr-FR, zh;q=0.5, en;q=0.4",
		"en;q=0.3, zh-Hans-CN;q=0.8", "zh-TW,zh-HK;q=0.9", "de, fr;q=0.9", "zh-cn;q=0, en;q=0.1",
		"ZH_sg", "*", "en;q=0.5, zh;q=0.5", "zh;q=0.5, en;q=0.5", "en;Q=0.2, zh;q = 0.3",
		"en;q=0.9x, zh;q=0.1", "en;q=2, zh;q=0.1", "en;q=0x1, zh;q=0.1", "en;q=, zh;q=.5",
		"en;level=1;q=0.2, zh;q=0.3", " , ,zh", strings.Repeat("xx,", 31) + "zh", strings.Repeat("xx,", 32) + "zh",
	}
	want := map[string]string{}
	for _, h := range headers {
		want[h] = i18n.Negotiate(h, "")
	}
	script := langFunction + "\nvar hs = " + toJSON(headers) + ";\nvar out = {};\n" +
		"hs.forEach(function (h) { var ev = {request: {headers: h ? {'accept-language': {value: h}} : {}}};" +
		" out[h] = handler(ev).headers['accept-language'].value; });\nconsole.log(JSON.stringify(out));\n"
	b, err := exec.Command(node, "-e", script).Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var got map[string]string
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("node printed %q: %v", b, err)
	}
	for _, h := range headers {
		if got[h] != want[h] {
			t.Errorf("Accept-Language %q → %q, i18n.Negotiate says %q", h, got[h], want[h])
		}
	}
	// Not vacuous: both languages come out.
	if want["zh-CN,zh;q=0.9,en;q=0.8"] != "zh-CN" || want["de, fr;q=0.9"] != "en" {
		t.Errorf("Negotiate = %v", want)
	}
}

// cfn-lint finds what CloudFormation would refuse at deploy time. The only
// finding tolerated is W3005 on the cross-region reference handlers, which
// CDK itself writes.
func TestCfnLint(t *testing.T) {
	lint := []string{"cfn-lint"}
	if _, err := exec.LookPath("cfn-lint"); err != nil {
		if _, perr := exec.LookPath("python3"); perr != nil {
			t.Skip("cfn-lint is not installed and there is no python3 to install it with (make test-deps installs it)")
		}
		if out, perr := exec.Command("python3", "-m", "pip", "--version").CombinedOutput(); perr != nil {
			t.Skipf("cfn-lint is not installed and pip is unavailable (make test-deps installs it): %s", out)
		}
		if out, perr := installCfnLint(); perr != nil {
			t.Fatalf("cfn-lint is not installed and pip could not install it: %v\n%s", perr, out)
		}
		lint = []string{"python3", "-m", "cfnlint"}
	}
	for _, cfg := range []synthConfig{euWest, usEast} {
		s := synthWith(t, cfg)
		templates, _ := filepath.Glob(filepath.Join(s.outdir, "*.template.json"))
		if want := map[bool]int{true: 1, false: 2}[s.edge == nil]; len(templates) != want {
			t.Fatalf("%s: templates %v, want %d", cfg.name, templates, want)
		}
		args := append(append(lint[1:len(lint):len(lint)], "--format", "json"), templates...)
		out, err := exec.Command(lint[0], args...).Output()
		if err != nil && len(out) == 0 {
			t.Fatalf("%s: cfn-lint: %v", cfg.name, err)
		}
		var findings []struct {
			Rule     struct{ Id string }
			Message  string
			Level    string
			Location struct{ Path []any }
			Filename string
		}
		if err := json.Unmarshal(out, &findings); err != nil {
			t.Fatalf("%s: cfn-lint output %q: %v", cfg.name, out, err)
		}
		for _, f := range findings {
			if f.Rule.Id == "W3005" && len(f.Location.Path) > 1 && strings.HasPrefix(f.Location.Path[1].(string), "CustomCrossRegionExport") {
				continue
			}
			t.Errorf("%s: cfn-lint %s %s in %s at %v: %s", cfg.name, f.Level, f.Rule.Id, filepath.Base(f.Filename), f.Location.Path, f.Message)
		}
	}
}

// installCfnLint installs cfn-lint for the user; a Debian python refuses
// --user installs unless told that only the user's site is touched.
func installCfnLint() ([]byte, error) {
	out, err := exec.Command("python3", "-m", "pip", "install", "--user", "--quiet", "cfn-lint").CombinedOutput()
	if err != nil && strings.Contains(string(out), "externally-managed") {
		return exec.Command("python3", "-m", "pip", "install", "--user", "--quiet", "--break-system-packages", "cfn-lint").CombinedOutput()
	}
	return out, err
}
