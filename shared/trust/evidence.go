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
