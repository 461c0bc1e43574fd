package main

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"trustcenter/shared/testkit/awsfake"
)

// grant is one action on one resource pattern that a statement allows,
// and, under a dynamodb:LeadingKeys condition, the key patterns.
type grant struct {
	sid, action, resource string
	keys                  []string // nil: no condition
}

// policy is a function's Allow statements with their resources resolved.
func (d *deployment) policy(f *simFunction) ([]grant, error) {
	s := &synthesized{template: d.tmpl}
	var out []grant
	for _, st := range s.policyStatements(d.t, f.id) {
		var keys []string
		for op, cond := range st.Condition {
			for k, v := range cond.(map[string]any) {
				if op != "ForAllValues:StringLike" || k != "dynamodb:LeadingKeys" {
					return nil, fmt.Errorf("statement %s: condition %s %s, which this check does not evaluate", st.Sid, op, k)
				}
				for _, p := range asList(v) {
					keys = append(keys, p.(string))
				}
			}
		}
		for _, r := range st.Resources {
			res, err := d.cfn.resolve(r)
			if err != nil {
				return nil, fmt.Errorf("statement %s: %v", st.Sid, err)
			}
			for _, a := range st.Actions {
				out = append(out, grant{sid: st.Sid, action: a, resource: res, keys: keys})
			}
		}
	}
	return out, nil
}

// like is IAM's StringLike (and the matching of actions and resources):
// * is any run of characters, ? any one; actions ignore case.
func like(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	return likeMatch(pattern, s)
}

