package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"trustcenter/shared/dynamostore"
	"trustcenter/shared/lambdaweb"
	"trustcenter/shared/s3blob"
	"trustcenter/shared/secretkeys"
	"trustcenter/shared/sesmail"
	"trustcenter/shared/token"
	"trustcenter/shared/trust"
	"trustcenter/shared/web"
)

// Function names one Lambda function: its handler and the settings it
// cannot start without. Each function gets only the engines it uses, which
// is also all its IAM role allows.
type Function struct {
	Name    string
	Handler func(web.Deps) http.Handler
	Needs   []string // environment variables
}

// The four functions, as infra/ deploys them.
var (
	PublicFunction   = Function{"public", web.Public, []string{"TRUST_TABLE", "TRUST_BASE_URL"}}
	AccessFunction   = Function{"access", web.Access, []string{"TRUST_TABLE", "TRUST_BASE_URL", "TRUST_KEYS_SECRET", "TRUST_MAIL_FROM", "TRUST_STAFF"}}
	DownloadFunction = Function{"download", web.Download, []string{"TRUST_TABLE", "TRUST_BASE_URL", "TRUST_KEYS_SECRET", "TRUST_BUCKET"}}
	AdminFunction    = Function{"admin", web.Admin, []string{"TRUST_TABLE", "TRUST_BASE_URL", "TRUST_KEYS_SECRET", "TRUST_MAIL_FROM", "TRUST_STAFF", "TRUST_BUCKET"}}
)

// Lambda is the whole main of a function: configuration and engines once
// per cold start, then requests. A missing setting fails the cold start
// with a message naming it.
func Lambda(f Function) {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("function", f.Name)
	slog.SetDefault(log)
	h, err := NewLambdaHandler(context.Background(), f, log)
	if err != nil {
		log.Error("cold start failed", "err", err)
		fmt.Fprintf(os.Stderr, "%s: cold start: %v\n", f.Name, err)
		os.Exit(1)
	}
	lambdaweb.Start(h)
}

// NewLambdaHandler builds f's handler on the AWS engines.
func NewLambdaHandler(ctx context.Context, f Function, log *slog.Logger) (http.Handler, error) {
	var missing []string
	for _, k := range f.Needs {
		if os.Getenv(k) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing settings: %s", strings.Join(missing, ", "))
	}
	c, err := FromEnv()
	if err != nil {
		return nil, err
	}
	site, err := LoadContent(c.ContentPath)
	if err != nil {
		return nil, err
	}
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("aws config: %w", err)
	}
	store := dynamostore.New(dynamodb.NewFromConfig(awsCfg), c.Table)
	var (
		blobs trust.Blobs
		mail  trust.Mailer
		keys  *token.Keyring
	)
	if c.Bucket != "" {
		blobs = s3blob.New(s3.NewFromConfig(awsCfg), c.Bucket)
	}
	if os.Getenv("TRUST_MAIL_FROM") != "" {
		mail = sesmail.New(sesv2.NewFromConfig(awsCfg), c.MailFrom)
	}
	if c.KeysSecret != "" {
		keys, err = secretkeys.Load(ctx, secretsmanager.NewFromConfig(awsCfg), c.KeysSecret)
		if err != nil {
			return nil, err
		}
	}
	svc := NewService(c, site, store, blobs, mail, keys, log)
	return f.Handler(web.Deps{Service: svc, Site: site, Log: log, RequestID: func(r *http.Request) string {
		return lambdaweb.RequestID(r.Context())
	}}), nil
}
