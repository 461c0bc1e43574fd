package functions_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/testkit/lambdatest"
	"trustcenter/shared/token"
	"trustcenter/shared/trust"
)

// cfnReply is what a custom resource sends back to CloudFormation.
type cfnReply struct {
	Status             string
	Reason             string
	PhysicalResourceID string `json:"PhysicalResourceId"`
	Data               map[string]any
}

// keyringEvent is the event of testdata/keyring-create.json made a
// requestType for the secret secretID, answering at responseURL. Update and
// Delete name the resource by the physical id Create returned, the secret.
func keyringEvent(t *testing.T, requestType, secretID, responseURL string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/keyring-create.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	ev["RequestType"], ev["ResponseURL"] = requestType, responseURL
	ev["ResourceProperties"].(map[string]any)["SecretId"] = secretID
	if requestType != "Create" {
		ev["PhysicalResourceId"] = secretID
	}
	if requestType == "Update" {
		ev["OldResourceProperties"] = ev["ResourceProperties"]
	}
	b, err = json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestKeyringResource runs the deployed custom resource's binary as
// CloudFormation does on a first deploy and on the next: the secret's
// generated placeholder becomes a keyring, which the second deploy keeps.
func TestKeyringResource(t *testing.T) {
	sm := lambdatest.NewSecretsManager(signed(t, "secretsmanager"))
	t.Cleanup(sm.Close)
	arn := sm.Put(keysSecret, "Xy7#placeholder-from-cloudformation")
	tr := newTrap(t)
	replies := make(chan cfnReply, 2)
	cfn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The response URL is a presigned S3 PUT.
		if r.Method != http.MethodPut {
			t.Errorf("reply with %s, want PUT", r.Method)
		}
		body, _ := io.ReadAll(r.Body)
		var reply cfnReply
		if err := json.Unmarshal(body, &reply); err != nil {
			t.Errorf("reply %s: %v", body, err)
		}
		replies <- reply
	}))
	t.Cleanup(cfn.Close)

	_, p := start(t, keyringFunction, env(t, keyringFunction, endpoints{dynamo: tr.URL, secrets: sm.URL, s3: tr.URL, trap: tr.URL}, "", ""))
	var first string
	for i, requestType := range []string{"Create", "Update", "Delete"} {
		ctx, cancel := context.WithTimeout(context.Background(), invokeTimeout)
		_, err := p.Invoke(ctx, keyringEvent(t, requestType, arn, cfn.URL+"/reply?X-Amz-Signature=x"))
		cancel()
		if err != nil {
			t.Fatalf("%s: %v", requestType, err)
		}
		reply := <-replies
		if reply.Status != "SUCCESS" || reply.PhysicalResourceID != arn {
			t.Fatalf("%s: reply %+v, want SUCCESS for %s", requestType, reply, arn)
		}
		v, _ := sm.Value(keysSecret)
		k, err := token.ParseKeyring([]byte(v))
		if err != nil {
			t.Fatalf("after %s the secret holds no keyring: %v", requestType, err)
		}
		if i == 0 {
			first = v
			if reply.Data["Created"] != true {
				t.Errorf("Create: Data %v, want Created true", reply.Data)
			}
		} else if v != first {
			t.Errorf("%s replaced the keyring (active %s)", requestType, k.Active)
		}
	}
	if c := tr.Calls(); len(c) > 0 {
		t.Errorf("requests to other AWS services: %v", c)
	}
}

// A deploy that cannot read the secret fails at once with the reason,
// rather than leaving CloudFormation waiting.
func TestKeyringResourceFailsWithReason(t *testing.T) {
	sm := lambdatest.NewSecretsManager(signed(t, "secretsmanager"))
	t.Cleanup(sm.Close)
	tr := newTrap(t)
	replies := make(chan cfnReply, 1)
	cfn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var reply cfnReply
		json.NewDecoder(r.Body).Decode(&reply)
		replies <- reply
	}))
	t.Cleanup(cfn.Close)
	_, p := start(t, keyringFunction, env(t, keyringFunction, endpoints{dynamo: tr.URL, secrets: sm.URL, s3: tr.URL, trap: tr.URL}, "", ""))
	ctx, cancel := context.WithTimeout(context.Background(), invokeTimeout)
	defer cancel()
	if _, err := p.Invoke(ctx, keyringEvent(t, "Create", "trustcenter/no-such-secret", cfn.URL)); err != nil {
		t.Fatal(err)
	}
	reply := <-replies
	if reply.Status != "FAILED" || !strings.Contains(reply.Reason, "trustcenter/no-such-secret") {
		t.Errorf("reply %+v, want FAILED naming the secret", reply)
	}
}

// A running function verifies a link signed by a key rotated into the
// secret after its cold start, by reading the secret again once, and
// forged kids after that cause no further reads.
func TestFunctionReloadsKeyringOnUnknownKid(t *testing.T) {
	w := newWorld(t)
	_, p := start(t, adminFunction, w.env(t, adminFunction))
	if res := invoke(t, p, "GET", "/admin/login"); res.StatusCode != http.StatusOK {
		t.Fatalf("GET /admin/login: %d", res.StatusCode)
	}
	before := w.secrets.Calls()

	// keyring rotate --secret, as an operator runs it.
	v, _ := w.secrets.Value(keysSecret)
	k, err := token.ParseKeyring([]byte(v))
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Rotate(time.Now()); err != nil {
		t.Fatal(err)
	}
	w.secrets.Put(keysSecret, string(k.Marshal()))

	// Another environment, already on the new key, mailed this link.
	now := time.Now()
	link, err := token.New(k, "trustcenter").Sign(trust.SignInLink, trust.Claims{Subject: "admin@example.com", ExpiresAt: now.Add(trust.SignInTTL)}, now)
	if err != nil {
		t.Fatal(err)
	}
	if res := invoke(t, p, "GET", "/admin/login/"+link); res.StatusCode != http.StatusOK {
		t.Fatalf("a link of the rotated-in key: %d, want 200\n%s", res.StatusCode, res.text(t))
	}
	if n := w.secrets.Calls() - before; n != 1 {
		t.Errorf("%d secret reads for the new kid, want 1", n)
	}

	stranger := &token.Keyring{}
	if err := stranger.Rotate(now); err != nil {
		t.Fatal(err)
	}
	forged, err := token.New(stranger, "trustcenter").Sign(trust.SignInLink, trust.Claims{Subject: "admin@example.com", ExpiresAt: now.Add(trust.SignInTTL)}, now)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if res := invoke(t, p, "GET", "/admin/login/"+forged); res.StatusCode == http.StatusOK {
			t.Fatal("a forged link was accepted")
		}
	}
	if n := w.secrets.Calls() - before; n != 1 {
		t.Errorf("forged kids right after a reload: %d secret reads in all, want still 1", n)
	}
}
