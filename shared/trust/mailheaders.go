package trust

import (
	"slices"
	"strings"
)

// reservedHeaders are the fields the mail engines write themselves; an
// extra header may not stand in for one of them.
var reservedHeaders = []string{"from", "to", "cc", "bcc", "subject", "date", "message-id", "mime-version", "content-type", "content-transfer-encoding", "reply-to", "sender"}

// HeaderFields are m's extra headers sorted by name, for the mail engines
// to write as they are: both write the same fields in the same order. A
// name must be printable ASCII without a colon, a value printable ASCII on
// one line, and neither may replace a field the engine writes; anything
// else is EInvalid, so the mail is given up rather than sent malformed.
func (m Mail) HeaderFields() ([][2]string, error) {
	var out [][2]string
	for name, value := range m.Headers {
		if name == "" || len(name) > 126 || strings.ContainsFunc(name, func(r rune) bool { return r <= ' ' || r > '~' || r == ':' }) ||
			slices.Contains(reservedHeaders, strings.ToLower(name)) {
			return nil, Errorf(EInvalid, "The email header name %q is not allowed.", name)
		}
		if strings.ContainsFunc(value, func(r rune) bool { return r < ' ' || r > '~' }) {
			return nil, Errorf(EInvalid, "The email header %s must be printable ASCII on one line.", name)
		}
		out = append(out, [2]string{name, value})
	}
	slices.SortFunc(out, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return out, nil
}
