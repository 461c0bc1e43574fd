// Package lambdaapp is a Lambda function's main: configuration read once at
// cold start, the AWS engines, the domain service and the handler behind the
// API Gateway adapter.
package lambdaapp

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"trustcenter/shared/app"
	"trustcenter/shared/aws/awsenv"
	"trustcenter/shared/aws/dynamostore"
	"trustcenter/shared/aws/lambdaweb"
	"trustcenter/shared/content"
	"trustcenter/shared/token"
	"trustcenter/shared/trust"
	"trustcenter/shared/web"
)

// Function is one Lambda function: its share of the web handlers and the
// engines beyond the table that it uses. A main names only what its function needs, so the
// linker leaves the other AWS clients out of its binary, and its IAM role
// allows only the calls those engines make.
type Function struct {
	Web   web.Function
	Blobs func(cfg aws.Config, bucket string) trust.Blobs     // e.g. s3blob.FromConfig
	Links func(cfg aws.Config, bucket string) trust.Presigner // e.g. s3blob.LinksFromConfig
	// Uploads presigns browser uploads straight to the bucket (the admin
	// function: s3blob.UploadsFromConfig); Inspect checks them before they
	// are published (stamp.Inspector).
	Uploads func(cfg aws.Config, bucket string) trust.Uploader
	Inspect trust.Inspector
	Mail    func(cfg aws.Config, from string) trust.Mailer                                   // e.g. sesmail.FromConfig
	Keys    func(ctx context.Context, cfg aws.Config, secret string) (*token.Keyring, error) // e.g. secretkeys.FromConfig
}

// needs lists the settings f cannot start without.
func (f Function) needs() []string {
	n := []string{"TRUST_TABLE", "TRUST_BASE_URL", "TRUST_CONTENT"}
	if f.Blobs != nil || f.Links != nil || f.Uploads != nil {
		n = append(n, "TRUST_BUCKET")
	}
	if f.Mail != nil {
		n = append(n, "TRUST_MAIL_FROM", "TRUST_STAFF")
	}
	if f.Keys != nil {
		n = append(n, "TRUST_KEYS_SECRET")
	}
	return n
}

// Lambda is the whole main of a function: configuration and engines once
// per cold start, then requests. A missing setting fails the cold start
// with a message naming it.
func Lambda(f Function) {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("function", f.Web.Name)
	slog.SetDefault(log)
	h, err := NewLambdaHandler(context.Background(), f, log)
	if err != nil {
		log.Error("cold start failed", "err", err)
		fmt.Fprintf(os.Stderr, "%s: cold start: %v\n", f.Web.Name, err)
		os.Exit(1)
	}
	lambdaweb.Start(h)
}

// NewLambdaHandler builds f's handler on the AWS engines.
func NewLambdaHandler(ctx context.Context, f Function, log *slog.Logger) (http.Handler, error) {
	var missing []string
	for _, k := range f.needs() {
		if os.Getenv(k) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing settings: %s", strings.Join(missing, ", "))
	}
	c, err := app.FromEnv()
	if err != nil {
		return nil, err
	}
	// The compiled form that make build checked and wrote: the YAML parser
	// stays out of the functions' binaries.
	site, err := content.LoadCompiled(c.ContentPath)
	if err != nil {
		return nil, err
	}
	awsCfg, err := awsenv.Config()
	if err != nil {
		return nil, err
	}
	clock := trust.SystemClock
	e := trust.Engines{Store: dynamostore.FromConfig(awsCfg, c.Table, clock), Clock: clock, Log: log}
	var keys *token.Keyring
	if f.Blobs != nil {
		e.Blobs = f.Blobs(awsCfg, c.Bucket)
	}
	if f.Links != nil {
		e.Links = f.Links(awsCfg, c.Bucket)
	}
	if f.Uploads != nil {
		e.Uploads = f.Uploads(awsCfg, c.Bucket)
	}
	e.Inspect = f.Inspect
	if f.Mail != nil {
		e.Mail = f.Mail(awsCfg, c.MailFrom)
	}
	if f.Keys != nil {
		if keys, err = f.Keys(ctx, awsCfg, c.KeysSecret); err != nil {
			return nil, err
		}
	}
	svc := app.NewService(c, site, keys, e)
	return web.New(web.Deps{Service: svc, Site: site, Log: log, RequestID: func(r *http.Request) string {
		return lambdaweb.RequestID(r.Context())
	}}, f.Web), nil
}
