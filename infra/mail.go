package main

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsses"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/jsii-runtime-go"

	"trustcenter/shared/aws/dynamostore"
	"trustcenter/shared/aws/scheduler"
)

// The mail scheduler: the only function that sends mail. Commits queue
// mail in the table; the table's stream wakes the scheduler for each
// outbox item inserted, a schedule drains whatever is left every five
// minutes, and the SES configuration set's bounces and complaints reach it
// through an SNS topic.

// Alarm thresholds of the outbox. A mail is normally gone within seconds
// of its commit; one still waiting after 15 minutes has met throttling or
// an outage for three drains in a row.
const (
	alarmOldestPendingMailSeconds = 15 * 60
	drainEvery                    = 5 // minutes
	schedulerTimeoutSeconds       = 60
)

// OutboxStreamFilter is the event source mapping's filter: only outbox
// items being inserted wake the scheduler, not every write to the table.
var OutboxStreamFilter = map[string]any{
	"eventName": []string{"INSERT"},
	"dynamodb": map[string]any{
		"Keys": map[string]any{
			dynamostore.AttrPK: map[string]any{"S": []any{map[string]string{"prefix": dynamostore.PrefixMail}}},
		},
	},
}

type mailDeps struct {
	table    awsdynamodb.Table
	indexArn *string
	bucket   awss3.Bucket
	logs     awslogs.LogGroup
	services awssecretsmanager.Secret
	baseURL  string // the links of the lapse mails and of the reminders
}

// The reputation levels at which SES starts a review of the account, as
// fractions (Reputation.BounceRate and ComplaintRate are published so).
const (
	sesBounceRateReview    = 0.05
	sesComplaintRateReview = 0.001
)

