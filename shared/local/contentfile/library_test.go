package contentfile

import (
	"os"
	"strings"
	"testing"

	"trustcenter/shared/content"
	"trustcenter/shared/trust"
)

// library is base with a library document, a bridge letter's file and
// knowledge entries; the cases below each break one thing in it.
var library = base + `knowledge:
  - question: {en: "Do you encrypt data?", zh-CN: "数据是否加密？"}
    answer: Yes.
    category: Encryption
    tags: [aes, {en: encryption, zh-CN: 加密}]
    documents: [soc2-2025]
  - question: Who has production access?
    answer: On-call engineers.
    category: Access
    access: approved
`

func withLibraryDocs(s string) string {
	s = strings.Replace(s, "      - {covers_from: 2025-10-01, covers_to: 2025-12-31, issued: 2026-01-15}",
		"      - {covers_from: 2025-10-01, covers_to: 2025-12-31, issued: 2026-01-15, document: bridge}", 1)
	return strings.Replace(s, "certifications:\n", `  - id: bridge
    title: Bridge letter
    kind: Bridge letter
    access: nda
    file_name: bridge.pdf
  - id: pentest
    title: Pen test
    kind: Penetration test
    access: nda
    file_name: pentest.pdf
    category: security
    date: 2026-05-01
    description: {en: The summary., zh-CN: 摘要。}
certifications:
`, 1)
}

func TestParseLibrary(t *testing.T) {
	s, err := Parse([]byte(withLibraryDocs(library)), "content.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		id       string
		category content.Category
		date     string
		access   trust.Access
	}{
		{"soc2-2025", content.CategoryAudit, "2025-11-01", trust.Gated}, // from its certification
		{"bridge", content.CategoryBridgeLetter, "2026-01-15", trust.NDAOnly},
		{"pentest", content.CategorySecurity, "2026-05-01", trust.NDAOnly},
	}
	for _, c := range cases {
		d, ok := s.Document(c.id)
		if !ok || d.Category != c.category || d.Date.String() != c.date || d.Access != c.access {
			t.Errorf("document %s: %+v", c.id, d)
		}
	}
	if shelves := s.Library(); len(shelves) != 3 || shelves[0].Category != content.CategoryAudit || shelves[1].Category != content.CategoryBridgeLetter {
		t.Errorf("library shelves: %+v", shelves)
	}
	if len(s.Knowledge) != 2 || s.Knowledge[0].ID != "q-do-you-encrypt-data" || s.Knowledge[0].Access != content.KnowledgePublic {
		t.Errorf("knowledge: %+v", s.Knowledge)
	}
	if got := s.Knowledge[0].TagsIn("zh-CN"); strings.Join(got, ",") != "aes,加密" {
		t.Errorf("Chinese tags %v, want aes,加密", got)
	}
	if got := s.Knowledge[0].TagsIn("en"); strings.Join(got, ",") != "aes,encryption" {
		t.Errorf("English tags %v, want aes,encryption", got)
	}
	if len(s.PublicKnowledge()) != 1 || len(s.ApprovedKnowledge()) != 1 {
		t.Errorf("public %d, approved %d", len(s.PublicKnowledge()), len(s.ApprovedKnowledge()))
	}
}

