package pdf

// winAnsiHigh maps the characters that WinAnsiEncoding places in 0x80-0x9F,
// where it differs from Latin-1 (which Unicode shares for 0xA0-0xFF).
var winAnsiHigh = map[rune]byte{
	'€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87,
	'ˆ': 0x88, '‰': 0x89, 'Š': 0x8A, '‹': 0x8B, 'Œ': 0x8C, 'Ž': 0x8E,
	'‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97,
	'˜': 0x98, '™': 0x99, 'š': 0x9A, '›': 0x9B, 'œ': 0x9C, 'ž': 0x9E, 'Ÿ': 0x9F,
}

// replacements keep common typography readable when WinAnsiEncoding has no
// glyph for it, instead of degrading it to a question mark.
var replacements = map[rune]string{
	'\u2010': "-", '\u2011': "-", '\u2012': "-", '\u2212': "-",
	'\u2002': " ", '\u2003': " ", '\u2009': " ", '\u202F': " ",
	'\u2032': "'", '\u2033': "\"",
}

// encodeWinAnsi converts UTF-8 text to WinAnsiEncoding bytes. Control
// characters (including tabs and newlines, which a Line cannot hold) become
// spaces, and characters outside the encoding become '?', so that the result
// always draws with the standard fonts.
func encodeWinAnsi(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7F:
			out = append(out, ' ')
		case r < 0x7F:
			out = append(out, byte(r))
		case r >= 0xA0 && r <= 0xFF:
			out = append(out, byte(r))
		default:
			if b, ok := winAnsiHigh[r]; ok {
				out = append(out, b)
			} else if rep, ok := replacements[r]; ok {
				out = append(out, rep...)
			} else {
				out = append(out, '?')
			}
		}
	}
	return out
}

// textWidth returns the advance width of WinAnsi-encoded text in points.
func textWidth(b []byte, size float64, bold bool) float64 {
	table := &helveticaWidths
	if bold {
		table = &helveticaBoldWidths
	}
	var units int
	for _, c := range b {
		if c >= 32 {
			units += int(table[c-32])
		}
	}
	return float64(units) * size / 1000
}

// escapeLiteral writes b as the body of a PDF literal string. Only the
// backslash and the parentheses are special inside (...); escaping every
// parenthesis, rather than relying on balanced pairs, keeps the rule simple
// and correct for any input. CR and LF are escaped because a reader would
// otherwise normalise a raw end-of-line inside a string to a single LF.
func escapeLiteral(dst, b []byte) []byte {
	for _, c := range b {
		switch c {
		case '\\', '(', ')':
			dst = append(dst, '\\', c)
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\n':
			dst = append(dst, '\\', 'n')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
