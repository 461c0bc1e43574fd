package main

import (
	"slices"
	"strings"
	"testing"

	"trustcenter/shared/aws/dynamostore"
)

// TestMailScheduler: the scheduler is the one function that sends mail,
// woken by the table's stream (outbox inserts only), a five-minute
// schedule and the SES configuration set's bounce and complaint topic;
// its role reaches the mail and suppression items, the stream, and SES for
// the sender with the configuration set, and nothing else.
func TestMailScheduler(t *testing.T) {
	s := synth(t)
	fnID := logicalIDByPath(t, s, "AWS::Lambda::Function", "SchedulerFunction/Resource")
	tableID := logicalIDByPath(t, s, "AWS::DynamoDB::Table", "Table/Resource")
	setID := logicalIDByPath(t, s, "AWS::SES::ConfigurationSet", "MailConfigurationSet/Resource")
	topicID := logicalIDByPath(t, s, "AWS::SNS::Topic", "MailEventsTopic/Resource")
	fn := props(s.resources("AWS::Lambda::Function")[fnID])

	if spec := toJSON(props(s.resources("AWS::DynamoDB::Table")[tableID])["StreamSpecification"]); spec != `{"StreamViewType":"NEW_IMAGE"}` {
		t.Errorf("table stream = %s, want NEW_IMAGE", spec)
	}
	env := fn["Environment"].(map[string]any)["Variables"].(map[string]any)
	if ref(env["TRUST_TABLE"]) != tableID || env["TRUST_MAIL_FROM"] != testMailFrom || ref(env["TRUST_SES_CONFIGURATION_SET"]) != setID {
		t.Errorf("scheduler environment = %s", toJSON(env))
	}
	// TRUST_STAFF and TRUST_BASE_URL are the reminders', TRUST_SERVICES_SECRET
	// Slack's bot token.
	for _, k := range []string{"TRUST_ORIGIN_SECRET", "TRUST_KEYS_SECRET"} {
		if _, ok := env[k]; ok {
			t.Errorf("scheduler has %s, which it does not use", k)
		}
	}
	if to, _ := fn["Timeout"].(float64); to < 30 {
		t.Errorf("scheduler Timeout = %v, want room for a drain", fn["Timeout"])
	}

	// The stream wakes it for outbox inserts only.
	_, esm := s.only(t, "AWS::Lambda::EventSourceMapping")
	p := props(esm)
	if ref(p["FunctionName"]) != fnID || getAtt(p["EventSourceArn"], "StreamArn") != tableID || p["StartingPosition"] != "LATEST" {
		t.Errorf("event source mapping = %s", toJSON(p))
	}
	filters := toJSON(p["FilterCriteria"])
	for _, want := range []string{`\"eventName\":[\"INSERT\"]`, `\"prefix\":\"` + dynamostore.PrefixMail + `\"`} {
		if !strings.Contains(filters, want) {
			t.Errorf("stream filter %s lacks %s", filters, want)
		}
	}

	_, rule := s.only(t, "AWS::Events::Rule")
	rp := props(rule)
	if rp["ScheduleExpression"] != "rate(5 minutes)" || !strings.Contains(toJSON(rp["Targets"]), `"`+fnID+`"`) {
		t.Errorf("schedule = %s, want every 5 minutes to the scheduler", toJSON(rp))
	}

	// Bounces and complaints go to the topic, and from it to the scheduler.
	dest := ""
	for _, d := range s.resources("AWS::SES::ConfigurationSetEventDestination") {
		dest = toJSON(props(d))
	}
	if !strings.Contains(dest, `"BOUNCE"`) && !strings.Contains(dest, `"bounce"`) || !strings.Contains(strings.ToLower(dest), `"complaint"`) || !strings.Contains(dest, `"`+topicID+`"`) {
		t.Errorf("configuration set event destination = %s, want bounces and complaints to the mail events topic", dest)
	}
	subscribed := false
	for _, sub := range s.resources("AWS::SNS::Subscription") {
		sp := props(sub)
		if ref(sp["TopicArn"]) == topicID && sp["Protocol"] == "lambda" && getAtt(sp["Endpoint"], "Arn") == fnID {
			subscribed = true
		}
	}
	if !subscribed {
		t.Error("the scheduler is not subscribed to the mail events topic")
	}

	// Least privilege: the mail and suppression items by LeadingKeys, the
	// stream, SES for the sender with the configuration set.
	var sends, keys []string
	for _, st := range s.policyStatements(t, fnID) {
		res := toJSON(st.Resources)
		for _, a := range st.Actions {
			switch {
			case a == "ses:SendEmail":
				sends = append(sends, res)
			case strings.HasPrefix(a, "ses:"):
				t.Errorf("scheduler: %s, want only ses:SendEmail", a)
			case a == "dynamodb:ListStreams":
				// Has no resource type; suppressed for cdk-nag with the reason.
			case a == "dynamodb:DescribeStream" || a == "dynamodb:GetRecords" || a == "dynamodb:GetShardIterator":
				if getAtt(st.Resources[0], "StreamArn") != tableID || len(st.Resources) != 1 {
					t.Errorf("scheduler: %s on %s, want the table's stream", a, res)
				}
			case strings.HasPrefix(a, "dynamodb:"):
				like, _ := st.Condition["ForAllValues:StringLike"].(map[string]any)
				for _, k := range asList(like["dynamodb:LeadingKeys"]) {
					keys = append(keys, a+" "+k.(string))
				}
			case strings.HasPrefix(a, "logs:"):
			case a == "sqs:SendMessage", a == "s3:DeleteObject":
				// The stream's failed batches and the copy sweep
				// (TestSchedulerOperations).
			case a == "secretsmanager:GetSecretValue" && len(st.Resources) == 1 &&
				ref(st.Resources[0]) == logicalIDByPath(t, s, "AWS::SecretsManager::Secret", "StaffServices/Resource"):
			default:
				t.Errorf("scheduler: unexpected action %s", a)
			}
		}
	}
	if len(sends) != 1 || !strings.Contains(sends[0], ":identity/trust@mail.example.com") || !strings.Contains(sends[0], ":configuration-set/") ||
		!strings.Contains(sends[0], `"`+setID+`"`) {
		t.Errorf("ses:SendEmail on %v, want the sender identities and the configuration set", sends)
	}
	slices.Sort(keys)
	want := []string{
		"dynamodb:GetItem HEALTH#*", "dynamodb:GetItem MAIL#*", "dynamodb:GetItem SUPPRESS#*", "dynamodb:PutItem EVT#*", "dynamodb:PutItem HEALTH#*",
		"dynamodb:PutItem MAIL#*", "dynamodb:PutItem SUPPRESS#*", "dynamodb:PutItem USE#*",
		"dynamodb:Query COPY#*", "dynamodb:Query DOCS", "dynamodb:Query OUTBOX", "dynamodb:Query STATUS#*", "dynamodb:UpdateItem MAIL#*",
	}
	if !slices.Equal(keys, want) {
		t.Errorf("scheduler table access %v, want %v", keys, want)
	}
}
