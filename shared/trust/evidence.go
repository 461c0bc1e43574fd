package trust

import (
	"context"
	"fmt"
	"strconv"
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

// signedNDAEvidence is the evidence of request r's acceptance n (0: the
// one given with the request; 1, 2, …: those given later at the access
// page), with the text of the version it names.
func (s *Service) signedNDAEvidence(ctx context.Context, r Request, n int) (NDAEvidence, error) {
	all := append([]Acceptance{r.NDA}, r.Reacceptances...)
	if n < 0 || n >= len(all) {
		return NDAEvidence{}, errorMsg(ENotFound, msg("error.nda_unknown"))
	}
	a := normAcceptance(all[n])
	var v NDAVersion
	var err error
	if a.Seq > 0 {
		v, err = s.NDAVersionBySeq(ctx, a.Seq)
	} else {
		v, err = s.CurrentNDA(ctx)
	}
	if err != nil {
		return NDAEvidence{}, err
	}
	return EvidenceFor(s.cfg.Company, r, a, v.Text, s.now()), nil
}

// signedNDALinkTTL is how long a staff member's link to a signed NDA
// works: long enough to follow the console's redirect.
const signedNDALinkTTL = 2 * time.Minute

// SignedNDALink is a short-lived token for request id's signed NDA n,
// minted for staff; SignedNDA serves it.
func (s *Service) SignedNDALink(ctx context.Context, by Session, id string, n int) (string, error) {
	if err := authorize(by, Approve); err != nil {
		return "", err
	}
	r, err := s.store.GetRequest(ctx, id)
	if err != nil {
		return "", err
	}
	if n < 0 || n > len(r.Reacceptances) {
		return "", errorMsg(ENotFound, msg("error.nda_unknown"))
	}
	now := s.now()
	return s.signer.Sign(SignedNDALink, Claims{Request: r.ID, Document: fmt.Sprint(n), ExpiresAt: now.Add(signedNDALinkTTL)}, now)
}

// SignedNDA is the PDF a staff member's signed-NDA link names.
func (s *Service) SignedNDA(ctx context.Context, tok string) (string, []byte, error) {
	claims, err := s.parse(SignedNDALink, tok, s.now())
	if err != nil {
		return "", nil, err
	}
	n, err := strconv.Atoi(claims.Document)
	if err != nil {
		return "", nil, invalidLink()
	}
	r, err := s.store.GetRequest(ctx, claims.Request)
	if err != nil {
		return "", nil, err
	}
	// Single use: the link passes through the browser's history and the
	// edge's logs, and the PDF holds the requester's evidence.
	if err := s.commit(ctx, Tx{Uses: []Use{{ID: claims.ID, ExpiresAt: claims.ExpiresAt}}}); err != nil {
		if ErrorCode(err) == EConflict {
			return "", nil, invalidLink()
		}
		return "", nil, err
	}
	e, err := s.signedNDAEvidence(ctx, r, n)
	if err != nil {
		return "", nil, err
	}
	pdf, err := s.ndaPDF.Render(e)
	return signedNDAName(r.ID, n), pdf, err
}

func signedNDAName(id string, n int) string {
	if n == 0 {
		return "nda-" + id + ".pdf"
	}
	return fmt.Sprintf("nda-%s-%d.pdf", id, n)
}

// signedNDAMail is the requester's copy of their signed NDA, queued
// with the step that proves their address; the PDF is made when it is sent.
func (s *Service) signedNDAMail(ctx context.Context, r Request, n int) (Mail, error) {
	e, err := s.signedNDAEvidence(ctx, r, n)
	if err != nil {
		return Mail{}, err
	}
	status, err := s.statusURL(r)
	if err != nil {
		return Mail{}, err
	}
	m := s.mail(r.Email, r.Lang, "mail.signed_nda", quoted(r.Name), e.Version, e.SHA256, status)
	m.SignedNDA = &e
	return m, nil
}

// sendMail hands m to the mail engine, with its signed NDA rendered and
// attached.
func (s *Service) sendMail(ctx context.Context, m Mail) error {
	if e := m.SignedNDA; e != nil {
		pdf, err := s.ndaPDF.Render(*e)
		if err != nil {
			return fmt.Errorf("render signed NDA of %s: %w", e.Request, err)
		}
		m.Attachments = append(m.Attachments, Attachment{Name: "nda-" + e.Request + ".pdf", ContentType: "application/pdf", Data: pdf})
	}
	return s.mailer.Send(ctx, m)
}
