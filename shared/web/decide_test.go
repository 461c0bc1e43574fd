package web

import (
	"context"

	"trustcenter/shared/trust"
)

// The request page reads the requester's earlier requests and the rules
// for its flags; the fake has neither.
func (f *fakeStore) PriorRequests(context.Context, trust.ContactField, string, int) ([]trust.Request, error) {
	return nil, nil
}

func (f *fakeStore) GetRules(context.Context) (trust.RuleSet, error) {
	return trust.RuleSet{Version: 1}, nil
}
