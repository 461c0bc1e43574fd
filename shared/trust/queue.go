package trust

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The console's queue and accounts. Engines keep two kinds of derived data
// in the same transaction as every request write (see ApplyToAccount and
// CountChange), so neither a tab count nor an account row needs a read of
// every request: per-status counters, and one Account per email domain.
// Unconfirmed requests are left out of both: they are not work for anyone
// yet, and engines delete them by TTL, which no counter would see.

// RequestIndex is an order in which QueryRequests can read requests.
type RequestIndex string

const (
	// ByStatus: one status (RequestQuery.Status), by creation time.
	ByStatus RequestIndex = "status"
	// AllConfirmed: every confirmed request (any status but Unconfirmed),
	// by creation time.
	AllConfirmed RequestIndex = "all"
	// DomainIndex: the confirmed requests from one email domain
	// (RequestQuery.Domain), by creation time.
	DomainIndex RequestIndex = "domain"
	// ActiveGrants and ExpiredGrants: approved requests whose access period
	// ends after RequestQuery.Now, or at or before it, by the period's end.
	ActiveGrants  RequestIndex = "active"
	ExpiredGrants RequestIndex = "expired"
)

// RequestQuery names one keyed read of requests: an index and a position
// in it. Oldest reverses the default newest-first order.
type RequestQuery struct {
	Index  RequestIndex
	Status Status
	Domain string
	Now    time.Time
	Oldest bool
	Cursor string
	Limit  int
}

// QueueCounts are the queue's tab counts. Approved counts only the grants
// still active at the time asked; Expired the approved ones past their end.
type QueueCounts struct {
	Pending, Approved, Denied, Revoked, Expired int
}

// All is every confirmed request.
func (c QueueCounts) All() int { return c.Pending + c.Approved + c.Denied + c.Revoked + c.Expired }

// CountChange is what writing next over old (nil: a new request) does to
// the per-status counters: -1 for old's status, +1 for next's, unconfirmed
// left out. Engines add it in the same transaction as the write.
func CountChange(old *Request, next Request) map[Status]int {
	d := map[Status]int{}
	if old != nil && old.Status != Unconfirmed {
		d[old.Status]--
	}
	if next.Status != Unconfirmed {
		d[next.Status]++
	}
	for st, n := range d {
		if n == 0 {
			delete(d, st)
		}
	}
	return d
}

// Account is everything the console knows about one email domain, kept up
// to date by the engines in each commit (ApplyToAccount, AccountDownload).
// People and Grants grow with the domain's requests; even a large customer
// stays far below an item's size limit (400 KB on DynamoDB holds some ten
// thousand addresses).
type Account struct {
	Domain string `json:"domain"`
	// People are the distinct addresses of its confirmed requests, sorted.
	People []string `json:"people"`
	// Requests counts its confirmed requests by their current status.
	Requests map[Status]int `json:"requests"`
	// Grants maps each approved request's grant id to the end of its
	// access period; a revocation removes it.
	Grants       map[string]time.Time `json:"grants,omitempty"`
	Downloads    int                  `json:"downloads"`
	LastActivity time.Time            `json:"last_activity"`
	// Version counts writes, for the engines' conditional update.
	Version int64 `json:"version"`
}

// ActiveGrants counts the grants whose access period has not ended at now.
func (a Account) ActiveGrants(now time.Time) int {
	n := 0
	for _, end := range a.Grants {
		if now.Before(end) {
			n++
		}
	}
	return n
}

// AccountDomain is the account an address belongs to: its domain, in the
// stored spelling (ASCII, lower case).
func AccountDomain(email string) string {
	e := normalizeEmail(email)
	if !strings.Contains(e, "@") {
		return ""
	}
	return EmailDomain(e)
}

// AccountOf is the domain whose account the write of next over old
// concerns: next's, or for an erasure, which replaced the address by a
// pseudonym, the address's before it.
func AccountOf(old *Request, next Request) string {
	if !next.ErasedAt.IsZero() && old != nil {
		return AccountDomain(old.Email)
	}
	return AccountDomain(next.Email)
}

