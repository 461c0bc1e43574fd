package trust

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"trustcenter/shared/i18n"
)

// DefaultLapseWarningDays is how many days before a grant ends its holder
// is told, when Config.LapseWarning is not set.
const DefaultLapseWarningDays = 7

// lapsedNoticeWindow is how long after a grant ended its holder may still
// be told it did: a scheduler that was down a few days catches up, but
// grants that ended long before (say, at the first run of this code) send
// nothing.
const lapsedNoticeWindow = 7 * 24 * time.Hour

func (s *Service) lapseWarning() time.Duration {
	if s.cfg.LapseWarning > 0 {
		return s.cfg.LapseWarning
	}
	return DefaultLapseWarningDays * 24 * time.Hour
}

// RemindLapses queues, for each approved grant, the mail that it ends soon
// (when it has LapseWarning or less to run, and ran longer than that) and
// the mail that it has ended. The scheduler runs it on every tick. Each
// mail is one commit with a single-use id named after the grant and its
// end, so a second run, or two schedulers at once, queue it once; a grant
// whose end moves (an extension) is a new end, told again. It returns how
// many mails it queued.
func (s *Service) RemindLapses(ctx context.Context) (int, error) {
	now := s.now()
	var docs []Document
	queued, cursor := 0, ""
	for {
		reqs, next, err := s.store.ListRequests(ctx, Approved, cursor, 100)
		if err != nil {
			return queued, fmt.Errorf("remind lapses: %w", err)
		}
		for _, r := range reqs {
			kind, useUntil := "", time.Time{}
			switch left := r.ExpiresAt.Sub(now); {
			case left <= 0 && -left < lapsedNoticeWindow:
				kind, useUntil = "lapsed", r.ExpiresAt.Add(lapsedNoticeWindow+24*time.Hour)
			case left > 0 && left <= s.lapseWarning() && r.ExpiresAt.Sub(r.DecidedAt) > s.lapseWarning():
				kind, useUntil = "lapse_soon", r.ExpiresAt.Add(24*time.Hour)
			}
			if kind == "" {
				continue
			}
			if docs == nil {
				if docs, err = s.store.ListDocuments(ctx); err != nil {
					return queued, fmt.Errorf("remind lapses: %w", err)
				}
			}
			use := Use{ID: fmt.Sprintf("%s:%s:%d", kind, r.GrantID, r.ExpiresAt.Unix()), ExpiresAt: useUntil}
			m := s.mail(r.Email, r.Lang, "mail."+kind, quoted(r.Name), s.cfg.Company, mailTime(r.Lang, r.ExpiresAt),
				titleList(r.Documents, docs), s.renewalURL(r))
			tx := Tx{Uses: []Use{use}, Mails: []Mail{m},
				Events: []Event{s.event(r.ID, "grant."+kind+"_mailed", "scheduler", "grant="+r.GrantID, Client{})}}
			switch err := s.commit(ctx, tx); {
			case ErrorCode(err) == EConflict: // told already
			case err != nil:
				return queued, fmt.Errorf("remind lapse of %s: %w", r.ID, err)
			default:
				queued++
			}
		}
		if next == "" {
			return queued, nil
		}
		cursor = next
	}
}

// docTitles are the titles of the documents ids (an id where a document
// is gone).
func docTitles(ids []string, docs []Document) []string {
	titles := make([]string, 0, len(ids))
	for _, id := range ids {
		title := id
		if i := slices.IndexFunc(docs, func(d Document) bool { return d.ID == id }); i >= 0 {
			title = docs[i].Title
		}
		titles = append(titles, title)
	}
	return titles
}

// titleList is the documents of ids by title, one line each, as a mail
// lists them.
func titleList(ids []string, docs []Document) string {
	return "- " + strings.Join(docTitles(ids, docs), "\n- ")
}

// renewalURL is the request form with r's documents chosen, in r's
// language. It names nothing personal (the form asks for the rest), so it
// needs no token and stays short.
func (s *Service) renewalURL(r Request) string {
	q := url.Values{"document": r.Documents}
	if r.Lang != "" && r.Lang != i18n.English {
		q.Set("lang", r.Lang)
	}
	return s.link("/access-requests/new?" + q.Encode())
}
