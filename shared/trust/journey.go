package trust

import "context"

// requesterMails are the mails about a requester's own requests. Each ends
// by pointing at "my requests": someone with several requests, or who lost
// an older mail, finds all of them from any one. Mails to staff, to
// subscribers and the my-requests sign-in itself do not.
var requesterMails = map[string]bool{
	"mail.confirm":     true,
	"mail.approved":    true,
	"mail.denied":      true,
	"mail.new_version": true,
	"mail.lapse_soon":  true,
	"mail.lapsed":      true,
	"mail.signed_nda":  true,
}

// What an allow rule may require of the way a request's NDA was agreed.
const (
	NDARequireAny = ""
	// NDARequireClickthrough: the requester accepted our NDA themselves,
	// on the form, or by an earlier acceptance found at confirmation.
	NDARequireClickthrough = "clickthrough"
	// NDARequireExisting: the requester said an NDA already exists and
	// staff confirmed it. Staff cannot have looked when the address is
	// confirmed, so such a rule decides when they confirm the agreement.
	NDARequireExisting = "existing"
)

// NDARequirements are the values RequireNDA takes, as the console offers them.
var NDARequirements = []string{NDARequireAny, NDARequireClickthrough, NDARequireExisting}

// ReasonNDAPath: an allow rule matched, but the request's NDA did not come
// the way the rule requires.
const ReasonNDAPath = "rule.allow.nda_path"

func (rule Rule) ndaSatisfied(r Request) bool {
	switch rule.RequireNDA {
	case NDARequireClickthrough:
		// A reliance on an earlier acceptance holds once it was found.
		return r.NDA.Mode != NDAExisting && r.ExistingNDA == nil && normAcceptance(r.NDA).Seq > 0
	case NDARequireExisting:
		return r.ExistingNDA != nil && r.ExistingNDA.State == ExistingConfirmed
	}
	return true
}

// approveByExistingRule runs the rules again when staff confirm a pending
// request's existing NDA, inside the confirmation's tx: a rule that waited
// for that confirmation approves now. Only such a rule does; any other
// outcome was the rules' word at confirmation and a person has it.
func (s *Service) approveByExistingRule(ctx context.Context, tx *Tx, next *Request, c Client) error {
	rs, err := s.Rules(ctx)
	if err != nil {
		return err
	}
	d := rs.Evaluate(*next)
	if d.Outcome != OutcomeApprove || d.Position == 0 || rs.Rules[d.Position-1].RequireNDA != NDARequireExisting {
		return nil
	}
	next.DecisionRule, next.DecisionReason = d.Rule, d.Reason
	return s.approveInto(ctx, tx, next, d.actor(), s.now().AddDate(0, 0, d.Days), d.Days, c, d.Detail())
}
