package trust

import (
	"fmt"
	"net/mail"
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
	NDAAccept    bool
	NDASignature string
}

func (in *RequestInput) normalize() {
	in.Name = collapseSpace(in.Name)
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	in.Company = collapseSpace(in.Company)
	in.Reason = strings.TrimSpace(in.Reason)
	in.NDASignature = collapseSpace(in.NDASignature)
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
	fields := map[string]string{}
	add := func(field, msg string) {
		if msg != "" && fields[field] == "" {
			fields[field] = msg
		}
	}
	add("name", checkLength("name", in.Name, MaxName, true))
	add("name", checkText("name", in.Name))
	add("email", validEmail(in.Email))
	add("company", checkLength("company", in.Company, MaxCompany, true))
	add("company", checkText("company", in.Company))
	add("reason", checkLength("reason", in.Reason, MaxReason, false))
	if len(in.Documents) == 0 {
		add("document", "Choose at least one document.")
	}
	for _, id := range in.Documents {
		i := slices.IndexFunc(docs, func(d Document) bool { return d.ID == id })
		switch {
		case i < 0:
			add("document", "One of the chosen documents does not exist.")
		case docs[i].Access != Gated:
			add("document", fmt.Sprintf("%s is public: download it from the trust page, no request needed.", docs[i].Title))
		}
	}
	switch {
	case in.NDAVersion != nda.Version:
		add("nda_version", "The NDA was updated since you opened this form. Please read the current version below and accept it.")
	case !in.NDAAccept:
		add("nda_accept", "You must accept the NDA to request confidential reports.")
	}
	switch {
	case in.NDASignature == "":
		add("nda_signature", "Type your full name to sign the NDA.")
	case !strings.EqualFold(in.NDASignature, in.Name):
		add("nda_signature", "The signature must match the name you entered.")
	}
	if len(fields) > 0 {
		return &Error{Code: EInvalid, Message: "Please correct the highlighted fields.", Fields: fields}
	}
	return nil
}

func checkLength(field, v string, max int, required bool) string {
	switch n := utf8.RuneCountInString(v); {
	case required && n == 0:
		return fmt.Sprintf("Enter your %s.", field)
	case n > max:
		return fmt.Sprintf("The %s must be at most %d characters.", field, max)
	}
	return ""
}

// checkText refuses control characters in single-line fields: they have no
// business in a name and could try to break out of an email header.
func checkText(field, v string) string {
	if !utf8.ValidString(v) || strings.IndexFunc(v, unicode.IsControl) >= 0 {
		return fmt.Sprintf("The %s contains characters that are not allowed.", field)
	}
	return ""
}

// validEmail accepts a bare address (no display name, no comments), which is
// all an email header will ever receive from us.
func validEmail(v string) string {
	if v == "" {
		return "Enter your work email address."
	}
	if len(v) > MaxEmail {
		return fmt.Sprintf("The email address must be at most %d characters.", MaxEmail)
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || a.Name != "" || strings.ContainsAny(v, " \t\r\n<>\"") {
		return "Enter a valid email address, like name@company.com."
	}
	domain := v[strings.LastIndexByte(v, '@')+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "Enter a valid email address, like name@company.com."
	}
	return ""
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
