package main

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"regexp"
	"strings"
)

// cfn resolves a template's values as CloudFormation would on a first
// deploy, to the names the simulation gives each resource: Ref, Fn::GetAtt,
// Fn::Join, Fn::Sub, the pseudo parameters and Secrets Manager dynamic
// references. Anything else is an error, so that a template the
// simulation does not understand fails it instead of passing unseen.
type cfn struct {
	region, account string
	resources       map[string]map[string]any
	refs            map[string]string // logical id → Ref
	atts            map[string]string // "id.Attr" → Fn::GetAtt
	secretValues    map[string]string // secret ARN → SecretString
}

func newCFN(tmpl map[string]any, region, account string) *cfn {
	c := &cfn{region: region, account: account, resources: map[string]map[string]any{},
		refs: map[string]string{}, atts: map[string]string{}, secretValues: map[string]string{}}
	for id, r := range tmpl["Resources"].(map[string]any) {
		c.resources[id] = r.(map[string]any)
	}
	arn := func(service, rest string) string {
		return "arn:aws:" + service + ":" + region + ":" + account + ":" + rest
	}
	for id, r := range c.resources {
		// Generated physical names: the stack name, the logical id and a
		// suffix, as CloudFormation makes them.
		name := StackName + "-" + id + "-SIM1"
		c.refs[id] = name
		switch r["Type"] {
		case "AWS::DynamoDB::Table":
			c.atts[id+".Arn"] = arn("dynamodb", "table/"+name)
			c.atts[id+".StreamArn"] = arn("dynamodb", "table/"+name+"/stream/2026-01-01T00:00:00.000")
		case "AWS::S3::Bucket":
			b := strings.ToLower(name)
			c.refs[id] = b
			c.atts[id+".Arn"] = "arn:aws:s3:::" + b
			c.atts[id+".DomainName"] = b + ".s3.amazonaws.com"
			c.atts[id+".RegionalDomainName"] = b + ".s3." + region + ".amazonaws.com"
		case "AWS::Logs::LogGroup":
			c.atts[id+".Arn"] = arn("logs", "log-group:"+name+":*")
		case "AWS::IAM::Role":
			c.atts[id+".Arn"] = "arn:aws:iam::" + account + ":role/" + name
		case "AWS::Lambda::Function":
			c.atts[id+".Arn"] = arn("lambda", "function:"+name)
		case "AWS::SNS::Topic":
			c.refs[id] = arn("sns", name)
		case "AWS::SQS::Queue":
			c.refs[id] = "https://sqs." + region + ".amazonaws.com/" + account + "/" + name
			c.atts[id+".Arn"] = arn("sqs", name)
			c.atts[id+".QueueName"] = name
		case "AWS::CloudFront::Distribution":
			c.refs[id] = "E2SIM" + strings.ToUpper(id[:4])
			c.atts[id+".DomainName"] = "d111111abcdef8.cloudfront.net"
		case "AWS::ApiGatewayV2::Api":
			c.refs[id] = "a1b2c3d4e5"
			c.atts[id+".ApiEndpoint"] = "https://a1b2c3d4e5.execute-api." + region + ".amazonaws.com"
		}
	}
	return c
}

// setSecret records the ARN the secret id got and the value it holds.
func (c *cfn) setSecret(id, arn, value string) {
	c.refs[id] = arn
	c.atts[id+".Id"] = arn
	c.secretValues[arn] = value
}

var pseudo = map[string]func(c *cfn) string{
	"AWS::Partition": func(*cfn) string { return "aws" },
	"AWS::Region":    func(c *cfn) string { return c.region },
	"AWS::AccountId": func(c *cfn) string { return c.account },
	"AWS::URLSuffix": func(*cfn) string { return "amazonaws.com" },
	"AWS::StackName": func(*cfn) string { return StackName },
}

func (c *cfn) ref(name string) (string, error) {
	if f, ok := pseudo[name]; ok {
		return f(c), nil
	}
	if v, ok := c.refs[name]; ok {
		return v, nil
	}
	return "", fmt.Errorf("Ref %s: no such resource", name)
}

func (c *cfn) getAtt(id, attr string) (string, error) {
	if v, ok := c.atts[id+"."+attr]; ok {
		return v, nil
	}
	return "", fmt.Errorf("Fn::GetAtt %s.%s: the simulation gives %s no such attribute", id, attr, id)
}

var dynamicRefRE = regexp.MustCompile(`\{\{resolve:secretsmanager:(arn:[^:]+:secretsmanager:[^:]+:[^:]+:secret:[^:]+):SecretString:([^:]*):([^:]*):([^:]*)\}\}`)

