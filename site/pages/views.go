package pages

import "trustcenter/shared/trust"

// TrustView is the trust page's data: everything already in the reader's
// language and formatted, so the template only lays it out.
type TrustView struct {
	BaseURL, OGImage                             string
	Tagline, Overview, LegalName, Website, Email string
	Locations                                    []string
	Certs                                        []CertView
	Criteria                                     []CriterionView
	Subprocessors                                []SubprocessorView
	FAQ                                          []FAQView
	Updates                                      []UpdateView
}

type CertView struct {
	ID, Name, Summary, Status, StatusLabel string
	StatusHelp                             string // why, when the status is not current
	IsReport                               bool
	Period, Auditor, Issued, NextAudit     string
	Criteria, Bridges                      []string
	Coverage, Gap                          string
	Segments                               []SegmentView
	Window                                 string
	Doc                                    *DocView
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
	Title     string
	InScope   bool
	Practices []string
}

type SubprocessorView struct{ Name, Website, Purpose, Location, Data string }

type FAQView struct{ Q, A string }

type UpdateView struct{ ID, Title, Date, DateISO, Kind, Body, Link string }

// FormDoc is a document the request form offers.
type FormDoc struct {
	ID, Title, Kind string
	Checked         bool
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
}

// LoginData is the sign-in page's: whether a link was just sent, or the
// address typed and why it was refused.
type LoginData struct {
	Sent         bool
	Email, Error string
}

// Tab is one status of the request queue's navigation.
type Tab struct {
	Status  trust.Status
	Current bool
}

// RequestsData is one page of the request queue.
type RequestsData struct {
	Status   trust.Status
	Tabs     []Tab
	Requests []trust.Request
	Next     string // the cursor of the next page, if any
}

// RequestData is a request's console page, with the refusal of an action
// on it, if any.
type RequestData struct {
	Request trust.Request
	Events  []trust.Event
	Error   string
}

// DocumentsData is the console's document list, with the outcome of an
// upload.
type DocumentsData struct {
	Documents   []DocumentRow
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
