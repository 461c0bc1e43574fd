package trust

import (
	"bufio"
	"context"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"trustcenter/shared/i18n"
)

// What an approver is told about a request before deciding it: the
// requester's earlier requests, and flags that say what to look at.

// The bundled domain lists (domains/*.txt say how to update them).
var (
	//go:embed domains/freemail.txt
	freemailList string
	//go:embed domains/disposable.txt
	disposableList string

	freemail   = mustDomainSet("freemail.txt", freemailList)
	disposable = mustDomainSet("disposable.txt", disposableList)
)

// parseDomainList reads one list: a domain per line, "#" comments. A line
// that is not a lower-case ASCII domain, or a domain twice, is an error.
func parseDomainList(text string) (map[string]bool, error) {
	set := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if asciiDomain(line) != line || !strings.Contains(line, ".") {
			return nil, fmt.Errorf("line %d: %q is not a lower-case ASCII domain", n, line)
		}
		if set[line] {
			return nil, fmt.Errorf("line %d: %s is listed twice", n, line)
		}
		set[line] = true
	}
	return set, nil
}

func mustDomainSet(name, text string) map[string]bool {
	set, err := parseDomainList(text)
	if err != nil {
		panic("trust: domains/" + name + ": " + err.Error())
	}
	return set
}

// CheckDomainLists parses the bundled lists again, for the test that keeps
// them well formed.
func CheckDomainLists() error {
	for name, text := range map[string]string{"freemail.txt": freemailList, "disposable.txt": disposableList} {
		if _, err := parseDomainList(text); err != nil {
			return fmt.Errorf("domains/%s: %w", name, err)
		}
	}
	return nil
}

// Kinds of domain DomainKind knows.
const (
	FlagFreeMail   = "freemail"
	FlagDisposable = "disposable"
)

// DomainKind is FlagFreeMail or FlagDisposable for a domain on (or under)
// one of the bundled lists, "" for any other.
func DomainKind(domain string) string {
	for d := domain; d != ""; {
		switch {
		case disposable[d]:
			return FlagDisposable
		case freemail[d]:
			return FlagFreeMail
		}
		_, rest, ok := strings.Cut(d, ".")
		if !ok {
			break
		}
		d = rest
	}
	return ""
}

// Flag is one thing an approver should know about a request. Kind names
// its message ("decide.flag.<kind>"); Detail fills it in.
type Flag struct {
	Kind   string
	Detail string
}

// Kinds of flag beyond the domain's kind.
const (
	FlagCompanyMismatch = "company_mismatch" // the domain does not look like the company typed
	FlagCustomerGrant   = "customer_grant"   // the domain holds an active grant
	FlagCustomerRule    = "customer_rule"    // an allow rule covers the address
	FlagDenyRule        = "deny_rule"        // a deny rule covers the address
)

// companyWords are words of company names that say nothing about which
// company: legal forms and fillers.
var companyWords = []string{"the", "inc", "incorporated", "ltd", "limited", "llc", "llp", "plc", "gmbh", "ag", "sa", "sas", "bv", "nv", "oy", "ab", "as", "kk", "co", "corp", "corporation", "company", "group", "holding", "holdings", "and", "of"}

// secondLevels are labels under a country's domain that name no company
// (acme.co.uk, acme.com.cn).
var secondLevels = []string{"co", "com", "net", "org", "ac", "gov", "edu", "ne", "or"}

// CompanyMatchesDomain guesses whether an address at domain could be
// someone at company: a domain label and the company's name contain one
// another, share a word of three letters or more, or the label is the
// name's initials. A company typed without Latin letters cannot be
// compared, and is taken to match.
func CompanyMatchesDomain(company, domain string) bool {
	var words []string
	for _, w := range strings.FieldsFunc(strings.ToLower(company), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if !slices.Contains(companyWords, w) {
			words = append(words, w)
		}
	}
	name := strings.Join(words, "")
	if strings.IndexFunc(name, func(r rune) bool { return r < unicode.MaxASCII && unicode.IsLetter(r) }) < 0 {
		return true
	}
	labels := strings.Split(domain, ".")
	labels = labels[:len(labels)-1]
	if n := len(labels); n > 1 && slices.Contains(secondLevels, labels[n-1]) {
		labels = labels[:n-1]
	}
	initials := ""
	for _, w := range words {
		initials += w[:1]
	}
	for _, l := range labels {
		l = strings.ReplaceAll(l, "-", "")
		if len(l) < 2 {
			continue
		}
		if strings.Contains(name, l) || strings.Contains(l, name) || (len(words) > 1 && l == initials) {
			return true
		}
		for _, w := range words {
			if len(w) >= 3 && strings.Contains(l, w) {
				return true
			}
		}
	}
	return false
}

// ContactField is what PriorRequests looks requests up by.
type ContactField string

const (
	ByEmail  ContactField = "email"  // the normalized address
	ByDomain ContactField = "domain" // the address's domain, in ASCII
)

// PriorLimit is how many earlier requests of each kind a request's page
// shows.
const PriorLimit = 20

