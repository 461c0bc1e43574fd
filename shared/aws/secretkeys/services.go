package secretkeys

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"trustcenter/shared/app"
)

// ServiceSecrets is the secret of the staff's outside services, one JSON
// object the operator fills after the first deploy (README): Slack's bot
// token and signing secret, the identity provider's client secret. An
// empty field leaves that service off.
type ServiceSecrets struct {
	SlackBotToken      string `json:"slack_bot_token"`
	SlackSigningSecret string `json:"slack_signing_secret"`
	OIDCClientSecret   string `json:"oidc_client_secret"`
}

// LoadServices reads secretID into c's secret settings.
func LoadServices(ctx context.Context, cfg aws.Config, secretID string, c *app.Config) error {
	data, err := read(ctx, NewClient(cfg), secretID)
	if err != nil {
		return err
	}
	var s ServiceSecrets
	if err := json.Unmarshal(data, &s); err != nil {
		// The value is never quoted: it is a secret.
		return fmt.Errorf("secret %s is not the services' JSON object (slack_bot_token, slack_signing_secret, oidc_client_secret)", secretID)
	}
	c.SlackToken, c.SlackSigningSecret, c.OIDCClientSecret = s.SlackBotToken, s.SlackSigningSecret, s.OIDCClientSecret
	return nil
}
