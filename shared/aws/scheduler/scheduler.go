// Package scheduler is the mail scheduler's Lambda function: it delivers
// the outbox off the request path. Three triggers share one handler: the
// table's stream (an outbox item was inserted: deliver it now), an
// EventBridge schedule every five minutes (drain whatever is due, report
// the oldest mail still waiting), and the SNS topic of the SES
// configuration set (a bounce or complaint: suppress the address). Each run
// writes its figures as CloudWatch embedded metrics (EMF), which the
// stack's alarms watch.
package scheduler

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"trustcenter/shared/aws/dynamostore"
	"trustcenter/shared/trust"
)

// MetricsNamespace, FunctionDimension and the metric names are what the
// stack's alarms name: infra/ reads them from here.
const (
	MetricsNamespace    = "TrustCenter"
	FunctionDimension   = "Function"
	FunctionName        = "scheduler"
	MetricOldestPending = "OldestPendingMailAge"
	MetricPermanentFail = "MailPermanentFailure"
	MetricSent          = "MailSent"
	MetricRetrying      = "MailRetrying"
	MetricUndeliverable = "MailUndeliverable"
	// MetricSecurityTxtDays is the days left until security.txt's Expires,
	// written by every drain; an alarm fires below a month, while there is
	// time to publish a new date.
	MetricSecurityTxtDays = "SecurityTxtDaysLeft"
	metricDaysUnit        = "None"
	metricSecondsUnit     = "Seconds"
	metricCountUnit       = "Count"
	streamInsert          = "INSERT"
	sourceDynamoDBStream  = "aws:dynamodb"
	sourceSNS             = "aws:sns"
)

// Handler answers the scheduler's events with svc; metrics are written to
// emf (the function's stdout, which CloudWatch Logs reads).
type Handler struct {
	Service *trust.Service
	Log     *slog.Logger
	EMF     io.Writer
	Clock   trust.Clock
	// SweepCopies: the service has the bucket, and each scheduled run
	// removes the kept copies of grants that ended (SweepExpiredCopies).
	SweepCopies bool
	// SecurityTxtExpires is the content's security.txt Expires; zero:
	// no content, and no metric of it.
	SecurityTxtExpires time.Time
	// Lapses, when set, has each scheduled run queue the mails of grants
	// that end soon or have ended (trust.Service.RemindLapses) before it
	// drains the outbox, so they go out in the same run.
	Lapses bool
}

// probe tells the three event shapes apart. DynamoDB stream records spell
// eventSource in camel case, SNS records in Pascal case; encoding/json
// prefers the exact spelling.
type probe struct {
	Records []struct {
		Source    string `json:"eventSource"`
		SNSSource string `json:"EventSource"`
	} `json:"Records"`
	Source     string `json:"source"`
	DetailType string `json:"detail-type"`
}

// deadlineMargin is what a run leaves of the function's timeout: a run
// that SES or the table holds up stops this long before Lambda would kill
// it, so it ends with its report and metrics written, and every mail it
// did not get to stays pending for the next run.
const deadlineMargin = 5 * time.Second

// Handle is the function's entry point.
func (h *Handler) Handle(ctx context.Context, raw json.RawMessage) error {
	if d, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d.Add(-deadlineMargin))
		defer cancel()
	}
	var p probe
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("scheduler: event is not JSON: %w", err)
	}
	switch {
	case len(p.Records) > 0 && p.Records[0].Source == sourceDynamoDBStream:
		var ev events.DynamoDBEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return fmt.Errorf("scheduler: stream event: %w", err)
		}
		return h.stream(ctx, ev)
	case len(p.Records) > 0 && p.Records[0].SNSSource == sourceSNS:
		var ev events.SNSEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return fmt.Errorf("scheduler: SNS event: %w", err)
		}
		return h.notifications(ctx, ev)
	case p.Source == "aws.events" || p.DetailType == "Scheduled Event":
		// Reminders first: what they queue goes out in the same drain.
		if n, err := h.Service.RemindPending(ctx); err != nil {
			h.Log.Error("remind approvers", "err", err)
		} else if n > 0 {
			h.Log.Info("approvers reminded", "requests", n)
		}
		if h.Lapses {
			// A failure here must not hold up the outbox; the next run
			// finds the same grants.
			if n, err := h.Service.RemindLapses(ctx); err != nil {
				h.Log.Error("remind lapses", "err", err)
			} else if n > 0 {
				h.Log.Info("lapse mails queued", "mails", n)
			}
		}
		r, err := h.Service.DrainMail(ctx)
		h.report("drain", r, true)
		if h.SweepCopies {
			// After the mail, which is what people wait for; a failed
			// sweep is made up by the next runs.
			rep, serr := h.Service.SweepExpiredCopies(ctx)
			h.Log.Info("copies swept", "grants", rep.Grants, "removed", rep.Removed, "failed", rep.Failed)
			if serr != nil {
				h.Log.Error("sweep copies", "err", serr)
			}
		}
		return err
	}
	return fmt.Errorf("scheduler: unknown event (source %q)", p.Source)
}

// MailIDs are the ids of the mails the stream records insert: the outbox
// items, told by their key's prefix (the event source mapping filters on
// it too, so that other writes never wake the function).
func MailIDs(ev events.DynamoDBEvent) []string {
	var ids []string
	for _, rec := range ev.Records {
		if rec.EventName != streamInsert {
			continue
		}
		img := rec.Change.NewImage
		pk, ok := img[dynamostore.AttrPK]
		if !ok || pk.DataType() != events.DataTypeString || !strings.HasPrefix(pk.String(), dynamostore.PrefixMail) {
			continue
		}
		ids = append(ids, strings.TrimPrefix(pk.String(), dynamostore.PrefixMail))
	}
	return ids
}

