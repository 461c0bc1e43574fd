// Package secretkeys loads the link-signing keyring from AWS Secrets Manager,
// in the same JSON form as the local key file.
package secretkeys

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

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
func Load(ctx context.Context, sm *secretsmanager.Client, secretID string) (*token.Keyring, error) {
	out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &secretID})
	if err != nil {
		return nil, trust.Unavailable(fmt.Errorf("secretkeys: read secret %q: %w", secretID, err))
	}
	if out.SecretString == nil {
		return nil, fmt.Errorf("secretkeys: secret %q has no string value (a binary secret is not a keyring)", secretID)
	}
	data := []byte(*out.SecretString)
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

// FromConfig reads the keyring of a Lambda function from secretID, with
// awsenv.Bounded retries; AWS_ENDPOINT_URL_SECRETS_MANAGER points it
// elsewhere.
func FromConfig(ctx context.Context, cfg aws.Config, secretID string) (*token.Keyring, error) {
	endpoint := awsenv.Endpoint(cfg, "SECRETS_MANAGER")
	sm := secretsmanager.NewFromConfig(awsenv.Bounded.Apply(cfg), func(o *secretsmanager.Options) { o.BaseEndpoint = endpoint })
	return Load(ctx, sm, secretID)
}
