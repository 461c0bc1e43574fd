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
	"trustcenter/shared/aws/secretkeys"
	"trustcenter/shared/slackbot"
	"trustcenter/shared/trust"
)

// Settings the scheduler cannot start without. TRUST_SES_CONFIGURATION_SET
// is optional: without it SES reports no bounces.
var needs = []string{"TRUST_TABLE", "TRUST_MAIL_FROM"}

// Mailer builds the mail engine: sesmail.FromConfig.
type Mailer func(cfg aws.Config, from, configSet string) trust.Mailer

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
	svc := trust.New(trust.Config{BaseURL: c.BaseURL, Staff: c.Staff, Slack: c.Slack}, trust.Engines{
		Store: dynamostore.FromConfig(cfg, os.Getenv("TRUST_TABLE"), clock),
		Mail: slackbot.NewMailer(slackbot.Settings{Token: c.SlackToken, APIURL: c.SlackAPIURL},
			mail(cfg, os.Getenv("TRUST_MAIL_FROM"), os.Getenv("TRUST_SES_CONFIGURATION_SET"))),
		Clock: clock,
		Log:   log,
	})
	return &Handler{Service: svc, Log: log, EMF: os.Stdout, Clock: clock}, nil
}
