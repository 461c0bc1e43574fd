package scheduler

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

	"trustcenter/shared/app"
	"trustcenter/shared/aws/awsenv"
	"trustcenter/shared/aws/dynamostore"
	"trustcenter/shared/aws/s3blob"
	"trustcenter/shared/content"
	"trustcenter/shared/ndapdf"
	"trustcenter/shared/trust"
)

// Settings the scheduler cannot start without. TRUST_SES_CONFIGURATION_SET
// is optional: without it SES reports no bounces.
var needs = []string{"TRUST_TABLE", "TRUST_MAIL_FROM"}

// Mailer builds the mail engine: sesmail.FromConfig.
type Mailer func(cfg aws.Config, from, replyTo, configSet string) trust.Mailer

// Lambda is the whole main of the scheduler: configuration and engines
// once per cold start, then events.
func Lambda(mail Mailer) {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("function", FunctionName)
	slog.SetDefault(log)
	h, err := New(mail, log)
	if err != nil {
		log.Error("cold start failed", "err", err)
		fmt.Fprintf(os.Stderr, "%s: cold start: %v\n", FunctionName, err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}

// New builds the handler on the AWS engines from the environment.
func New(mail Mailer, log *slog.Logger) (*Handler, error) {
	if err := awsenv.RequireSettings(needs...); err != nil {
		return nil, err
	}
	cfg, err := awsenv.Config()
	if err != nil {
		return nil, err
	}
	clock := trust.SystemClock
	tc, lapses, err := lapseConfig()
	if err != nil {
		return nil, err
	}
	e := trust.Engines{
		Store: dynamostore.FromConfig(cfg, os.Getenv("TRUST_TABLE"), clock),
		Mail:  mail(cfg, os.Getenv("TRUST_MAIL_FROM"), os.Getenv("TRUST_MAIL_REPLY_TO"), os.Getenv("TRUST_SES_CONFIGURATION_SET")),
		Clock: clock,
		Log:   log,
		// The requester's copy of a signed NDA is rendered as it is sent.
		SignedNDA: ndapdf.Engine{},
	}
	// The bucket is optional: with it the schedule also removes the kept
	// copies of grants that ended.
	bucket := os.Getenv("TRUST_BUCKET")
	if bucket != "" {
		e.Blobs = s3blob.FromConfig(cfg, bucket)
	}
	svc := trust.New(tc, e)
	h := &Handler{Service: svc, Log: log, EMF: os.Stdout, Clock: clock, SweepCopies: bucket != "", Lapses: lapses}
	// The content file is optional: without it there is no security.txt
	// to watch. A file that is named but unreadable fails the start.
	if path := os.Getenv("TRUST_CONTENT"); path != "" {
		site, err := content.LoadCompiled(path)
		if err != nil {
			return nil, fmt.Errorf("TRUST_CONTENT: %w", err)
		}
		h.SecurityTxtExpires = site.SecurityTxt.Expires
	}
	return h, nil
}

// lapseConfig is what the lapse mails need: the site's address for their
// links (TRUST_BASE_URL), the company they name (from the compiled
// content, TRUST_CONTENT) and how far ahead to warn
// (TRUST_LAPSE_WARNING_DAYS). Without TRUST_BASE_URL the scheduler only
// delivers mail.
func lapseConfig() (trust.Config, bool, error) {
	if os.Getenv("TRUST_BASE_URL") == "" {
		return trust.Config{}, false, nil
	}
	c, err := app.FromEnv()
	if err != nil {
		return trust.Config{}, false, err
	}
	site, err := content.LoadCompiled(c.ContentPath)
	if err != nil {
		return trust.Config{}, false, fmt.Errorf("TRUST_CONTENT: %w", err)
	}
	return trust.Config{BaseURL: c.BaseURL, Company: site.Company.Name, LapseWarning: c.LapseWarning}, true, nil
}
