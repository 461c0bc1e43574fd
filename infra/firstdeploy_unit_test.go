package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSimulationResolvesAsCloudFormation(t *testing.T) {
	c := newCFN(map[string]any{"Resources": map[string]any{
		"Tbl":    map[string]any{"Type": "AWS::DynamoDB::Table"},
		"Bkt":    map[string]any{"Type": "AWS::S3::Bucket"},
		"Secret": map[string]any{"Type": "AWS::SecretsManager::Secret"},
	}}, "eu-west-1", "123456789012")
	c.setSecret("Secret", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:S-AbCdEf", "hunter2")
	for in, want := range map[string]string{
		`{"Ref":"Tbl"}`: "TrustCenter-Tbl-SIM1",
		`{"Fn::Join":["",[{"Fn::GetAtt":["Bkt","Arn"]},"/reports/*"]]}`:                         "arn:aws:s3:::trustcenter-bkt-sim1/reports/*",
		`{"Fn::Sub":"arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/x"}`:   "arn:aws:ses:eu-west-1:123456789012:identity/x",
		`{"Fn::Sub":["${T}/index/GSI1",{"T":{"Fn::GetAtt":["Tbl","Arn"]}}]}`:                    "arn:aws:dynamodb:eu-west-1:123456789012:table/TrustCenter-Tbl-SIM1/index/GSI1",
		`{"Fn::Join":["",["{{resolve:secretsmanager:",{"Ref":"Secret"},":SecretString:::}}"]]}`: "hunter2",
	} {
		var v any
		if err := json.Unmarshal([]byte(in), &v); err != nil {
			t.Fatal(err)
		}
		got, err := c.resolve(v)
		if err != nil || got != want {
			t.Errorf("%s: %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{`{"Ref":"Nope"}`, `{"Fn::GetAtt":["Tbl","Nope"]}`, `{"Fn::ImportValue":"x"}`,
		`{"Fn::Join":["",["{{resolve:secretsmanager:",{"Ref":"Secret"},":SecretString:key::}}"]]}`} {
		var v any
		json.Unmarshal([]byte(in), &v)
		if got, err := c.resolve(v); err == nil {
			t.Errorf("%s resolved to %q; want an error", in, got)
		}
	}
	pw, err := generateSecretString(map[string]any{"ExcludePunctuation": true, "PasswordLength": float64(40)})
	if err != nil || len(pw) != 40 || strings.ContainsAny(pw, "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") {
		t.Errorf("generated %q, %v", pw, err)
	}
}

func TestSimulationRoutesAsAPIGateway(t *testing.T) {
	d := &deployment{}
	fn := map[string]*simFunction{"a": {name: "a"}, "b": {name: "b"}, "c": {name: "c"}}
	for key, f := range map[string]string{
		"GET /": "a", "GET /documents/{id}": "b", "GET /admin/requests": "c", "GET /admin/requests/{id}": "c",
		"POST /admin/requests/{id}/approve": "c", "GET /static/{proxy+}": "a", "ANY /admin/x": "b", "GET /admin/x": "c",
	} {
		method, path, _ := strings.Cut(key, " ")
		d.routes = append(d.routes, simRoute{key: key, method: method, segments: strings.Split(strings.Trim(path, "/"), "/"), fn: fn[f]})
	}
	for _, c := range []struct{ method, path, key string }{
		{"GET", "/", "GET /"},
		{"GET", "/documents/soc3", "GET /documents/{id}"},
		{"GET", "/admin/requests", "GET /admin/requests"},
		{"GET", "/admin/requests/req_1", "GET /admin/requests/{id}"},
		{"POST", "/admin/requests/req_1/approve", "POST /admin/requests/{id}/approve"},
		{"GET", "/static/css/site.css", "GET /static/{proxy+}"},
		{"GET", "/admin/x", "GET /admin/x"},
		{"POST", "/admin/x", "ANY /admin/x"},
		{"GET", "/documents", ""},
		{"POST", "/", ""},
		{"GET", "/admin/requests/req_1/approve", ""},
	} {
		r, _, ok := d.route(c.method, c.path)
		if !ok {
			r.key = ""
		}
		if r.key != c.key {
			t.Errorf("%s %s: route %q, want %q", c.method, c.path, r.key, c.key)
		}
	}
}

func TestSimulationFiltersAsLambda(t *testing.T) {
	var pat any
	json.Unmarshal([]byte(`{"eventName":["INSERT"],"dynamodb":{"Keys":{"PK":{"S":[{"prefix":"MAIL#"}]}}}}`), &pat)
	rec := func(name, pk string) map[string]any {
		return map[string]any{"eventName": name, "dynamodb": map[string]any{"Keys": map[string]any{"PK": map[string]any{"S": pk}}}}
	}
	if !matchesAny([]any{pat}, rec("INSERT", "MAIL#1")) {
		t.Error("a new mail does not pass")
	}
	if matchesAny([]any{pat}, rec("MODIFY", "MAIL#1")) || matchesAny([]any{pat}, rec("INSERT", "REQ#1")) {
		t.Error("a record the pattern excludes passes")
	}
}