// resolve is v as CloudFormation hands it to the resource.
func (c *cfn) resolve(v any) (string, error) {
	s, err := c.eval(v)
	if err != nil {
		return "", err
	}
	var bad error
	s = dynamicRefRE.ReplaceAllStringFunc(s, func(m string) string {
		p := dynamicRefRE.FindStringSubmatch(m)
		val, ok := c.secretValues[p[1]]
		if !ok || p[2] != "" || p[3] != "" || p[4] != "" {
			bad = fmt.Errorf("dynamic reference %s: no such secret, or a JSON key or version this simulation does not resolve", m)
		}
		return val
	})
	if bad == nil && strings.Contains(s, "{{resolve:") {
		bad = fmt.Errorf("unresolved dynamic reference in %q", s)
	}
	return s, bad
}

func (c *cfn) eval(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case float64:
		return fmt.Sprint(x), nil
	case bool:
		return fmt.Sprint(x), nil
	case map[string]any:
		if len(x) != 1 {
			break
		}
		for fn, arg := range x {
			switch fn {
			case "Ref":
				name, _ := arg.(string)
				return c.ref(name)
			case "Fn::GetAtt":
				a, _ := arg.([]any)
				if len(a) == 2 {
					id, _ := a[0].(string)
					attr, _ := a[1].(string)
					return c.getAtt(id, attr)
				}
			case "Fn::Join":
				a, _ := arg.([]any)
				if len(a) == 2 {
					sep, _ := a[0].(string)
					parts, _ := a[1].([]any)
					var out []string
					for _, p := range parts {
						s, err := c.eval(p)
						if err != nil {
							return "", err
						}
						out = append(out, s)
					}
					return strings.Join(out, sep), nil
				}
			case "Fn::Sub":
				var tmpl string
				vars := map[string]any{}
				switch a := arg.(type) {
				case string:
					tmpl = a
				case []any:
					if len(a) == 2 {
						tmpl, _ = a[0].(string)
						vars, _ = a[1].(map[string]any)
					}
				}
				var bad error
				out := regexp.MustCompile(`\$\{([^}!]+)\}`).ReplaceAllStringFunc(tmpl, func(m string) string {
					name := m[2 : len(m)-1]
					var s string
					var err error
					if v, ok := vars[name]; ok {
						s, err = c.eval(v)
					} else if id, attr, ok := strings.Cut(name, "."); ok {
						s, err = c.getAtt(id, attr)
					} else {
						s, err = c.ref(name)
					}
					if err != nil && bad == nil {
						bad = err
					}
					return s
				})
				return out, bad
			}
		}
	}
	return "", fmt.Errorf("the simulation cannot resolve %s", toJSON(v))
}

// generateSecretString is a value as Secrets Manager generates it for a
// secret's GenerateSecretString (its defaults: 32 characters of letters,
// digits and punctuation).
func generateSecretString(gen map[string]any) (string, error) {
	n := 32
	if l, ok := gen["PasswordLength"].(float64); ok {
		n = int(l)
	}
	var chars string
	if gen["ExcludeUppercase"] != true {
		chars += "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	}
	if gen["ExcludeLowercase"] != true {
		chars += "abcdefghijklmnopqrstuvwxyz"
	}
	if gen["ExcludeNumbers"] != true {
		chars += "0123456789"
	}
	if gen["ExcludePunctuation"] != true {
		chars += "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
	}
	if gen["IncludeSpace"] == true {
		chars += " "
	}
	if ex, ok := gen["ExcludeCharacters"].(string); ok {
		chars = strings.Map(func(r rune) rune {
			if strings.ContainsRune(ex, r) {
				return -1
			}
			return r
		}, chars)
	}
	if chars == "" {
		return "", fmt.Errorf("GenerateSecretString %s leaves no characters", toJSON(gen))
	}
	b := make([]byte, n)
	for i := range b {
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(chars))))
		if err != nil {
			return "", err
		}
		b[i] = chars[k.Int64()]
	}
	pw := string(b)
	if key, ok := gen["GenerateStringKey"].(string); ok {
		tmpl, _ := gen["SecretStringTemplate"].(string)
		if !strings.HasSuffix(strings.TrimSpace(tmpl), "}") {
			return "", fmt.Errorf("GenerateSecretString with GenerateStringKey needs a JSON SecretStringTemplate")
		}
		t := strings.TrimSuffix(strings.TrimSpace(tmpl), "}")
		if strings.TrimSpace(t) != "{" {
			t += ","
		}
		return t + fmt.Sprintf("%q:%q}", key, pw), nil
	}
	return pw, nil
}

// secretValue is what CloudFormation puts into a new AWS::SecretsManager::Secret.
func (c *cfn) secretValue(id string) (string, error) {
	p := props(c.resources[id])
	if s, ok := p["SecretString"]; ok {
		return c.resolve(s)
	}
	gen, _ := p["GenerateSecretString"].(map[string]any)
	if gen == nil {
		// CloudFormation requires one of the two; CDK writes an empty
		// GenerateSecretString when given neither.
		return "", fmt.Errorf("secret %s has neither SecretString nor GenerateSecretString", id)
	}
	return generateSecretString(gen)
}
