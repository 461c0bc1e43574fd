package trust

import (
	"strings"
	"unicode"
)

// Text a visitor typed reaches a staff member's inbox (a name, a company)
// and their own (their name). It goes in as quoted data, never as something
// that reads like our own words or a link of ours: quoted, with every
// control and bidirectional character taken out, and with what a mail
// client would turn into a link broken up, so "Acme — log in at
// https://evil.example" cannot put a working link in a mail that carries
// our name.

// quoted is s as data within a sentence of a mail.
func quoted(s string) string {
	return "\u201c" + inert(s) + "\u201d"
}

// quotedBlock is a paragraph as data: each line quoted mail style.
func quotedBlock(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = "> " + inert(l)
	}
	return strings.Join(lines, "\n")
}

// inert drops control and bidirectional characters and defuses links: a
// dot between letters or digits becomes "[.]", and ":" and "@" are
// bracketed, so no scheme, host or address survives for a mail client to
// link.
func inert(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		switch {
		case unicode.IsControl(r) || isBidiControl(r):
			continue
		case r == '.' && i > 0 && i+1 < len(rs) && isWordRune(rs[i-1]) && isWordRune(rs[i+1]):
			b.WriteString("[.]")
		case r == ':' || r == '@':
			b.WriteString("[" + string(r) + "]")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
