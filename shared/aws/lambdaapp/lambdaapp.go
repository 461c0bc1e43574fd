// Package lambdaapp is a Lambda function's main: configuration read once at
// cold start, the AWS engines, the domain service and the handler behind the
// API Gateway adapter.
package lambdaapp

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"time"

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
	Keys    func(ctx context.Context, cfg aws.Config, secret string) (*token.Keyring, error) // e.g. secretkeys.FromConfig
	// Stamper makes and reads stamped copies (stamp.Engine{}): only the
	// functions that deliver or trace copies link the PDF library.
	Stamper trust.Stamper
	// SignedNDA writes signed NDAs as PDFs (ndapdf.Engine{}): the console's.
	SignedNDA trust.NDARenderer
	// Staff is set for the functions whose routes mail or sign in staff
	// (TRUST_STAFF). Their mail is only queued: the scheduler function
	// sends it, so no web function has a mail engine.
	Staff bool
	// Announce has the cold start tell subscribers of updates the content
	// publishes that they were not told of (trust.Service.Announce): the
	// first cold start after a deploy finds them, every later one finds
	// nothing new and mails no one. It needs Keys (unsubscribe links).
	Announce bool
	// Services reads the outside services' secret (TRUST_SERVICES_SECRET:
	// Slack's tokens, the identity provider's client secret) into the
	// configuration: secretkeys.LoadServices, for the functions that use
	// them.
	Services func(ctx context.Context, cfg aws.Config, secretID string, c *app.Config) error
}

// needs lists the settings f cannot start without.
func (f Function) needs() []string {
	n := []string{"TRUST_TABLE", "TRUST_BASE_URL", "TRUST_CONTENT"}
	if f.Blobs != nil || f.Links != nil || f.Uploads != nil {
		n = append(n, "TRUST_BUCKET")
	}
	if f.Staff {
		n = append(n, "TRUST_STAFF")
	}
	if f.Keys != nil {
		n = append(n, "TRUST_KEYS_SECRET")
	}
	return n
}

// Lambda is the whole main of a function: configuration and engines once
// per cold start, then requests. A function whose dependencies cannot be
// built (a missing setting, a keyring that cannot be read) does not exit,
// which would leave its readers API Gateway's bare error: it answers the
// trust center's 503 page and tries again on later requests (Recovering).
func Lambda(f Function) {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("function", f.Web.Name)
	slog.SetDefault(log)
	lambdaweb.Start(Recovering(context.Background(), log, func(ctx context.Context) (http.Handler, error) {
		return NewLambdaHandler(ctx, f, log)
	}))
}

// NewLambdaHandler builds f's handler on the AWS engines.
func NewLambdaHandler(ctx context.Context, f Function, log *slog.Logger) (http.Handler, error) {
	if err := awsenv.RequireSettings(f.needs()...); err != nil {
		return nil, err
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
	if id := os.Getenv("TRUST_SERVICES_SECRET"); id != "" && f.Services != nil {
		if err := f.Services(ctx, awsCfg, id, &c); err != nil {
			return nil, err
		}
	}
	clock := trust.SystemClock
	e := trust.Engines{Store: dynamostore.FromConfig(awsCfg, c.Table, clock), Stamper: f.Stamper, SignedNDA: f.SignedNDA, Clock: clock, Log: log}
	var keys *token.Holder
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
	if f.Keys != nil {
		// Read at cold start (failing it when the secret is unreadable),
		// then again within token.MaxAge, so a rotation needs no redeploy.
		src := token.SourceFunc(func(ctx context.Context) (*token.Keyring, error) { return f.Keys(ctx, awsCfg, c.KeysSecret) })
		if keys, err = token.NewHolder(ctx, src, clock); err != nil {
			return nil, err
		}
		keys.OnError = func(err error) { log.Warn("signing keys", "err", err) }
	}
	h := newHandler(c, f.Web, site, keys, e, log)
	if f.Announce {
		// A failure is logged and left to the next cold start: the
		// function serves its pages either way.
		svc := app.NewService(c, site, keys, e)
		actx, cancel := context.WithTimeout(ctx, announceBudget)
		n, err := svc.Announce(actx, site.Published(c.BaseURL))
		cancel()
		if err != nil {
			log.Error("announce updates", "err", err)
		} else if n > 0 {
			log.Info("announced updates", "mails", n)
		}
	}
	return h, nil
}

// announceBudget bounds the announcement a cold start makes.
const announceBudget = 3 * time.Second

// newHandler is f's handler on engines e: what NewLambdaHandler builds
// once it has them, and what tests build on fakes.
func newHandler(c app.Config, f web.Function, site *content.Site, keys *token.Holder, e trust.Engines, log *slog.Logger) http.Handler {
	e.Store = countingStore{e.Store}
	if e.Mail != nil {
		e.Mail = countingMailer{e.Mail}
	}
	svc := app.NewService(c, site, keys, e)
	return web.New(web.Deps{
		Service: svc, Site: site, Log: log,
		RequestLog:     requestLog,
		OriginSecret:   c.OriginSecret,
		ClientIPHeader: c.ClientIPHeader,
		RequestBudget:  c.RequestBudget,
		Slack:          web.SlackDeps{SigningSecret: c.SlackSigningSecret},
		SSO:            web.SSODeps{Issuer: c.OIDCIssuer, ClientID: c.OIDCClientID, ClientSecret: c.OIDCClientSecret},
	}, f)
}

func requestLog(r *http.Request) []any { return lambdaweb.LogAttrs(r.Context()) }
