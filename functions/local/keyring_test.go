package main

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"trustcenter/shared/testkit/lambdatest"
	"trustcenter/shared/testkit/sigv4test"
	"trustcenter/shared/token"
)

var opCreds = aws.Credentials{AccessKeyID: "AKIDOPERATOR", SecretAccessKey: "operator-secret"}

// deployed is the stack's keyring secret on the Secrets Manager fake, which
// refuses requests not signed with the operator's credentials, and an
// environment holding those credentials as the standard chain reads them
// (and no shared config files).
func deployed(t *testing.T) (*lambdatest.SecretsManager, *token.Keyring, string) {
	t.Helper()
	sm := lambdatest.NewSecretsManager(func(h http.Handler) http.Handler {
		return &sigv4test.Handler{T: t, Creds: opCreds, Region: "eu-west-1", Service: "secretsmanager", Next: h}
	})
	t.Cleanup(sm.Close)
	k, arn, err := sm.PutKeyring("TrustCenter-SigningKeys")
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	for name, v := range map[string]string{
		"HOME":                             home,
		"AWS_CONFIG_FILE":                  filepath.Join(home, "no-config"),
		"AWS_SHARED_CREDENTIALS_FILE":      filepath.Join(home, "no-credentials"),
		"AWS_PROFILE":                      "",
		"AWS_EC2_METADATA_DISABLED":        "true",
		"AWS_REGION":                       "eu-west-1",
		"AWS_ACCESS_KEY_ID":                opCreds.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":            opCreds.SecretAccessKey,
		"AWS_SESSION_TOKEN":                "",
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": sm.URL,
	} {
		t.Setenv(name, v)
	}
	return sm, k, arn
}

func runKeyring(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := keyring(t.Context(), args, strings.NewReader(""), &out, time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	return out.String(), err
}

func stored(t *testing.T, sm *lambdatest.SecretsManager) *token.Keyring {
	t.Helper()
	v, _ := sm.Value("TrustCenter-SigningKeys")
	k, err := token.ParseKeyring([]byte(v))
	if err != nil {
		t.Fatalf("the secret holds no keyring: %v", err)
	}
	return k
}

// noSeeds fails if out shows any of k's key material.
func noSeeds(t *testing.T, out string, k *token.Keyring) {
	t.Helper()
	for _, key := range k.Keys {
		if strings.Contains(out, base64.StdEncoding.EncodeToString(key.Private.Seed())) {
			t.Errorf("output shows the seed of %s:\n%s", key.ID, out)
		}
	}
}

func TestKeyringRotateAndRemoveSecret(t *testing.T) {
	sm, first, arn := deployed(t)
	old := first.Active

	out, err := runKeyring(t, "rotate", "--secret", arn)
	if err != nil {
		t.Fatalf("rotate: %v\n%s", err, out)
	}
	k := stored(t, sm)
	if len(k.Keys) != 3 || k.Active == old || k.Keys[0].ID != old {
		t.Fatalf("after rotate: keys %v active %q; want %s kept and a new signing key", k.Keys, k.Active, old)
	}
	for _, want := range []string{k.Active + "  (signs)", "within 5m0s", "keyring remove --secret " + arn + " --kid " + old} {
		if !strings.Contains(out, want) {
			t.Errorf("rotate output lacks %q:\n%s", want, out)
		}
	}
	noSeeds(t, out, k)

	if out, err := runKeyring(t, "remove", "--secret", arn, "--kid", k.Active); err == nil || !strings.Contains(err.Error(), "signing key") {
		t.Errorf("remove of the signing key: err %v, want a refusal\n%s", err, out)
	}
	if _, err := runKeyring(t, "remove", "--secret", arn, "--kid", "no-such-kid"); err == nil {
		t.Error("remove of an unknown kid succeeded")
	}
	if n := len(stored(t, sm).Keys); n != 3 {
		t.Fatalf("refused removes left %d keys, want 3", n)
	}

	out, err = runKeyring(t, "remove", "--secret", arn, "--kid", old)
	if err != nil {
		t.Fatalf("remove: %v", err)
	}
	if got := stored(t, sm); len(got.Keys) != 2 || got.Keys[1].ID != k.Active || got.Keys[0].ID != k.Publishing {
		t.Errorf("after remove: keys %v, want only %s and the publication key", got.Keys, k.Active)
	}
	out2, err := runKeyring(t, "list", "--secret", arn)
	if err != nil || !strings.Contains(out2, "2 key(s)") || !strings.Contains(out2, k.Publishing+"  (signs trust.json)") || !strings.Contains(out2, k.Active+"  (signs)") {
		t.Errorf("list: %v\n%s", err, out2)
	}
	noSeeds(t, out+out2, k)
}

// The publication key rotates on its own; the old one stays published
// (in the JWKS) until removed, and the link key is untouched.
func TestKeyringRotatePublication(t *testing.T) {
	sm, first, arn := deployed(t)
	out, err := runKeyring(t, "rotate", "--secret", arn, "--purpose", "publication")
	if err != nil {
		t.Fatalf("rotate --purpose publication: %v\n%s", err, out)
	}
	k := stored(t, sm)
	if k.Active != first.Active || k.Publishing == first.Publishing || len(k.Published()) != 2 {
		t.Fatalf("after rotate: active %q publishing %q, %d publication keys; want %q kept and a second publication key", k.Active, k.Publishing, len(k.Published()), first.Active)
	}
	if !strings.Contains(out, "keyring remove --secret "+arn+" --kid "+first.Publishing) {
		t.Errorf("rotate output does not say how to retire %s:\n%s", first.Publishing, out)
	}
	if _, err := runKeyring(t, "rotate", "--secret", arn, "--purpose", "billing"); err == nil {
		t.Error("an unknown purpose was accepted")
	}
}

func TestKeyringRotateRefusesPlaceholder(t *testing.T) {
	sm, _, arn := deployed(t)
	sm.Put("TrustCenter-SigningKeys", "generated-placeholder")
	if _, err := runKeyring(t, "rotate", "--secret", arn); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Fatalf("rotate of a placeholder: err %v, want it refused", err)
	}
	if v, _ := sm.Value("TrustCenter-SigningKeys"); v != "generated-placeholder" {
		t.Error("a refused rotate wrote the secret")
	}
}

