package main

import "testing"

// checkStaticBehavior: /static/* has a policy of its own that lets the
// origin's year-long immutable cache through and keys on nothing a viewer
// varies but the encoding, and no language function.
func checkStaticBehavior(t *testing.T, s *synthesized, cfg string, bm map[string]any) {
	t.Helper()
	id := logicalIDByPath(t, s, "AWS::CloudFront::CachePolicy", "StaticCachePolicy/Resource")
	if ref(bm["CachePolicyId"]) != id || bm["Compress"] != true || toJSON(bm["AllowedMethods"]) != `["GET","HEAD"]` ||
		bm["ViewerProtocolPolicy"] != "redirect-to-https" || bm["FunctionAssociations"] != nil || bm["OriginRequestPolicyId"] != nil {
		t.Errorf("%s: static behaviour = %s", cfg, toJSON(bm))
	}
	pc := props(s.resources("AWS::CloudFront::CachePolicy")[id])["CachePolicyConfig"].(map[string]any)
	keys := pc["ParametersInCacheKeyAndForwardedToOrigin"].(map[string]any)
	if pc["MaxTTL"] != float64(365*86400) || pc["MinTTL"] != float64(0) ||
		toJSON(keys["HeadersConfig"]) != `{"HeaderBehavior":"none"}` || toJSON(keys["QueryStringsConfig"]) != `{"QueryStringBehavior":"none"}` ||
		toJSON(keys["CookiesConfig"]) != `{"CookieBehavior":"none"}` || keys["EnableAcceptEncodingGzip"] != true || keys["EnableAcceptEncodingBrotli"] != true {
		t.Errorf("%s: static cache policy = %s", cfg, toJSON(pc))
	}
}
