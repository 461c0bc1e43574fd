package trust

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// A request that asks for NDA-level documents and approval-level ones is
// split at confirmation: the NDA-level documents need nothing more than
// the NDA and the confirmed address, so they should not wait for a person
// only because something else was asked for with them. The NDA-level part
// becomes a request of its own, approved by the system (level.nda) and
// linked to the original by SplitFrom; the original keeps the
// approval-level documents, links to the part by SplitTo and waits. Each
// is an ordinary request with its own grant, status page and trail, so
// downloads check each grant as they check any other.
//
// A transaction writes one request, so the split takes two: the part
// first, then the confirmation of the original. The part's id is derived
// from the original's, so a confirmation that failed after the first write
// and is tried again finds the part there instead of granting twice.

// splitByLevel splits next, just confirmed and left for a person by d, as
// above, committing the approved part; next keeps the rest and tx records
// the split on next's trail.
func (s *Service) splitByLevel(ctx context.Context, tx *Tx, next *Request, d Decision, c Client) error {
	if d.Outcome != OutcomePerson || d.Rule != "" || next.SplitFrom != "" {
		return nil
	}
	docs, err := s.store.ListDocuments(ctx)
	if err != nil {
		// As in ndaDecision: a person can still decide everything.
		s.log.Error("nda level split: list documents", "request", next.ID, "err", err)
		return nil
	}
	var nda, rest []string
	for _, id := range next.Documents {
		if allNDALevel(docs, []string{id}) {
			nda = append(nda, id)
		} else {
			rest = append(rest, id)
		}
	}
	if len(nda) == 0 || len(rest) == 0 {
		return nil
	}
	part := *next
	part.ID, part.SplitFrom, part.SplitTo = splitID(next.ID), next.ID, ""
	part.Documents, part.Asked = nda, nil
	part.Version = 0
	part.DecisionRule, part.DecisionReason = "", ReasonNDALevel
	ptx := Tx{Request: &part, Events: []Event{
		s.event(part.ID, "request.split_from", ActorNDALevel, "from="+next.ID+" documents="+strings.Join(nda, ","), c),
	}}
	detail := "reason=" + ReasonNDALevel + " split_from=" + next.ID
	if err := s.approveInto(ctx, &ptx, &part, ActorNDALevel, s.now().AddDate(0, 0, NDALevelDays), NDALevelDays, c, detail); err != nil {
		return err
	}
	if err := s.commit(ctx, ptx); err != nil {
		if ErrorCode(err) != EConflict {
			return err
		}
		// Split by an earlier try of this confirmation, or by another
		// opening of the link at the same time.
		cur, gerr := s.store.GetRequest(ctx, part.ID)
		if gerr != nil || cur.SplitFrom != next.ID {
			return err
		}
	}
	next.Documents, next.SplitTo = rest, part.ID
	tx.Events = append(tx.Events, s.event(next.ID, "request.split", ActorNDALevel,
		"to="+part.ID+" documents="+strings.Join(nda, ",")+" kept="+strings.Join(rest, ","), c))
	return nil
}

// splitID is the id of the NDA-level part split from the request id.
func splitID(id string) string {
	sum := sha256.Sum256([]byte("nda-level-part:" + id))
	return "req_" + base64.RawURLEncoding.EncodeToString(sum[:12])
}
