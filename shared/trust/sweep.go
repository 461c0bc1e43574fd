package trust

import (
	"context"
	"fmt"
	"time"
)

// Kept copies of a grant that ended by itself are removed by the scheduled
// work (the scheduler function's drain on AWS, the local server's ticker):
// revocation removes them at once in its own flow, expiry has no flow of
// its own. Each sweep looks at the grants that ended within
// copySweepWindow, so a sweep that fails or is skipped is made up by the
// next ones; a copy left after that (the scheduler down for two days) is
// the bucket lifecycle rule's to remove, after MaxCopyAge. The copies'
// records stay, so a copy that got out still traces back.
const copySweepWindow = 48 * time.Hour

// sweepPage is how many approved requests one read of the status index
// returns.
const sweepPage = 100

// SweepReport is what one sweep did.
type SweepReport struct {
	Grants  int // ended grants whose copies were looked at
	Removed int // copy files removed (or already gone)
	Failed  int // removals that failed; the next sweep tries again
}

// SweepExpiredCopies removes the kept copies of every grant that ended in
// the last copySweepWindow. It reads the approved requests (a query of
// the status index, never a scan) and each ended grant's copies.
func (s *Service) SweepExpiredCopies(ctx context.Context) (SweepReport, error) {
	var rep SweepReport
	now := s.now()
	cursor := ""
	for {
		reqs, next, err := s.store.ListRequests(ctx, Approved, cursor, sweepPage)
		if err != nil {
			return rep, fmt.Errorf("sweep copies: %w", err)
		}
		for _, r := range reqs {
			if r.GrantID == "" || r.ExpiresAt.IsZero() || r.ExpiresAt.After(now) || now.Sub(r.ExpiresAt) > copySweepWindow {
				continue
			}
			rep.Grants++
			removed, failed, err := s.removeCopies(ctx, r.GrantID)
			if err != nil {
				return rep, fmt.Errorf("sweep copies: %w", err)
			}
			rep.Removed += removed
			rep.Failed += failed
		}
		if next == "" {
			return rep, nil
		}
		cursor = next
	}
}
