package main

import (
	"strings"
	"testing"

	"trustcenter/shared/aws/scheduler"
)

// opsAlarms are the alarms of ops.go as TestAlarms keys them: security.txt's
// days left and the stream's failed batches.
func opsAlarms(t *testing.T, s *synthesized) []string {
	qID := logicalIDByPath(t, s, "AWS::SQS::Queue", "SchedulerStreamFailures/Resource")
	return []string{
		MetricsNamespace + " " + scheduler.MetricSecurityTxtDays + ` Minimum "scheduler"`,
		`AWS/SQS ApproximateNumberOfMessagesVisible Maximum {"Fn::GetAtt":["` + qID + `","QueueName"]}`,
	}
}

// TestSchedulerOperations: the stream mapping splits a failing batch,
// retries it a bounded number of times and then records it in an encrypted,
// TLS-only queue that an alarm watches; security.txt's expiry alarms below
// 30 days from the scheduler's metric, which it computes from the content
// file the template names; the dashboard shows the scheduler.
func TestSchedulerOperations(t *testing.T) {
	s := synth(t)
	topicID := logicalIDByPath(t, s, "AWS::SNS::Topic", "AlarmTopic/Resource")
	fnID := logicalIDByPath(t, s, "AWS::Lambda::Function", "SchedulerFunction/Resource")
	qID := logicalIDByPath(t, s, "AWS::SQS::Queue", "SchedulerStreamFailures/Resource")

	_, esm := s.only(t, "AWS::Lambda::EventSourceMapping")
	p := props(esm)
	if p["BisectBatchOnFunctionError"] != true || p["MaximumRetryAttempts"] != float64(streamRetries) ||
		p["MaximumRecordAgeInSeconds"] != float64(streamMaxRecordAgeSecond) {
		t.Errorf("stream mapping: bisect %v, retries %v, record age %v", p["BisectBatchOnFunctionError"], p["MaximumRetryAttempts"], p["MaximumRecordAgeInSeconds"])
	}
	if dest := toJSON(p["DestinationConfig"]); dest != `{"OnFailure":{"Destination":{"Fn::GetAtt":["`+qID+`","Arn"]}}}` {
		t.Errorf("stream on-failure destination = %s, want the queue", dest)
	}

	q := props(s.resources("AWS::SQS::Queue")[qID])
	if q["SqsManagedSseEnabled"] != true || q["MessageRetentionPeriod"] != float64(streamFailureRetentionDays*86400) {
		t.Errorf("failure queue = %s", toJSON(q))
	}
	tls := false
	for _, qp := range s.resources("AWS::SQS::QueuePolicy") {
		doc := toJSON(props(qp))
		tls = tls || strings.Contains(doc, `"Ref":"`+qID+`"`) && strings.Contains(doc, `"aws:SecureTransport":"false"`) && strings.Contains(doc, `"Effect":"Deny"`)
	}
	if !tls {
		t.Error("the failure queue does not refuse requests without TLS")
	}
	// The scheduler may write the record there, and nothing else may do
	// more than that with it.
	var sqs []string
	for _, st := range s.policyStatements(t, fnID) {
		for _, a := range st.Actions {
			if strings.HasPrefix(a, "sqs:") {
				sqs = append(sqs, a+" "+toJSON(st.Resources))
			}
		}
	}
	if len(sqs) != 1 || sqs[0] != `sqs:SendMessage [{"Fn::GetAtt":["`+qID+`","Arn"]}]` {
		t.Errorf("scheduler's SQS permissions %v, want SendMessage on its failure queue only", sqs)
	}

	alarms := map[string]map[string]any{}
	for _, a := range s.resources("AWS::CloudWatch::Alarm") {
		ap := props(a)
		if name, _ := ap["MetricName"].(string); name != "" {
			alarms[name] = ap
		}
	}
	exp := alarms[scheduler.MetricSecurityTxtDays]
	if exp == nil || exp["ComparisonOperator"] != "LessThanThreshold" || exp["Threshold"] != float64(30) ||
		exp["Namespace"] != scheduler.MetricsNamespace || exp["Period"] != float64(3600) ||
		toJSON(exp["AlarmActions"]) != `[{"Ref":"`+topicID+`"}]` || toJSON(exp["OKActions"]) != `[{"Ref":"`+topicID+`"}]` {
		t.Errorf("security.txt alarm = %s", toJSON(exp))
	}
	dlq := alarms["ApproximateNumberOfMessagesVisible"]
	if dlq == nil || dlq["ComparisonOperator"] != "GreaterThanOrEqualToThreshold" || dlq["Threshold"] != float64(1) ||
		toJSON(dlq["AlarmActions"]) != `[{"Ref":"`+topicID+`"}]` {
		t.Errorf("failed-batch alarm = %s", toJSON(dlq))
	}

	env := props(s.resources("AWS::Lambda::Function")[fnID])["Environment"].(map[string]any)["Variables"].(map[string]any)
	if env["TRUST_CONTENT"] != "/var/task/"+ContentFile {
		t.Errorf("scheduler TRUST_CONTENT = %v, want the content file it ships with", env["TRUST_CONTENT"])
	}

	// The copy sweep: the bucket, and DeleteObject under copies/ only.
	bucketID := logicalIDByPath(t, s, "AWS::S3::Bucket", "ReportsBucket/Resource")
	if ref(env["TRUST_BUCKET"]) != bucketID {
		t.Errorf("scheduler TRUST_BUCKET = %s, want the reports bucket", toJSON(env["TRUST_BUCKET"]))
	}
	var objects []string
	for _, st := range s.policyStatements(t, fnID) {
		for _, a := range st.Actions {
			if strings.HasPrefix(a, "s3:") {
				objects = append(objects, a+" "+toJSON(st.Resources))
			}
		}
	}
	if want := `s3:DeleteObject [{"Fn::Join":["",[{"Fn::GetAtt":["` + bucketID + `","Arn"]},"/copies/*"]]}]`; len(objects) != 1 || objects[0] != want {
		t.Errorf("scheduler S3 permissions %v, want %s", objects, want)
	}

	_, d := s.only(t, "AWS::CloudWatch::Dashboard")
	body := toJSON(props(d))
	for _, want := range []string{scheduler.MetricSecurityTxtDays, scheduler.MetricSent, scheduler.MetricOldestPending,
		`"Ref":"` + fnID, qID, "Scheduler runs and errors"} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %s", want)
		}
	}
	if strings.Contains(body, `\"width\":24,\"x\":24`) {
		t.Error("a dashboard row is wider than 24 units")
	}
}