// ApplyToAccount updates a (the account of AccountOf(old, next); zero if it has
// none yet) for the write of next over old. It reports false when the
// write does not concern accounts (an unconfirmed request). The activity
// is the request's own latest date, not the engine's clock, so both
// engines agree on it.
func ApplyToAccount(a *Account, old *Request, next Request) bool {
	if next.Status == Unconfirmed {
		return false
	}
	if a.Domain == "" {
		a.Domain = AccountOf(old, next)
	}
	if a.Requests == nil {
		a.Requests = map[Status]int{}
	}
	for st, n := range CountChange(old, next) {
		a.Requests[st] += n
		if a.Requests[st] <= 0 {
			delete(a.Requests, st)
		}
	}
	switch {
	case !next.ErasedAt.IsZero():
		// An erasure takes the person off the account, and the
		// pseudonym never joins it.
		if old != nil {
			if i, found := slices.BinarySearch(a.People, old.Email); found {
				a.People = slices.Delete(a.People, i, i+1)
			}
		}
	default:
		if i, found := slices.BinarySearch(a.People, next.Email); !found {
			a.People = slices.Insert(a.People, i, next.Email)
		}
	}
	if next.GrantID != "" {
		if next.Status == Approved {
			if a.Grants == nil {
				a.Grants = map[string]time.Time{}
			}
			a.Grants[next.GrantID] = next.ExpiresAt
		} else {
			delete(a.Grants, next.GrantID)
		}
	}
	if at := lastChange(next); at.After(a.LastActivity) {
		a.LastActivity = at
	}
	return true
}

// lastChange is the latest date a request records.
func lastChange(r Request) time.Time {
	t := r.CreatedAt
	for _, u := range []time.Time{r.ConfirmedAt, r.DecidedAt, r.RevokedAt} {
		if u.After(t) {
			t = u
		}
	}
	return t
}

// AccountDownload counts one download on the account at time at.
func AccountDownload(a *Account, domain string, at time.Time) {
	if a.Domain == "" {
		a.Domain = domain
	}
	a.Downloads++
	if at.After(a.LastActivity) {
		a.LastActivity = at
	}
}

// QueueView is a tab of the console's queue.
type QueueView string

const (
	ViewPending  QueueView = "pending"
	ViewApproved QueueView = "approved"
	ViewDenied   QueueView = "denied"
	ViewRevoked  QueueView = "revoked"
	ViewExpired  QueueView = "expired"
	ViewAll      QueueView = "all"
)

// QueueViews are the tabs in their order.
var QueueViews = []QueueView{ViewPending, ViewApproved, ViewDenied, ViewRevoked, ViewExpired, ViewAll}

// Count is the view's count among c.
func (v QueueView) Count(c QueueCounts) int {
	switch v {
	case ViewPending:
		return c.Pending
	case ViewApproved:
		return c.Approved
	case ViewDenied:
		return c.Denied
	case ViewRevoked:
		return c.Revoked
	case ViewExpired:
		return c.Expired
	}
	return c.All()
}

// Queue is one page of the console's queue.
type QueueFilter struct {
	View QueueView
	// Q is a search: an address (that person's requests), a domain (that
	// account's), or any other text, matched case-insensitively within
	// name, company and address.
	Q        string
	Document string // only requests that include this document
	Cursor   string
}

// QueuePage is the page QueueFilter selects.
type QueuePage struct {
	Requests []Request
	Next     string
	Counts   QueueCounts
	// Searched is how many requests the page read to find its matches
	// when a filter applies; Windowed says the read stopped at the budget
	// before the page was full, so Next continues the search.
	Searched int
	Windowed bool
}

// QueuePageSize is the number of requests on a queue page; searchBudget
// bounds the requests one filtered page reads (searchChunk at a time), so
// a search for something rare costs pages, never one unbounded read.
const (
	QueuePageSize = 50
	searchBudget  = 1000
	searchChunk   = 200
)

