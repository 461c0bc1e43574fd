package trust

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"trustcenter/shared/i18n"
)

// Slack notices travel through the outbox like mail, so that a Slack
// outage or a slow API never fails the commit that queued them: the
// scheduler sends each with the same claims, attempts and backoff as any
// mail. A notice is a Mail whose recipient is SlackRecipient+channel and
// whose text is a SlackNotice as JSON; the scheduler's mail engine hands
// those to the Slack sender and everything else to the mail provider.

// SlackRecipient prefixes the channel id in a Slack notice's To.
const SlackRecipient = "slack:"

// SlackConfig is the Slack side of the service: where pending requests are
// announced, and which Slack users act as which staff member.
type SlackConfig struct {
	// Channel is the channel id new pending requests are posted in; ""
	// turns Slack notices off.
	Channel string
	// Users maps a Slack user id to a staff email. Only a mapped user whose
	// staff role may approve can act from Slack.
	Users map[string]string
	// RemindAfter is how long a request waits before approvers are
	// reminded; 0 means no reminders.
	RemindAfter time.Duration
}

// SlackNotice is one message to post: the summary line, the request's
// context as label/value pairs, and, while the request is pending, the
// Approve and Deny buttons, whose value is the request id.
type SlackNotice struct {
	RequestID string       `json:"request_id"`
	Text      string       `json:"text"`
	Fields    []SlackField `json:"fields"`
	Link      string       `json:"link"`
	LinkLabel string       `json:"link_label"`
	Buttons   bool         `json:"buttons"`
	Approve   string       `json:"approve,omitempty"`
	Deny      string       `json:"deny,omitempty"`
}

// SlackField is one labelled value of a notice.
type SlackField struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Slack actions, the action_id of the buttons.
const (
	SlackApprove = "approve"
	SlackDeny    = "deny"
)

// ParseSlackUsers reads "U123=a@x.com,U456=b@y.com" into a user map; every
// email must be on staff, so a typo fails the cold start, not a click.
func ParseSlackUsers(v string, staff []Staff) (map[string]string, error) {
	users := map[string]string{}
	for _, e := range strings.Split(v, ",") {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		id, email, ok := strings.Cut(e, "=")
		id, email = strings.TrimSpace(id), normalizeEmail(email)
		if !ok || id == "" || email == "" {
			return nil, fmt.Errorf("slack user %q: want SLACKID=email", e)
		}
		found := false
		for _, st := range staff {
			found = found || st.Email == email
		}
		if !found {
			return nil, fmt.Errorf("slack user %q: %s is not on staff", e, email)
		}
		users[id] = email
	}
	return users, nil
}

// noticeOf is r's context as a notice under text, without buttons.
func (s *Service) noticeOf(r Request, text string) SlackNotice {
	t := func(k string) string { return i18n.T(staffLang, k) }
	return SlackNotice{
		RequestID: r.ID,
		Text:      text,
		Fields: []SlackField{
			{t("slack.field.requester"), r.Name + " <" + r.Email + ">"},
			{t("slack.field.company"), r.Company},
			{t("slack.field.documents"), strings.Join(r.Documents, ", ")},
			{t("slack.field.nda"), r.NDA.Version},
		},
		Link:      s.link("/admin/requests/" + r.ID),
		LinkLabel: t("slack.open"),
	}
}

// slackNotice queues r's notice under the summary key, with the buttons
// and a "why" field; false when Slack is not set up.
func (s *Service) slackNotice(r Request, key, why string) (Mail, bool) {
	if s.cfg.Slack.Channel == "" {
		return Mail{}, false
	}
	n := s.noticeOf(r, i18n.T(staffLang, key, r.Name, r.Company))
	n.Fields = append(n.Fields, SlackField{i18n.T(staffLang, "slack.field.why"), why})
	n.Buttons = true
	n.Approve, n.Deny = i18n.T(staffLang, "slack.approve"), i18n.T(staffLang, "slack.deny")
	body, err := json.Marshal(n)
	if err != nil {
		s.log.Error("slack notice not queued", "request", r.ID, "err", err)
		return Mail{}, false
	}
	return Mail{ID: s.newID("mail_"), To: SlackRecipient + s.cfg.Slack.Channel, Subject: n.Text, Text: string(body), CreatedAt: s.now()}, true
}

// queueSlackPending adds the notice of a request that now waits for staff.
func (s *Service) queueSlackPending(tx *Tx, r Request, why string) {
	if m, ok := s.slackNotice(r, "slack.pending", why); ok {
		tx.Mails = append(tx.Mails, m)
	}
}

