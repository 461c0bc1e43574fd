// Package slackbot is the trust center's side of Slack, on
// github.com/slack-go/slack: the outbox engine that posts queued notices
// (trust.SlackNotice) with chat.postMessage, the message blocks, and the
// checks of an interaction Slack sends back (signature, timestamp,
// payload). The domain decides what is said and who may act; this package
// only speaks Slack.
package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"trustcenter/shared/trust"
)

// Settings is how the trust center reaches Slack.
type Settings struct {
	Token         string // the bot token (xoxb-…), for chat.postMessage
	SigningSecret string // checks that an interaction came from Slack
	// APIURL is Slack's Web API ("" is slack.com's); tests point it at a
	// fake.
	APIURL string
}

// Enabled reports whether a bot token is set.
func (s Settings) Enabled() bool { return s.Token != "" }

func (s Settings) client(hc *http.Client) *slack.Client {
	opts := []slack.Option{slack.OptionHTTPClient(hc)}
	if s.APIURL != "" {
		opts = append(opts, slack.OptionAPIURL(strings.TrimRight(s.APIURL, "/")+"/"))
	}
	return slack.New(s.Token, opts...)
}

// Mailer sends Slack notices to Slack and every other mail to Next: the
// scheduler's one mail engine, so notices get the outbox's attempts and
// backoff.
type Mailer struct {
	Next  trust.Mailer
	slack *slack.Client
}

// sendTimeout bounds one post; the outbox tries again later.
const sendTimeout = 10 * time.Second

// NewMailer wraps next; with no token, notices are refused (and given up)
// rather than posted.
func NewMailer(s Settings, next trust.Mailer) *Mailer {
	m := &Mailer{Next: next}
	if s.Enabled() {
		m.slack = s.client(&http.Client{Timeout: sendTimeout})
	}
	return m
}

// Send posts a Slack notice, or hands any other mail on.
func (m *Mailer) Send(ctx context.Context, mail trust.Mail) error {
	channel, ok := strings.CutPrefix(mail.To, trust.SlackRecipient)
	if !ok {
		return m.Next.Send(ctx, mail)
	}
	if m.slack == nil {
		return trust.Errorf(trust.EInvalid, "no Slack bot token is set (TRUST_SLACK_BOT_TOKEN)")
	}
	var n trust.SlackNotice
	if err := json.Unmarshal([]byte(mail.Text), &n); err != nil {
		return trust.Errorf(trust.EInvalid, "slack notice %s is not a notice: %v", mail.ID, err)
	}
	_, _, err := m.slack.PostMessageContext(ctx, channel, slack.MsgOptionText(n.Text, true), slack.MsgOptionBlocks(Blocks(n)...))
	return classify(err)
}

// classify tells a refusal (Slack answered, and will answer the same
// again: a wrong channel, a revoked token) from a failure worth another
// try (rate limits, the network).
func classify(err error) error {
	var refused slack.SlackErrorResponse
	var limited *slack.RateLimitedError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &limited):
		return fmt.Errorf("slack: rate limited: %w", err)
	case errors.As(err, &refused):
		return trust.Errorf(trust.EInvalid, "slack refused the message: %s", refused.Err)
	}
	return fmt.Errorf("slack: %w", err)
}

// ActionOpen is the console link's button. Slack reports a press on it
// like any other button; it decides nothing.
const ActionOpen = "open"

// escape keeps what a requester typed from becoming Slack markup: a
// mention of everyone, a link, bold.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "*", "\u2217", "_", "\uff3f", "~", "\u223c", "`", "\u02cb").Replace(s)
}

// Blocks are n's message: the summary, the context, and the buttons while
// the request waits (or only the console link once it is decided).
func Blocks(n trust.SlackNotice) []slack.Block {
	summary := slack.NewSectionBlock(slack.NewTextBlockObject(slack.PlainTextType, n.Text, false, false), nil, nil)
	var fields []*slack.TextBlockObject
	for _, f := range n.Fields {
		fields = append(fields, slack.NewTextBlockObject(slack.MarkdownType, "*"+escape(f.Label)+"*\n"+escape(f.Value), false, false))
	}
	context := slack.NewSectionBlock(nil, fields, nil)
	var buttons []slack.BlockElement
	if n.Buttons {
		approve := slack.NewButtonBlockElement(trust.SlackApprove, n.RequestID, slack.NewTextBlockObject(slack.PlainTextType, n.Approve, false, false))
		approve.Style = slack.StylePrimary
		deny := slack.NewButtonBlockElement(trust.SlackDeny, n.RequestID, slack.NewTextBlockObject(slack.PlainTextType, n.Deny, false, false))
		deny.Style = slack.StyleDanger
		buttons = append(buttons, approve, deny)
	}
	open := slack.NewButtonBlockElement(ActionOpen, n.RequestID, slack.NewTextBlockObject(slack.PlainTextType, n.LinkLabel, false, false))
	open.URL = n.Link
	buttons = append(buttons, open)
	return []slack.Block{summary, context, slack.NewActionBlock("request", buttons...)}
}