// DecisionContext is what a request's page tells an approver beyond the request.
type DecisionContext struct {
	// SameEmail and SameDomain are the other requests from the address
	// and, apart from those, from its domain, newest first. A free-mail or
	// disposable domain has no SameDomain: its users are strangers to
	// one another.
	SameEmail  []Request
	SameDomain []Request
	Flags      []Flag
	Downloads  int
}

// RequestContext gathers r's context: events is r's trail, as Request
// returned it.
func (s *Service) RequestContext(ctx context.Context, r Request, events []Event) (DecisionContext, error) {
	var out DecisionContext
	for _, e := range events {
		if e.Type == "document.downloaded" {
			out.Downloads++
		}
	}
	flags, err := s.flags(ctx, r, &out)
	if err != nil {
		return DecisionContext{}, err
	}
	out.Flags = flags
	return out, nil
}

// flags reads r's earlier requests into c (when c is not nil) and says
// what an approver should know about r.
func (s *Service) flags(ctx context.Context, r Request, c *DecisionContext) ([]Flag, error) {
	if c == nil {
		c = &DecisionContext{}
	}
	domain := EmailDomain(r.Email)
	kind := DomainKind(domain)
	var flags []Flag
	if kind != "" {
		flags = append(flags, Flag{Kind: kind, Detail: domain})
	} else if !CompanyMatchesDomain(r.Company, domain) {
		flags = append(flags, Flag{Kind: FlagCompanyMismatch, Detail: domain})
	}
	others := func(reqs []Request, skip func(Request) bool) []Request {
		return slices.DeleteFunc(reqs, func(o Request) bool { return o.ID == r.ID || skip(o) })
	}
	byEmail, err := s.store.PriorRequests(ctx, ByEmail, r.Email, PriorLimit+1)
	if err != nil {
		return nil, fmt.Errorf("requests from %s: %w", r.ID, err)
	}
	c.SameEmail = firstN(others(byEmail, func(Request) bool { return false }), PriorLimit)
	if kind == "" {
		byDomain, err := s.store.PriorRequests(ctx, ByDomain, domain, PriorLimit+len(byEmail)+1)
		if err != nil {
			return nil, fmt.Errorf("requests from %s: %w", r.ID, err)
		}
		c.SameDomain = firstN(others(byDomain, func(o Request) bool { return o.Email == r.Email }), PriorLimit)
	}
	now := s.now()
	for _, o := range append(slices.Clone(c.SameEmail), c.SameDomain...) {
		if o.Active(now) {
			flags = append(flags, Flag{Kind: FlagCustomerGrant, Detail: o.Email})
			break
		}
	}
	rs, err := s.Rules(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range []RuleKind{RuleAllow, RuleDeny} {
		i := slices.IndexFunc(rs.Rules, func(rule Rule) bool { return rule.Kind == k && rule.Matches(r.Email) })
		if i < 0 {
			continue
		}
		f := Flag{Kind: FlagCustomerRule, Detail: rs.Rules[i].ID()}
		if k == RuleDeny {
			f.Kind = FlagDenyRule
		}
		flags = append(flags, f)
	}
	return flags, nil
}

func firstN[T any](s []T, n int) []T {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Emails of staff mail about a request: the subject and body name what the
// approver needs to triage from the inbox.

// staffMail is the mail telling an approver that r waits for them, with
// why (what the rules said) and the flags.
func (s *Service) staffMail(ctx context.Context, to string, r Request, why string, flags []Flag) (Mail, error) {
	docs, err := s.store.ListDocuments(ctx)
	if err != nil {
		return Mail{}, fmt.Errorf("staff mail for %s: %w", r.ID, err)
	}
	titles := make([]string, len(r.Documents))
	for i, id := range r.Documents {
		titles[i] = id
		if j := slices.IndexFunc(docs, func(d Document) bool { return d.ID == id }); j >= 0 {
			titles[i] = docs[j].Title
		}
	}
	lines := make([]string, 0, len(flags))
	for _, f := range flags {
		lines = append(lines, "- "+i18n.T(staffLang, "decide.flag."+f.Kind, inert(f.Detail)))
	}
	flagText := i18n.T(staffLang, "decide.mail.staff.no_flags")
	if len(lines) > 0 {
		flagText = strings.Join(lines, "\n")
	}
	reason := i18n.T(staffLang, "decide.mail.staff.no_reason")
	if r.Reason != "" {
		reason = quotedBlock(r.Reason)
	}
	docList := "- " + strings.Join(titles, "\n- ")
	subject := i18n.T(staffLang, "decide.mail.staff.subject", quoted(truncate(r.Name, 80)), quoted(truncate(r.Company, 80)), strings.Join(titles, ", "))
	text := i18n.T(staffLang, "decide.mail.staff.body", quoted(r.Name), r.Email, quoted(r.Company), docList, reason,
		r.NDA.Version, flagText, why, s.link("/admin/requests/"+r.ID))
	// Every mail carries an HTML part too, so that clients show the link as
	// a button and the outbox tests read one shape.
	return Mail{
		ID: s.newID("mail_"), To: to, CreatedAt: s.now(), Subject: subject, Text: text,
		HTML: s.mailHTML(staffLang, "decide.mail.staff", subject, text),
	}, nil
}
