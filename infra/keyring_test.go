package main

import (
	"slices"
	"strings"
	"testing"
)

// TestSigningKeyring: the first deploy gives the secret a keyring through
// the custom resource, and every function that reads the secret is
// created after it.
func TestSigningKeyring(t *testing.T) {
	s := synth(t)
	secretID := logicalIDByPath(t, s, "AWS::SecretsManager::Secret", "SigningKeys/Resource")
	crs := s.resources("Custom::SigningKeyring")
	if len(crs) != 1 {
		t.Fatalf("got %d keyring resources, want 1", len(crs))
	}
	crID := logicalIDByPath(t, s, "Custom::SigningKeyring", "SigningKeyring/Default")
	p := props(crs[crID])
	if ref(p["SecretId"]) != secretID {
		t.Errorf("keyring resource SecretId = %s, want the signing-keys secret", toJSON(p["SecretId"]))
	}
	if p["ServiceTimeout"] == nil {
		t.Error("keyring resource has no ServiceTimeout: a function that dies would hold the deploy an hour")
	}
	fnID := getAtt(p["ServiceToken"], "Arn")
	fn, ok := s.resources("AWS::Lambda::Function")[fnID]
	if !ok || cdkPath(fn) != StackName+"/KeyringFunction/Resource" {
		t.Fatalf("keyring resource ServiceToken = %s, want the keyring function's ARN", toJSON(p["ServiceToken"]))
	}
	if fp := props(fn); fp["Runtime"] != "provided.al2023" || fp["Environment"] != nil {
		t.Errorf("keyring function runtime %v, environment %s; want provided.al2023 and no settings", fp["Runtime"], toJSON(fp["Environment"]))
	}

	// Its role may read and write that one secret, and write its log.
	roleID := getAtt(props(fn)["Role"], "Arn")
	role := s.resources("AWS::IAM::Role")[roleID]
	var actions []string
	for _, pol := range asList(props(role)["Policies"]) {
		doc := pol.(map[string]any)["PolicyDocument"].(map[string]any)
		for _, st := range asList(doc["Statement"]) {
			st := st.(map[string]any)
			for _, a := range asList(st["Action"]) {
				a := a.(string)
				actions = append(actions, a)
				if strings.HasPrefix(a, "secretsmanager:") && ref(st["Resource"]) != secretID {
					t.Errorf("keyring role: %s on %s, want only the signing-keys secret", a, toJSON(st["Resource"]))
				}
			}
		}
	}
	slices.Sort(actions)
	if want := []string{"logs:CreateLogStream", "logs:PutLogEvents", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"}; !slices.Equal(actions, want) {
		t.Errorf("keyring role actions %v, want %v", actions, want)
	}
	if ma := props(role)["ManagedPolicyArns"]; ma != nil {
		t.Errorf("keyring role has managed policies %s", toJSON(ma))
	}

	// The functions name the secret through the resource, so they are
	// created after it has run.
	for name, id := range s.functionsByName(t) {
		env, _ := props(s.resources("AWS::Lambda::Function")[id])["Environment"].(map[string]any)
		v, _ := env["Variables"].(map[string]any)
		got, has := v["TRUST_KEYS_SECRET"]
		if !has {
			continue
		}
		if ref(got) != crID {
			t.Errorf("%s TRUST_KEYS_SECRET = %s, want the keyring resource's Ref (the secret ARN)", name, toJSON(got))
		}
	}
}

// The rotation suppression says why the keyring is rotated by hand.
func TestSigningKeysRotationReason(t *testing.T) {
	s := synth(t)
	keysID := logicalIDByPath(t, s, "AWS::SecretsManager::Secret", "SigningKeys/Resource")
	md, _ := s.resources("AWS::SecretsManager::Secret")[keysID]["Metadata"].(map[string]any)
	nag, _ := md["cdk_nag"].(map[string]any)
	var reason string
	for _, r := range asList(nag["rules_to_suppress"]) {
		if rule := r.(map[string]any); rule["id"] == "AwsSolutions-SMG4" {
			reason, _ = rule["reason"].(string)
		}
	}
	for _, want := range []string{"keyring rotate", "links already sent", "replace"} {
		if !strings.Contains(reason, want) {
			t.Errorf("SMG4 reason %q lacks %q", reason, want)
		}
	}
}