func newMailScheduler(stack awscdk.Stack, mon *monitoring, props *TrustCenterStackProps, d mailDeps) awslambda.Function {
	configSet := awsses.NewConfigurationSet(stack, jsii.String("MailConfigurationSet"), &awsses.ConfigurationSetProps{
		ReputationMetrics: jsii.Bool(true),
	})

	// SES publishes to an encrypted topic only with a key it may use.
	key := awskms.NewKey(stack, jsii.String("MailEventsKey"), &awskms.KeyProps{
		Description:       jsii.String("Trust center mail events topic (SES bounces and complaints)"),
		EnableKeyRotation: jsii.Bool(true),
	})
	sesPrincipal := awsiam.NewServicePrincipal(jsii.String("ses.amazonaws.com"), nil)
	fromThisAccount := &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()}}
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("SESEvents"),
		Principals: &[]awsiam.IPrincipal{sesPrincipal},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
		Conditions: fromThisAccount,
	}), nil)
	topic := awssns.NewTopic(stack, jsii.String("MailEventsTopic"), &awssns.TopicProps{
		DisplayName: jsii.String("Trust center mail events"),
		MasterKey:   key,
		EnforceSSL:  jsii.Bool(true),
	})
	topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("SESPublishes"),
		Principals: &[]awsiam.IPrincipal{sesPrincipal},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  &[]*string{topic.TopicArn()},
		Conditions: fromThisAccount,
	}))
	configSet.AddEventDestination(jsii.String("BouncesAndComplaints"), &awsses.ConfigurationSetEventDestinationOptions{
		Destination: awsses.EventDestination_SnsTopic(topic),
		Events:      &[]awsses.EmailSendingEvent{awsses.EmailSendingEvent_BOUNCE, awsses.EmailSendingEvent_COMPLAINT},
	})

	identities, _ := SESIdentities(props.MailFrom)
	var sendTo []*string
	for _, name := range identities {
		sendTo = append(sendTo, stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("ses"), Resource: jsii.String("identity"), ResourceName: jsii.String(name),
		}))
	}
	// SES v2 checks SendEmail against the identity and the configuration
	// set named in the call.
	sendTo = append(sendTo, stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("ses"), Resource: jsii.String("configuration-set"), ResourceName: configSet.ConfigurationSetName(),
	}))

	failures := mon.streamFailures()
	statements := append([]awsiam.PolicyStatement{logStatement(d.logs)}, keyStatements(schedulerGrants, d.table, d.indexArn)...)
	statements = append(statements, copySweepStatements(d.bucket)...)
	statements = append(statements, streamFailureStatement(failures), servicesStatement(d.services),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("Mail"),
			Actions:   jsii.Strings("ses:SendEmail"),
			Resources: &sendTo,
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("OutboxStream"),
			Actions:   jsii.Strings("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"),
			Resources: &[]*string{d.table.TableStreamArn()},
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ListStreams"),
			Actions:   jsii.Strings("dynamodb:ListStreams"),
			Resources: jsii.Strings("*"),
		}),
	)
	role := newFunctionRole(stack, FnScheduler, statements)
	suppressCopySweep(role)
	suppress(role, "AwsSolutions-IAM5",
		"dynamodb:ListStreams has no resource type in IAM and must be granted on *; it lists stream ARNs and reads no data. Every other action is on the table, its stream, GSI1 (by LeadingKeys) or the sender identities.",
		"Resource::*")

	env := map[string]*string{
		"TRUST_TABLE":                 d.table.TableName(),
		"TRUST_MAIL_FROM":             jsii.String(props.MailFrom),
		"TRUST_SES_CONFIGURATION_SET": configSet.ConfigurationSetName(),
		// The kept copies of ended grants are swept from it (ops.go).
		"TRUST_BUCKET": d.bucket.BucketName(),
		// security.txt's Expires, for the days-left metric (ops.go), and
		// the company the lapse mails name.
		"TRUST_CONTENT": jsii.String("/var/task/" + ContentFile),
		// The lapse mails' and reminders' links; reminders name the
		// staff, and Slack notices need the bot token from the services'
		// secret.
		"TRUST_BASE_URL":        jsii.String(d.baseURL),
		"TRUST_STAFF":           jsii.String(strings.Join(props.Staff, ",")),
		"TRUST_SERVICES_SECRET": d.services.SecretArn(),
	}
	for k, v := range staffServicesEnv(props, FnScheduler) {
		env[k] = v
	}
	if props.MailReplyTo != "" {
		env["TRUST_MAIL_REPLY_TO"] = jsii.String(props.MailReplyTo)
	}
	if props.LapseWarningDays > 0 {
		env["TRUST_LAPSE_WARNING_DAYS"] = jsii.String(strconv.Itoa(props.LapseWarningDays))
	}
	fp := functionProps(props, FnScheduler, role, d.logs, env)
	fp.Timeout = awscdk.Duration_Seconds(jsii.Number(schedulerTimeoutSeconds))
	fn := newFunction(stack, FnScheduler, fp)

	pattern, err := json.Marshal(OutboxStreamFilter)
	if err != nil {
		panic(err)
	}
	mapping := awslambda.NewEventSourceMapping(stack, jsii.String("OutboxStreamMapping"), &awslambda.EventSourceMappingProps{
		Target:           fn,
		EventSourceArn:   d.table.TableStreamArn(),
		StartingPosition: awslambda.StartingPosition_LATEST,
		BatchSize:        jsii.Number(25),
		// A batch that keeps failing (the table throttled) is split, then
		// given up: the schedule delivers its mails anyway.
		BisectBatchOnError: jsii.Bool(true),
		RetryAttempts:      jsii.Number(streamRetries),
		MaxRecordAge:       awscdk.Duration_Seconds(jsii.Number(streamMaxRecordAgeSecond)),
		Filters:            &[]*map[string]any{{"pattern": jsii.String(string(pattern))}},
	})
	onFailure(mapping, failures)

	awsevents.NewRule(stack, jsii.String("MailDrainSchedule"), &awsevents.RuleProps{
		Description: jsii.String("Trust center: deliver mail whose backoff has passed, and report the oldest waiting"),
		Schedule:    awsevents.Schedule_Rate(awscdk.Duration_Minutes(jsii.Number(drainEvery))),
		Targets:     &[]awsevents.IRuleTarget{awseventstargets.NewLambdaFunction(fn, nil)},
	})
	topic.AddSubscription(awssnssubscriptions.NewLambdaSubscription(fn, nil))

	mon.functionAlarms(FnScheduler, fn)
	mon.scheduler(fn)
	mailMetric := func(name, stat string) awscloudwatch.Metric {
		return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String(scheduler.MetricsNamespace), MetricName: jsii.String(name),
			DimensionsMap: &map[string]*string{scheduler.FunctionDimension: jsii.String(scheduler.FunctionName)},
			Statistic:     jsii.String(stat), Period: fiveMinutes,
		})
	}
	mon.alarm("MailOldestPendingAlarm", mailMetric(scheduler.MetricOldestPending, "Maximum"), alarmOldestPendingMailSeconds, 1,
		"Trust center mail: a mail has waited more than 15 minutes in the outbox (SES throttling or down, or the scheduler failing)")
	mon.onAny("MailPermanentFailureAlarm", mailMetric(scheduler.MetricPermanentFail, "Sum"),
		"Trust center mail: SES refused a mail for good or it ran out of attempts (SES sandbox, an unverified sender, sending paused): see the scheduler's ERROR lines")

	// SES reviews an account whose bounce rate reaches 5% or complaint
	// rate 0.1%, and may pause its sending at 10% and 0.5%: the alarms
	// fire at the review level, while there is still time to act.
	reputation := func(name string) awscloudwatch.Metric {
		return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String("AWS/SES"), MetricName: jsii.String(name),
			Statistic: jsii.String("Maximum"), Period: awscdk.Duration_Hours(jsii.Number(1)),
		})
	}
	mon.alarm("MailBounceRateAlarm", reputation("Reputation.BounceRate"), sesBounceRateReview, 1,
		"Trust center mail: the account's SES bounce rate reached 5%, where SES reviews sending; check the suppressed addresses and who is being mailed")
	mon.alarm("MailComplaintRateAlarm", reputation("Reputation.ComplaintRate"), sesComplaintRateReview, 1,
		"Trust center mail: the account's SES complaint rate reached 0.1%, where SES reviews sending; check which mails recipients mark as spam")

	awscdk.NewCfnOutput(stack, jsii.String("MailConfigurationSetName"), &awscdk.CfnOutputProps{Value: configSet.ConfigurationSetName()})
	return fn
}
