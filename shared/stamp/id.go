package stamp

import (
	"crypto/rand"
	"errors"
	"strings"
)

// alphabet is Crockford's base 32: digits and capitals without I, L, O and
// U. The letters that look like 0 and 1 are left out, so ParseID can read a
// typed O as 0 and I or L as 1 without ambiguity.
const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

const (
	idPrefix = "WM-"
	// Two groups of four give 32^8, about 1.1e12 IDs: guessing one that
	// belongs to a real delivery is hopeless, and a person can still read
	// it over the phone.
	groupLen = 4
	groups   = 2
)

// ErrBadID is returned by ParseID for input that cannot be a watermark ID.
var ErrBadID = errors.New("not a watermark ID: it looks like WM-7K3Q-9XPA (8 letters and digits after WM)")

// NewID returns a fresh random watermark ID such as WM-7K3Q-9XPA.
func NewID() string {
	var raw [groups * groupLen]byte
	rand.Read(raw[:])
	b := make([]byte, 0, len(idPrefix)+len(raw)+groups-1)
	b = append(b, idPrefix...)
	for i, r := range raw {
		if i > 0 && i%groupLen == 0 {
			b = append(b, '-')
		}
		// 256 is a multiple of 32, so the low five bits are uniform.
		b = append(b, alphabet[r%32])
	}
	return string(b)
}

// ParseID turns what a person typed or pasted (any case, with or without the
// WM prefix and dashes, with spaces, O for 0, I or L for 1) into the
// canonical form NewID produces.
func ParseID(s string) (string, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "WM")
	sym := make([]byte, 0, groups*groupLen)
	for _, r := range s {
		switch r {
		case '-', '–', ' ', '_', '.':
			continue
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		if r > 'Z' || strings.IndexByte(alphabet, byte(r)) < 0 || len(sym) == cap(sym) {
			return "", ErrBadID
		}
		sym = append(sym, byte(r))
	}
	if len(sym) != groups*groupLen {
		return "", ErrBadID
	}
	return idPrefix + string(sym[:groupLen]) + "-" + string(sym[groupLen:]), nil
}
