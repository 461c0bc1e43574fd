package secretkeys_test

import (
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"trustcenter/shared/aws/secretkeys"
	"trustcenter/shared/testkit/sigv4test"
	"trustcenter/shared/token"
)

const secretID = "trustcenter/prod/link-keys"

var creds = aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret-test"}

// load reads secretID from the Secrets Manager at endpoint, as a function
// does.
func load(t *testing.T, endpoint string) (*token.Keyring, error) {
	t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", endpoint)
	return secretkeys.FromConfig(t.Context(), testConfig(), secretID)
}

func testConfig() aws.Config {
	return aws.Config{Region: "us-east-1", Credentials: credentials.StaticCredentialsProvider{Value: creds}}
}

// fakeSecretsManager answers GetSecretValue for secretID with value, the way
// the service's JSON 1.1 protocol does, and returns its endpoint and the
// count of calls.
func fakeSecretsManager(t *testing.T, value string) (string, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(&sigv4test.Handler{T: t, Creds: creds, Region: "us-east-1", Service: "secretsmanager", Next: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if target := r.Header.Get("X-Amz-Target"); r.Method != http.MethodPost || target != "secretsmanager.GetSecretValue" {
			t.Errorf("request %s X-Amz-Target %q, want POST secretsmanager.GetSecretValue", r.Method, target)
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"UnknownOperationException"}`)
			return
		}
		var in struct{ SecretId string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			t.Errorf("request body: %v", err)
		}
		if in.SecretId != secretID {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"ResourceNotFoundException","message":"Secrets Manager can't find the specified secret."}`)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{
			"ARN":          "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + secretID + "-AbCdEf",
			"Name":         secretID,
			"VersionId":    "v1",
			"SecretString": value,
		})
	})})
	t.Cleanup(srv.Close)
	return srv.URL, &calls
}

func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestLoadTwoKeys(t *testing.T) {
	c, calls := fakeSecretsManager(t, readFixture(t, "keyring.json"))
	k, err := load(t, c)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if calls.Load() != 1 {
		t.Errorf("GetSecretValue called %d times, want 1", calls.Load())
	}
	if k.Active != "k2025" {
		t.Errorf("active = %q, want k2025", k.Active)
	}
	if len(k.Keys) != 2 || k.Keys[0].ID != "k2024" || k.Keys[1].ID != "k2025" {
		t.Fatalf("keys = %v, want k2024 and k2025", ids(k.Keys))
	}
	// The seeds in the fixture are 1..32 and 101..132: the private keys must
	// be the ones derived from them, not fresh ones.
	for i, first := range []byte{1, 101} {
		seed := make([]byte, ed25519.SeedSize)
		for j := range seed {
			seed[j] = first + byte(j)
		}
		if !k.Keys[i].Private.Equal(ed25519.NewKeyFromSeed(seed)) {
			t.Errorf("key %s does not come from its stored seed", k.Keys[i].ID)
		}
	}
}

func TestLoadBadJSON(t *testing.T) {
	bad := readFixture(t, "bad.json")
	c, _ := fakeSecretsManager(t, bad)
	_, err := load(t, c)
	if err == nil {
		t.Fatal("Load accepted a secret that is not JSON")
	}
	msg := err.Error()
	if !strings.Contains(msg, secretID) || !strings.Contains(msg, "not valid JSON") {
		t.Errorf("error %q should name the secret and say it is not valid JSON", msg)
	}
	if strings.Contains(msg, "c2VjcmV0") {
		t.Errorf("error %q quotes the secret", msg)
	}
}

func TestLoadRejectsKeyringWithoutActiveKey(t *testing.T) {
	c, _ := fakeSecretsManager(t, strings.Replace(readFixture(t, "keyring.json"), `"active": "k2025"`, `"active": "k9"`, 1))
	_, err := load(t, c)
	if err == nil || !strings.Contains(err.Error(), secretID) || !strings.Contains(err.Error(), `"k9"`) {
		t.Fatalf("Load: err %v, want one naming the secret and the missing active key", err)
	}
}

func TestLoadServerDown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	endpoint := srv.URL
	srv.Close()
	_, err := load(t, endpoint)
	if err == nil {
		t.Fatal("Load succeeded with the server down")
	}
	msg := err.Error()
	if !strings.Contains(msg, secretID) {
		t.Errorf("error %q does not name the secret", msg)
	}
	fixture := readFixture(t, "keyring.json")
	var ring struct{ Keys []struct{ Seed string } }
	if err := json.Unmarshal([]byte(fixture), &ring); err != nil {
		t.Fatal(err)
	}
	for _, key := range ring.Keys {
		if strings.Contains(msg, key.Seed) {
			t.Errorf("error %q contains secret material", msg)
		}
	}
}

func ids(keys []token.Key) []string {
	var out []string
	for _, k := range keys {
		out = append(out, k.ID)
	}
	return out
}
