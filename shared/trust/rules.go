package trust

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"trustcenter/shared/i18n"
)

// RuleKind is what a rule does to a confirmed request it matches.
type RuleKind string

const (
	// RuleAllow approves, for the rule's documents and period.
	RuleAllow RuleKind = "allow"
	// RuleDeny refuses with a polite generic answer that does not name
	// the rule: a competitor learns nothing from it.
	RuleDeny RuleKind = "deny"
	// RuleTriage leaves the request for a person (free-mail domains) and
	// stops evaluation, so no later allow rule can approve it.
	RuleTriage RuleKind = "triage"
)

// RuleKinds lists every kind, in the order the console offers them.
var RuleKinds = []RuleKind{RuleAllow, RuleDeny, RuleTriage}

// MatchKind is what part of the requester's address a rule compares.
type MatchKind string

const (
	MatchAddress    MatchKind = "address"    // the exact address
	MatchDomain     MatchKind = "domain"     // the domain, not its subdomains
	MatchSubdomains MatchKind = "subdomains" // the domain and every subdomain
)

// MatchKinds lists every match, in the order the console offers them.
var MatchKinds = []MatchKind{MatchAddress, MatchDomain, MatchSubdomains}

// Rule is one line of the rule set. Value is stored in the one spelling
// addresses are compared in (address.go): lower case, the domain in ASCII.
type Rule struct {
	Kind  RuleKind  `json:"kind"`
	Match MatchKind `json:"match"`
	Value string    `json:"value"`
	// Documents and Days are an allow rule's grant; a request asking for a
	// document outside Documents is left for a person. No Documents means
	// every document: only the seed (TRUST_AUTO_APPROVE, which always
	// meant that) has none, since the console asks for at least one.
	Documents []string `json:"documents,omitempty"`
	Days      int      `json:"days,omitempty"`
	// RequireNDA narrows an allow rule to requests whose NDA came one way
	// (NDARequireClickthrough, NDARequireExisting); "" takes any.
	RequireNDA string `json:"require_nda,omitempty"`
}

// ID names the rule in decisions and the audit trail:
// "allow:domain:buyer.example".
func (r Rule) ID() string { return string(r.Kind) + ":" + string(r.Match) + ":" + r.Value }

// Reason is the reason code of a decision the rule made: "rule.allow.domain".
func (r Rule) Reason() string { return "rule." + string(r.Kind) + "." + string(r.Match) }

// String is the rule as the audit trail writes it.
func (r Rule) String() string {
	if r.Kind != RuleAllow {
		return r.ID()
	}
	docs := strings.Join(r.Documents, ",")
	if docs == "" {
		docs = "*"
	}
	s := fmt.Sprintf("%s documents=%s days=%d", r.ID(), docs, r.Days)
	if r.RequireNDA != "" {
		s += " nda=" + r.RequireNDA
	}
	return s
}

// Matches reports whether the rule applies to a normalized address.
func (r Rule) Matches(email string) bool {
	domain := EmailDomain(email)
	switch r.Match {
	case MatchAddress:
		return email == r.Value
	case MatchDomain:
		return domain == r.Value
	case MatchSubdomains:
		return domain == r.Value || strings.HasSuffix(domain, "."+r.Value)
	}
	return false
}

