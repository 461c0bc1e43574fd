package storetest

import (
	"slices"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

func testRules(t *testing.T, s trust.Store) {
	_, err := s.GetRules(t.Context())
	wantCode(t, err, trust.ENotFound, "GetRules before any")
	v1 := trust.RuleSet{Version: 1, UpdatedAt: t0, UpdatedBy: "config", Rules: []trust.Rule{
		{Kind: trust.RuleAllow, Match: trust.MatchDomain, Value: "buyer.example", Documents: []string{"soc2", "soc1"}, Days: 30},
		{Kind: trust.RuleDeny, Match: trust.MatchSubdomains, Value: "rival.example"},
	}}
	commit(t, s, trust.Tx{Rules: &v1})
	got, err := s.GetRules(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "rule set", got, v1, normRules)

	again := v1
	wantCode(t, s.Commit(t.Context(), trust.Tx{Rules: &again}), trust.EConflict, "a second version 1")
	skip := trust.RuleSet{Version: 3}
	wantCode(t, s.Commit(t.Context(), trust.Tx{Rules: &skip}), trust.EConflict, "version 3 over 1")
	wantCode(t, s.Commit(t.Context(), trust.Tx{Rules: &trust.RuleSet{}}), trust.EInvalid, "version 0")

	// A save that loses leaves its audit event unwritten too.
	lost := trust.Event{ID: "evt-lost", Subject: "rules", Type: "rules.changed", At: t0}
	wantCode(t, s.Commit(t.Context(), trust.Tx{Rules: &skip, Events: []trust.Event{lost}}), trust.EConflict, "stale save with event")
	if evs, err := s.ListEvents(t.Context(), "rules"); err != nil || len(evs) != 0 {
		t.Fatalf("a refused save left events %v (%v)", evs, err)
	}

	v2 := trust.RuleSet{Version: 2, UpdatedAt: t0.Add(time.Hour).In(plus5), UpdatedBy: "admin@example.com"}
	commit(t, s, trust.Tx{Rules: &v2, Events: []trust.Event{{ID: "evt-saved", Subject: "rules", Type: "rules.changed", At: t0}}})
	got, err = s.GetRules(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "rule set v2", got, v2, normRules)
}

func normRules(rs trust.RuleSet) trust.RuleSet {
	rs.UpdatedAt = rs.UpdatedAt.UTC()
	if len(rs.Rules) == 0 {
		rs.Rules = nil
	}
	return rs
}

func testRequestsSince(t *testing.T, s trust.Store) {
	_, err := s.RequestsSince(t.Context(), t0, 0)
	wantCode(t, err, trust.EInvalid, "RequestsSince limit 0")
	statuses := []trust.Status{trust.Pending, trust.Approved, trust.Denied, trust.Unconfirmed, trust.Revoked, trust.Pending}
	for i, st := range statuses {
		create(t, s, newRequest("req-since-"+string(rune('a'+i)), st, t0.Add(time.Duration(i)*time.Hour).In(plus5)))
	}
	// At the bound exactly is included; everything before is not.
	got, err := s.RequestsSince(t.Context(), t0.Add(2*time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	if ids, want := requestIDs(got), []string{"req-since-f", "req-since-e", "req-since-d", "req-since-c"}; !slices.Equal(ids, want) {
		t.Errorf("RequestsSince = %v, want %v (newest first, every status)", ids, want)
	}
	got, err = s.RequestsSince(t.Context(), t0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if ids, want := requestIDs(got), []string{"req-since-f", "req-since-e"}; !slices.Equal(ids, want) {
		t.Errorf("RequestsSince limit 2 = %v, want %v", ids, want)
	}
	if got, err := s.RequestsSince(t.Context(), t0.Add(6*time.Hour), 10); err != nil || len(got) != 0 {
		t.Errorf("RequestsSince after the last = %v, %v", requestIDs(got), err)
	}
}
