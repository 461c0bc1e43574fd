package trust

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"trustcenter/shared/i18n"
)

// Topic is a kind of update a visitor can subscribe to.
type Topic string

const (
	TopicReports       Topic = "reports"
	TopicSubprocessors Topic = "subprocessors"
	TopicIncidents     Topic = "incidents"
)

// Topics are every topic, in the order the form offers them.
var Topics = []Topic{TopicReports, TopicSubprocessors, TopicIncidents}

// Subscriber is everything kept about a subscriber, and no more: the
// address, the language of their mail and what they chose. Unsubscribing
// erases it (Tx.EraseSubscriber); the event trail never holds the address.
type Subscriber struct {
	Email string `json:"email"`
	Lang  string `json:"lang"`
	// Topics are what confirmed mail goes out about; Pending what the
	// last sign-up asked for, until its link is opened.
	Topics      []Topic   `json:"topics,omitempty"`
	Pending     []Topic   `json:"pending,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	ConfirmedAt time.Time `json:"confirmed_at,omitzero"`
}

// Confirmed reports whether the subscriber has opened a confirmation link.
func (s Subscriber) Confirmed() bool { return !s.ConfirmedAt.IsZero() }

// Announced is what subscribers have been told of: the ids of the updates
// mailed (or there before subscriptions began) and the subprocessor list
// as last announced. Version counts its writes, so that two runs at once
// cannot both announce (Tx.Announced is written only over Version-1).
type Announced struct {
	Version       int                  `json:"version"`
	Updates       []string             `json:"updates"`
	Subprocessors []ListedSubprocessor `json:"subprocessors"`
	At            time.Time            `json:"at"`
}

// ListedSubprocessor is a subprocessor as announced: enough to tell that
// the list changed.
type ListedSubprocessor struct {
	Name     string `json:"name"`
	Purpose  string `json:"purpose"`
	Location string `json:"location"`
}

// Published is what a deployment publishes now, as the announcer compares
// it with what was announced. The content layer builds it (shared/app).
type Published struct {
	Updates       []Notice // newest first, as the page lists them
	Subprocessors []ListedSubprocessor
}

// Notice is one published update, its texts by language.
type Notice struct {
	ID    string
	Topic Topic // "" for updates no one subscribes to
	Date  time.Time
	Title map[string]string
	Body  map[string]string
	// Change is the structured change of a subprocessor update, as lines
	// by language; Object is where to object to it ("" for none).
	Change map[string][]string
	Link   string // absolute
	Object string // absolute
}

func in(texts map[string]string, lang string) string {
	if t := texts[lang]; t != "" {
		return t
	}
	return texts[i18n.English]
}

// Limits of the public subscription forms.
const (
	subscribeConfirmTTL = 48 * time.Hour
	// unsubscribeTTL keeps the link in an update mail working for a year:
	// an unsubscribe link must not die while the mail is still read.
	unsubscribeTTL   = 365 * 24 * time.Hour
	maxObjectionText = 2000
)

var (
	subscribePerNetwork = rateLimit{"sub-ip", 20, time.Hour}
	subscribePerAddress = rateLimit{"sub", 3, time.Hour}
	objectPerNetwork    = rateLimit{"object-ip", 10, time.Hour}
)

// subscriptionsSubject is the trail subscriptions leave events on: one for
// all, holding no address, so that erasure leaves nothing behind.
const subscriptionsSubject = "subscriptions"

// Subscribe records a sign-up and mails a link that confirms it. The
// answer is the same whether or not the address was subscribed already,
// so the form tells no one who is on the list.
func (s *Service) Subscribe(ctx context.Context, email, lang string, topics []Topic, c Client) error {
	email = normalizeEmail(email)
	lang = i18n.Negotiate("", lang)
	fields := map[string]Msg{}
	if m := validEmail(email); m.Key != "" {
		fields["email"] = m
	}
	topics = knownTopics(topics)
	if len(topics) == 0 {
		fields["topic"] = msg("subscribe.valid.topics")
	}
	if len(fields) > 0 {
		return invalid(msg("valid.summary"), fields)
	}
	if err := s.allow(ctx, subscribePerNetwork, network(c.IP)); err != nil {
		return err
	}
	if err := s.allow(ctx, subscribePerAddress, mailboxKey(email)); err != nil {
		return err
	}
	sub, err := s.store.GetSubscriber(ctx, email)
	switch {
	case ErrorCode(err) == ENotFound:
		sub = Subscriber{Email: email, CreatedAt: s.now()}
	case err != nil:
		return err
	}
	sub.Lang, sub.Pending = lang, topics
	now := s.now()
	tok, err := s.signer.Sign(SubscribeLink, Claims{Subject: email, ExpiresAt: now.Add(subscribeConfirmTTL)}, now)
	if err != nil {
		return err
	}
	m := s.mail(email, lang, "mail.subscribe", s.cfg.Company, topicNames(lang, topics),
		int(subscribeConfirmTTL/time.Hour), s.link("/subscriptions/confirm/"+tok+langQuery(lang)))
	return s.commit(ctx, Tx{Subscriber: &sub, Mails: []Mail{m},
		Events: []Event{s.event(subscriptionsSubject, "subscription.requested", "visitor", topicList(topics), c)}})
}

// ConfirmSubscription turns the sign-up the link names into a
// subscription. Opening the link again changes nothing.
func (s *Service) ConfirmSubscription(ctx context.Context, tok string, c Client) (Subscriber, error) {
	claims, err := s.parse(SubscribeLink, tok, s.now())
	if err != nil {
		return Subscriber{}, err
	}
	sub, err := s.store.GetSubscriber(ctx, claims.Subject)
	if ErrorCode(err) == ENotFound {
		return Subscriber{}, invalidLink() // unsubscribed since: erased
	}
	if err != nil {
		return Subscriber{}, err
	}
	if len(sub.Pending) == 0 {
		return sub, nil
	}
	sub.Topics, sub.Pending, sub.ConfirmedAt = sub.Pending, nil, s.now()
	err = s.commit(ctx, Tx{Subscriber: &sub,
		Events: []Event{s.event(subscriptionsSubject, "subscription.confirmed", "subscriber", topicList(sub.Topics), c)}})
	return sub, err
}

// Unsubscriber is who an unsubscribe link names, for the page that asks
// before it erases.
func (s *Service) Unsubscriber(tok string) (string, error) {
	claims, err := s.parse(UnsubscribeLink, tok, s.now())
	return claims.Subject, err
}

// Unsubscribe erases the subscriber an unsubscribe link names: a POST from
// the page, or from the mail client itself (RFC 8058 one-click). Erasing
// one already erased succeeds, since the click may come twice.
func (s *Service) Unsubscribe(ctx context.Context, tok string, c Client) error {
	claims, err := s.parse(UnsubscribeLink, tok, s.now())
	if err != nil {
		return err
	}
	return s.commit(ctx, Tx{EraseSubscriber: claims.Subject,
		Events: []Event{s.event(subscriptionsSubject, "subscription.erased", "subscriber", "", c)}})
}

// Objection is a customer's objection to a subprocessor change.
type Objection struct {
	Update, Email, Company, Message string
}

// Object records an objection to the subprocessor change of update n and
// tells staff at once, by an event and a mail to each.
func (s *Service) Object(ctx context.Context, n Notice, o Objection, c Client) error {
	o.Email, o.Company, o.Message = normalizeEmail(o.Email), collapseSpace(o.Company), strings.TrimSpace(o.Message)
	fields := map[string]Msg{}
	if m := validEmail(o.Email); m.Key != "" {
		fields["email"] = m
	}
	if o.Message == "" || utf8.RuneCountInString(o.Message) > maxObjectionText {
		fields["message"] = msg("object.valid.message")
	}
	if m := checkLength("company", o.Company, MaxCompany, false); m.Key != "" {
		fields["company"] = m
	} else if m := checkText("company", o.Company); m.Key != "" {
		fields["company"] = m
	}
	if len(fields) > 0 {
		return invalid(msg("valid.summary"), fields)
	}
	if err := s.allow(ctx, objectPerNetwork, network(c.IP)); err != nil {
		return err
	}
	e := s.event("subprocessors", "subprocessor.objected", o.Email, fmt.Sprintf("update=%s company=%s", n.ID, o.Company), c)
	tx := Tx{Events: []Event{e}}
	for _, st := range s.cfg.Staff {
		tx.Mails = append(tx.Mails, s.mail(st.Email, staffLang, "mail.objection", o.Email, quoted(o.Company), quoted(in(n.Title, staffLang)),
			quotedBlock(o.Message), o.Email))
	}
	return s.commit(ctx, tx)
}

// announceBatch keeps each commit of an announcement inside DynamoDB's
// hundred items per transaction, the announced state included.
const announceBatch = 90

// Announce mails each confirmed subscriber once about what was published
// since the last announcement: new updates of the topics they chose, and a
// changed subprocessor list. What was announced is stored in the same
// commit as the first mails, conditioned on the state read, so a second
// run (a redeploy, a retry, two at once) finds nothing new and mails
// nothing. The first run ever records what is published as the starting
// point: what came before subscriptions is not news. It returns how many
// mails it queued.
//
// Past the first batch, mails are committed after the state: a crash in
// between loses them rather than sending any twice.
func (s *Service) Announce(ctx context.Context, pub Published) (int, error) {
	prev, err := s.store.GetAnnounced(ctx)
	first := ErrorCode(err) == ENotFound
	if err != nil && !first {
		return 0, err
	}
	next := Announced{Version: prev.Version + 1, Subprocessors: pub.Subprocessors, At: s.now()}
	for _, n := range pub.Updates {
		next.Updates = append(next.Updates, n.ID)
	}
	if first {
		return 0, s.commit(ctx, Tx{Announced: &next,
			Events: []Event{s.event(subscriptionsSubject, "announce.baseline", "system", fmt.Sprintf("updates=%d", len(next.Updates)), Client{})}})
	}
	var fresh []Notice
	for _, n := range slices.Backward(pub.Updates) { // oldest first in the mail
		if !slices.Contains(prev.Updates, n.ID) {
			fresh = append(fresh, n)
		}
	}
	listChanged := !slices.Equal(prev.Subprocessors, pub.Subprocessors)
	if len(fresh) == 0 && !listChanged {
		return 0, nil
	}
	subs, err := s.store.ListSubscribers(ctx)
	if err != nil {
		return 0, err
	}
	var mails []Mail
	for _, sub := range subs {
		if m, ok, err := s.announcement(sub, fresh, listChanged); err != nil {
			return 0, err
		} else if ok {
			mails = append(mails, m)
		}
	}
	total := len(mails)
	detail := fmt.Sprintf("updates=%d list_changed=%t mails=%d", len(fresh), listChanged, len(mails))
	tx := Tx{Announced: &next, Events: []Event{s.event(subscriptionsSubject, "announce.sent", "system", detail, Client{})}}
	for len(mails) > 0 || tx.Announced != nil {
		n := min(len(mails), announceBatch)
		tx.Mails = mails[:n]
		if err := s.commit(ctx, tx); err != nil {
			if tx.Announced != nil && ErrorCode(err) == EConflict {
				return 0, nil // another run announced this first
			}
			return 0, fmt.Errorf("announce: %w", err)
		}
		mails, tx = mails[n:], Tx{}
	}
	return total, nil
}

// announcement is sub's mail about fresh, if any of it is of a topic they
// chose; ok is false when none is.
func (s *Service) announcement(sub Subscriber, fresh []Notice, listChanged bool) (m Mail, ok bool, err error) {
	if !sub.Confirmed() {
		return Mail{}, false, nil
	}
	lang := sub.Lang
	t := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	var b strings.Builder
	b.WriteString(t("mail.announce.intro", s.cfg.Company))
	subject := ""
	told := false
	for _, n := range fresh {
		if n.Topic == "" || !slices.Contains(sub.Topics, n.Topic) {
			continue
		}
		if subject == "" {
			subject = in(n.Title, lang)
		} else {
			subject = t("mail.announce.subject")
		}
		told = told || n.Topic == TopicSubprocessors
		fmt.Fprintf(&b, "\n%s — %s\n", i18n.FormatDate(lang, n.Date), in(n.Title, lang))
		if body := in(n.Body, lang); body != "" {
			b.WriteString("\n" + body + "\n")
		}
		for _, l := range n.Change[lang] {
			b.WriteString("  • " + l + "\n")
		}
		if n.Object != "" {
			b.WriteString(t("mail.announce.object", withLang(n.Object, lang)) + "\n")
		}
		if n.Link != "" {
			b.WriteString(t("mail.announce.more", n.Link) + "\n")
		}
	}
	// A list changed with no update to explain it still reaches those who
	// follow subprocessors.
	if listChanged && !told && slices.Contains(sub.Topics, TopicSubprocessors) {
		if subject == "" {
			subject = t("mail.announce.list_changed")
		} else {
			subject = t("mail.announce.subject")
		}
		b.WriteString("\n" + t("mail.announce.list_changed") + "\n" + t("mail.announce.more", s.link("/"+langQuery(lang)+"#subprocessors")) + "\n")
	}
	if subject == "" {
		return Mail{}, false, nil
	}
	now := s.now()
	tok, err := s.signer.Sign(UnsubscribeLink, Claims{Subject: sub.Email, ExpiresAt: now.Add(unsubscribeTTL)}, now)
	if err != nil {
		return Mail{}, false, err
	}
	unsub := s.link("/subscriptions/unsubscribe/" + tok)
	b.WriteString("\n--\n" + t("mail.announce.footer", unsub+langQuery(lang)))
	m = Mail{ID: s.newID("mail_"), To: sub.Email, Subject: subject + " — " + s.cfg.Company, Text: b.String(), CreatedAt: now,
		HTML: s.mailHTML(lang, "mail.announce", subject+" — "+s.cfg.Company, b.String()),
		Headers: map[string]string{
			// RFC 8058: the mail client POSTs List-Unsubscribe=One-Click
			// to the https URL, with no page in between.
			"List-Unsubscribe":      "<" + unsub + ">",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		}}
	return m, true, nil
}

func knownTopics(ts []Topic) []Topic {
	var out []Topic
	for _, t := range Topics {
		if slices.Contains(ts, t) {
			out = append(out, t)
		}
	}
	return out
}

// TopicNames are the topics as a list in a sentence of lang.
func TopicNames(lang string, ts []Topic) string { return topicNames(lang, ts) }

func topicNames(lang string, ts []Topic) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = i18n.T(lang, "subscribe.topic."+string(t))
	}
	return i18n.JoinList(lang, names)
}

func topicList(ts []Topic) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return "topics=" + strings.Join(s, ",")
}

// withLang is link u in lang, whether or not it has a query already.
func withLang(u, lang string) string {
	q := langQuery(lang)
	if q != "" && strings.Contains(u, "?") {
		q = "&" + q[1:]
	}
	return u + q
}

func langQuery(lang string) string {
	if lang == "" || lang == i18n.English {
		return ""
	}
	return "?lang=" + lang
}
