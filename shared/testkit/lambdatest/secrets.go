package lambdatest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"trustcenter/shared/token"
)

// SecretsManager is a fake AWS Secrets Manager endpoint for a function's
// cold start: GetSecretValue over the service's JSON 1.1 protocol, which is
// all the functions call, and PutSecretValue, which the deployment's keyring
// resource and `keyring rotate` call. Point AWS_ENDPOINT_URL_SECRETS_MANAGER
// at URL.
type SecretsManager struct {
	URL string

	srv *httptest.Server

	mu      sync.Mutex
	secrets map[string]secret // by name
	calls   int
}

type secret struct {
	name, arn, value string
	created          time.Time
	version          int // 0: the secret has no value yet
}

// NewSecretsManager starts the endpoint on a free loopback port. Close it
// when done. Each wrap, if given, goes around the endpoint's handler (for
// example a sigv4test.Handler, to check the callers' signatures).
func NewSecretsManager(wrap ...func(http.Handler) http.Handler) *SecretsManager {
	s := &SecretsManager{secrets: map[string]secret{}}
	var h http.Handler = http.HandlerFunc(s.serve)
	for _, w := range wrap {
		h = w(h)
	}
	s.srv = httptest.NewServer(h)
	s.URL = s.srv.URL
	return s
}

// Close stops the endpoint.
func (s *SecretsManager) Close() { s.srv.Close() }

// Put stores value as the secret name and returns its ARN; either may be
// used as the SecretId, as with the real service.
func (s *SecretsManager) Put(name, value string) string {
	// The real ARN ends in six random characters; fixed ones keep test
	// output stable.
	arn := "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + name + "-AbCdEf"
	s.mu.Lock()
	defer s.mu.Unlock()
	s.secrets[name] = secret{name: name, arn: arn, value: value, created: time.Now(), version: s.secrets[name].version + 1}
	return arn
}

// Create makes the secret name without a value, as a secret is between
// CreateSecret and its first PutSecretValue, and returns its ARN.
func (s *SecretsManager) Create(name string) string {
	arn := s.Put(name, "")
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.secrets[name]
	sec.version = 0
	s.secrets[name] = sec
	return arn
}

// Value is the current value of the secret name, and false when it has
// none.
func (s *SecretsManager) Value(name string) (string, bool) {
	sec, ok := s.lookup(name)
	return sec.value, ok && sec.version > 0
}

// PutKeyring stores a freshly generated signing keyring, in the JSON form
// shared/secretkeys reads, as the secret name. It returns the keyring and
// the secret's ARN (what the deployed functions get in TRUST_KEYS_SECRET).
func (s *SecretsManager) PutKeyring(name string) (*token.Keyring, string, error) {
	k := &token.Keyring{}
	if err := k.Rotate(time.Now()); err != nil {
		return nil, "", fmt.Errorf("lambdatest: generate keyring: %w", err)
	}
	return k, s.Put(name, string(k.Marshal())), nil
}

// Calls is how many requests the endpoint has received, answered or not.
func (s *SecretsManager) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func (s *SecretsManager) lookup(id string) (secret, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sec, ok := s.secrets[id]; ok {
		return sec, true
	}
	for _, sec := range s.secrets {
		if sec.arn == id {
			return sec, true
		}
	}
	return secret{}, false
}

func (s *SecretsManager) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()

	// Signatures are not verified, but a request must be signed for this
	// service: an unsigned one, or one signed for another service, means the
	// client's credentials or endpoint configuration is wrong.
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") {
		awsError(w, http.StatusBadRequest, "MissingAuthenticationTokenException", "Request is missing Authentication Token")
		return
	}
	if !strings.Contains(auth, "/secretsmanager/aws4_request") {
		awsError(w, http.StatusBadRequest, "InvalidSignatureException", "Credential should be scoped to correct service: 'secretsmanager'.")
		return
	}
	target := r.Header.Get("X-Amz-Target")
	if r.Method != http.MethodPost || (target != "secretsmanager.GetSecretValue" && target != "secretsmanager.PutSecretValue") {
		awsError(w, http.StatusBadRequest, "UnknownOperationException", "this fake answers only POST secretsmanager.GetSecretValue and PutSecretValue, not "+r.Method+" "+target)
		return
	}
	var in struct {
		SecretID     string  `json:"SecretId"`
		VersionID    string  `json:"VersionId"`
		VersionStage string  `json:"VersionStage"`
		SecretString *string `json:"SecretString"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&in); err != nil {
		awsError(w, http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	if in.SecretID == "" {
		awsError(w, http.StatusBadRequest, "InvalidParameterException", "SecretId is required.")
		return
	}
	sec, ok := s.lookup(in.SecretID)
	if !ok {
		awsError(w, http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
		return
	}
	var out []byte
	if target == "secretsmanager.PutSecretValue" {
		if in.SecretString == nil {
			awsError(w, http.StatusBadRequest, "InvalidParameterException", "this fake stores SecretString only.")
			return
		}
		s.Put(sec.name, *in.SecretString)
		sec, _ = s.lookup(sec.name)
		out, _ = json.Marshal(map[string]any{
			"ARN": sec.arn, "Name": sec.name, "VersionId": versionIDOf(sec.version), "VersionStages": []string{"AWSCURRENT"},
		})
	} else {
		// Only the current version exists here.
		if sec.version == 0 || (in.VersionID != "" && in.VersionID != versionIDOf(sec.version)) || (in.VersionStage != "" && in.VersionStage != "AWSCURRENT") {
			awsError(w, http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT")
			return
		}
		out, _ = json.Marshal(map[string]any{
			"ARN":           sec.arn,
			"Name":          sec.name,
			"SecretString":  sec.value,
			"VersionId":     versionIDOf(sec.version),
			"VersionStages": []string{"AWSCURRENT"},
			"CreatedDate":   float64(sec.created.UnixMilli()) / 1000,
		})
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Write(out)
}

// versionIDOf is the version id of the nth value the secret has held.
func versionIDOf(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

func awsError(w http.ResponseWriter, status int, typ, msg string) {
	body, _ := json.Marshal(map[string]string{"__type": typ, "message": msg})
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(status)
	w.Write(body)
}
