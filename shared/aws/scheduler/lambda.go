package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

	"trustcenter/shared/app"
	"trustcenter/shared/aws/awsenv"
	"trustcenter/shared/aws/dynamostore"
	"trustcenter/shared/aws/s3blob"
	"trustcenter/shared/aws/secretkeys"
	"trustcenter/shared/content"
	"trustcenter/shared/ndapdf"
	"trustcenter/shared/slackbot"
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
	// The reminders need the staff, the console's address and Slack's
	// settings; without TRUST_REMIND_AFTER there are none.
	c, err := app.FromEnv()
	if err != nil {
		return nil, err
	}
	if id := os.Getenv("TRUST_SERVICES_SECRET"); id != "" {
		if err := secretkeys.LoadServices(context.Background(), cfg, id, &c); err != nil {
			return nil, err
		}
	}
	clock := trust.SystemClock
	// The content file names the company the mails speak for and holds
	// security.txt's Expires; without it neither is known, and a file
	// that is named but unreadable fails the start.
	site := &content.Site{}
	if path := os.Getenv("TRUST_CONTENT"); path != "" {
		if site, err = content.LoadCompiled(path); err != nil {
			return nil, fmt.Errorf("TRUST_CONTENT: %w", err)
		}
	}
	tc := trust.Config{BaseURL: c.BaseURL, Staff: c.Staff, Slack: c.Slack, Company: site.Company.Name, LapseWarning: c.LapseWarning}
	e := trust.Engines{
		Store: dynamostore.FromConfig(cfg, os.Getenv("TRUST_TABLE"), clock),
		Mail: slackbot.NewMailer(slackbot.Settings{Token: c.SlackToken, APIURL: c.SlackAPIURL},
			mail(cfg, os.Getenv("TRUST_MAIL_FROM"), os.Getenv("TRUST_MAIL_REPLY_TO"), os.Getenv("TRUST_SES_CONFIGURATION_SET"))),
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
	// The lapse mails link the site, so they need its address.
	lapses := os.Getenv("TRUST_BASE_URL") != ""
	return &Handler{Service: trust.New(tc, e), Log: log, EMF: os.Stdout, Clock: clock,
		SweepCopies: bucket != "", Lapses: lapses, SecurityTxtExpires: site.SecurityTxt.Expires}, nil
}
