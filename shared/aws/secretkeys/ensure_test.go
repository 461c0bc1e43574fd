package secretkeys_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/aws/secretkeys"
	"trustcenter/shared/testkit/lambdatest"
	"trustcenter/shared/testkit/sigv4test"
	"trustcenter/shared/token"
)

// signedSecrets is the Secrets Manager fake, refusing requests that are not
// signed with creds for secretsmanager.
func signedSecrets(t *testing.T) *lambdatest.SecretsManager {
	t.Helper()
	sm := lambdatest.NewSecretsManager(func(h http.Handler) http.Handler {
		return &sigv4test.Handler{T: t, Creds: creds, Region: "us-east-1", Service: "secretsmanager", Next: h}
	})
	t.Cleanup(sm.Close)
	t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", sm.URL)
	return sm
}

func client(t *testing.T) secretkeys.Client {
	t.Helper()
	return secretkeys.NewClient(testConfig())
}

func stored(t *testing.T, sm *lambdatest.SecretsManager) *token.Keyring {
	t.Helper()
	v, ok := sm.Value(secretID)
	if !ok {
		t.Fatal("the secret has no value")
	}
	k, err := token.ParseKeyring([]byte(v))
	if err != nil {
		t.Fatalf("the secret holds no keyring: %v", err)
	}
	return k
}

func TestEnsureReplacesPlaceholder(t *testing.T) {
	for name, setup := range map[string]func(*lambdatest.SecretsManager) string{
		// What CloudFormation leaves: a generated password.
		"generated placeholder": func(sm *lambdatest.SecretsManager) string {
			return sm.Put(secretID, `x9#Lq"v,2Zp{T]8m!RkW0s&Yd^Jf4N@c`)
		},
		"no value":   func(sm *lambdatest.SecretsManager) string { return sm.Create(secretID) },
		"other JSON": func(sm *lambdatest.SecretsManager) string { return sm.Put(secretID, `{"password":"x"}`) },
	} {
		t.Run(name, func(t *testing.T) {
			sm := signedSecrets(t)
			arn := setup(sm)
			created, err := secretkeys.Ensure(t.Context(), client(t), arn)
			if err != nil || !created {
				t.Fatalf("Ensure = %v, %v; want a keyring created", created, err)
			}
			k := stored(t, sm)
			if len(k.Keys) != 2 || len(k.Published()) != 1 || k.Publishing == "" {
				t.Errorf("%d keys (%d publication, signing %q), want one link key and one publication key", len(k.Keys), len(k.Published()), k.Publishing)
			}
			// What the functions read at cold start.
			if _, err := secretkeys.Load(t.Context(), client(t), arn); err != nil {
				t.Errorf("Load after Ensure: %v", err)
			}
		})
	}
}

func TestEnsureKeepsKeyring(t *testing.T) {
	sm := signedSecrets(t)
	want, arn, err := sm.PutKeyring(secretID)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // a second deploy, and a third
		created, err := secretkeys.Ensure(t.Context(), client(t), arn)
		if err != nil || created {
			t.Fatalf("Ensure = %v, %v; want the keyring kept", created, err)
		}
	}
	if got := stored(t, sm); string(got.Marshal()) != string(want.Marshal()) {
		t.Error("Ensure changed a valid keyring")
	}
}

// A keyring from before publication keys gains one on the next deploy and
// keeps its link keys, so the links already sent keep working.
func TestEnsureAddsPublicationKey(t *testing.T) {
	sm := signedSecrets(t)
	old := `{"active":"k1","keys":[{"kid":"k1","seed":"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="}]}`
	arn := sm.Put(secretID, old)
	created, err := secretkeys.Ensure(t.Context(), client(t), arn)
	if err != nil || !created {
		t.Fatalf("Ensure = %v, %v; want a publication key written", created, err)
	}
	k := stored(t, sm)
	if k.Active != "k1" || len(k.Keys) != 2 || len(k.Published()) != 1 || k.Published()[0].ID != k.Publishing {
		t.Fatalf("after Ensure: active %q, keys %v, publishing %q; want k1 kept and one publication key", k.Active, ids(k.Keys), k.Publishing)
	}
	if created, err := secretkeys.Ensure(t.Context(), client(t), arn); err != nil || created {
		t.Fatalf("second Ensure = %v, %v; want the keyring kept", created, err)
	}
}

func TestEnsureRefusesBrokenKeyring(t *testing.T) {
	sm := signedSecrets(t)
	broken := `{"active":"k2","keys":[{"kid":"k1","seed":"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="}]}`
	sm.Put(secretID, broken)
	created, err := secretkeys.Ensure(t.Context(), client(t), secretID)
	if err == nil || created || !strings.Contains(err.Error(), `"k2"`) {
		t.Fatalf("Ensure of a keyring without its active key = %v, %v; want an error naming it", created, err)
	}
	if v, _ := sm.Value(secretID); v != broken {
		t.Error("Ensure replaced a keyring an operator can still repair")
	}
}

func TestEnsureDoesNotWriteWhenUnreadable(t *testing.T) {
	srv := signedSecrets(t)
	srv.Close() // every call fails to connect
	created, err := secretkeys.Ensure(t.Context(), client(t), secretID)
	if err == nil || created {
		t.Fatalf("Ensure with the service down = %v, %v; want an error", created, err)
	}
	if !strings.Contains(err.Error(), secretID) {
		t.Errorf("error %q does not name the secret", err)
	}
}

func TestSaveThenLoad(t *testing.T) {
	sm := signedSecrets(t)
	k, arn, err := sm.PutKeyring(secretID)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Rotate(time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := secretkeys.Save(t.Context(), client(t), arn, k); err != nil {
		t.Fatal(err)
	}
	got, err := secretkeys.Load(t.Context(), client(t), arn)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Marshal()) != string(k.Marshal()) {
		t.Errorf("Load after Save: keys %v active %q, want %v active %q", ids(got.Keys), got.Active, ids(k.Keys), k.Active)
	}
}
