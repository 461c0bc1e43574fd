// Package secretkeys loads the link-signing keyring from AWS Secrets Manager,
// in the same JSON form as the local key file.
package secretkeys

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"

	"trustcenter/shared/aws/awsenv"
	"trustcenter/shared/token"
	"trustcenter/shared/trust"
)

// Load reads the secret secretID once and parses it as a keyring. Call it at
// cold start, not per request: rotation adds a key and redeploys, and the
// previous keys stay in the secret so links already issued keep verifying.
//
// Errors name the secret but never quote its value, since they end up in the
// function's log.
//
// The call is GetSecretValue in the service's JSON 1.1 protocol, made through
// awsenv.Service rather than the secretsmanager client (binary size); a
// test holds the request to the client's.
func Load(ctx context.Context, sm *awsenv.Service, secretID string) (*token.Keyring, error) {
	in, err := json.Marshal(struct{ SecretId string }{secretID})
	if err != nil {
		return nil, err
	}
	data, err := sm.Call(ctx, http.MethodPost, "/", http.Header{
		"Content-Type": {"application/x-amz-json-1.1"},
		"X-Amz-Target": {"secretsmanager.GetSecretValue"},
	}, in)
	if err != nil {
		return nil, trust.Unavailable(fmt.Errorf("secretkeys: read secret %q: %w", secretID, err))
	}
	var out struct{ SecretString *string }
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, trust.Unavailable(fmt.Errorf("secretkeys: read secret %q: the answer is not GetSecretValue's", secretID))
	}
	if out.SecretString == nil {
		return nil, fmt.Errorf("secretkeys: secret %q has no string value (a binary secret is not a keyring)", secretID)
	}
	data = []byte(*out.SecretString)
	// json's syntax errors quote the offending character; checking first
	// keeps even that much of the secret out of the message.
	if !json.Valid(data) {
		return nil, fmt.Errorf("secretkeys: secret %q is not valid JSON; want {\"active\":\"<kid>\",\"keys\":[{\"kid\":\"<kid>\",\"seed\":\"<base64>\"}]}", secretID)
	}
	k, err := token.ParseKeyring(data)
	if err != nil {
		return nil, fmt.Errorf("secretkeys: secret %q: %w", secretID, err)
	}
	return k, nil
}

// FromConfig reads the keyring of a Lambda function from secretID;
// AWS_ENDPOINT_URL_SECRETS_MANAGER points it elsewhere.
func FromConfig(ctx context.Context, cfg aws.Config, secretID string) (*token.Keyring, error) {
	return Load(ctx, awsenv.NewService(cfg, "SECRETS_MANAGER", "secretsmanager", "secretsmanager"), secretID)
}