func (h *Handler) stream(ctx context.Context, ev events.DynamoDBEvent) error {
	ids := MailIDs(ev)
	if len(ids) == 0 {
		return nil
	}
	r, err := h.Service.DeliverMail(ctx, ids...)
	h.report("stream", r, false)
	// A store failure fails the batch, which Lambda hands over again; the
	// schedule would deliver the mails anyway.
	return err
}

// sesEvent is the part of an SES event (configuration set event
// publishing, or an identity's notification) the scheduler reads.
type sesEvent struct {
	EventType        string `json:"eventType"`
	NotificationType string `json:"notificationType"`
	Bounce           struct {
		BounceType        string `json:"bounceType"`
		BounceSubType     string `json:"bounceSubType"`
		BouncedRecipients []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"bouncedRecipients"`
	} `json:"bounce"`
	Complaint struct {
		FeedbackType         string `json:"complaintFeedbackType"`
		ComplainedRecipients []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"complainedRecipients"`
	} `json:"complaint"`
	Mail struct {
		Tags map[string][]string `json:"tags"`
	} `json:"mail"`
}

// notifications suppresses every address that bounced for good or
// complained. A transient bounce (a full mailbox) is only logged: the
// address may work tomorrow.
func (h *Handler) notifications(ctx context.Context, ev events.SNSEvent) error {
	for _, rec := range ev.Records {
		var se sesEvent
		if err := json.Unmarshal([]byte(rec.SNS.Message), &se); err != nil {
			// Not an SES event: nothing to act on, and retrying will not help.
			h.Log.Error("SES notification is not JSON", "message_id", rec.SNS.MessageID, "err", err)
			continue
		}
		kind := se.EventType
		if kind == "" {
			kind = se.NotificationType
		}
		mail := strings.Join(se.Mail.Tags["mail"], ",")
		switch kind {
		case "Bounce":
			if se.Bounce.BounceType != "Permanent" {
				h.Log.Warn("mail bounced for now; address kept", "mail", mail, "bounce", se.Bounce.BounceType+"/"+se.Bounce.BounceSubType)
				continue
			}
			for _, r := range se.Bounce.BouncedRecipients {
				if err := h.Service.Suppress(ctx, r.EmailAddress, "bounce: "+se.Bounce.BounceType+"/"+se.Bounce.BounceSubType); err != nil {
					return err
				}
			}
			h.Log.Warn("mail bounced for good; address suppressed", "mail", mail, "bounce", se.Bounce.BounceSubType)
		case "Complaint":
			for _, r := range se.Complaint.ComplainedRecipients {
				if err := h.Service.Suppress(ctx, r.EmailAddress, "complaint: "+se.Complaint.FeedbackType); err != nil {
					return err
				}
			}
			h.Log.Warn("mail complained about; address suppressed", "mail", mail, "feedback", se.Complaint.FeedbackType)
		default:
			h.Log.Info("SES event ignored", "type", kind, "mail", mail)
		}
	}
	return nil
}

// report logs what a run did and writes it as embedded metrics. Only a
// drain knows the oldest pending mail (it reads the queue's head).
func (h *Handler) report(trigger string, r trust.MailReport, drained bool) {
	h.Log.Info("mail delivered", "trigger", trigger, "sent", r.Sent, "retrying", r.Retrying,
		"undeliverable", r.Undeliverable, "failed", r.Failed, "oldest_pending_s", int64(r.OldestPending/time.Second))
	metrics := []emfMetric{
		{MetricSent, metricCountUnit}, {MetricRetrying, metricCountUnit},
		{MetricUndeliverable, metricCountUnit}, {MetricPermanentFail, metricCountUnit},
	}
	values := map[string]any{
		MetricSent: r.Sent, MetricRetrying: r.Retrying, MetricUndeliverable: r.Undeliverable, MetricPermanentFail: r.Failed,
	}
	if drained {
		metrics = append(metrics, emfMetric{MetricOldestPending, metricSecondsUnit})
		values[MetricOldestPending] = r.OldestPending.Seconds()
		if !h.SecurityTxtExpires.IsZero() {
			metrics = append(metrics, emfMetric{MetricSecurityTxtDays, metricDaysUnit})
			values[MetricSecurityTxtDays] = SecurityTxtDaysLeft(h.SecurityTxtExpires, h.Clock.Now())
		}
	}
	if err := writeEMF(h.EMF, h.Clock.Now(), metrics, values); err != nil {
		h.Log.Error("write metrics", "err", err)
	}
}

// SecurityTxtDaysLeft is the whole days from now until expires, negative
// once it has passed (a fraction of a day counts as none left of it).
func SecurityTxtDaysLeft(expires, now time.Time) float64 {
	return math.Floor(expires.Sub(now).Hours() / 24)
}

type emfMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

// writeEMF writes one log line in CloudWatch's embedded metric format: the
// metric values at the top level, described by the _aws block.
func writeEMF(w io.Writer, at time.Time, metrics []emfMetric, values map[string]any) error {
	line := map[string]any{
		"_aws": map[string]any{
			"Timestamp": at.UnixMilli(),
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace":  MetricsNamespace,
				"Dimensions": [][]string{{FunctionDimension}},
				"Metrics":    metrics,
			}},
		},
		FunctionDimension: FunctionName,
	}
	for k, v := range values {
		line[k] = v
	}
	b, err := json.Marshal(line)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
