package trust

import "testing"

func TestByLevel(t *testing.T) {
	docs := []Document{{ID: "pentest", Access: NDAOnly}, {ID: "policy", Access: NDAOnly}, {ID: "soc2", Access: Gated}, {ID: "soc3", Access: Public}}
	none := Decision{Outcome: OutcomePerson, Reason: ReasonNoRule}
	triage := Decision{Outcome: OutcomePerson, Rule: "triage:domain:gmail.com", Reason: "rule.triage.domain"}
	deny := Decision{Outcome: OutcomeDeny, Rule: "deny:domain:rival.example", Reason: "rule.deny.domain"}
	cases := []struct {
		name string
		docs []string
		in   Decision
		want Outcome
	}{
		{"NDA-level only", []string{"pentest", "policy"}, none, OutcomeApprove},
		{"with an approval-level document", []string{"pentest", "soc2"}, none, OutcomePerson},
		{"approval-level only", []string{"soc2"}, none, OutcomePerson},
		{"an unknown document", []string{"pentest", "gone"}, none, OutcomePerson},
		{"no documents", nil, none, OutcomePerson},
		{"a triage rule matched", []string{"pentest"}, triage, OutcomePerson},
		{"a deny rule matched", []string{"pentest"}, deny, OutcomeDeny},
	}
	for _, c := range cases {
		got := byLevel(docs, Request{Documents: c.docs}, c.in)
		if got.Outcome != c.want {
			t.Errorf("%s: %s, want %s", c.name, got.Outcome, c.want)
		}
		if got.Outcome == OutcomeApprove && (got.Reason != ReasonNDALevel || got.actor() != ActorNDALevel || got.Days != NDALevelDays) {
			t.Errorf("%s: approval recorded as %+v by %s", c.name, got, got.actor())
		}
	}
}
