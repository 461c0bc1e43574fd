package content

// KnowledgeAccess says who reads a knowledge-base entry.
type KnowledgeAccess string

const (
	// KnowledgePublic entries are on /knowledge and in its search.
	KnowledgePublic KnowledgeAccess = "public"
	// KnowledgeApproved entries are shown only on the access page of a
	// requester whose request was approved.
	KnowledgeApproved KnowledgeAccess = "approved"
)

// Entry is one question of the knowledge base and its answer, as a
// security questionnaire asks it.
type Entry struct {
	// ID is the entry's anchor on /knowledge; contentfile.Parse derives
	// one from the English question when it is not set.
	ID       string `yaml:"id"`
	Question Text   `yaml:"question"`
	Answer   Text   `yaml:"answer"`
	Category Text   `yaml:"category"`
	// Tags are words that find the entry, each a Text: a plain word
	// (an acronym such as "sso") reads the same in every language.
	Tags []Text `yaml:"tags"`
	// Access is public when not set.
	Access KnowledgeAccess `yaml:"access"`
	// Documents are ids of library documents that back the answer.
	Documents []string `yaml:"documents"`
}

// PublicKnowledge is the entries anyone may read, in the content's order.
func (s *Site) PublicKnowledge() []Entry { return s.knowledge(KnowledgePublic) }

// ApprovedKnowledge is the entries only approved requesters read.
func (s *Site) ApprovedKnowledge() []Entry { return s.knowledge(KnowledgeApproved) }

func (s *Site) knowledge(a KnowledgeAccess) []Entry {
	var out []Entry
	for _, e := range s.Knowledge {
		if e.Access == a {
			out = append(out, e)
		}
	}
	return out
}

// TagsIn is the entry's tags in lang, each falling back to English.
func (e Entry) TagsIn(lang string) []string {
	out := make([]string, len(e.Tags))
	for i, t := range e.Tags {
		out[i] = t.In(lang)
	}
	return out
}
