package trust

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// NDAVersion is one published version of the NDA. Versions are numbered
// 1, 2, … in the order they are published and never change; the content
// file's NDA is version 1 until an admin publishes another. A major version
// starts a new series: an acceptance holds for every version of the series
// it was given in, so a minor change (a typo, an address) asks nobody again
// and a major one asks everyone.
type NDAVersion struct {
	Seq   int    `json:"seq"`
	Label string `json:"label"` // what people call it, e.g. "2026-03"
	Text  string `json:"text"`
	// SHA256 is the hash of Text exactly as stored and shown.
	SHA256 string `json:"sha256"`
	Major  bool   `json:"major"`
	// Series is the Seq of the major version this one belongs to.
	Series      int       `json:"series"`
	EffectiveAt time.Time `json:"effective_at"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	PublishedBy string    `json:"published_by,omitempty"`
}

// EmailAcceptance is the latest NDA acceptance given from one address: how
// a requester who accepted recently is not asked again. It is written only
// once the address is proven (the confirmation link, or an access link,
// which only reaches the address), so typing someone else's address on the
// form cannot ride on their acceptance: the skip is decided at
// confirmation, by whoever can read that mailbox.
type EmailAcceptance struct {
	Email   string    `json:"email"` // normalized
	Request string    `json:"request"`
	Seq     int       `json:"seq"`
	Series  int       `json:"series"`
	SHA256  string    `json:"sha256"`
	At      time.Time `json:"at"`
}

// How a request's NDA was agreed (Acceptance.Mode).
const (
	NDAClicked  = ""         // accepted on the form, signed with a typed name
	NDAPrior    = "prior"    // the requester says they accepted recently: checked at confirmation
	NDAExisting = "existing" // the requester says a signed NDA exists: staff confirm it
)

// ExistingNDA is a requester's statement that their company already has an
// NDA with us, and what staff made of it.
type ExistingNDA struct {
	// Note is what the requester said about it (optional).
	Note string `json:"note,omitempty"`
	// State is "" while staff have not looked, "confirmed", or
	// "clickthrough" when staff asked for the click-through instead.
	State     string    `json:"state,omitempty"`
	Reference string    `json:"reference,omitempty"` // agreement name
	Date      string    `json:"date,omitempty"`      // when it was signed, YYYY-MM-DD
	By        string    `json:"by,omitempty"`
	At        time.Time `json:"at,omitzero"`
}

// States of an ExistingNDA.
const (
	ExistingConfirmed   = "confirmed"
	ExistingClickThough = "clickthrough"
)

// DefaultNDAReuse is how long an acceptance of the current series spares a
// requester the click-through, when Config.NDAReuse is not set.
const DefaultNDAReuse = 365 * 24 * time.Hour

// MaxNDAText bounds a published NDA's text, MaxNDALabel its label.
const (
	MaxNDAText  = 100_000
	MaxNDALabel = 40
	MaxNDANote  = 300
)

// NDAReuse is how long an acceptance spares the same address the
// click-through, as the form states it.
func (s *Service) NDAReuse() time.Duration { return s.ndaReuse() }

func (s *Service) ndaReuse() time.Duration {
	if s.cfg.NDAReuse > 0 {
		return s.cfg.NDAReuse
	}
	return DefaultNDAReuse
}

// HashText is the SHA-256 (hex) of an NDA's exact text.
func HashText(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// seedNDA is version 1, the content file's NDA, for a store where no admin
// has published one yet.
func (s *Service) seedNDA() NDAVersion {
	return NDAVersion{Seq: 1, Label: s.cfg.NDA.Version, Text: s.cfg.NDA.Text, SHA256: s.cfg.NDA.Hash(), Major: true, Series: 1}
}

// NDAVersions lists every version, oldest first: those published, or the
// content file's alone.
func (s *Service) NDAVersions(ctx context.Context) ([]NDAVersion, error) {
	vs, err := s.store.ListNDAVersions(ctx)
	if err != nil {
		return nil, fmt.Errorf("nda versions: %w", err)
	}
	if len(vs) == 0 {
		return []NDAVersion{s.seedNDA()}, nil
	}
	return vs, nil
}

// CurrentNDA is the version in effect now: the newest whose effective date
// has come.
func (s *Service) CurrentNDA(ctx context.Context) (NDAVersion, error) {
	vs, err := s.NDAVersions(ctx)
	if err != nil {
		return NDAVersion{}, err
	}
	return currentOf(vs, s.now()), nil
}

func currentOf(vs []NDAVersion, now time.Time) NDAVersion {
	for i := len(vs) - 1; i > 0; i-- {
		if !vs[i].EffectiveAt.After(now) {
			return vs[i]
		}
	}
	return vs[0]
}

// NDA is the version as the form shows it: its label and text.
func (v NDAVersion) NDA() NDA { return NDA{Version: v.Label, Text: v.Text} }

// NDAVersionBySeq returns one version, old ones included.
func (s *Service) NDAVersionBySeq(ctx context.Context, seq int) (NDAVersion, error) {
	vs, err := s.NDAVersions(ctx)
	if err != nil {
		return NDAVersion{}, err
	}
	for _, v := range vs {
		if v.Seq == seq {
			return v, nil
		}
	}
	return NDAVersion{}, errorMsg(ENotFound, msg("error.nda_unknown"))
}

// NDAInput is an admin's new version as the console's form sent it.
type NDAInput struct {
	Label     string
	Text      string
	Major     bool
	Effective string // YYYY-MM-DD; "" for now
}

// PublishNDA stores a new version. Its text is kept exactly as sent but for
// line ends (browsers send CRLF; the hash is over LF), so the hash people
// compare is the one of the text they read. The first publication writes
// the content file's NDA as version 1 in the same step, so earlier
// acceptances keep naming a stored version.
func (s *Service) PublishNDA(ctx context.Context, by Session, in NDAInput, c Client) (NDAVersion, error) {
	if err := authorize(by, Publish); err != nil {
		return NDAVersion{}, err
	}
	in.Label = strings.TrimSpace(in.Label)
	in.Text = strings.ReplaceAll(in.Text, "\r\n", "\n")
	fields := map[string]Msg{}
	if m := checkLength("nda_label", in.Label, MaxNDALabel, true); m.Key != "" {
		fields["label"] = m
	} else if m := checkText("nda_label", in.Label); m.Key != "" {
		fields["label"] = m
	}
	switch n := utf8.RuneCountInString(strings.TrimSpace(in.Text)); {
	case n == 0:
		fields["text"] = msg("valid.nda_text_required")
	case len(in.Text) > MaxNDAText || !utf8.ValidString(in.Text):
		fields["text"] = msg("valid.nda_text_too_long", MaxNDAText)
	}
	now := s.now()
	effective := now
	if e := strings.TrimSpace(in.Effective); e != "" {
		d, err := time.Parse("2006-01-02", e)
		if err != nil {
			fields["effective"] = msg("valid.nda_effective")
		} else if d.After(now) {
			effective = d
		}
	}
	stored, err := s.store.ListNDAVersions(ctx)
	if err != nil {
		return NDAVersion{}, err
	}
	vs := stored
	if len(vs) == 0 {
		vs = []NDAVersion{s.seedNDA()}
	}
	last := vs[len(vs)-1]
	for _, v := range vs {
		if v.Label == in.Label {
			fields["label"] = msg("valid.nda_label_taken", in.Label)
		}
	}
	if len(fields) > 0 {
		return NDAVersion{}, invalid(msg("valid.summary"), fields)
	}
	v := NDAVersion{Seq: last.Seq + 1, Label: in.Label, Text: in.Text, SHA256: HashText(in.Text), Major: in.Major,
		Series: last.Series, EffectiveAt: effective, PublishedAt: now, PublishedBy: by.Email}
	if v.Major {
		v.Series = v.Seq
	}
	kind := "minor"
	if v.Major {
		kind = "major"
	}
	tx := Tx{
		NDAs: []NDAVersion{v},
		Events: []Event{s.event("nda", "nda.published", by.Email,
			fmt.Sprintf("seq=%d label=%s %s sha256=%s effective=%s", v.Seq, v.Label, kind, v.SHA256, v.EffectiveAt.Format("2006-01-02")), c)},
	}
	if len(stored) == 0 {
		tx.NDAs = []NDAVersion{vs[0], v}
	}
	if err := s.commit(ctx, tx); err != nil {
		if ErrorCode(err) == EConflict {
			return NDAVersion{}, errorMsg(EConflict, msg("error.nda_conflict"))
		}
		return NDAVersion{}, fmt.Errorf("publish nda: %w", err)
	}
	return v, nil
}

// normAcceptance reads an acceptance recorded before versions were numbered
// as one of version 1.
func normAcceptance(a Acceptance) Acceptance {
	if a.Seq == 0 && a.TextSHA256 != "" && a.Mode == NDAClicked {
		a.Seq, a.Series = 1, 1
	}
	return a
}

// NDAHolds reports whether r's requester has agreed to the series of cur:
// on the form, by an acceptance it relies on, again at the access page, or
// by an existing agreement staff confirmed.
func (r Request) NDAHolds(cur NDAVersion) bool {
	if r.ExistingNDA != nil && r.ExistingNDA.State == ExistingConfirmed {
		return true
	}
	for _, a := range append([]Acceptance{r.NDA}, r.Reacceptances...) {
		if a = normAcceptance(a); a.Seq > 0 && a.Series == cur.Series {
			return true
		}
	}
	return false
}

// checkNDAPosted compares what a form says it showed with the version in
// effect: a version published since, or a text that is not the one we
// hash, is refused, and the form shows the current text again.
func checkNDAPosted(label string, hash string, cur NDA) Msg {
	if label != cur.Version || !strings.EqualFold(strings.TrimSpace(hash), cur.Hash()) {
		return msg("valid.nda_outdated")
	}
	return Msg{}
}

// priorAcceptance is the acceptance a request submitted with "I accepted it
// before" relies on, found by its now proven address; ok is false when there
// is none of the current series within the reuse period.
func (s *Service) priorAcceptance(ctx context.Context, email string, cur NDAVersion) (EmailAcceptance, bool, error) {
	ea, err := s.store.LastAcceptance(ctx, email)
	if ErrorCode(err) == ENotFound {
		return EmailAcceptance{}, false, nil
	}
	if err != nil {
		return EmailAcceptance{}, false, err
	}
	ok := ea.Series == cur.Series && s.now().Sub(ea.At) <= s.ndaReuse()
	return ea, ok, nil
}

// settleNDAOnConfirm applies what the confirmation proves to next's NDA:
// a click-through is remembered for the address; "accepted before" is
// looked up and recorded as relying on that acceptance, or left open, in
// which case the access page asks for the click-through before any
// download.
func (s *Service) settleNDAOnConfirm(ctx context.Context, tx *Tx, next *Request, c Client) error {
	switch next.NDA.Mode {
	case NDAClicked:
		a := normAcceptance(next.NDA)
		tx.Acceptances = append(tx.Acceptances, EmailAcceptance{Email: next.Email, Request: next.ID, Seq: a.Seq, Series: a.Series, SHA256: a.TextSHA256, At: a.AcceptedAt})
		m, err := s.signedNDAMail(ctx, *next, 0)
		if err != nil {
			return err
		}
		tx.Mails = append(tx.Mails, m)
	case NDAPrior:
		cur, err := s.CurrentNDA(ctx)
		if err != nil {
			return err
		}
		ea, ok, err := s.priorAcceptance(ctx, next.Email, cur)
		if err != nil {
			return err
		}
		if !ok {
			tx.Events = append(tx.Events, s.event(next.ID, "nda.prior_missing", next.Email, fmt.Sprintf("series=%d", cur.Series), c))
			return nil
		}
		next.NDA.Seq, next.NDA.Series, next.NDA.TextSHA256, next.NDA.ReliesOn = ea.Seq, ea.Series, ea.SHA256, ea.Request
		if v, err := s.NDAVersionBySeq(ctx, ea.Seq); err == nil {
			next.NDA.Version = v.Label
		}
		tx.Events = append(tx.Events, s.event(next.ID, "nda.relied", next.Email,
			fmt.Sprintf("request=%s seq=%d sha256=%s accepted_at=%s", ea.Request, ea.Seq, ea.SHA256, ea.At.UTC().Format(time.RFC3339)), c))
	}
	return nil
}

// NDAPending is the version r's requester must accept at their access page
// before downloading, if any.
func (s *Service) NDAPending(ctx context.Context, r Request) (NDAVersion, bool, error) {
	cur, err := s.CurrentNDA(ctx)
	if err != nil {
		return NDAVersion{}, false, err
	}
	return cur, !r.NDAHolds(cur), nil
}

// AcceptAtAccess records an acceptance given on the access page: the
// holder of an access link (which only reaches their address) accepts the
// version the page showed, signing with their name as on the request.
func (s *Service) AcceptAtAccess(ctx context.Context, tok, label, hash string, accept bool, signature string, c Client) (Request, error) {
	claims, err := s.parse(AccessLink, tok, s.now())
	if err != nil {
		return Request{}, err
	}
	r, err := s.grant(ctx, claims)
	if err != nil {
		return Request{}, err
	}
	cur, err := s.CurrentNDA(ctx)
	if err != nil {
		return Request{}, err
	}
	if r.NDAHolds(cur) {
		return r, nil
	}
	signature = collapseSpace(signature)
	fields := map[string]Msg{}
	if m := checkNDAPosted(label, hash, cur.NDA()); m.Key != "" {
		fields["nda_version"] = m
	} else if !accept {
		fields["nda_accept"] = msg("valid.nda_required")
	}
	switch {
	case signature == "":
		fields["nda_signature"] = msg("valid.signature_required")
	case !strings.EqualFold(signature, r.Name):
		fields["nda_signature"] = msg("valid.signature_mismatch")
	}
	if len(fields) > 0 {
		return r, invalid(msg("valid.summary"), fields)
	}
	now := s.now()
	a := Acceptance{Version: cur.Label, Seq: cur.Seq, Series: cur.Series, TextSHA256: strings.ToLower(strings.TrimSpace(hash)), Signature: signature,
		AcceptedAt: now, IP: c.IP, UserAgent: truncate(c.UserAgent, 512)}
	next := r
	next.Reacceptances = append(append([]Acceptance(nil), r.Reacceptances...), a)
	tx := Tx{
		Request: &next, IfVersion: r.Version,
		Events:      []Event{s.event(r.ID, "nda.accepted", r.Email, fmt.Sprintf("version=%s seq=%d sha256=%s at=access", a.Version, a.Seq, a.TextSHA256), c)},
		Acceptances: []EmailAcceptance{{Email: r.Email, Request: r.ID, Seq: a.Seq, Series: a.Series, SHA256: a.TextSHA256, At: now}},
	}
	m, err := s.signedNDAMail(ctx, next, len(next.Reacceptances))
	if err != nil {
		return Request{}, err
	}
	tx.Mails = []Mail{m}
	if err := s.commit(ctx, tx); err != nil {
		return Request{}, fmt.Errorf("accept nda %s: %w", r.ID, err)
	}
	next.Version = r.Version + 1
	return next, nil
}

// SettleExistingNDA records staff's answer to "we already have an NDA":
// confirmed, with the agreement's name and date, or the click-through
// asked for instead (the access page then asks for it).
func (s *Service) SettleExistingNDA(ctx context.Context, by Session, id string, confirm bool, reference, date string, c Client) (Request, error) {
	if err := authorize(by, Approve); err != nil {
		return Request{}, err
	}
	reference, date = collapseSpace(reference), strings.TrimSpace(date)
	if confirm {
		fields := map[string]Msg{}
		if m := checkLength("nda_reference", reference, MaxNDALabel*3, true); m.Key != "" {
			fields["reference"] = m
		} else if m := checkText("nda_reference", reference); m.Key != "" {
			fields["reference"] = m
		}
		if _, err := time.Parse("2006-01-02", date); err != nil {
			fields["date"] = msg("valid.nda_effective")
		}
		if len(fields) > 0 {
			return Request{}, invalid(msg("valid.summary"), fields)
		}
	}
	r, err := s.store.GetRequest(ctx, id)
	if err != nil {
		return Request{}, err
	}
	if r.ExistingNDA == nil {
		return Request{}, errorMsg(EConflict, msg("error.nda_not_existing"))
	}
	next := r
	e := *r.ExistingNDA
	e.By, e.At = by.Email, s.now()
	detail := "clickthrough requested"
	if confirm {
		e.State, e.Reference, e.Date = ExistingConfirmed, reference, date
		detail = fmt.Sprintf("confirmed reference=%q date=%s", reference, date)
	} else {
		e.State, e.Reference, e.Date = ExistingClickThough, "", ""
	}
	next.ExistingNDA = &e
	tx := Tx{Request: &next, IfVersion: r.Version, Events: []Event{s.event(r.ID, "nda.existing", by.Email, detail, c)}}
	if confirm && next.Status == Pending {
		if err := s.approveByExistingRule(ctx, &tx, &next, c); err != nil {
			return Request{}, err
		}
	}
	if err := s.commit(ctx, tx); err != nil {
		if ErrorCode(err) == EConflict {
			return Request{}, stateConflict(r)
		}
		return Request{}, fmt.Errorf("existing nda %s: %w", id, err)
	}
	next.Version = r.Version + 1
	return next, nil
}

func existingNote(r Request) string {
	if r.ExistingNDA == nil {
		return ""
	}
	return r.ExistingNDA.Note
}

func (noStore) ListNDAVersions(context.Context) ([]NDAVersion, error) {
	return nil, noEngine("store", "ListNDAVersions")
}
func (noStore) LastAcceptance(context.Context, string) (EmailAcceptance, error) {
	return EmailAcceptance{}, noEngine("store", "LastAcceptance")
}

type noNDAPDF struct{}

func (noNDAPDF) Render(NDAEvidence) ([]byte, error) { return nil, noEngine("signed NDA", "Render") }