func TestParseLibraryProblems(t *testing.T) {
	good := withLibraryDocs(library)
	cases := []struct {
		name, old, new, at, want string
	}{
		{"no category", "    category: security\n", "", "documents[3].category", "required for a document"},
		{"unknown category", "category: security", "category: secrets", "documents[3].category", `"secrets" is not a category`},
		{"no date", "    date: 2026-05-01\n", "", "documents[3].date", "required"},
		{"unknown level", "access: nda\n    file_name: pentest.pdf", "access: secret\n    file_name: pentest.pdf", "documents[3].access", "want public, nda or gated"},
		{"bridge letter's file unknown", "document: bridge}", "document: nope}", "certifications[0].bridge_letters[0].document", `no document has id "nope"`},
		{"bridge letter's file is a report", "document: bridge}", "document: soc2-2025}", "certifications[0].bridge_letters[0].document", "is a certification's report"},
		{"bridge-letter category without a letter", "category: security", "category: bridge-letter", "documents[3].category", "no certification's bridge letter names"},
		{"entry without answer", "    answer: Yes.\n", "", "knowledge[0].answer", "required"},
		{"entry without category", "    category: Encryption\n", "", "knowledge[0].category", "required"},
		{"entry's document unknown", "documents: [soc2-2025]", "documents: [nope]", "knowledge[0].documents[0]", `no document has id "nope"`},
		{"entry's access unknown", "access: approved", "access: staff", "knowledge[1].access", "want public or approved"},
		{"empty tag", "tags: [aes,", `tags: ["",`, "knowledge[0].tags[0]", "is not a tag"},
		{"long Chinese tag", "zh-CN: 加密}", "zh-CN: " + strings.Repeat("加", 41) + "}", "knowledge[0].tags[1]", "is not a tag"},
		{"tag without English", "{en: encryption, zh-CN: 加密}", "{zh-CN: 加密}", "knowledge[0].tags[1]", "no English"},
		{"duplicate entry id", "  - question: Who has production access?\n", "  - id: q-do-you-encrypt-data\n    question: Who has production access?\n", "knowledge[1].id", "duplicate knowledge entry id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(good, c.old) {
				t.Fatalf("%q not in the content", c.old)
			}
			_, err := Parse([]byte(strings.Replace(good, c.old, c.new, 1)), "content.yaml")
			if err == nil || !strings.Contains(err.Error(), c.at+": ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("want a problem at %s containing %q; got %v", c.at, c.want, err)
			}
		})
	}
}

// TestImportCSV converts a CSV as a spreadsheet exports it (a byte-order
// mark, CRLF, a header, quoted cells holding commas, doubled quotes and
// line breaks, Chinese) and loads the result as part of a content file.
func TestImportCSV(t *testing.T) {
	f, err := os.Open("testdata/answers.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out, err := ImportCSV(f, "answers.csv")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(append([]byte(base), out...), "content.yaml")
	if err != nil {
		t.Fatalf("the imported entries do not load: %v\n%s", err, out)
	}
	want := []struct{ q, a, c string }{
		{"Do you encrypt data at rest?", "Yes, with AES-256.\nKeys are held in AWS KMS, and rotated yearly.", "Encryption"},
		{`What does "SOC 2" cover?`, "Security, availability and confidentiality.", "Compliance"},
		{"Is there a bug bounty?", `Yes: see security.txt, "Policy" line.`, "Security testing"},
		{"数据存储在哪里？", "美国的 AWS 区域，\n加拿大客户可选择加拿大（中部）区域。", "隐私"},
	}
	if len(s.Knowledge) != len(want) {
		t.Fatalf("%d entries, want %d:\n%s", len(s.Knowledge), len(want), out)
	}
	for i, w := range want {
		e := s.Knowledge[i]
		if e.Question.String() != w.q || e.Answer.String() != w.a || e.Category.String() != w.c {
			t.Errorf("entry %d = %q / %q / %q, want %q / %q / %q", i, e.Question, e.Answer, e.Category, w.q, w.a, w.c)
		}
	}
}

func TestImportCSVProblems(t *testing.T) {
	cases := []struct{ name, csv, want string }{
		{"two columns", "question,answer,category\nWhy?,Because.\n", "a.csv:2: 2 columns, want 3"},
		{"empty answer", "Why?,,General\n", "a.csv:1: the answer is empty"},
		{"unterminated quote", "\"Why?,Because.,General\n", "a.csv: parse error on line 1"},
		{"only a header", "question,answer,category\n", "a.csv: no rows"},
	}
	for _, c := range cases {
		_, err := ImportCSV(strings.NewReader(c.csv), "a.csv")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", c.name, err, c.want)
		}
	}
}
