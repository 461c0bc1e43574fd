package secretkeys

import (
	"context"
	"errors"
	"log/slog"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"

	"trustcenter/shared/aws/awsenv"
)

// ResourceType is the deployment's custom resource that runs Ensure.
const ResourceType = "Custom::SigningKeyring"

// Resource is the custom resource's handler (functions/keyring): on Create
// and Update it Ensures the secret named by the SecretId property holds a
// keyring; on Delete it does nothing, since the secret outlives the stack
// and its keys still verify the links already sent. The physical id is the
// secret, so pointing the resource at another secret replaces it.
//
// config is called per event rather than at cold start: a cold start that
// fails never answers CloudFormation, which then waits an hour, while an
// error here fails the deploy at once with its reason.
func Resource(config func() (aws.Config, error), log *slog.Logger) cfn.CustomResourceFunction {
	return func(ctx context.Context, e cfn.Event) (string, map[string]any, error) {
		secretID, _ := e.ResourceProperties["SecretId"].(string)
		if e.RequestType == cfn.RequestDelete {
			return e.PhysicalResourceID, nil, nil
		}
		if secretID == "" {
			return "", nil, errors.New("keyring resource: property SecretId is missing")
		}
		cfg, err := config()
		if err != nil {
			return "", nil, err
		}
		created, err := Ensure(ctx, NewClient(cfg), secretID)
		if err != nil {
			return "", nil, err
		}
		log.Info("signing keyring", "request", e.RequestType, "secret", secretID, "created", created)
		return secretID, map[string]any{"Created": created}, nil
	}
}

// Handler is Resource on the function's own role, answering CloudFormation
// at the event's ResponseURL.
func Handler(log *slog.Logger) cfn.CustomResourceLambdaFunction {
	return cfn.LambdaWrap(Resource(awsenv.Config, log))
}