// Queue reads one page of the queue. An unfiltered page is one keyed read
// of its index. A search by address or domain reads the domain's index;
// by other text, and a document filter, read the view's index in order
// and keep the matches, at most searchBudget requests per page.
func (s *Service) Queue(ctx context.Context, f QueueFilter) (QueuePage, error) {
	now := s.now()
	q := RequestQuery{Now: now}
	switch f.View {
	case ViewPending:
		q.Index, q.Status, q.Oldest = ByStatus, Pending, true
	case ViewDenied, ViewRevoked:
		q.Index, q.Status = ByStatus, Status(f.View)
	case ViewApproved:
		q.Index = ActiveGrants
	case ViewExpired:
		q.Index = ExpiredGrants
	case ViewAll:
		q.Index = AllConfirmed
	default:
		return QueuePage{}, errorMsg(EInvalid, msg("error.unknown_status", string(f.View)))
	}
	counts, err := s.store.QueueCounts(ctx, now)
	if err != nil {
		return QueuePage{}, err
	}
	var match []func(Request) bool
	if f.Document != "" {
		match = append(match, func(r Request) bool { return slices.Contains(r.Documents, f.Document) })
	}
	if text := strings.TrimSpace(f.Q); text != "" {
		email := normalizeEmail(text)
		switch {
		case strings.Contains(email, "@"):
			q = RequestQuery{Index: DomainIndex, Domain: EmailDomain(email), Now: now, Oldest: q.Oldest}
			match = append(match, inView(f.View, now), func(r Request) bool { return r.Email == email })
		case isDomain(text):
			q = RequestQuery{Index: DomainIndex, Domain: AccountDomain("x@" + text), Now: now, Oldest: q.Oldest}
			match = append(match, inView(f.View, now))
		default:
			t := strings.ToLower(text)
			match = append(match, func(r Request) bool {
				return strings.Contains(strings.ToLower(r.Name), t) || strings.Contains(strings.ToLower(r.Company), t) || strings.Contains(r.Email, t)
			})
		}
	}
	page := QueuePage{Counts: counts}
	if len(match) == 0 {
		q.Cursor, q.Limit = f.Cursor, QueuePageSize
		page.Requests, page.Next, err = s.store.QueryRequests(ctx, q)
		return page, err
	}
	page.Requests, page.Next, page.Searched, page.Windowed, err = s.search(ctx, q, f.Cursor, func(r Request) bool {
		for _, m := range match {
			if !m(r) {
				return false
			}
		}
		return true
	})
	return page, err
}

// inView reports whether a request belongs on a tab, for searches that
// read another index than the tab's own.
func inView(v QueueView, now time.Time) func(Request) bool {
	return func(r Request) bool {
		switch v {
		case ViewAll:
			return true
		case ViewApproved:
			return r.Active(now)
		case ViewExpired:
			return r.Status == Approved && !r.Active(now)
		}
		return string(r.Status) == string(v)
	}
}

// isDomain reports whether text reads as a domain name rather than words.
func isDomain(text string) bool {
	return strings.Contains(text, ".") && !strings.ContainsAny(text, " @") && asciiDomain(text) != ""
}

// search reads q's index from cursor in chunks and keeps what match
// accepts, until a page is full, the index ends, or searchBudget requests
// were read. Its cursor is the store's cursor of the chunk it stopped in
// and how many of that chunk's requests were already looked at, so the
// next page reads the chunk again and goes on after them.
func (s *Service) search(ctx context.Context, q RequestQuery, cursor string, match func(Request) bool) (out []Request, next string, read int, windowed bool, err error) {
	cur, skip, err := splitSearchCursor(cursor)
	if err != nil {
		return nil, "", 0, false, err
	}
	q.Limit = searchChunk
	for {
		q.Cursor = cur
		reqs, after, err := s.store.QueryRequests(ctx, q)
		if err != nil {
			return nil, "", 0, false, err
		}
		if skip > len(reqs) {
			return nil, "", 0, false, Errorf(EInvalid, "The page cursor is not valid.")
		}
		for i := skip; i < len(reqs); i++ {
			read++
			if !match(reqs[i]) {
				continue
			}
			out = append(out, reqs[i])
			if len(out) == QueuePageSize {
				switch {
				case i+1 < len(reqs):
					return out, joinSearchCursor(cur, i+1), read, false, nil
				case after != "":
					return out, joinSearchCursor(after, 0), read, false, nil
				}
				return out, "", read, false, nil
			}
		}
		if after == "" {
			return out, "", read, false, nil
		}
		cur, skip = after, 0
		if read >= searchBudget {
			return out, joinSearchCursor(cur, 0), read, true, nil
		}
	}
}

// A search cursor is "<skip>.<store cursor>"; store cursors never hold a
// dot before their own text, and an empty one is the index's start.
func joinSearchCursor(store string, skip int) string {
	return "s" + strconv.Itoa(skip) + "." + store
}

func splitSearchCursor(c string) (string, int, error) {
	if c == "" {
		return "", 0, nil
	}
	bad := Errorf(EInvalid, "The page cursor is not valid.")
	n, rest, ok := strings.Cut(strings.TrimPrefix(c, "s"), ".")
	if !ok || !strings.HasPrefix(c, "s") {
		return "", 0, bad
	}
	skip, err := strconv.Atoi(n)
	if err != nil || skip < 0 || skip > searchChunk {
		return "", 0, bad
	}
	return rest, skip, nil
}

// DecideResult is the outcome of one request of a bulk decision.
type DecideResult struct {
	ID  string
	Err error
}

