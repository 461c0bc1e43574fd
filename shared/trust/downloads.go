package trust

import (
	"context"
	"fmt"
	"time"
)

// Downloads of public documents are counted, not recorded one by one: they
// are anonymous, so an event each would hold nothing worth keeping but an
// IP address, and a popular SOC 3 would write one item per click. Granted
// downloads stay events: they are evidence of who took which report.
const (
	// DownloadCountRetention is how long a day's counter is kept: a year
	// and a month, so a year ago today can still be compared.
	DownloadCountRetention = 400 * 24 * time.Hour
	// RecentDownloadDays is the span the console counts: today and the
	// days before it.
	RecentDownloadDays = 30
)

// DownloadDay is the start of the UTC day containing t, the unit of a
// download counter.
func DownloadDay(t time.Time) time.Time {
	return t.UTC().Truncate(24 * time.Hour)
}

// DownloadCounterEnd is when the counter of the day containing t may be
// forgotten.
func DownloadCounterEnd(t time.Time) time.Time {
	return DownloadDay(t).Add(24*time.Hour + DownloadCountRetention)
}

// CheckDownloadCount is the argument check of Store.DownloadCount, which
// every engine runs first so they agree on it.
func CheckDownloadCount(doc string, first, last time.Time) error {
	if doc == "" {
		return Errorf(EInvalid, "The document has no id.")
	}
	if DownloadDay(last).Before(DownloadDay(first)) {
		return Errorf(EInvalid, "The span of days ends before it starts.")
	}
	return nil
}

// RecentDownloads counts each document's public downloads over the last
// RecentDownloadDays days, today included, for the console.
func (s *Service) RecentDownloads(ctx context.Context, docs []Document) (map[string]int, error) {
	now := s.now()
	first := now.AddDate(0, 0, -(RecentDownloadDays - 1))
	counts := make(map[string]int, len(docs))
	for _, d := range docs {
		n, err := s.store.DownloadCount(ctx, d.ID, first, now)
		if err != nil {
			return nil, fmt.Errorf("count downloads of %s: %w", d.ID, err)
		}
		counts[d.ID] = n
	}
	return counts, nil
}
