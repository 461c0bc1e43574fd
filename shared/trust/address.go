package trust

import (
	"strings"

	"golang.org/x/net/idna"
)

// An address is stored and compared in one spelling: the domain in ASCII
// (IDNA, so "bücher.example" and "xn--bcher-kva.example" are the same
// place, and so are forms that Unicode folds together but mail delivers
// elsewhere), the whole address lower-cased. Comparisons are then plain
// byte equality: never Unicode case folding, under which the Kelvin sign
// matches "k" while the mail goes to another domain.

// asciiDomain is domain in the form DNS and mail engines use, or "" when it
// is not a host name at all (an address literal such as [127.0.0.1], an
// empty label, a character IDNA refuses).
func asciiDomain(domain string) string {
	if domain == "" || strings.ContainsAny(domain, "[]") {
		return ""
	}
	a, err := idna.Lookup.ToASCII(domain)
	if err != nil {
		return ""
	}
	return strings.ToLower(a)
}

// normalizeEmail is the one spelling of an address the service stores,
// sends to and compares: trimmed, lower-cased, the domain in ASCII. A
// domain IDNA refuses is kept as typed, lower-cased, for validEmail to
// refuse.
func normalizeEmail(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	at := strings.LastIndexByte(v, '@')
	if at < 0 {
		return v
	}
	if d := asciiDomain(v[at+1:]); d != "" {
		return v[:at+1] + d
	}
	return v
}

// mailboxKey is the mailbox behind a normalized address, for counting
// attempts against it: the plus tag dropped, since "ada+1@x" and "ada+2@x"
// reach the same person, and a limit that saw two people there could be
// walked around with as many tags as it allows attempts.
func mailboxKey(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return email
	}
	local, _, _ := strings.Cut(email[:at], "+")
	return local + email[at:]
}

// EmailDomain is the part of a normalized address after its last "@".
func EmailDomain(email string) string { return email[strings.LastIndexByte(email, '@')+1:] }
