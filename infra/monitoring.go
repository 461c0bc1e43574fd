package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"
)

// Alarm thresholds. Rates are percentages of the API's requests over five
// minutes; a handful of requests cannot reach them, which keeps a quiet
// night from paging anyone for one failed request.
const (
	alarm5xxPercent   = 2
	alarm429Percent   = 10
	alarmP99LatencyMs = 3000
)

// MetricsNamespace holds the metrics the stack derives from logs.
const MetricsNamespace = "TrustCenter"

// monitoring is where every alarm goes: an encrypted topic the alarm
// address is subscribed to.
type monitoring struct {
	stack  awscdk.Stack
	action awscloudwatch.IAlarmAction
	// rows are dashboard rows added before the dashboard is made (the
	// scheduler's, ops.go); streamQueue is the stream's on-failure queue.
	rows        [][]awscloudwatch.IWidget
	streamQueue awssqs.Queue
}

func newMonitoring(stack awscdk.Stack, alarmEmail string) *monitoring {
	// CloudWatch cannot publish to a topic under the AWS-managed SNS key,
	// so the topic has a key of its own that lets CloudWatch in.
	key := awskms.NewKey(stack, jsii.String("AlarmTopicKey"), &awskms.KeyProps{
		Description:       jsii.String("Trust center alarm topic"),
		EnableKeyRotation: jsii.Bool(true),
	})
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchAlarms"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()}},
	}), nil)
	topic := awssns.NewTopic(stack, jsii.String("AlarmTopic"), &awssns.TopicProps{
		DisplayName: jsii.String("Trust center alarms"),
		MasterKey:   key,
		EnforceSSL:  jsii.Bool(true),
	})
	topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(alarmEmail), nil))
	awscdk.NewCfnOutput(stack, jsii.String("AlarmTopicArn"), &awscdk.CfnOutputProps{Value: topic.TopicArn()})
	return &monitoring{stack: stack, action: awscloudwatchactions.NewSnsAction(topic)}
}

func (m *monitoring) alarm(id string, metric awscloudwatch.IMetric, threshold, periods float64, description string) {
	a := awscloudwatch.NewAlarm(m.stack, jsii.String(id), &awscloudwatch.AlarmProps{
		Metric:             metric,
		Threshold:          jsii.Number(threshold),
		EvaluationPeriods:  jsii.Number(periods),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		AlarmDescription:   jsii.String(description),
	})
	a.AddAlarmAction(m.action)
	a.AddOkAction(m.action)
}

// onAny alarms on the first occurrence of metric in a five-minute period.
func (m *monitoring) onAny(id string, metric awscloudwatch.IMetric, description string) {
	m.alarm(id, metric, 1, 1, description)
}

var fiveMinutes = awscdk.Duration_Minutes(jsii.Number(5))

func sum(metric awscloudwatch.Metric) awscloudwatch.Metric {
	return metric.With(&awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: fiveMinutes})
}

// percentOf is 100·part/requests, 0 without requests.
func percentOf(label string, part, requests awscloudwatch.IMetric) awscloudwatch.MathExpression {
	return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression:   jsii.String("IF(req > 0, 100 * part / req, 0)"),
		UsingMetrics: &map[string]awscloudwatch.IMetric{"part": part, "req": requests},
		Label:        jsii.String(label),
		Period:       fiveMinutes,
	})
}

// apiAlarms covers the API as a whole: 5xx and 429 rates, p99 latency. The
// 429s come from the access log (HTTP APIs count them among 4xx only): the
// stage's throttling and the functions' own rate limits answer 429.
func (m *monitoring) apiAlarms(api awsapigatewayv2.HttpApi, accessLogs awslogs.LogGroup) (requests, errors5xx, throttled awscloudwatch.IMetric, latency awscloudwatch.Metric) {
	metric429 := awslogs.NewMetricFilter(m.stack, jsii.String("Api429Filter"), &awslogs.MetricFilterProps{
		LogGroup:        accessLogs,
		FilterPattern:   awslogs.FilterPattern_StringValue(jsii.String("$.status"), jsii.String("="), jsii.String("429")),
		MetricNamespace: jsii.String(MetricsNamespace),
		MetricName:      jsii.String("Api429"),
		MetricValue:     jsii.String("1"),
		DefaultValue:    jsii.Number(0),
	}).Metric(&awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: fiveMinutes})
	req := sum(api.MetricCount(nil))
	e5 := sum(api.MetricServerError(nil))
	p99 := api.MetricLatency(&awscloudwatch.MetricOptions{Statistic: jsii.String("p99"), Period: fiveMinutes})

	m.alarm("Api5xxRateAlarm", percentOf("5xx %", e5, req), alarm5xxPercent, 2,
		"Trust center API: more than 2% of requests answered 5xx for 10 minutes")
	m.alarm("Api429RateAlarm", percentOf("429 %", metric429, req), alarm429Percent, 1,
		"Trust center API: more than 10% of requests answered 429 (throttled or rate-limited) in 5 minutes: a flood, or limits set too low")
	m.alarm("ApiLatencyP99Alarm", p99, alarmP99LatencyMs, 3,
		"Trust center API: p99 latency above 3 s for 15 minutes")
	return req, e5, metric429, p99
}