// RuleSet is the stored, ordered list of rules: evaluated top to bottom,
// the first match wins. Version counts saves; a save names the version it
// edited, so two admins cannot overwrite each other unknowingly.
type RuleSet struct {
	Version   int       `json:"version"`
	Rules     []Rule    `json:"rules"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	UpdatedBy string    `json:"updated_by,omitempty"`
}

// String is the numbered list the audit trail records as before and after.
func (rs RuleSet) String() string {
	if len(rs.Rules) == 0 {
		return "(none)"
	}
	parts := make([]string, len(rs.Rules))
	for i, r := range rs.Rules {
		parts[i] = strconv.Itoa(i+1) + ". " + r.String()
	}
	return strings.Join(parts, "; ")
}

// Outcome is what evaluation does with a confirmed request.
type Outcome string

const (
	OutcomeApprove Outcome = "approve"
	OutcomeDeny    Outcome = "deny"
	OutcomePerson  Outcome = "person" // pending, for an approver
)

// Reason codes of decisions no rule made alone.
const (
	ReasonNoRule    = "rule.none"            // nothing matched: a person decides
	ReasonUncovered = "rule.allow.uncovered" // an allow rule matched, but not every document asked for
)

// Decision is what the rule set says of one request.
type Decision struct {
	Outcome  Outcome
	Rule     string // the matching rule's ID; "" when none matched
	Position int    // 1-based place of that rule in the list; 0 when none
	Reason   string // reason code
	Days     int    // an approval's period
}

// Evaluate runs the rules over a request, first match wins.
func (rs RuleSet) Evaluate(r Request) Decision {
	for i, rule := range rs.Rules {
		if !rule.Matches(r.Email) {
			continue
		}
		d := Decision{Rule: rule.ID(), Position: i + 1, Reason: rule.Reason()}
		switch rule.Kind {
		case RuleAllow:
			d.Outcome, d.Days = OutcomeApprove, rule.Days
			for _, doc := range r.Documents {
				if len(rule.Documents) > 0 && !slices.Contains(rule.Documents, doc) {
					d.Outcome, d.Days, d.Reason = OutcomePerson, 0, ReasonUncovered
					break
				}
			}
			if d.Outcome == OutcomeApprove && !rule.ndaSatisfied(r) {
				d.Outcome, d.Days, d.Reason = OutcomePerson, 0, ReasonNDAPath
			}
		case RuleDeny:
			d.Outcome = OutcomeDeny
		default:
			d.Outcome = OutcomePerson
		}
		return d
	}
	return Decision{Outcome: OutcomePerson, Reason: ReasonNoRule}
}

// Detail is the decision as an event's detail records it.
func (d Decision) Detail() string {
	if d.Rule == "" {
		return "reason=" + d.Reason
	}
	return fmt.Sprintf("rule=%d. %s reason=%s", d.Position, d.Rule, d.Reason)
}

// actor is who a decision is recorded as made by: the rule, or the
// system for a decision by the documents' access level.
func (d Decision) actor() string {
	if d.Reason == ReasonNDALevel {
		return ActorNDALevel
	}
	return "rule:" + d.Rule
}

// EditRules is what only an admin may do: change the rule set.
const EditRules Action = "edit_rules"

func init() { permissions[Admin] = append(permissions[Admin], EditRules) }

// MaxRules bounds a rule set: it is one store item, read on every
// confirmation.
const MaxRules = 200

// RuleInput is one rule as the console's form posts it.
type RuleInput struct {
	Kind, Match, Value string
	Documents          []string
	Days               string
	RequireNDA         string
}

// ParseRules checks and normalizes rules typed in the console, in their
// order. docs are the documents an allow rule may grant.
func ParseRules(in []RuleInput, docs []Document) ([]Rule, error) {
	if len(in) > MaxRules {
		return nil, errorMsg(EInvalid, msg("rules.error.too_many", MaxRules))
	}
	rules := make([]Rule, 0, len(in))
	fields := map[string]Msg{}
	seen := map[string]int{}
	for i, ri := range in {
		n := strconv.Itoa(i + 1)
		bad := func(field string, m Msg) {
			if _, ok := fields["rule."+n+"."+field]; !ok {
				fields["rule."+n+"."+field] = m
			}
		}
		r := Rule{Kind: RuleKind(ri.Kind), Match: MatchKind(ri.Match)}
		if !slices.Contains(RuleKinds, r.Kind) {
			bad("kind", msg("rules.error.kind", i+1))
		}
		if !slices.Contains(MatchKinds, r.Match) {
			bad("match", msg("rules.error.match", i+1))
		}
		v := strings.TrimSpace(ri.Value)
		if r.Match == MatchAddress {
			r.Value = normalizeEmail(v)
			if validEmail(r.Value).Key != "" {
				bad("value", msg("rules.error.address", i+1))
			}
		} else {
			r.Value = asciiDomain(strings.TrimPrefix(v, "@"))
			if r.Value == "" || !strings.Contains(r.Value, ".") {
				bad("value", msg("rules.error.domain", i+1))
			}
		}
		if r.Kind == RuleAllow {
			days, err := strconv.Atoi(strings.TrimSpace(ri.Days))
			if err != nil || days < 1 || days > MaxDays {
				bad("days", msg("rules.error.days", i+1, MaxDays))
			}
			r.Days = days
			for _, d := range ri.Documents {
				if !slices.ContainsFunc(docs, func(doc Document) bool { return doc.ID == d && doc.Access.Restricted() }) {
					bad("documents", msg("rules.error.documents", i+1))
				} else if !slices.Contains(r.Documents, d) {
					r.Documents = append(r.Documents, d)
				}
			}
			if len(r.Documents) == 0 {
				bad("documents", msg("rules.error.documents", i+1))
			}
			r.RequireNDA = strings.TrimSpace(ri.RequireNDA)
			if !slices.Contains(NDARequirements, r.RequireNDA) {
				bad("require_nda", msg("rules.error.require_nda", i+1))
			}
		}
		if j, dup := seen[r.ID()]; dup && r.Value != "" {
			bad("value", msg("rules.error.duplicate", i+1, j))
		}
		seen[r.ID()] = i + 1
		rules = append(rules, r)
	}
	if len(fields) > 0 {
		// The first problem, in list order, is the summary.
		keys := make([]string, 0, len(fields))
		for k := range fields {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b string) int { return ruleFieldOrder(a) - ruleFieldOrder(b) })
		return nil, invalid(fields[keys[0]], fields)
	}
	return rules, nil
}

func ruleFieldOrder(field string) int {
	n, _ := strconv.Atoi(strings.Split(field, ".")[1])
	return n
}

// seedRules are the rules TRUST_AUTO_APPROVE stood for before rules were
// stored: approve each listed domain for every document, DefaultDays.
func (s *Service) seedRules() []Rule {
	var rules []Rule
	for _, d := range s.cfg.AutoApprove {
		if a := asciiDomain(strings.TrimSpace(d)); a != "" {
			rules = append(rules, Rule{Kind: RuleAllow, Match: MatchDomain, Value: a, Days: DefaultDays})
		}
	}
	return rules
}

// rulesSubject is the audit trail of the rule set.
const rulesSubject = "rules"

// Rules returns the stored rule set. The first call on a store without one
// stores the seed from the configuration (TRUST_AUTO_APPROVE) as version 1;
// from then on only admins change it.
func (s *Service) Rules(ctx context.Context) (RuleSet, error) {
	rs, err := s.store.GetRules(ctx)
	if ErrorCode(err) != ENotFound {
		return rs, err
	}
	seed := RuleSet{Version: 1, Rules: s.seedRules(), UpdatedAt: s.now(), UpdatedBy: "config:TRUST_AUTO_APPROVE"}
	ev := s.event(rulesSubject, "rules.seeded", seed.UpdatedBy, "version=1 after="+seed.String(), Client{})
	err = s.commit(ctx, Tx{Rules: &seed, Events: []Event{ev}})
	if ErrorCode(err) == EConflict {
		// Seeded or saved by someone else meanwhile.
		return s.store.GetRules(ctx)
	}
	if err != nil {
		return RuleSet{}, fmt.Errorf("seed rules: %w", err)
	}
	return seed, nil
}

// RuleEvents is the rule set's audit trail.
func (s *Service) RuleEvents(ctx context.Context) ([]Event, error) {
	return s.store.ListEvents(ctx, rulesSubject)
}

// SaveRules replaces the rule set that had version ifVersion with rules,
// recording who changed it and the lists before and after.
func (s *Service) SaveRules(ctx context.Context, by Session, ifVersion int, rules []Rule, c Client) (RuleSet, error) {
	if err := authorize(by, EditRules); err != nil {
		return RuleSet{}, err
	}
	cur, err := s.Rules(ctx)
	if err != nil {
		return RuleSet{}, err
	}
	if cur.Version != ifVersion {
		return RuleSet{}, errorMsg(EConflict, msg("rules.error.changed"))
	}
	next := RuleSet{Version: cur.Version + 1, Rules: rules, UpdatedAt: s.now(), UpdatedBy: by.Email}
	detail := fmt.Sprintf("version=%d before=%s after=%s", next.Version, cur, next)
	err = s.commit(ctx, Tx{Rules: &next, Events: []Event{s.event(rulesSubject, "rules.changed", by.Email, detail, c)}})
	if ErrorCode(err) == EConflict {
		return RuleSet{}, errorMsg(EConflict, msg("rules.error.changed"))
	}
	if err != nil {
		return RuleSet{}, fmt.Errorf("save rules: %w", err)
	}
	return next, nil
}

// DryRunDays is how far back a dry run looks, and DryRunLimit how many of
// those requests it reads at most.
const (
	DryRunDays  = 90
	DryRunLimit = 1000
)

// DryRunRow is one past request under the edited rules.
type DryRunRow struct {
	Request Request
	Would   Decision
	Actual  Outcome // what happened: approve, deny or person (still pending)
	Differs bool
}

// DryRun evaluates rules against the confirmed requests of the last
// DryRunDays, newest first, without saving anything. Approvers may look.
func (s *Service) DryRun(ctx context.Context, rules []Rule) ([]DryRunRow, error) {
	reqs, err := s.store.RequestsSince(ctx, s.now().AddDate(0, 0, -DryRunDays), DryRunLimit)
	if err != nil {
		return nil, err
	}
	docs, err := s.store.ListDocuments(ctx)
	if err != nil {
		return nil, err
	}
	rs := RuleSet{Rules: rules}
	var rows []DryRunRow
	for _, r := range reqs {
		if r.Status == Unconfirmed {
			continue // never evaluated, and may never be
		}
		// What confirmation would decide: the rules, then the level.
		row := DryRunRow{Request: r, Would: byLevel(docs, r, rs.Evaluate(r)), Actual: actualOutcome(r.Status)}
		row.Differs = row.Would.Outcome != row.Actual
		rows = append(rows, row)
	}
	return rows, nil
}

func actualOutcome(st Status) Outcome {
	switch st {
	case Approved, Revoked:
		return OutcomeApprove
	case Denied:
		return OutcomeDeny
	}
	return OutcomePerson
}

// decideByRules applies the stored rules to next, just confirmed, inside tx:
// approves, denies, or leaves it pending with the staff mail saying why.
func (s *Service) decideByRules(ctx context.Context, tx *Tx, next *Request, c Client) error {
	rs, err := s.Rules(ctx)
	if err != nil {
		return err
	}
	// The level decides only when no rule spoke: a deny or triage rule
	// is an admin's word about this requester and outranks it.
	d := s.ndaDecision(ctx, *next, rs.Evaluate(*next))
	next.DecisionRule, next.DecisionReason = d.Rule, d.Reason
	if err := s.splitByLevel(ctx, tx, next, d, c); err != nil {
		return err
	}
	switch d.Outcome {
	case OutcomeApprove:
		return s.approveInto(ctx, tx, next, d.actor(), s.now().AddDate(0, 0, d.Days), d.Days, c, d.Detail())
	case OutcomeDeny:
		if err := transition(next, Deny); err != nil {
			return err
		}
		// The answer is the same as for any refusal without a stated
		// reason: nothing in it says a rule made it.
		reason := i18n.T(next.Lang, "rules.deny.generic", s.cfg.Company)
		next.DecidedAt = s.now()
		next.DecidedBy = d.actor()
		next.DenyReason = reason
		status, err := s.statusURL(*next)
		if err != nil {
			return err
		}
		tx.Events = append(tx.Events, s.event(next.ID, "request.denied", d.actor(), d.Detail(), c))
		tx.Mails = append(tx.Mails, s.mail(next.Email, next.Lang, "mail.denied", quoted(next.Name), s.cfg.Company, quotedBlock(reason), s.cfg.Company, status))
		return nil
	}
	// With no rule matched, the request records rule.none and the trail
	// shows no rule step: nothing automatic happened.
	why := i18n.T(staffLang, "rules.mail.none")
	if d.Rule != "" {
		why = i18n.T(staffLang, "rules.mail.rule", d.Position, d.Rule, d.Reason)
		tx.Events = append(tx.Events, s.event(next.ID, "request.triaged", d.actor(), d.Detail(), c))
	}
	flags, err := s.flags(ctx, *next, nil)
	if err != nil {
		return err
	}
	for _, st := range s.cfg.Staff {
		m, err := s.staffMail(ctx, st.Email, *next, why, flags)
		if err != nil {
			return err
		}
		tx.Mails = append(tx.Mails, m)
	}
	s.queueSlackPending(tx, *next, why)
	return nil
}
