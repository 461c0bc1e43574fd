// Package knowledge is the knowledge base's search: a small inverted index
// over questions, answers, categories and tags in English and Chinese,
// ranked with BM25, and the marking of matched words for the results page.
//
// Chinese has no spaces between words, so a word tokenizer finds nothing
// to split on. Han text is indexed as overlapping character bigrams plus
// single characters (the approach of Lucene's CJK analyzer): a two-
// character word in a query ("加密") is one bigram that matches wherever it
// occurs, a longer one is several bigrams that all match in order, and a
// single-character query still finds something. A dictionary segmenter
// (jieba and its Go ports) would give fewer false matches, but carries a
// dictionary of tens of megabytes into a Lambda binary, needs cgo or a
// large load at cold start, and segments a query and an answer differently
// when a word is missing from its dictionary, which loses matches. For a
// few thousand short answers the ranking (bigrams are rarer than single
// characters, so they weigh more) keeps the false matches at the bottom.
package knowledge

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Token is one indexed term and the bytes of the text it came from.
type Token struct {
	Term       string
	Start, End int // byte offsets into the text
	// Part marks a single Han character of a longer run: indexed, so a
	// one-character query finds it, but left out of a query that has the
	// run's bigrams, which say more.
	Part bool
}

// Tokenize splits text into terms: Latin-script and digit runs as
// lower-cased words with a light English normalization (plural and
// possessive endings), Han runs as their characters and each pair of
// neighbouring characters. Anything else separates terms.
func Tokenize(text string) []Token {
	var out []Token
	i := 0
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		switch {
		case isHan(r):
			j := i
			var starts []int
			for j < len(text) {
				r2, n2 := utf8.DecodeRuneInString(text[j:])
				if !isHan(r2) {
					break
				}
				starts = append(starts, j)
				j += n2
			}
			starts = append(starts, j)
			for k := 0; k+1 < len(starts); k++ {
				out = append(out, Token{Term: text[starts[k]:starts[k+1]], Start: starts[k], End: starts[k+1], Part: len(starts) > 2})
				if k+2 < len(starts) {
					out = append(out, Token{Term: text[starts[k]:starts[k+2]], Start: starts[k], End: starts[k+2]})
				}
			}
			i = j
		case isWordRune(r):
			j := i
			for j < len(text) {
				r2, n2 := utf8.DecodeRuneInString(text[j:])
				if !isWordRune(r2) && !(r2 == '\'' && j+n2 < len(text) && isWordRune(nextRune(text[j+n2:]))) {
					break
				}
				j += n2
			}
			if t := normalize(text[i:j]); t != "" {
				out = append(out, Token{Term: t, Start: i, End: j})
			}
			i = j
		default:
			i += n
		}
	}
	return out
}

func nextRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

func isWordRune(r rune) bool { return (unicode.IsLetter(r) || unicode.IsDigit(r)) && !isHan(r) }

// normalize folds a word to its index form: lower case, without a
// possessive, a plural reduced to its singular ("policies" → "policy",
// "keys" → "key"), so that a query and an answer that differ only in
// number still meet. It is deliberately no stemmer: "encryption" and
// "encrypted" stay apart rather than risk merging unrelated words.
func normalize(w string) string {
	w = strings.ToLower(w)
	w = strings.TrimSuffix(w, "'s")
	w = strings.TrimSuffix(w, "'")
	if i := strings.IndexByte(w, '\''); i >= 0 {
		w = w[:i] // "don't" → "don": the rest says nothing searchable
	}
	switch {
	case len(w) > 4 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case len(w) > 4 && (strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes") || strings.HasSuffix(w, "sses") || strings.HasSuffix(w, "xes")):
		return w[:len(w)-2]
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		return w[:len(w)-1]
	}
	return w
}