func TestKeyringServiceUnreachable(t *testing.T) {
	sm, _, arn := deployed(t)
	sm.Close()
	if _, err := runKeyring(t, "rotate", "--secret", arn); err == nil || !strings.Contains(err.Error(), arn) {
		t.Fatalf("rotate with the service unreachable: err %v, want one naming the secret", err)
	}
}

// The local key file rotates the same way, and a running server's Holder
// picks the new key up on its next reload.
func TestKeyringRotateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	first, err := token.LoadOrCreateFile(path, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	h, err := token.NewHolder(t.Context(), token.File(path), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runKeyring(t, "rotate", "--file", path); err != nil {
		t.Fatal(err)
	}
	now = now.Add(token.MaxAge)
	if k := h.Keyring(); k.Active == first.Active || len(k.Keys) != 3 {
		t.Errorf("after rotate --file and MaxAge: active %q of %d keys, want a new one", k.Active, len(k.Keys))
	}
}

func TestKeyringBadArguments(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"remove", "--secret", "arn:x"},
		{"rotate", "--secret", "arn:x", "--kid", "k1"},
		{"rotate", "--secret", "arn:x", "--file", "keys.json"},
		{"list"},
		{"remove", "--kid", "k1"},
		{"shred", "--file", "keys.json"},
		{"rotate", "--secret"},
		{"rotate", "extra"},
	} {
		if _, err := runKeyring(t, args...); err == nil {
			t.Errorf("keyring %v: no error", args)
		}
	}
}

func TestKeyringNewAndStdinRotate(t *testing.T) {
	out, err := runKeyring(t, "new")
	if err != nil {
		t.Fatal(err)
	}
	k, err := token.ParseKeyring([]byte(out))
	if err != nil || len(k.Keys) != 2 || k.Publishing == "" {
		t.Fatalf("new: %v, %v", k, err)
	}
	var rotated bytes.Buffer
	if err := keyring(t.Context(), []string{"rotate"}, strings.NewReader(out), &rotated, time.Now()); err != nil {
		t.Fatal(err)
	}
	if r, err := token.ParseKeyring(rotated.Bytes()); err != nil || len(r.Keys) != 3 {
		t.Errorf("rotate on stdin: %v, %v", r, err)
	}
}
