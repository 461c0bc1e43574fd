// Package secretkeys keeps the link-signing keyring in AWS Secrets Manager,
// in the same JSON form as the local key file: it reads it for the
// functions, creates it on the first deploy (Ensure) and writes it back
// (Save) for `keyring rotate --secret`.
package secretkeys

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"trustcenter/shared/aws/awsenv"
	"trustcenter/shared/token"
	"trustcenter/shared/trust"
)

// Client is the part of the Secrets Manager API the keyring needs; a
// *secretsmanager.Client is one.
type Client interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
}

var _ Client = (*secretsmanager.Client)(nil)

// errNoValue is a secret that exists but has never been given a value.
var errNoValue = errors.New("the secret has no value")

// Load reads the secret secretID and parses it as a keyring. A function
// calls it at cold start and then through its token.Holder every few
// minutes, so a rotation (keyring rotate --secret) reaches it without a
// redeploy; the previous keys stay in the secret so links already issued
// keep verifying.
//
// Errors name the secret but never quote its value, since they end up in the
// function's log.
func Load(ctx context.Context, sm Client, secretID string) (*token.Keyring, error) {
	data, err := read(ctx, sm, secretID)
	if err != nil {
		return nil, err
	}
	return parse(secretID, data)
}

func read(ctx context.Context, sm Client, secretID string) ([]byte, error) {
	out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &secretID})
	var notFound *types.ResourceNotFoundException
	if errors.As(err, &notFound) {
		// Also what a secret without a current value answers; Ensure
		// gives it one.
		return nil, fmt.Errorf("secretkeys: read secret %q: %w (%w)", secretID, errNoValue, err)
	}
	if err != nil {
		return nil, trust.Unavailable(fmt.Errorf("secretkeys: read secret %q: %w", secretID, err))
	}
	if out.SecretString == nil {
		return nil, fmt.Errorf("secretkeys: secret %q has no string value (a binary secret is not a keyring)", secretID)
	}
	return []byte(*out.SecretString), nil
}

func parse(secretID string, data []byte) (*token.Keyring, error) {
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

func write(ctx context.Context, sm Client, secretID string, k *token.Keyring) error {
	if _, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId:     &secretID,
		SecretString: aws.String(string(k.Marshal())),
	}); err != nil {
		return fmt.Errorf("secretkeys: write secret %q: %w", secretID, err)
	}
	return nil
}

// Ensure gives secretID a keyring when it does not hold one: on the first
// deploy the secret holds CloudFormation's generated placeholder, or no
// value at all, and Ensure replaces it with one fresh signing key. A
// secret that holds a valid keyring is left as it is, so running Ensure on
// every deploy is safe, except that a keyring without a publication key
// is given one. created says whether it wrote.
//
// A secret that cannot be read (access denied, the service unreachable), or
// that holds a keyring with a mistake in it (a hand edit gone wrong), is an
// error, never a reason to write: that would replace the keys of links
// already sent.
func Ensure(ctx context.Context, sm Client, secretID string) (created bool, err error) {
	data, err := read(ctx, sm, secretID)
	if err == nil {
		k, perr := parse(secretID, data)
		if perr == nil {
			// A keyring from before publication keys gets one, and
			// keeps every key it has.
			added, err := k.EnsurePublication(time.Now())
			if err != nil || !added {
				return false, err
			}
			return true, write(ctx, sm, secretID, k)
		}
		if attempted(data) {
			return false, fmt.Errorf("%w; fix the secret's value (the deployment replaces only a value that is not a keyring at all)", perr)
		}
	} else if !errors.Is(err, errNoValue) {
		return false, err
	}
	k := &token.Keyring{}
	if err := k.Rotate(time.Now()); err != nil {
		return false, err
	}
	if err := write(ctx, sm, secretID, k); err != nil {
		return false, err
	}
	return true, nil
}

// attempted says whether data was meant as a keyring: a JSON object with
// keys.
func attempted(data []byte) bool {
	var v struct {
		Keys json.RawMessage `json:"keys"`
	}
	return json.Unmarshal(data, &v) == nil && v.Keys != nil
}

// Save writes k as the new current value of secretID (keyring rotate and
// remove). Functions read it within token.MaxAge.
//
// Two changes at once can lose one (Secrets Manager has no compare-and-set);
// whichever lands is a valid keyring.
func Save(ctx context.Context, sm Client, secretID string, k *token.Keyring) error {
	return write(ctx, sm, secretID, k)
}

// NewClient is the Secrets Manager client of the engines, with
// awsenv.Bounded retries; AWS_ENDPOINT_URL_SECRETS_MANAGER points it
// elsewhere.
func NewClient(cfg aws.Config) *secretsmanager.Client {
	endpoint := awsenv.Endpoint(cfg, "SECRETS_MANAGER")
	return secretsmanager.NewFromConfig(awsenv.Bounded.Apply(cfg), func(o *secretsmanager.Options) { o.BaseEndpoint = endpoint })
}

// FromConfig reads the keyring of a Lambda function from secretID (see
// NewClient).
func FromConfig(ctx context.Context, cfg aws.Config, secretID string) (*token.Keyring, error) {
	return Load(ctx, NewClient(cfg), secretID)
}
