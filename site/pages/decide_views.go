package pages

import (
	"slices"
	"strconv"
	"time"

	"trustcenter/shared/trust"
)

// RequestData is a request's console page: the request, what an approver
// should know about it, its trail, and the outcome of the last action on
// it (Banner) or its refusal (Error).
type RequestData struct {
	Request trust.Request
	Events  []trust.Event
	Context trust.DecisionContext
	Error   string
	Banner  string
	// Templates are the saved deny reasons (trust.DenyTemplates), Presets
	// the periods offered in days, Today the day date fields start from.
	Templates []string
	Presets   []int
	Today     time.Time
}

// Notes are the request's internal notes, oldest first.
func (d RequestData) Notes() []trust.Event {
	var notes []trust.Event
	for _, e := range d.Events {
		if e.Type == trust.NoteEvent {
			notes = append(notes, e)
		}
	}
	return notes
}

// dateMin and dateMax bound a date field: from tomorrow to a year on.
func (d RequestData) dateMin() string { return d.Today.AddDate(0, 0, 1).Format(time.DateOnly) }
func (d RequestData) dateMax() string {
	return d.Today.AddDate(0, 0, trust.MaxDays).Format(time.DateOnly)
}

func (p *Page) flagText(f trust.Flag) string { return p.T("decide.flag."+f.Kind, f.Detail) }

// flagClass colours a flag: a warning, or good news.
func flagClass(f trust.Flag) string {
	if f.Kind == trust.FlagCustomerGrant || f.Kind == trust.FlagCustomerRule {
		return "current"
	}
	return "stale"
}

func presetID(days int) string { return "days-" + strconv.Itoa(days) }

// canTrust is whether "approve and trust this domain" is offered: not for
// a free-mail or disposable address, whose domain is everyone's.
func (d RequestData) canTrust() bool {
	return !slices.ContainsFunc(d.Context.Flags, func(f trust.Flag) bool {
		return f.Kind == trust.FlagFreeMail || f.Kind == trust.FlagDisposable
	})
}

func domainOf(email string) string {
	for i := len(email) - 1; i >= 0; i-- {
		if email[i] == '@' {
			return email[i+1:]
		}
	}
	return email
}
