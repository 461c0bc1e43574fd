package trust

import "slices"

// Action is one change to an access request's status.
type Action string

const (
	Confirm Action = "confirm" // the requester opened their confirmation link
	Approve Action = "approve" // an approver, or an auto-approval rule, granted it
	Deny    Action = "deny"    // an approver refused it, with a reason
	Revoke  Action = "revoke"  // an approver ended the grant early
	// Extend gives an approved request a new end of access; ResendAccess
	// mails its access link again; Reinstate grants a revoked request
	// again, under a new grant.
	Extend       Action = "extend"
	ResendAccess Action = "resend_access"
	Reinstate    Action = "reinstate"
)

// Actions lists every action, in the order a request meets them.
var Actions = []Action{Confirm, Approve, Deny, Revoke, Extend, ResendAccess, Reinstate}

// lifecycle is the one table of which status may follow which: for each
// status, the actions allowed on a request in it and the status each one
// leads to. A pair the table does not name is refused. Every status change
// goes through transition, which reads it.
var lifecycle = map[Status]map[Action]Status{
	Unconfirmed: {Confirm: Pending},
	Pending:     {Approve: Approved, Deny: Denied},
	Approved:    {Revoke: Revoked, Extend: Approved, ResendAccess: Approved},
	Denied:      {},
	Revoked:     {Reinstate: Approved},
}

// Next is the status action leads to from status, and whether the
// lifecycle allows it at all.
func Next(status Status, action Action) (Status, bool) {
	to, ok := lifecycle[status][action]
	return to, ok
}

// transition moves r by action, or refuses with the status r is in.
func transition(r *Request, action Action) error {
	to, ok := Next(r.Status, action)
	if !ok {
		return stateConflict(*r)
	}
	r.Status = to
	return nil
}

func stateConflict(r Request) error {
	return errorMsg(EConflict, msg("error.state_conflict", r.Status))
}

// Publish is what an admin does beyond the lifecycle: put a new file
// in place of a document's.
const Publish Action = "publish"

// Trace is looking up whose copy a watermark ID or a found PDF is.
const Trace Action = "trace"

// permissions is what each staff role may do.
var permissions = map[Role][]Action{
	Approver: {Approve, Deny, Revoke, Extend, ResendAccess, Reinstate, Note, TrustDomain, Trace},
	Admin:    {Approve, Deny, Revoke, Extend, ResendAccess, Reinstate, Note, TrustDomain, Publish, Trace},
}

// May reports whether a staff member in role may take action. The console
// asks it to hide what a role cannot do; the service asks it to refuse.
func (r Role) May(action Action) bool {
	return slices.Contains(permissions[r], action)
}

// authorize refuses a session whose role may not take action.
func authorize(by Session, action Action) error {
	if by.Role.May(action) {
		return nil
	}
	if action == Publish {
		return errorMsg(EForbidden, msg("error.admins_only"))
	}
	return errorMsg(EForbidden, msg("error.forbidden"))
}
