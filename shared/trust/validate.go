package trust

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Field limits of the request form.
const (
	MaxName    = 100
	MaxEmail   = 254
	MaxCompany = 120
	MaxReason  = 1000
)

// RequestInput is the request form as the visitor filled it in.
type RequestInput struct {
	Name         string
	Email        string
	Company      string
	Reason       string
	Documents    []string
	NDAVersion   string
	NDASHA256    string // the hash of the text the form showed
	NDAMode      string // NDAClicked, NDAPrior or NDAExisting
	ExistingNote string // what the requester says about their existing NDA
	NDAAccept    bool
	NDASignature string
	Lang         string // the language the form was shown in
}

func (in *RequestInput) normalize() {
	in.Name = collapseSpace(in.Name)
	in.Email = normalizeEmail(in.Email)
	in.Company = collapseSpace(in.Company)
	in.Reason = strings.TrimSpace(strings.ReplaceAll(in.Reason, "\r\n", "\n"))
	in.Lang = truncate(strings.TrimSpace(in.Lang), 16)
	in.NDASignature = collapseSpace(in.NDASignature)
	in.NDASHA256 = strings.ToLower(strings.TrimSpace(in.NDASHA256))
	in.ExistingNote = collapseSpace(in.ExistingNote)
	var docs []string
	for _, d := range in.Documents {
		if d = strings.TrimSpace(d); d != "" && !slices.Contains(docs, d) {
			docs = append(docs, d)
		}
	}
	in.Documents = docs
}

// Validate checks every field against the current NDA and the documents
// that exist, and reports every problem at once, per field.
func (in RequestInput) Validate(docs []Document, nda NDA) error {
	fields := map[string]Msg{}
	add := func(field string, m Msg) {
		if _, seen := fields[field]; m.Key != "" && !seen {
			fields[field] = m
		}
	}
	add("name", checkLength("name", in.Name, MaxName, true))
	add("name", checkText("name", in.Name))
	add("email", validEmail(in.Email))
	add("company", checkLength("company", in.Company, MaxCompany, true))
	add("company", checkText("company", in.Company))
	add("reason", checkLength("reason", in.Reason, MaxReason, false))
	add("reason", checkText("reason", in.Reason))
	if len(in.Documents) == 0 {
		add("document", msg("valid.documents_required"))
	}
	for _, id := range in.Documents {
		i := slices.IndexFunc(docs, func(d Document) bool { return d.ID == id })
		switch {
		case i < 0:
			add("document", msg("valid.document_unknown"))
		case !docs[i].Access.Restricted():
			add("document", msg("valid.document_public", docs[i].Title))
		}
	}
	add("nda_version", checkNDAPosted(in.NDAVersion, in.NDASHA256, nda))
	switch in.NDAMode {
	case NDAClicked:
		if !in.NDAAccept {
			add("nda_accept", msg("valid.nda_required"))
		}
		switch {
		case in.NDASignature == "":
			add("nda_signature", msg("valid.signature_required"))
		case !strings.EqualFold(in.NDASignature, in.Name):
			add("nda_signature", msg("valid.signature_mismatch"))
		}
	case NDAPrior:
	case NDAExisting:
		add("existing_note", checkLength("existing_note", in.ExistingNote, MaxNDANote, false))
		add("existing_note", checkText("existing_note", in.ExistingNote))
	default:
		add("nda_mode", msg("valid.nda_mode"))
	}
	if len(fields) > 0 {
		return invalid(msg("valid.summary"), fields)
	}
	return nil
}

// checkLength and checkText name their message after field, so each field
// has its own text: a translation cannot splice a field name into a sentence.
func checkLength(field, v string, max int, required bool) Msg {
	switch n := utf8.RuneCountInString(v); {
	case required && n == 0:
		return msg("valid." + field + "_required")
	case n > max:
		return msg("valid."+field+"_too_long", max)
	}
	return Msg{}
}

// checkText refuses control characters: they have no business in a name
// and could try to break out of an email header. Only the reason, a
// paragraph, may break lines. Bidirectional controls are refused too: in a
// mail or on the console they would let visitor text read backwards and
// pass for ours.
func checkText(field, v string) Msg {
	bad := func(r rune) bool {
		return (unicode.IsControl(r) && !(r == '\n' && field == "reason")) || isBidiControl(r)
	}
	if !utf8.ValidString(v) || strings.IndexFunc(v, bad) >= 0 {
		return msg("valid." + field + "_chars")
	}
	return Msg{}
}

// isBidiControl is true for the embeddings, overrides and isolates of
// Unicode's bidirectional algorithm, which reorder the text around them.
func isBidiControl(r rune) bool {
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069' || r == '\u061c' || r == '\u200e' || r == '\u200f'
}

// validEmail accepts a bare, normalized address (no display name, no comments), which is
// all an email header will ever receive from us. CheckAddress, which the
// mail engines apply too, judges the syntax; the form is stricter still:
// no blanks, quotes or angle brackets, and a domain with a dot.
func validEmail(v string) Msg {
	if v == "" {
		return msg("valid.email_required")
	}
	if len(v) > MaxEmail {
		return msg("valid.email_too_long", MaxEmail)
	}
	if CheckAddress(v) != nil || strings.ContainsAny(v, " \t<>\"") || strings.IndexFunc(v, isBidiControl) >= 0 {
		return msg("valid.email_invalid")
	}
	// The domain must be a host name already in its ASCII form (which
	// normalizeEmail gives every name IDNA accepts): this refuses address
	// literals such as [127.0.0.1] and names IDNA does not.
	domain := EmailDomain(v)
	if asciiDomain(domain) != domain || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return msg("valid.email_invalid")
	}
	return Msg{}
}

func collapseSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