func (m *monitoring) functionAlarms(name string, fn awslambda.Function) {
	cid := constructID(name)
	m.onAny(cid+"ErrorsAlarm", sum(fn.MetricErrors(nil)), "Trust center "+name+" function errors")
	m.onAny(cid+"ThrottlesAlarm", sum(fn.MetricThrottles(nil)), "Trust center "+name+" function throttles (reserved concurrency reached)")
}

func (m *monitoring) tableAlarms(table awsdynamodb.Table) {
	for _, name := range []string{"ReadThrottleEvents", "WriteThrottleEvents"} {
		m.onAny("Table"+name+"Alarm", sum(table.Metric(jsii.String(name), nil)), "Trust center table "+name)
	}
}

// dashboard shows the edge (CloudFront and WAF report in us-east-1), the
// API, each function and the table on one page.
func (m *monitoring) dashboard(distributionID *string, webACL string, req, e5, throttled awscloudwatch.IMetric, p99 awscloudwatch.Metric,
	fns map[string]awslambda.Function, table awsdynamodb.Table) {
	edgeMetric := func(namespace, name string, dims map[string]*string, stat string) awscloudwatch.Metric {
		return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String(namespace), MetricName: jsii.String(name), DimensionsMap: &dims,
			Statistic: jsii.String(stat), Period: fiveMinutes, Region: jsii.String(EdgeRegion),
		})
	}
	cf := map[string]*string{"DistributionId": distributionID, "Region": jsii.String("Global")}
	waf := map[string]*string{"WebACL": jsii.String(webACL), "Rule": jsii.String("ALL")}
	graph := func(title string, metrics ...awscloudwatch.IMetric) awscloudwatch.IWidget {
		return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: jsii.String(title), Left: &metrics, Width: jsii.Number(8)})
	}
	var invocations, errs, throttles, durations []awscloudwatch.IMetric
	for _, name := range FunctionNames {
		fn := fns[name]
		label := &awscloudwatch.MetricOptions{Label: jsii.String(name), Period: fiveMinutes}
		invocations = append(invocations, fn.MetricInvocations(label))
		errs = append(errs, fn.MetricErrors(label))
		throttles = append(throttles, fn.MetricThrottles(label))
		durations = append(durations, fn.MetricDuration(&awscloudwatch.MetricOptions{Label: jsii.String(name + " p99"), Statistic: jsii.String("p99"), Period: fiveMinutes}))
	}
	rows := []*[]awscloudwatch.IWidget{
		{
			graph("Edge requests", edgeMetric("AWS/CloudFront", "Requests", cf, "Sum")),
			graph("Edge error rates (%)", edgeMetric("AWS/CloudFront", "4xxErrorRate", cf, "Average"), edgeMetric("AWS/CloudFront", "5xxErrorRate", cf, "Average")),
			graph("WAF", edgeMetric("AWS/WAFV2", "AllowedRequests", waf, "Sum"), edgeMetric("AWS/WAFV2", "BlockedRequests", waf, "Sum")),
		},
		{
			graph("API requests, 5xx, 429", req, e5, throttled),
			graph("API latency p99 (ms)", p99),
			graph("Table throttles", sum(table.Metric(jsii.String("ReadThrottleEvents"), nil)), sum(table.Metric(jsii.String("WriteThrottleEvents"), nil))),
		},
		{
			graph("Invocations", invocations...),
			graph("Errors and throttles", append(errs, throttles...)...),
			graph("Duration p99 (ms)", durations...),
		},
	}
	for i := range m.rows {
		rows = append(rows, &m.rows[i])
	}
	awscloudwatch.NewDashboard(m.stack, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DashboardName: jsii.String(*m.stack.StackName() + "-" + *m.stack.Region()),
		Widgets:       &rows,
	})
}
