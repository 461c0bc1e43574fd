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
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"trustcenter/shared/aws/awsenv"
	"trustcenter/shared/aws/secretkeys"
	"trustcenter/shared/testkit/sigv4test"
	"trustcenter/shared/token"
)

const secretID = "trustcenter/prod/link-keys"

var creds = aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret-test"}

// service is Secrets Manager at endpoint, as FromConfig reaches it.
func service(t *testing.T, endpoint string) *awsenv.Service {
	t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", endpoint)
	sm := awsenv.NewService(aws.Config{Region: "us-east-1", Credentials: credentials.StaticCredentialsProvider{Value: creds}},
		"SECRETS_MANAGER", "secretsmanager", "secretsmanager")
	sm.Backoff = time.Millisecond
	return sm
}

// fakeSecretsManager answers GetSecretValue for secretID with value, the way
// the service's JSON 1.1 protocol does, and counts the calls.
func fakeSecretsManager(t *testing.T, value string) (*awsenv.Service, *atomic.Int32) {
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
	return service(t, srv.URL), &calls
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
	k, err := secretkeys.Load(t.Context(), c, secretID)
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
	_, err := secretkeys.Load(t.Context(), c, secretID)
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
	_, err := secretkeys.Load(t.Context(), c, secretID)
	if err == nil || !strings.Contains(err.Error(), secretID) || !strings.Contains(err.Error(), `"k9"`) {
		t.Fatalf("Load: err %v, want one naming the secret and the missing active key", err)
	}
}

func TestLoadServerDown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	endpoint := srv.URL
	srv.Close()
	_, err := secretkeys.Load(t.Context(), service(t, endpoint), secretID)
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

// TestRequestIsTheSDKClients: Load asks what the secretsmanager client asks
// for the same secret (method, path, target, content type, body), so real
// Secrets Manager takes it as it takes the client's.
func TestRequestIsTheSDKClients(t *testing.T) {
	type seen struct{ method, path, target, contentType, body string }
	capture := func(out *seen) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			data, _ := io.ReadAll(r.Body)
			*out = seen{r.Method, r.URL.Path, r.Header.Get("X-Amz-Target"), r.Header.Get("Content-Type"), string(data)}
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			io.WriteString(w, `{"Name":"x","SecretString":"{}"}`)
		}
	}
	var ours, sdk seen
	srv := httptest.NewServer(capture(&ours))
	defer srv.Close()
	secretkeys.Load(t.Context(), service(t, srv.URL), secretID) // "{}" is no keyring; the request is what counts
	srv2 := httptest.NewServer(capture(&sdk))
	defer srv2.Close()
	client := secretsmanager.New(secretsmanager.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv2.URL),
		Credentials: credentials.StaticCredentialsProvider{Value: creds}})
	if _, err := client.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(secretID)}); err != nil {
		t.Fatal(err)
	}
	if ours != sdk {
		t.Errorf("request differs from the secretsmanager client's:\n ours %+v\n sdk  %+v", ours, sdk)
	}
}
