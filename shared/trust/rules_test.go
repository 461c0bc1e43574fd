package trust_test

import (
	"context"
	"strings"
	"testing"

	"trustcenter/shared/i18n"
	"trustcenter/shared/trust"
)

func rule(kind trust.RuleKind, match trust.MatchKind, value string) trust.RuleInput {
	return trust.RuleInput{Kind: string(kind), Match: string(match), Value: value, Documents: []string{"soc2"}, Days: "14"}
}

var gatedDocs = []trust.Document{{ID: "soc2", Access: trust.Gated}, {ID: "soc3", Access: trust.Public}}

func mustRules(t *testing.T, in ...trust.RuleInput) []trust.Rule {
	t.Helper()
	rs, err := trust.ParseRules(in, gatedDocs)
	if err != nil {
		t.Fatalf("parse %v: %v (%v)", in, err, trust.FieldErrors(err))
	}
	return rs
}

func TestRuleMatching(t *testing.T) {
	rules := mustRules(t,
		rule(trust.RuleAllow, trust.MatchAddress, "Ada@Buyer.Example"),
		rule(trust.RuleDeny, trust.MatchSubdomains, "rival.example"),
		rule(trust.RuleTriage, trust.MatchDomain, "mail.example"),
		rule(trust.RuleAllow, trust.MatchDomain, "bücher.example"),
		rule(trust.RuleAllow, trust.MatchSubdomains, "mail.example"),
	)
	rs := trust.RuleSet{Rules: rules}
	for _, c := range []struct {
		email    string
		outcome  trust.Outcome
		position int
		reason   string
	}{
		{"ada@buyer.example", trust.OutcomeApprove, 1, "rule.allow.address"},
		{"bob@buyer.example", trust.OutcomePerson, 0, "rule.none"},          // exact address only
		{"ada@rival.example", trust.OutcomeDeny, 2, "rule.deny.subdomains"}, // the domain itself
		{"ada@eu.rival.example", trust.OutcomeDeny, 2, "rule.deny.subdomains"},
		{"ada@notrival.example", trust.OutcomePerson, 0, "rule.none"}, // a suffix is not a subdomain
		{"ada@mail.example", trust.OutcomePerson, 3, "rule.triage.domain"},
		// triage stopped evaluation above; a subdomain skips the domain-only triage
		// and meets the later subdomain allow.
		{"ada@eu.mail.example", trust.OutcomeApprove, 5, "rule.allow.subdomains"},
		{"ada@xn--bcher-kva.example", trust.OutcomeApprove, 4, "rule.allow.domain"},
		{"ada@sub.xn--bcher-kva.example", trust.OutcomePerson, 0, "rule.none"},
	} {
		d := rs.Evaluate(trust.Request{Email: c.email, Documents: []string{"soc2"}})
		if d.Outcome != c.outcome || d.Position != c.position || d.Reason != c.reason {
			t.Errorf("%s: %+v, want %s by rule %d (%s)", c.email, d, c.outcome, c.position, c.reason)
		}
	}
	if rules[3].Value != "xn--bcher-kva.example" || rules[0].Value != "ada@buyer.example" {
		t.Errorf("values not in ASCII, lower case: %q %q", rules[3].Value, rules[0].Value)
	}
	if id := rules[1].ID(); id != "deny:subdomains:rival.example" {
		t.Errorf("id %q", id)
	}
	// An allow rule covers only its documents: asking for more goes to a person.
	d := rs.Evaluate(trust.Request{Email: "ada@buyer.example", Documents: []string{"soc2", "soc1"}})
	if d.Outcome != trust.OutcomePerson || d.Reason != trust.ReasonUncovered || d.Position != 1 {
		t.Errorf("uncovered documents: %+v", d)
	}
}

