package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"
	cdknag "github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"trustcenter/shared/aws/scheduler"
)

// What the scheduler's operators watch beyond the mail alarms in mail.go.
const (
	// alarmSecurityTxtDays: security.txt's Expires is less than a month
	// away (RFC 9116 asks for less than a year ahead, so it comes round).
	alarmSecurityTxtDays = 30
	// streamFailureRetentionDays keeps a failed stream batch's record
	// long enough to be read after a long weekend.
	streamFailureRetentionDays = 14
	// streamRetries and streamMaxRecordAge bound how long Lambda keeps
	// handing over a failing batch (split in halves on each error) before
	// it goes to the on-failure queue; the schedule delivers the mails
	// anyway, so giving up early costs no mail.
	streamRetries            = 3
	streamMaxRecordAgeSecond = 3600
)

// streamFailures is the on-failure destination of the scheduler's stream
// batches: an encrypted queue that receives a record of each batch Lambda
// gave up on (the shard and sequence numbers, not the mails), with an
// alarm on the first.
func (m *monitoring) streamFailures() awssqs.Queue {
	q := awssqs.NewQueue(m.stack, jsii.String("SchedulerStreamFailures"), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(streamFailureRetentionDays)),
	})
	suppress(q, "AwsSolutions-SQS3",
		"This queue is itself the on-failure destination of the scheduler's stream mapping; nothing consumes it, an operator reads it (README, runbook), so it needs no dead-letter queue of its own.")
	m.alarm("SchedulerStreamFailureAlarm",
		q.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{Statistic: jsii.String("Maximum"), Period: fiveMinutes}), 1, 1,
		"Trust center scheduler: Lambda gave up on a stream batch after retries and bisection (the scheduler failing or the table throttled); the schedule still drains the outbox. Read the queue's record and the scheduler's ERROR lines.")
	m.streamQueue = q
	return q
}

// streamFailureStatement lets the scheduler's role record a failed batch,
// which Lambda does with the function's role: SendMessage only, where the
// CDK's SqsDlq would also grant GetQueueAttributes and GetQueueUrl.
func streamFailureStatement(q awssqs.Queue) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("StreamFailures"),
		Actions:   jsii.Strings("sqs:SendMessage"),
		Resources: &[]*string{q.QueueArn()},
	})
}

// onFailure points the mapping's failed batches at q.
func onFailure(mapping awslambda.EventSourceMapping, q awssqs.Queue) {
	cfn := mapping.Node().DefaultChild().(awslambda.CfnEventSourceMapping)
	cfn.AddPropertyOverride(jsii.String("DestinationConfig.OnFailure.Destination"), q.QueueArn())
}

// scheduler adds the security.txt alarm and the scheduler's dashboard row:
// its invocations and errors, mail sent and failed, the oldest waiting,
// failed stream batches and the days security.txt has left.
func (m *monitoring) scheduler(fn awslambda.Function) {
	metric := func(name, stat string, period awscdk.Duration) awscloudwatch.Metric {
		return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String(scheduler.MetricsNamespace), MetricName: jsii.String(name),
			DimensionsMap: &map[string]*string{scheduler.FunctionDimension: jsii.String(scheduler.FunctionName)},
			Statistic:     jsii.String(stat), Period: period,
		})
	}
	days := metric(scheduler.MetricSecurityTxtDays, "Minimum", awscdk.Duration_Hours(jsii.Number(1)))
	a := awscloudwatch.NewAlarm(m.stack, jsii.String("SecurityTxtExpiryAlarm"), &awscloudwatch.AlarmProps{
		Metric:             days,
		Threshold:          jsii.Number(alarmSecurityTxtDays),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_LESS_THAN_THRESHOLD,
		// No figure means no drain ran: the scheduler's own alarms say so.
		TreatMissingData: awscloudwatch.TreatMissingData_NOT_BREACHING,
		AlarmDescription: jsii.String("Trust center: /.well-known/security.txt expires in less than 30 days; set security_txt.expires in the content file and deploy"),
	})
	a.AddAlarmAction(m.action)
	a.AddOkAction(m.action)

	graph := func(title string, metrics ...awscloudwatch.IMetric) awscloudwatch.IWidget {
		return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: jsii.String(title), Left: &metrics, Width: jsii.Number(8)})
	}
	label := func(l string) *awscloudwatch.MetricOptions {
		return &awscloudwatch.MetricOptions{Label: jsii.String(l), Period: fiveMinutes}
	}
	runs := []awscloudwatch.IWidget{
		graph("Scheduler runs and errors", fn.MetricInvocations(label("invocations")), fn.MetricErrors(label("errors")), fn.MetricThrottles(label("throttles"))),
		graph("Mail sent, retrying, failed",
			metric(scheduler.MetricSent, "Sum", fiveMinutes), metric(scheduler.MetricRetrying, "Sum", fiveMinutes),
			metric(scheduler.MetricUndeliverable, "Sum", fiveMinutes), metric(scheduler.MetricPermanentFail, "Sum", fiveMinutes)),
		graph("Oldest waiting mail (s)", metric(scheduler.MetricOldestPending, "Maximum", fiveMinutes)),
	}
	var watch []awscloudwatch.IWidget
	if m.streamQueue != nil {
		watch = append(watch, graph("Failed stream batches", m.streamQueue.MetricApproximateNumberOfMessagesVisible(label("queued"))))
	}
	watch = append(watch, awscloudwatch.NewSingleValueWidget(&awscloudwatch.SingleValueWidgetProps{
		Title: jsii.String("security.txt: days left"), Metrics: &[]awscloudwatch.IMetric{days}, Width: jsii.Number(8),
	}))
	// Rows of at most 24 units, the dashboard's width.
	m.rows = append(m.rows, runs, watch)
}

// copySweepStatements let the scheduler remove kept copies (DeleteObject
// under copies/, nothing else in the bucket), as schedulerGrants lists.
func copySweepStatements(bucket awss3.Bucket) []awsiam.PolicyStatement {
	var out []awsiam.PolicyStatement
	for _, o := range schedulerGrants.objects {
		out = append(out, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String(objectsSid(o.prefix)),
			Actions:   jsii.Strings(o.actions...),
			Resources: &[]*string{bucket.ArnForObjects(jsii.String(o.prefix + "*"))},
		}))
	}
	return out
}

// suppressCopySweep states why the sweep's grant ends in a wildcard.
func suppressCopySweep(role awsiam.Role) {
	suppress(role, "AwsSolutions-IAM5",
		"Copy keys (copies/<grant>/<doc>/v<n>-<watermark>.pdf) are made at first download; the scheduler may only delete objects under the copies/ prefix of the reports bucket, to remove the copies of grants that ended.",
		&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::<ReportsBucket[0-9A-Fa-f]+\.Arn>\/copies\/\*$/g`)})
}
