package trust

import (
	"context"
	"slices"
)

// The decision the service takes itself for a request that asks only for
// NDA-level documents: the NDA accepted and the address confirmed are all
// such a document asks for. It goes through approveInto like any approval,
// so the requester gets the same grant, links, stamped copies and
// revocation, and the trail names the system as the approver and this
// reason, never a person.
const (
	ReasonNDALevel = "level.nda"
	ActorNDALevel  = "system:nda-level"
	// NDALevelDays is the grant's period: the default an approver is
	// offered.
	NDALevelDays = DefaultDays
)

// ndaDecision is d, the rules' "a person decides", turned into an approval
// when every document r asks for is NDA-level. A request that also asks
// for an approval-level document is split instead (ndasplit.go): one
// request is one grant, so its NDA-level part becomes a request of its own.
func (s *Service) ndaDecision(ctx context.Context, r Request, d Decision) Decision {
	if d.Outcome != OutcomePerson || d.Rule != "" {
		return d // a rule spoke; no need to read the documents
	}
	docs, err := s.store.ListDocuments(ctx)
	if err != nil {
		// A person can still decide; the error only costs the shortcut.
		s.log.Error("nda level: list documents", "request", r.ID, "err", err)
		return d
	}
	return byLevel(docs, r, d)
}

// byLevel is ndaDecision on a document list already read, for the dry run,
// which evaluates many requests against one list.
func byLevel(docs []Document, r Request, d Decision) Decision {
	if d.Outcome != OutcomePerson || d.Rule != "" || len(r.Documents) == 0 || !allNDALevel(docs, r.Documents) {
		return d
	}
	return Decision{Outcome: OutcomeApprove, Reason: ReasonNDALevel, Days: NDALevelDays}
}

func allNDALevel(docs []Document, ids []string) bool {
	for _, id := range ids {
		i := slices.IndexFunc(docs, func(d Document) bool { return d.ID == id })
		if i < 0 || docs[i].Access != NDAOnly {
			return false
		}
	}
	return true
}
