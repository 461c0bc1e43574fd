package pages

import "trustcenter/shared/trust"

// StateLabel is a request's state as its requester reads it; each state's
// name is its catalog key (reqstatus.unconfirmed … reqstatus.revoked, as
// the status page names them).
func (p *Page) StateLabel(s trust.State) string { return p.T("reqstatus." + string(s)) }