func likeMatch(p, s string) bool {
	for len(p) > 0 {
		switch p[0] {
		case '*':
			for i := len(s); i >= 0; i-- {
				if likeMatch(p[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
			p, s = p[1:], s[1:]
		default:
			if s == "" || p[0] != s[0] {
				return false
			}
			p, s = p[1:], s[1:]
		}
	}
	return s == ""
}

// allows reports whether g allows call, and which key patterns it used.
func (g grant) allows(c awsfake.Call) (bool, []string) {
	if !like(g.action, c.Action, true) {
		return false, nil
	}
	hit := false
	for _, r := range c.Resources {
		if like(g.resource, r, false) {
			hit = true
		}
	}
	if !hit {
		return false, nil
	}
	if g.keys == nil {
		return true, nil
	}
	if c.KeysUnknown {
		return false, nil
	}
	var used []string
	for _, k := range c.LeadingKeys {
		ok := false
		for _, p := range g.keys {
			if like(p, k, false) {
				ok = true
				used = append(used, p)
				break
			}
		}
		if !ok {
			return false, nil
		}
	}
	return true, used
}

// leastPrivilege holds every call the walk made to its function's policy,
// both ways: a call the policy would deny fails the test; a permission no
// call used is reported.
func (d *deployment) leastPrivilege(t *testing.T) {
	d.t = t
	defer func() { d.t = nil }()
	calls := d.rec.Calls()
	if len(calls) == 0 {
		t.Fatal("the walk made no AWS calls")
	}
	byName := map[string]*simFunction{}
	for _, f := range d.fns {
		byName[f.name] = f
	}
	for _, f := range sortedFunctions(d.fns) {
		grants, err := d.policy(f)
		if err != nil {
			t.Errorf("%s: %v", f.name, err)
			continue
		}
		used := map[string]bool{}
		n := 0
		for _, c := range calls {
			if c.Principal != f.name {
				continue
			}
			n++
			allowed := false
			for _, g := range grants {
				if ok, keys := g.allows(c); ok {
					allowed = true
					used[g.sid+" "+g.action+" "+g.resource] = true
					for _, k := range keys {
						used[g.sid+" "+g.action+" "+g.resource+" "+k] = true
					}
				}
			}
			if !allowed {
				t.Errorf("DENIED: %s's policy does not allow %s on %v (keys %v%s)", f.name, c.Action, c.Resources, c.LeadingKeys, unknown(c))
			}
			if c.Service == "s3" {
				if sid, err := d.bucketDenies(f, c); err != nil {
					t.Error(err)
				} else if sid != "" {
					t.Errorf("DENIED: the bucket policy's %s refuses %s %s on %v", sid, f.name, c.Action, c.Resources)
				}
			}
		}
		var unused []string
		idents := linkedCode(t, f.name).idents
		for _, g := range grants {
			key := g.sid + " " + g.action + " " + g.resource
			if strings.HasPrefix(g.action, "logs:") {
				continue // Lambda itself writes the logs, not the code
			}
			if streamPoller[g.action] && len(d.triggers) > 0 {
				continue // Lambda's poller reads the stream for the event source mapping
			}
			if !used[key] && !callable(idents, g.action) {
				t.Errorf("DEAD PERMISSION: %s may %s on %s, but no code it links names that operation", f.name, g.action, g.resource)
				continue
			}
			if !used[key] {
				unused = append(unused, fmt.Sprintf("%s %s on %s", g.sid, g.action, g.resource))
				continue
			}
			for _, k := range g.keys {
				if !used[key+" "+k] {
					unused = append(unused, fmt.Sprintf("%s %s on %s for keys %s", g.sid, g.action, g.resource, k))
				}
			}
		}
		sort.Strings(unused)
		t.Logf("%s: %d AWS calls, all checked against its policy; granted but not used in the walk: %d", f.name, n, len(unused))
		for _, u := range unused {
			t.Logf("  unused: %s", u)
		}
	}
	for _, c := range calls {
		if byName[c.Principal] == nil {
			t.Errorf("a call no deployed function made: %+v", c)
		}
	}
}

func unknown(c awsfake.Call) string {
	if c.KeysUnknown {
		return ", keys unknown"
	}
	return ""
}

func sortedFunctions(fns map[string]*simFunction) []*simFunction {
	var out []*simFunction
	for _, f := range fns {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// transactional are the DynamoDB actions a transaction's items are
// authorised as, by the item's kind.
var transactional = map[string]string{"PutItem": "Put", "UpdateItem": "Update", "DeleteItem": "Delete", "ConditionCheckItem": "ConditionCheck", "GetItem": "Get"}

// callable reports whether code naming idents could make a call that
// needs action: it names the SDK operation (the method, its input type,
// its presigner) or, for DynamoDB, a transaction item authorised as it.
func callable(idents map[string]bool, action string) bool {
	service, op, _ := strings.Cut(action, ":")
	if idents[op] || idents[op+"Input"] || idents["Presign"+op] {
		return true
	}
	return service == "dynamodb" && idents[transactional[op]] && idents["TransactWriteItems"]
}

// bucketDenies returns the Sid of a Deny statement in the bucket's policy
// that refuses c by f, which IAM cannot overrule. The functions call S3
// over TLS 1.2 or later, as the SDK does in Lambda.
func (d *deployment) bucketDenies(f *simFunction, c awsfake.Call) (string, error) {
	role, err := d.cfn.resolve(props(d.cfn.resources[f.id])["Role"])
	if err != nil {
		return "", err
	}
	for id, r := range d.cfn.resources {
		if r["Type"] != "AWS::S3::BucketPolicy" {
			continue
		}
		doc, _ := props(r)["PolicyDocument"].(map[string]any)
		for _, st := range asList(doc["Statement"]) {
			m := st.(map[string]any)
			if m["Effect"] != "Deny" {
				continue
			}
			if p := m["Principal"]; toJSON(p) != `{"AWS":"*"}` && p != "*" {
				return "", fmt.Errorf("bucket policy %s: Deny for principal %s, which this check does not evaluate", id, toJSON(p))
			}
			hit := false
			for _, a := range asList(m["Action"]) {
				for _, res := range asList(m["Resource"]) {
					rs, err := d.cfn.resolve(res)
					if err != nil {
						return "", err
					}
					for _, cr := range c.Resources {
						hit = hit || (like(a.(string), c.Action, true) && like(rs, cr, false))
					}
				}
			}
			if !hit {
				continue
			}
			applies := true
			cond, _ := m["Condition"].(map[string]any)
			for op, kv := range cond {
				for k, v := range kv.(map[string]any) {
					switch {
					case op == "Bool" && k == "aws:SecureTransport":
						applies = applies && fmt.Sprint(v) == "true"
					case op == "NumericLessThan" && k == "s3:TlsVersion":
						applies = applies && fmt.Sprint(v) > "1.2"
					case op == "ArnNotEquals" && k == "aws:PrincipalArn":
						listed := false
						for _, a := range asList(v) {
							arn, err := d.cfn.resolve(a)
							if err != nil {
								return "", err
							}
							listed = listed || arn == role
						}
						applies = applies && !listed
					default:
						return "", fmt.Errorf("bucket policy %s: condition %s %s, which this check does not evaluate", id, op, k)
					}
				}
			}
			if applies {
				sid, _ := m["Sid"].(string)
				return id + "/" + sid, nil
			}
		}
	}
	return "", nil
}

// streamPoller are the actions an event source mapping's poller takes on a
// DynamoDB stream with the function's role; the function's code never does.
// sqs:SendMessage is the poller recording a failed batch in the mapping's
// on-failure queue.
var streamPoller = map[string]bool{
	"dynamodb:DescribeStream": true, "dynamodb:GetRecords": true,
	"dynamodb:GetShardIterator": true, "dynamodb:ListStreams": true,
	"sqs:SendMessage": true,
}