func TestParseRulesRefuses(t *testing.T) {
	for name, in := range map[string]trust.RuleInput{
		"kind":      {Kind: "maybe", Match: "domain", Value: "x.example"},
		"match":     {Kind: "deny", Match: "regex", Value: "x.example"},
		"address":   {Kind: "deny", Match: "address", Value: "not an address"},
		"domain":    {Kind: "deny", Match: "domain", Value: "localhost"},
		"days":      {Kind: "allow", Match: "domain", Value: "x.example", Documents: []string{"soc2"}, Days: "400"},
		"public":    {Kind: "allow", Match: "domain", Value: "x.example", Documents: []string{"soc3"}, Days: "30"},
		"documents": {Kind: "allow", Match: "domain", Value: "x.example", Days: "30"},
	} {
		_, err := trust.ParseRules([]trust.RuleInput{in}, gatedDocs)
		if trust.ErrorCode(err) != trust.EInvalid || len(trust.FieldErrors(err)) == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	dup := rule(trust.RuleDeny, trust.MatchDomain, "x.example")
	if _, err := trust.ParseRules([]trust.RuleInput{dup, dup}, gatedDocs); trust.ErrorCode(err) != trust.EInvalid {
		t.Errorf("duplicate: %v", err)
	}
}

// confirm submits and confirms a request from email.
func (f *fixture) confirm(t *testing.T, email string) trust.Request {
	t.Helper()
	ctx := context.Background()
	in := validInput()
	in.Email = email
	r, err := f.svc.Submit(ctx, in, trust.Client{IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	r, err = f.svc.Confirm(ctx, lastLink(t, f.mail.to(r.Email), "/access-requests/confirm/"), trust.Client{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRulesDecideOnConfirm(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	rs, err := f.svc.Rules(ctx)
	if err != nil || rs.Version != 1 || len(rs.Rules) != 0 {
		t.Fatalf("seed without TRUST_AUTO_APPROVE: %+v %v", rs, err)
	}
	rules := mustRules(t,
		rule(trust.RuleAllow, trust.MatchDomain, "buyer.example"),
		rule(trust.RuleDeny, trust.MatchDomain, "rival.example"),
		rule(trust.RuleTriage, trust.MatchDomain, "freemail.example"),
	)
	if _, err := f.svc.SaveRules(ctx, staff, rs.Version, rules, trust.Client{}); trust.ErrorCode(err) != trust.EForbidden {
		t.Fatalf("an approver saved rules: %v", err)
	}
	if _, err := f.svc.SaveRules(ctx, admin, rs.Version, rules, trust.Client{IP: "192.0.2.7"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SaveRules(ctx, admin, rs.Version, nil, trust.Client{}); trust.ErrorCode(err) != trust.EConflict {
		t.Fatalf("a save over a stale version: %v", err)
	}
	trail, err := f.svc.RuleEvents(ctx)
	if err != nil || len(trail) != 2 || !hasEvent(trail, "rules.seeded", "version=1 after=(none)") ||
		!hasEvent(trail, "rules.changed", "version=2 before=(none) after=1. allow:domain:buyer.example documents=soc2 days=14; 2. deny:domain:rival.example") {
		t.Fatalf("rules trail %+v %v", trail, err)
	}

	ok := f.confirm(t, "ada@buyer.example")
	if ok.Status != trust.Approved || ok.DecidedBy != "rule:allow:domain:buyer.example" || ok.DecisionReason != "rule.allow.domain" ||
		!ok.ExpiresAt.Equal(f.now.AddDate(0, 0, 14)) {
		t.Errorf("allow: %+v", ok)
	}
	_, events, _ := f.svc.Request(ctx, ok.ID)
	if !hasEvent(events, "request.approved", "rule=1. allow:domain:buyer.example reason=rule.allow.domain") {
		t.Errorf("allow trail %+v", events)
	}

	no := f.confirm(t, "eve@rival.example")
	if no.Status != trust.Denied || no.DecisionReason != "rule.deny.domain" {
		t.Errorf("deny: %+v", no)
	}
	var body string
	for _, m := range f.mail.to(no.Email) {
		if strings.HasPrefix(m.Subject, i18n.T(i18n.English, "mail.denied.subject")) {
			body = m.Text
		}
	}
	if strings.Contains(body, "rule") || strings.Contains(body, "rival") || !strings.Contains(body, "cannot share these reports") {
		t.Errorf("the denial mentions the rule or is not the generic one:\n%s", body)
	}

	before := len(f.mail.to(staff.Email))
	held := f.confirm(t, "joe@freemail.example")
	if held.Status != trust.Pending || held.DecisionRule != "triage:domain:freemail.example" || held.DecisionReason != "rule.triage.domain" {
		t.Errorf("triage: %+v", held)
	}
	staffMail := f.mail.to(staff.Email)
	if len(staffMail) != before+1 || !strings.Contains(staffMail[len(staffMail)-1].Text, "rule 3, triage:domain:freemail.example (reason rule.triage.domain)") {
		t.Errorf("staff mail does not say which rule: %+v", staffMail)
	}
	plain := f.confirm(t, "kim@other.example")
	staffMail = f.mail.to(staff.Email)
	if plain.Status != trust.Pending || plain.DecisionReason != trust.ReasonNoRule || !strings.Contains(staffMail[len(staffMail)-1].Text, "No rule matched") {
		t.Errorf("no rule: %+v", plain)
	}
}

func hasEvent(events []trust.Event, typ, detail string) bool {
	for _, e := range events {
		if e.Type == typ && strings.Contains(e.Detail, detail) {
			return true
		}
	}
	return false
}

func TestRulesSeededOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(c *trust.Config, _ *trust.Engines) { c.AutoApprove = []string{"Bücher.example"} })
	rs, err := f.svc.Rules(ctx)
	if err != nil || rs.Version != 1 || len(rs.Rules) != 1 || rs.Rules[0].ID() != "allow:domain:xn--bcher-kva.example" ||
		rs.Rules[0].Days != trust.DefaultDays || len(rs.Rules[0].Documents) != 0 {
		t.Fatalf("seed %+v %v", rs, err)
	}
	if _, err := f.svc.SaveRules(ctx, admin, 1, nil, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	// The stored set wins from then on, even with the variable still set.
	if r := f.confirm(t, "ada@bücher.example"); r.Status != trust.Pending {
		t.Errorf("the seed came back after it was edited away: %s", r.Status)
	}
}

// The dry run's preview is what the rules then do: the same requests
// evaluated in the preview and confirmed after saving end the same way.
func TestDryRunMatchesRules(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	emails := []string{"ada@buyer.example", "eve@rival.example", "joe@freemail.example", "kim@other.example", "lee@eu.buyer.example"}
	for _, e := range emails {
		if r := f.confirm(t, e); r.Status != trust.Pending {
			t.Fatalf("%s: %s with no rules", e, r.Status)
		}
	}
	// An unconfirmed request is no part of the preview, nor is one older
	// than the window.
	if _, err := f.svc.Submit(ctx, validInput(), trust.Client{IP: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	rules := mustRules(t,
		rule(trust.RuleTriage, trust.MatchAddress, "lee@eu.buyer.example"),
		rule(trust.RuleAllow, trust.MatchSubdomains, "buyer.example"),
		rule(trust.RuleDeny, trust.MatchDomain, "rival.example"),
		rule(trust.RuleTriage, trust.MatchDomain, "freemail.example"),
	)
	f.now = f.now.AddDate(0, 0, 1)
	rows, err := f.svc.DryRun(ctx, rules)
	if err != nil || len(rows) != len(emails) {
		t.Fatalf("dry run: %d rows, %v", len(rows), err)
	}
	preview := map[string]trust.Outcome{}
	for _, row := range rows {
		preview[row.Request.Email] = row.Would.Outcome
		if row.Actual != trust.OutcomePerson || row.Differs != (row.Would.Outcome != trust.OutcomePerson) {
			t.Errorf("%s: %+v", row.Request.Email, row)
		}
	}
	if preview["ada@buyer.example"] != trust.OutcomeApprove || preview["eve@rival.example"] != trust.OutcomeDeny ||
		preview["lee@eu.buyer.example"] != trust.OutcomePerson {
		t.Errorf("preview %v", preview)
	}
	rs, _ := f.svc.Rules(ctx)
	if _, err := f.svc.SaveRules(ctx, admin, rs.Version, rules, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	want := map[trust.Outcome]trust.Status{trust.OutcomeApprove: trust.Approved, trust.OutcomeDeny: trust.Denied, trust.OutcomePerson: trust.Pending}
	for _, e := range emails {
		if r := f.confirm(t, e); r.Status != want[preview[e]] {
			t.Errorf("%s: preview %s, rules did %s", e, preview[e], r.Status)
		}
	}
	f.now = f.now.AddDate(0, 0, trust.DryRunDays+1)
	if rows, err := f.svc.DryRun(ctx, rules); err != nil || len(rows) != 0 {
		t.Errorf("requests older than %d days: %d rows, %v", trust.DryRunDays, len(rows), err)
	}
}
