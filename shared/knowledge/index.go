package knowledge

import (
	"math"
	"slices"
	"strings"
)

// Field is a part of an entry, searched with its own weight.
type Field int

// The searched fields of an entry.
const (
	Question Field = iota
	Answer
	Category
	Tags
	numFields
)

// weights: a word in the question says most about what the entry
// answers; the answer is long and says the least per word.
var weights = [numFields]float64{Question: 3, Answer: 1, Category: 1.5, Tags: 2}

// Doc is one entry as the index sees it: the text of each field in one
// language.
type Doc [numFields]string

type posting struct {
	doc int32
	tf  [numFields]uint16
}

// Index answers queries over a fixed set of docs. It is built once (at
// cold start) and read concurrently without locks.
type Index struct {
	postings map[string][]posting
	length   []float64 // each doc's weighted length in terms
	avg      float64
	n        int
}

// New indexes docs; Search's hits name them by position.
func New(docs []Doc) *Index {
	ix := &Index{postings: map[string][]posting{}, length: make([]float64, len(docs)), n: len(docs)}
	total := 0.0
	for i, d := range docs {
		tf := map[string]*[numFields]uint16{}
		for f := range numFields {
			toks := Tokenize(d[f])
			ix.length[i] += weights[f] * float64(len(toks))
			for _, t := range toks {
				c := tf[t.Term]
				if c == nil {
					c = new([numFields]uint16)
					tf[t.Term] = c
				}
				if c[f] < math.MaxUint16 {
					c[f]++
				}
			}
		}
		total += ix.length[i]
		for term, c := range tf {
			ix.postings[term] = append(ix.postings[term], posting{doc: int32(i), tf: *c})
		}
	}
	if len(docs) > 0 {
		ix.avg = total / float64(len(docs))
	}
	return ix
}

// Query is a parsed search: its distinct terms, which Mark highlights.
type Query struct {
	terms []string
}

// stopWords are English words too common to rank by; they are dropped from
// a query unless it has nothing else.
var stopWords = map[string]bool{
	"a": true, "an": true, "and": true, "are": true, "as": true, "at": true, "be": true, "by": true, "can": true,
	"do": true, "doe": true, "for": true, "how": true, "i": true, "in": true, "is": true, "it": true, "of": true,
	"on": true, "or": true, "our": true, "the": true, "to": true, "we": true, "what": true, "which": true,
	"with": true, "you": true, "your": true,
}

// MaxQueryTerms bounds the work one query may ask for.
const MaxQueryTerms = 32

// Parse reads a query as a person typed it.
func Parse(q string) Query {
	var terms, stops []string
	for _, t := range Tokenize(q) {
		switch {
		case t.Part:
		case stopWords[t.Term]:
			if !slices.Contains(stops, t.Term) {
				stops = append(stops, t.Term)
			}
		case !slices.Contains(terms, t.Term):
			terms = append(terms, t.Term)
		}
	}
	if len(terms) == 0 {
		terms = stops
	}
	if len(terms) > MaxQueryTerms {
		terms = terms[:MaxQueryTerms]
	}
	return Query{terms: terms}
}

// Empty reports whether the query has nothing to search for.
func (q Query) Empty() bool { return len(q.terms) == 0 }

// Hit is one matching doc and its score.
type Hit struct {
	Doc   int
	Score float64
}

// BM25's usual constants.
const (
	k1 = 1.2
	b  = 0.75
)

// Search ranks the docs matching any of q's terms, best first (ties in
// the docs' order). A doc matching more of the query's distinct terms is
// weighed up, so that it outranks one that repeats a single term.
func (ix *Index) Search(q Query) []Hit {
	if q.Empty() || ix.n == 0 {
		return nil
	}
	// Dense per-doc accumulators: a map per query costs more than the
	// scoring itself at a few thousand entries.
	score := make([]float64, ix.n)
	matched := make([]uint8, ix.n)
	var touched []int32
	for _, term := range q.terms {
		ps := ix.postings[term]
		if len(ps) == 0 {
			continue
		}
		idf := math.Log(1 + (float64(ix.n)-float64(len(ps))+0.5)/(float64(len(ps))+0.5))
		for _, p := range ps {
			tf := 0.0
			for f := range numFields {
				tf += weights[f] * float64(p.tf[f])
			}
			norm := k1 * (1 - b + b*ix.length[p.doc]/ix.avg)
			if matched[p.doc] == 0 {
				touched = append(touched, p.doc)
			}
			score[p.doc] += idf * tf * (k1 + 1) / (tf + norm)
			matched[p.doc]++
		}
	}
	hits := make([]Hit, 0, len(touched))
	for _, d := range touched {
		hits = append(hits, Hit{Doc: int(d), Score: score[d] * float64(matched[d]) / float64(len(q.terms))})
	}
	slices.SortFunc(hits, func(a, b Hit) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return a.Doc - b.Doc
	})
	return hits
}

// Segment is a piece of a text, marked when it matched the query.
type Segment struct {
	Text string
	Mark bool
}

// Mark splits text into segments, the words and Han bigrams that match q
// marked, neighbouring marks joined (so "加密" is one mark, not two).
func Mark(text string, q Query) []Segment {
	if q.Empty() {
		return []Segment{{Text: text}}
	}
	marked := make([]bool, len(text)+1)
	any := false
	for _, t := range Tokenize(text) {
		if slices.Contains(q.terms, t.Term) {
			for i := t.Start; i < t.End; i++ {
				marked[i] = true
			}
			any = true
		}
	}
	if !any {
		return []Segment{{Text: text}}
	}
	var out []Segment
	start := 0
	for i := 1; i <= len(text); i++ {
		if i == len(text) || marked[i] != marked[start] {
			out = append(out, Segment{Text: text[start:i], Mark: marked[start]})
			start = i
		}
	}
	return out
}

// Plain is the segments' text again, for tests and logs.
func Plain(segs []Segment) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteString(s.Text)
	}
	return b.String()
}
