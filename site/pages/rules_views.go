package pages

import (
	"slices"
	"strconv"

	"trustcenter/shared/trust"
)

// RuleRow is one rule as the form shows it: as stored, or as posted back
// with a refusal or a dry run.
type RuleRow struct {
	Position, Kind, Match, Value, Days string
	RequireNDA                         string
	Documents                          []string
	New                                bool // the empty row that adds a rule
}

// RulesData is the rules page's.
type RulesData struct {
	Set     trust.RuleSet // as stored
	Version int           // the version the form edits
	Rows    []RuleRow
	Docs    []trust.Document // what an allow rule may grant
	CanEdit bool
	Saved   bool
	Error   string
	Fields  map[string]string // "rule.<n>.<field>" → message
	// DryRun is set when Dry is the result of one (possibly empty).
	DryRun     bool
	Dry        []trust.DryRunRow
	DryRunDays int
	Events     []trust.Event
}

// Differing counts the dry run's requests that would end otherwise.
func (d RulesData) Differing() int {
	n := 0
	for _, r := range d.Dry {
		if r.Differs {
			n++
		}
	}
	return n
}

func (r RuleRow) has(doc string) bool { return slices.Contains(r.Documents, doc) }

func ruleField(name string, i int) string { return name + "." + strconv.Itoa(i) }

func (p *Page) decision(rule, reason string) string {
	if rule == "" {
		return p.T("rules.no_rule") + " (" + reason + ")"
	}
	return rule + " (" + reason + ")"
}

func (p *Page) ruleDocs(r trust.Rule) string {
	if r.Kind != trust.RuleAllow {
		return ""
	}
	docs := p.T("rules.all_documents")
	if len(r.Documents) > 0 {
		docs = p.DocNames(r.Documents)
	}
	return " · " + docs + " · " + p.T("rules.days_n", r.Days)
}

func ruleLabel(d trust.Decision) string {
	if d.Rule == "" {
		return ""
	}
	return strconv.Itoa(d.Position) + ". " + d.Rule
}

// kindLabel, matchLabel and outcomeLabel name rule values in the page's
// language.
func (p *Page) kindLabel(k trust.RuleKind) string   { return p.T("rules.kind." + string(k)) }
func (p *Page) matchLabel(m trust.MatchKind) string { return p.T("rules.match." + string(m)) }
func (p *Page) outcomeLabel(o trust.Outcome) string { return p.T("rules.outcome." + string(o)) }

// ndaRequirementLabel names an allow rule's RequireNDA in the form.
func (p *Page) ndaRequirementLabel(n string) string {
	switch n {
	case trust.NDARequireClickthrough:
		return p.T("rules.require_nda.clickthrough")
	case trust.NDARequireExisting:
		return p.T("rules.require_nda.existing")
	}
	return p.T("rules.require_nda.any")
}
