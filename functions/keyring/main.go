// Command keyring is the deployment's custom resource that gives the
// signing-keys secret its first keyring (secretkeys.Ensure), so the first
// deploy works without anyone handling a key.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"trustcenter/shared/aws/secretkeys"
)

func main() {
	lambda.Start(secretkeys.Handler(slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("function", "keyring")))
}