// MaxSkew is how old an interaction's timestamp may be: Slack's own advice,
// five minutes, against replays of a captured request.
const MaxSkew = 5 * time.Minute

// ErrNotFromSlack is any interaction that fails the checks.
var ErrNotFromSlack = errors.New("the interaction is not signed by Slack, or it is stale")

// Interaction is what a button press says: who pressed which button for
// which request, and where to answer.
type Interaction struct {
	UserID      string
	Action      string
	RequestID   string
	ResponseURL string
	Channel     string
	MessageTS   string
}

// Verify checks that body (the raw POST) was signed by Slack with the
// signing secret within MaxSkew of now, and reads the button press in it.
func Verify(secret string, h http.Header, body []byte, now time.Time) (Interaction, error) {
	if secret == "" {
		return Interaction{}, ErrNotFromSlack
	}
	ts := h.Get("X-Slack-Request-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return Interaction{}, ErrNotFromSlack
	}
	// slack-go's own check of the timestamp reads the wall clock; ours is
	// the service's, both ways (a timestamp from the future is as bad).
	if d := now.Sub(time.Unix(sec, 0)); d > MaxSkew || d < -MaxSkew {
		return Interaction{}, ErrNotFromSlack
	}
	v, err := slack.NewSecretsVerifier(h, secret)
	if err != nil {
		return Interaction{}, ErrNotFromSlack
	}
	if _, err := v.Write(body); err != nil {
		return Interaction{}, ErrNotFromSlack
	}
	if err := v.Ensure(); err != nil {
		return Interaction{}, ErrNotFromSlack
	}
	return parse(body)
}

// parse reads the form's payload: one block_actions callback with one
// of our two buttons.
func parse(body []byte) (Interaction, error) {
	form, err := parseForm(body)
	if err != nil {
		return Interaction{}, trust.Errorf(trust.EInvalid, "slack interaction: %v", err)
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(form), &cb); err != nil {
		return Interaction{}, trust.Errorf(trust.EInvalid, "slack interaction payload: %v", err)
	}
	if cb.Type != slack.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) != 1 {
		return Interaction{}, trust.Errorf(trust.EInvalid, "slack interaction: want one button press, got %q", cb.Type)
	}
	a := cb.ActionCallback.BlockActions[0]
	return Interaction{UserID: cb.User.ID, Action: a.ActionID, RequestID: a.Value, ResponseURL: cb.ResponseURL,
		Channel: cb.Channel.ID, MessageTS: cb.Container.MessageTs}, nil
}

// Respond replaces the pressed message with n through the interaction's
// response_url, which needs no token and works for 30 minutes.
func Respond(ctx context.Context, hc *http.Client, responseURL string, n trust.SlackNotice) error {
	msg := &slack.WebhookMessage{Text: escape(n.Text), Blocks: &slack.Blocks{BlockSet: Blocks(n)}, ReplaceOriginal: true}
	if err := slack.PostWebhookCustomHTTPContext(ctx, responseURL, hc, msg); err != nil {
		return fmt.Errorf("slack response_url: %w", err)
	}
	return nil
}

// parseForm returns the payload field of an urlencoded body.
func parseForm(body []byte) (string, error) {
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return "", err
	}
	p := vals.Get("payload")
	if p == "" {
		return "", errors.New("no payload")
	}
	return p, nil
}

// Tell shows text only to the person who pressed, leaving the message as
// it was.
func Tell(ctx context.Context, hc *http.Client, responseURL, text string) error {
	msg := &slack.WebhookMessage{Text: text, ResponseType: slack.ResponseTypeEphemeral}
	if err := slack.PostWebhookCustomHTTPContext(ctx, responseURL, hc, msg); err != nil {
		return fmt.Errorf("slack response_url: %w", err)
	}
	return nil
}
