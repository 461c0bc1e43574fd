package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"trustcenter/shared/i18n"
	"trustcenter/shared/slackbot"
	"trustcenter/shared/trust"
)

// SlackDeps is what the interactions endpoint needs of Slack.
type SlackDeps struct {
	SigningSecret string
	// HTTP posts to response_url; nil is a client with a short timeout.
	HTTP *http.Client
}

// slackAnswerTimeout bounds the post to response_url: Slack waits three
// seconds for the interaction's answer.
const slackAnswerTimeout = 2500 * time.Millisecond

// slackInteraction takes a button press from Slack: signed by Slack within
// five minutes and never seen before, by a Slack user mapped to a staff
// member who may decide. The outcome replaces the message; a refusal is
// shown only to the person who pressed.
func (s *server) slackInteraction(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	in, err := slackbot.Verify(s.slack.SigningSecret, r.Header, body, s.now())
	if err == nil {
		err = s.svc.SlackOnce(r.Context(), r.Header.Get("X-Slack-Signature"))
	}
	if errors.Is(err, slackbot.ErrNotFromSlack) || trust.ErrorCode(err) == trust.EUnauthorized {
		s.log.Warn("slack interaction refused", "err", err)
		http.Error(w, i18n.T(i18n.English, "error.slack_signature"), http.StatusUnauthorized)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	hc := s.slack.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: slackAnswerTimeout}
	}
	if in.Action == slackbot.ActionOpen {
		w.WriteHeader(http.StatusOK) // the browser opens the console; nothing to answer
		return
	}
	n, err := s.svc.SlackDecide(r.Context(), in.UserID, in.Action, in.RequestID, client(r))
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), slackAnswerTimeout)
	defer cancel()
	if err != nil {
		s.log.Warn("slack decision refused", "slack_user", in.UserID, "request", in.RequestID, "err", err)
		if rerr := slackbot.Tell(ctx, hc, in.ResponseURL, errorText(err)); rerr != nil {
			s.log.Error("slack refusal not shown", "err", rerr)
		}
		w.WriteHeader(http.StatusOK)
		return
	}
	if err := slackbot.Respond(ctx, hc, in.ResponseURL, n); err != nil {
		// The decision stands; the console shows it.
		s.log.Error("slack message not updated", "request", in.RequestID, "err", err)
	}
	w.WriteHeader(http.StatusOK)
}

// errorText is err for the person who pressed: the catalog's English text
// of a domain error, a generic line otherwise.
func errorText(err error) string {
	var e *trust.Error
	if errors.As(err, &e) && e.Code != trust.EInternal && e.Message != "" {
		return e.Message
	}
	return i18n.T(i18n.English, "error.internal")
}