// SlackStaff is the session a Slack user acts with: the mapped staff
// member's, refused for anyone unmapped or no longer on staff.
func (s *Service) SlackStaff(userID string) (Session, error) {
	email, ok := s.cfg.Slack.Users[userID]
	if !ok {
		return Session{}, errorMsg(EForbidden, msg("error.slack_unmapped"))
	}
	st, ok := s.StaffMember(email)
	if !ok {
		return Session{}, errorMsg(EForbidden, msg("error.slack_unmapped"))
	}
	return Session{Email: st.Email, Role: st.Role}, nil
}

// SlackDecide approves or denies request id for the Slack user, as the
// staff member the user is mapped to, and returns the updated notice for
// the message. The audit event names the staff member, and its detail says
// it came from Slack.
func (s *Service) SlackDecide(ctx context.Context, userID, action, id string, c Client) (SlackNotice, error) {
	by, err := s.SlackStaff(userID)
	if err != nil {
		return SlackNotice{}, err
	}
	c.UserAgent = "slack:" + userID
	var r Request
	switch action {
	case SlackApprove:
		r, err = s.Approve(ctx, by, id, DefaultDays, c)
	case SlackDeny:
		r, err = s.Deny(ctx, by, id, i18n.T(staffLang, "slack.deny_reason", s.cfg.Company), c)
	default:
		return SlackNotice{}, Errorf(EInvalid, "unknown Slack action %q", action)
	}
	if err != nil {
		return SlackNotice{}, err
	}
	key := "slack.approved"
	if action == SlackDeny {
		key = "slack.denied"
	}
	return s.noticeOf(r, i18n.T(staffLang, key, r.Name, r.Company, by.Email)), nil
}

// remindTTL is how long the record that a request was reminded of is
// kept: longer than any request stays pending.
const remindTTL = 400 * 24 * time.Hour

// RemindPending reminds approvers, once per request, of every request
// pending for longer than RemindAfter: a Slack notice with the buttons (if
// Slack is set up) and a mail to each staff member who may approve. The
// reminder is a single-use mark, so two schedulers never both remind. It
// returns how many requests were reminded.
func (s *Service) RemindPending(ctx context.Context) (int, error) {
	after := s.cfg.Slack.RemindAfter
	if after <= 0 {
		return 0, nil
	}
	now := s.now()
	n, cursor := 0, ""
	for {
		reqs, next, err := s.store.ListRequests(ctx, Pending, cursor, 50)
		if err != nil {
			return n, fmt.Errorf("remind: %w", err)
		}
		for _, r := range reqs {
			since := r.ConfirmedAt
			if since.IsZero() {
				since = r.CreatedAt
			}
			if now.Sub(since) < after {
				continue
			}
			waited := int(now.Sub(since) / time.Hour)
			tx := Tx{
				Uses:   []Use{{ID: "remind:" + r.ID, ExpiresAt: now.Add(remindTTL)}},
				Events: []Event{s.event(r.ID, "request.reminded", "scheduler", fmt.Sprintf("pending %d h", waited), Client{})},
			}
			if m, ok := s.slackNotice(r, "slack.reminder", i18n.T(staffLang, "slack.waited", waited)); ok {
				tx.Mails = append(tx.Mails, m)
			}
			for _, st := range s.cfg.Staff {
				if st.Role.May(Approve) {
					tx.Mails = append(tx.Mails, s.mail(st.Email, staffLang, "mail.reminder", quoted(r.Name), quoted(r.Company), waited, s.link("/admin/requests/"+r.ID)))
				}
			}
			if err := s.commit(ctx, tx); err != nil {
				if ErrorCode(err) == EConflict {
					continue // reminded already
				}
				return n, fmt.Errorf("remind %s: %w", r.ID, err)
			}
			n++
		}
		if next == "" {
			return n, nil
		}
		cursor = next
	}
}

// SlackOnce spends an interaction's signature, so the same signed request
// sent again within its five minutes is refused: a replay.
func (s *Service) SlackOnce(ctx context.Context, signature string) error {
	sum := sha256.Sum256([]byte(signature))
	err := s.commit(ctx, Tx{Uses: []Use{{ID: "slack:" + hex.EncodeToString(sum[:]), ExpiresAt: s.now().Add(time.Hour)}}})
	if ErrorCode(err) == EConflict {
		return errorMsg(EUnauthorized, msg("error.slack_signature"))
	}
	return err
}
