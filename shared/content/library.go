package content

import "slices"

// Category is a shelf of the document library.
type Category string

// The library's shelves, in the order the page shows them.
const (
	CategoryAudit         Category = "audit"
	CategoryBridgeLetter  Category = "bridge-letter"
	CategorySecurity      Category = "security"
	CategoryQuestionnaire Category = "questionnaire"
	CategoryPolicy        Category = "policy"
	CategoryLegal         Category = "legal"
	CategoryInsurance     Category = "insurance"
)

// Categories lists every shelf in the page's order.
var Categories = []Category{CategoryAudit, CategoryBridgeLetter, CategorySecurity, CategoryQuestionnaire,
	CategoryPolicy, CategoryLegal, CategoryInsurance}

// Shelf is one category of the library and its documents, in the
// content's order.
type Shelf struct {
	Category  Category
	Documents []Document
}

// Library groups the documents by category, in Categories' order; empty
// shelves are left out.
func (s *Site) Library() []Shelf {
	var out []Shelf
	for _, c := range Categories {
		sh := Shelf{Category: c}
		for _, d := range s.Documents {
			if d.Category == c {
				sh.Documents = append(sh.Documents, d)
			}
		}
		if len(sh.Documents) > 0 {
			out = append(out, sh)
		}
	}
	return out
}

// BridgeLetterOf returns the certification and bridge letter whose file is
// document id.
func (s *Site) BridgeLetterOf(id string) (Certification, BridgeLetter, bool) {
	for _, c := range s.Certifications {
		if i := slices.IndexFunc(c.BridgeLetters, func(b BridgeLetter) bool { return b.Document == id }); i >= 0 {
			return c, c.BridgeLetters[i], true
		}
	}
	return Certification{}, BridgeLetter{}, false
}