// DecideMany approves (for DefaultDays) or denies (with reason) each
// request in ids, each through Approve or Deny, so each is its own
// decision with its own record and mail; one refusal does not stop the
// others.
func (s *Service) DecideMany(ctx context.Context, by Session, ids []string, approve bool, reason string, c Client) []DecideResult {
	seen := map[string]bool{}
	var out []DecideResult
	for _, id := range ids {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		var err error
		if approve {
			_, err = s.Approve(ctx, by, id, DefaultDays, c)
		} else {
			_, err = s.Deny(ctx, by, id, reason, c)
		}
		out = append(out, DecideResult{ID: id, Err: err})
	}
	return out
}

// Accounts lists one page of accounts, latest activity first.
func (s *Service) Accounts(ctx context.Context, cursor string, limit int) ([]Account, string, error) {
	return s.store.ListAccounts(ctx, cursor, limit)
}

// AccountView is an account's page: its row, its requests, their
// downloads, and the rules that apply to its people.
type AccountView struct {
	Account   Account
	Requests  []Request
	More      bool // more requests than the page shows
	Downloads []Event
	Rules     []Rule
}

// accountRequests bounds the requests an account's page reads.
const accountRequests = 200

// Account returns a domain's page; ENotFound for a domain with no
// confirmed request.
func (s *Service) Account(ctx context.Context, domain string) (AccountView, error) {
	d := AccountDomain("x@" + strings.TrimSpace(domain))
	if d == "" {
		return AccountView{}, Errorf(EInvalid, "%q is not a domain.", domain)
	}
	a, err := s.store.GetAccount(ctx, d)
	if err != nil {
		return AccountView{}, err
	}
	v := AccountView{Account: a}
	reqs, next, err := s.store.QueryRequests(ctx, RequestQuery{Index: DomainIndex, Domain: d, Limit: accountRequests})
	if err != nil {
		return AccountView{}, err
	}
	v.Requests, v.More = reqs, next != ""
	for _, r := range reqs {
		if r.GrantID == "" {
			continue
		}
		evs, err := s.store.ListEvents(ctx, r.ID)
		if err != nil {
			return AccountView{}, err
		}
		for _, e := range evs {
			if e.Type == "document.downloaded" {
				v.Downloads = append(v.Downloads, e)
			}
		}
	}
	slices.SortFunc(v.Downloads, func(a, b Event) int { return b.At.Compare(a.At) })
	rs, err := s.store.GetRules(ctx)
	if err != nil && ErrorCode(err) != ENotFound {
		return AccountView{}, err
	}
	// A rule applies to the account when it matches its domain, or one of
	// its people exactly.
	for _, r := range rs.Rules {
		if r.Matches("x@"+d) && r.Match != MatchAddress || r.Match == MatchAddress && slices.Contains(a.People, r.Value) {
			v.Rules = append(v.Rules, r)
		}
	}
	return v, nil
}

// AccountsCSV writes every account as CSV rows (header first), reading the
// accounts page by page.
func (s *Service) AccountsCSV(ctx context.Context, row func([]string) error) error {
	now := s.now()
	if err := row([]string{"domain", "people", "pending", "approved", "denied", "revoked", "active_grants", "downloads", "last_activity"}); err != nil {
		return err
	}
	cursor := ""
	for {
		accts, next, err := s.store.ListAccounts(ctx, cursor, 500)
		if err != nil {
			return err
		}
		for _, a := range accts {
			n := func(st Status) string { return strconv.Itoa(a.Requests[st]) }
			if err := row([]string{csvSafe(a.Domain), strconv.Itoa(len(a.People)), n(Pending), n(Approved), n(Denied), n(Revoked),
				strconv.Itoa(a.ActiveGrants(now)), strconv.Itoa(a.Downloads), a.LastActivity.UTC().Format(time.RFC3339)}); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// SortedStatusCounts is an account's request counts in queue order, for
// display.
func (a Account) SortedStatusCounts() []StatusCount {
	var out []StatusCount
	for _, st := range Statuses {
		if n := a.Requests[st]; n > 0 {
			out = append(out, StatusCount{st, n})
		}
	}
	return out
}

// StatusCount is one status and how many.
type StatusCount struct {
	Status Status
	N      int
}

func (c StatusCount) String() string { return fmt.Sprintf("%s %d", c.Status, c.N) }

// Now is the service's time, which the console's pages measure ages by.
func (s *Service) Now() time.Time { return s.now() }
