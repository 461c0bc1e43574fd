package trust

import (
	"context"
	"fmt"
	"time"
)

// EvidenceRow is one NDA agreement as the evidence export lists it: who,
// which text (by hash), when, from where, and how it was agreed.
type EvidenceRow struct {
	Request    string    `json:"request"`
	Name       string    `json:"name"`
	Email      string    `json:"email"`
	Company    string    `json:"company"`
	Status     Status    `json:"status"`
	Mode       string    `json:"mode"` // "clickthrough", "prior", "existing", "access" (accepted again at the access page)
	Version    string    `json:"version,omitempty"`
	Seq        int       `json:"seq,omitempty"`
	SHA256     string    `json:"sha256,omitempty"`
	Signature  string    `json:"signature,omitempty"`
	AcceptedAt time.Time `json:"accepted_at,omitzero"`
	IP         string    `json:"ip,omitempty"`
	UserAgent  string    `json:"user_agent,omitempty"`
	ReliesOn   string    `json:"relies_on,omitempty"`
	// Reference is the existing agreement staff confirmed, with its date.
	Reference string `json:"reference,omitempty"`
}

// EvidenceDays and EvidenceLimit bound one export: the requests created in
// the last EvidenceDays, at most EvidenceLimit of them, newest first.
const (
	EvidenceDays  = 400
	EvidenceLimit = 5000
)

// Evidence lists the NDA agreements of the requests created in the last
// days, one row per acceptance. Staff only.
func (s *Service) Evidence(ctx context.Context, by Session, days int) ([]EvidenceRow, error) {
	if err := authorize(by, Approve); err != nil {
		return nil, err
	}
	if days < 1 || days > EvidenceDays {
		days = EvidenceDays
	}
	reqs, err := s.store.RequestsSince(ctx, s.now().AddDate(0, 0, -days), EvidenceLimit)
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	var rows []EvidenceRow
	for _, r := range reqs {
		rows = append(rows, EvidenceOf(r)...)
	}
	return rows, nil
}

// EvidenceOf is r's agreements: the one given with the request, then each
// given at the access page.
func EvidenceOf(r Request) []EvidenceRow {
	row := func(a Acceptance, mode string) EvidenceRow {
		return EvidenceRow{Request: r.ID, Name: r.Name, Email: r.Email, Company: r.Company, Status: r.Status, Mode: mode,
			Version: a.Version, Seq: a.Seq, SHA256: a.TextSHA256, Signature: a.Signature, AcceptedAt: a.AcceptedAt,
			IP: a.IP, UserAgent: a.UserAgent, ReliesOn: a.ReliesOn}
	}
	first := row(normAcceptance(r.NDA), "clickthrough")
	switch r.NDA.Mode {
	case NDAPrior:
		first.Mode = "prior"
	case NDAExisting:
		first.Mode = "existing"
		if e := r.ExistingNDA; e != nil && e.State == ExistingConfirmed {
			first.Reference = e.Reference + " (" + e.Date + ")"
		}
	}
	rows := []EvidenceRow{first}
	for _, a := range r.Reacceptances {
		rows = append(rows, row(a, "access"))
	}
	return rows
}

// NDAEvidence is what a signed NDA's PDF states about one acceptance.
type NDAEvidence struct {
	Company     string // ours, the agreement's other party
	Name        string
	Email       string
	Org         string // the requester's company
	Signature   string
	Version     string
	SHA256      string
	At          time.Time
	IP          string
	UserAgent   string
	Request     string
	Mode        string // how it was agreed, in words
	Text        string // the NDA's text, as hashed
	GeneratedAt time.Time
}

// NDARenderer writes a signed NDA as a PDF (package ndapdf). An engine,
// like Stamper, so that only the functions that make one link the PDF
// library.
type NDARenderer interface {
	Render(NDAEvidence) ([]byte, error)
}

// EvidenceFor is the evidence of r's acceptance a (the request's own or
// one given later at the access page), with the text of the version
// accepted.
func EvidenceFor(company string, r Request, a Acceptance, text string, now time.Time) NDAEvidence {
	mode := "Accepted by click-through, signed with the typed name."
	switch a.Mode {
	case NDAPrior:
		mode = "Relies on the acceptance recorded on request " + a.ReliesOn + " from the same, confirmed address."
		if a.ReliesOn == "" {
			mode = "Claimed an earlier acceptance; none was found, so the access page asks for the click-through."
		}
	case NDAExisting:
		mode = "An existing signed NDA was claimed; not yet confirmed by staff."
		if e := r.ExistingNDA; e != nil && e.State == ExistingConfirmed {
			mode = fmt.Sprintf("Existing NDA confirmed by %s: %s, signed %s.", e.By, e.Reference, e.Date)
		}
	}
	return NDAEvidence{Company: company, Name: r.Name, Email: r.Email, Org: r.Company, Signature: a.Signature, Version: a.Version,
		SHA256: a.TextSHA256, At: a.AcceptedAt, IP: a.IP, UserAgent: a.UserAgent, Request: r.ID, Mode: mode, Text: text, GeneratedAt: now}
}

// SignedNDA is the PDF of request id's acceptance n (0: the one given with
// the request; 1, 2, …: those given later at the access page). Staff only.
func (s *Service) SignedNDA(ctx context.Context, by Session, id string, n int) ([]byte, error) {
	if err := authorize(by, Approve); err != nil {
		return nil, err
	}
	r, err := s.store.GetRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	all := append([]Acceptance{r.NDA}, r.Reacceptances...)
	if n < 0 || n >= len(all) {
		return nil, errorMsg(ENotFound, msg("error.nda_unknown"))
	}
	a := normAcceptance(all[n])
	var v NDAVersion
	if a.Seq > 0 {
		v, err = s.NDAVersionBySeq(ctx, a.Seq)
	} else {
		v, err = s.CurrentNDA(ctx)
	}
	if err != nil {
		return nil, err
	}
	if s.ndaPDF == nil {
		return nil, ErrNoEngine
	}
	return s.ndaPDF.Render(EvidenceFor(s.cfg.Company, r, a, v.Text, s.now()))
}
