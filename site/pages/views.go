package pages

import "trustcenter/shared/trust"

// TrustView is the trust page's data: everything already in the reader's
// language and formatted, so the template only lays it out.
type TrustView struct {
	BaseURL, OGImage string
	// JSONLD is the schema.org Organization with its certifications, as
	// JSON escaped for a script element.
	JSONLD                                       string
	Tagline, Overview, LegalName, Website, Email string
	Locations                                    []string
	// Attestations are the summary at the top of the page, one row per
	// certification; RequestCTA is the primary call to action under it
	// ("Request SOC 1 / SOC 2 reports"), "" when nothing is gated.
	Attestations []AttestationView
	RequestCTA   string
	// Common are the facts every SOC report shares, stated once above the
	// cards instead of on each.
	Common        []FactView
	Certs         []CertView
	Axis          []TickView // the timelines' date axis, shared by every card
	Bridged       bool       // some timeline has days covered by a bridge letter only
	Criteria      []CriterionView
	Subprocessors []SubprocessorView
	FAQ           []FAQView
	Updates       []UpdateView
	// Library is the document library; KnowledgeCount how many public
	// answers /knowledge holds.
	Library        LibraryView
	KnowledgeCount int
}

// AttestationView is one row of the summary.
type AttestationView struct {
	ID, Name, Line, Auditor, Opinion string
	Status, StatusLabel              string
	IsReport                         bool
	// Obtain is "download", "request" or "" (no file offered); Href leads
	// to the file or to the form with the document ticked.
	Obtain, Href string
}

type CertView struct {
	ID, Name, Summary, Status, StatusLabel string
	StatusHelp                             string // why, when the status is not current
	Facts                                  []FactView
	// SameAs names an earlier card whose facts this one shares, and
	// SameFacts which facts those are, so they are not repeated.
	SameAs    string
	SameFacts []string
	// History are superseded bridge letters, for the record.
	History       []string
	Coverage, Gap string
	Segments      []SegmentView
	Window        string
	Doc           *DocView
}

// FactView is one labelled fact of a report: a single value, or a list.
type FactView struct {
	Label  string
	Values []FactValue
	// Folded lists are long enough to hide behind a summary.
	Folded bool
}

// FactValue is one value of a fact with an optional note, such as a
// subservice organisation and how the report treats it.
type FactValue struct{ Text, Note string }

// TickView is a year boundary on the timeline axis, at X percent.
type TickView struct {
	X, Label string
	End      bool // near the right edge: the label goes left of the tick
}

type SegmentView struct {
	X, W   string
	Bridge bool
}

type DocView struct {
	ID, Title, Size string
	Public          bool
}

type CriterionView struct {
	ID, Title string
	InScope   bool
	Practices []string
}

type SubprocessorView struct{ Name, Website, Purpose, Location, Data string }

type FAQView struct{ ID, Q, A string }

type UpdateView struct {
	ID, Title, Date, DateISO, Kind, Body, Link string
	// Change lists a subprocessor change line by line, its effective day
	// last; Object leads to the form that objects to it.
	Change []string
	Object string
}

// FormDoc is a document the request form offers.
type FormDoc struct {
	ID, Title, Kind string
	// Level says when the document comes: right after the email
	// confirmation (NDA level) or after an approval.
	Level   string
	Checked bool
}

// FormData is the request form's: what was typed, the refusal's messages
// when it comes back from a submission, and the NDA shown.
type FormData struct {
	Input     trust.RequestInput
	Fields    map[string]string // field → message
	Error     string
	Documents []FormDoc
	NDA       trust.NDA
	NDAHash   string
	NDASeq    int
	// NDAReuse is the period an earlier acceptance counts for, in words.
	NDAReuse string
	// Problems are Fields in the order of the form, for the error
	// summary, each linking to its field.
	Problems []Problem
}

// Problem is one line of the form's error summary.
type Problem struct{ Field, Message string }

// LoginData is the sign-in page's: whether a link was just sent, or the
// address typed and why it was refused.
type LoginData struct {
	Sent         bool
	Email, Error string
	// SSO offers the company's identity provider beside the email link.
	SSO bool
}

// DocumentsData is the console's document list, with the outcome of an
// upload.
type DocumentsData struct {
	Documents []DocumentRow
	// Downloads are the public downloads of each document over the last
	// trust.RecentDownloadDays days; a gated document's are in the trails.
	Downloads   map[string]int
	Error, Done string
}

// DocumentRow is one document of the list and the form that uploads its
// next file (nil for a document the content no longer names).
type DocumentRow struct {
	trust.Document
	Upload *trust.UploadForm
}

// ReviewData is the review of an upload: what the file is, why it cannot
// be published or what to check first, and what publishing does. Title
// is the document's in the page's language.
type ReviewData struct {
	trust.Review
	Title          string
	Refused, Error string
	Warnings       []string
}

// HistoryData is a document's version history, newest first.
type HistoryData struct {
	Document trust.Document
	Title    string
	Versions []trust.Version
	Events   []trust.Event
	Error    string
}

// TraceData is the trace page's: the ID looked up (typed, or read from an
// uploaded file), what was found, or why nothing was.
type TraceData struct {
	ID       string
	FromFile bool
	Found    trust.Traced // zero when nothing was found
	Error    string
}

// SentData is the "check your email" page's: with a status link, the
// address the mail went to, the link's token for the resend form, and the
// form's address filled in again for a wrong address.
type SentData struct {
	Email, Token, StartAgain string
	ConfirmHours             int
	Resent                   bool
	Error                    string
}

// StatusData is a requester's status page: the request's view, and what
// the page says around it, in the reader's language.
type StatusData struct {
	View                trust.StatusView
	State               string // the state's name
	Next                string // what happens next, or what happened
	Turnaround, Contact string
	Again               string // the form, filled in from the request
}
