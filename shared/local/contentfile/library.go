package contentfile

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"trustcenter/shared/content"
	"trustcenter/shared/i18n"
)

// deriveLibrary fills in what the content may leave out of the library and
// the knowledge base, before the checks run: a report's category and date
// from its certification, a bridge letter's from the letter, an entry's id
// from its English question, an entry's access (public).
func deriveLibrary(s *content.Site) {
	for i := range s.Documents {
		d := &s.Documents[i]
		cert, isReport := reportOf(s, d.ID, d.Certification)
		_, letter, isLetter := s.BridgeLetterOf(d.ID)
		switch {
		case isReport:
			if d.Category == "" {
				d.Category = content.CategoryAudit
			}
			if d.Date.IsZero() {
				d.Date = cert.Issued
			}
		case isLetter:
			if d.Category == "" {
				d.Category = content.CategoryBridgeLetter
			}
			if d.Date.IsZero() {
				d.Date = letter.Issued
			}
		}
	}
	used := map[string]bool{}
	for i := range s.Knowledge {
		e := &s.Knowledge[i]
		if e.Access == "" {
			e.Access = content.KnowledgePublic
		}
		if e.ID == "" {
			// A question in Chinese only has no letters to slug: its place
			// stands in for them.
			base := "q-" + slugify(e.Question.In(i18n.English))
			if base == "q-" {
				base = fmt.Sprintf("q-%d", i+1)
			}
			e.ID = base
			for n := 2; used[e.ID]; n++ {
				e.ID = fmt.Sprintf("%s-%d", base, n)
			}
		}
		used[e.ID] = true
	}
}

// reportOf is the certification whose report document id is, named from
// either side of the link.
func reportOf(s *content.Site, id, named string) (content.Certification, bool) {
	if named != "" {
		return s.Certification(named)
	}
	i := slices.IndexFunc(s.Certifications, func(c content.Certification) bool { return c.Document == id })
	if i < 0 {
		return content.Certification{}, false
	}
	return s.Certifications[i], true
}

// library checks the library's fields of each document and the bridge
// letters' links to their files.
func (c checker) library(s *content.Site) {
	for i, doc := range s.Documents {
		p := fmt.Sprintf("documents[%d]", i)
		switch {
		case doc.Category == "":
			c.errorf(p+".category", "required for a document that is neither a certification's report nor a bridge letter (want one of %s)", categoryList())
		case !slices.Contains(content.Categories, doc.Category):
			c.errorf(p+".category", "%q is not a category (want one of %s)", doc.Category, categoryList())
		}
		c.requiredDate(p+".date", doc.Date)
		if doc.Category == content.CategoryBridgeLetter {
			if _, _, ok := s.BridgeLetterOf(doc.ID); !ok {
				c.errorf(p+".category", "no certification's bridge letter names document %q", doc.ID)
			}
		}
	}
	named := map[string]string{}
	for i, ct := range s.Certifications {
		for j, bl := range ct.BridgeLetters {
			if bl.Document == "" {
				continue
			}
			p := fmt.Sprintf("certifications[%d].bridge_letters[%d].document", i, j)
			doc, ok := s.Document(bl.Document)
			switch {
			case !ok:
				c.errorf(p, "no document has id %q", bl.Document)
				continue
			case doc.ID == ct.Document || doc.Certification != "":
				c.errorf(p, "document %q is a certification's report, not a bridge letter", doc.ID)
			}
			c.unique(named, p, "bridge letter document", bl.Document)
		}
	}
}

// knowledge checks the knowledge base's entries.
func (c checker) knowledge(s *content.Site) {
	ids := map[string]string{}
	for i, e := range s.Knowledge {
		p := fmt.Sprintf("knowledge[%d]", i)
		if c.slug(p+".id", e.ID) {
			c.unique(ids, p+".id", "knowledge entry id", e.ID)
		}
		c.requiredText(p+".question", e.Question)
		c.requiredText(p+".answer", e.Answer)
		c.requiredText(p+".category", e.Category)
		switch e.Access {
		case content.KnowledgePublic, content.KnowledgeApproved:
		default:
			c.errorf(p+".access", "%q is not a knowledge access level (want public or approved)", e.Access)
		}
		for j, tag := range e.Tags {
			tp := fmt.Sprintf("%s.tags[%d]", p, j)
			if tag.IsZero() {
				c.errorf(tp, "%q is not a tag (1 to 40 characters)", "")
			}
			for _, lang := range i18n.Languages {
				if w, ok := tag[lang]; ok && (strings.TrimSpace(w) == "" || utf8.RuneCountInString(w) > 40) {
					c.errorf(tp, "%q is not a tag (1 to 40 characters)", w)
				}
			}
		}
		for j, id := range e.Documents {
			if _, ok := s.Document(id); !ok {
				c.errorf(fmt.Sprintf("%s.documents[%d]", p, j), "no document has id %q", id)
			}
		}
	}
}

func categoryList() string {
	names := make([]string, len(content.Categories))
	for i, c := range content.Categories {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}
