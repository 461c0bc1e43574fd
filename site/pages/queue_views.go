package pages

import (
	"net/url"
	"strconv"
	"time"

	"github.com/a-h/templ"

	"trustcenter/shared/trust"
)

// QueueData is one page of the console's queue.
type QueueData struct {
	Filter       trust.QueueFilter
	Page         trust.QueuePage
	Documents    []trust.Document
	Now          time.Time
	Done, Failed int    // the tally of the bulk decision just made
	Error        string // why the page could not be shown as asked
}

// AccountsData is a page of the accounts list.
type AccountsData struct {
	Accounts []trust.Account
	Next     string
	Now      time.Time
	Error    string
}

// AccountData is one account's page.
type AccountData struct {
	View trust.AccountView
	Now  time.Time
}

// queueURL is the queue with the filter's search and document, on view,
// after cursor.
func queueURL(f trust.QueueFilter, view trust.QueueView, cursor string) templ.SafeURL {
	v := url.Values{"status": {string(view)}}
	if f.Q != "" {
		v.Set("q", f.Q)
	}
	if f.Document != "" {
		v.Set("doc", f.Document)
	}
	if cursor != "" {
		v.Set("cursor", cursor)
	}
	return templ.SafeURL("/admin/requests?" + v.Encode())
}

// ViewLabel names a queue tab.
func (p *Page) ViewLabel(v trust.QueueView) string { return p.T("queue.tab." + string(v)) }

// Waiting says how long a request has waited, in the largest whole unit.
func (p *Page) Waiting(since, now time.Time) string {
	d := max(now.Sub(since), 0)
	switch {
	case d < time.Hour:
		return p.T("queue.waiting", p.T("queue.age.min", int(d/time.Minute)))
	case d < 48*time.Hour:
		return p.T("queue.waiting", p.T("queue.age.h", int(d/time.Hour)))
	}
	return p.T("queue.waiting", p.T("queue.age.d", int(d/(24*time.Hour))))
}

func itoa(n int) string { return strconv.Itoa(n) }

// requestStatus is the status a row shows: an approved request past its
// access period is expired.
func (p *Page) requestStatus(r trust.Request, now time.Time) (label, badge string) {
	if r.Status == trust.Approved && !r.Active(now) {
		return p.T("queue.tab.expired"), "expired"
	}
	return p.StatusLabel(r.Status), statusBadge(r.Status)
}

func queryEscape(s string) string { return url.QueryEscape(s) }
