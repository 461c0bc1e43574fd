package knowledge

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func terms(toks []Token) []string {
	var out []string
	for _, t := range toks {
		out = append(out, t.Term)
	}
	return out
}

func TestTokenize(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"Do you encrypt customers' data?", []string{"do", "you", "encrypt", "customer", "data"}},
		{"Policies, keys and SOC 2", []string{"policy", "key", "and", "soc", "2"}},
		{"数据加密", []string{"数", "数据", "据", "据加", "加", "加密", "密"}},
		{"是否支持SSO单点登录？", []string{"是", "是否", "否", "否支", "支", "支持", "持", "sso", "单", "单点", "点", "点登", "登", "登录", "录"}},
		{"库", []string{"库"}},
		{"", nil},
	}
	for _, c := range cases {
		if got := terms(Tokenize(c.in)); !slices.Equal(got, c.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// Offsets point at the text each term came from.
	in := "静态 AES-256"
	for _, tok := range Tokenize(in) {
		if got := normalize(in[tok.Start:tok.End]); got != tok.Term {
			t.Errorf("token %q covers %q", tok.Term, in[tok.Start:tok.End])
		}
	}
}

func TestParseQuery(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"How do you encrypt data", []string{"encrypt", "data"}},
		{"加密", []string{"加密"}},
		{"密", []string{"密"}},
		{"the", []string{"the"}},
		{"   ", nil},
	}
	for _, c := range cases {
		if got := Parse(c.in).terms; !slices.Equal(got, c.want) {
			t.Errorf("Parse(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	long := strings.Repeat("word", 1) + strings.Repeat(" x", 0)
	for i := range 100 {
		long += fmt.Sprintf(" w%d", i)
	}
	if n := len(Parse(long).terms); n != MaxQueryTerms {
		t.Errorf("a long query keeps %d terms, want %d", n, MaxQueryTerms)
	}
}

var sample = []Doc{
	{Question: "Do you have a penetration test report?", Answer: "An independent firm tests the platform every year.", Category: "Security testing", Tags: "pentest"},
	{Question: "How is customer data encrypted at rest?", Answer: "Data at rest is encrypted with AES-256; keys are held in a key management service.", Category: "Encryption", Tags: "encryption, kms"},
	{Question: "Is data encrypted in transit?", Answer: "TLS 1.2 or later protects every connection.", Category: "Encryption", Tags: "tls"},
	{Question: "Do you support single sign-on?", Answer: "SAML and OIDC single sign-on, with SCIM provisioning.", Category: "Identity", Tags: "sso"},
	{Question: "数据如何加密？", Answer: "静态数据使用 AES-256 加密，密钥由密钥管理服务保管。", Category: "加密", Tags: "加密"},
	{Question: "是否支持单点登录？", Answer: "支持 SAML 和 OIDC 单点登录。", Category: "身份", Tags: "sso"},
	{Question: "密码策略是什么？", Answer: "密码至少十二位。", Category: "身份"},
}

func TestSearchRanking(t *testing.T) {
	ix := New(sample)
	cases := []struct {
		q     string
		first int
		all   []int // every hit, when the test pins them
	}{
		{q: "encrypted at rest", first: 1},
		{q: "encryption in transit", first: 2},
		{q: "penetration test", first: 0, all: []int{0}},
		{q: "sso", first: 3},
		{q: "加密", first: 4, all: []int{4}},
		{q: "单点登录", first: 5, all: []int{5}},
		// A single character finds every entry holding it.
		{q: "密", first: 4, all: []int{4, 6}},
	}
	for _, c := range cases {
		hits := ix.Search(Parse(c.q))
		if len(hits) == 0 || hits[0].Doc != c.first {
			t.Errorf("Search(%q) = %v, want doc %d first", c.q, hits, c.first)
			continue
		}
		if c.all != nil {
			var got []int
			for _, h := range hits {
				got = append(got, h.Doc)
			}
			if !slices.Equal(got, c.all) {
				t.Errorf("Search(%q) found %v, want %v", c.q, got, c.all)
			}
		}
	}
	if hits := ix.Search(Parse("kubernetes")); len(hits) != 0 {
		t.Errorf("a word no entry has found %v", hits)
	}
	if hits := New(nil).Search(Parse("x")); hits != nil {
		t.Errorf("an empty index found %v", hits)
	}
}

func TestMark(t *testing.T) {
	cases := []struct {
		text, q, want string
	}{
		{"Data at rest is encrypted with AES-256.", "encrypted data", "[Data] at rest is [encrypted] with AES-256."},
		{"静态数据使用 AES-256 加密，密钥由密钥管理服务保管。", "加密 密钥", "静态数据使用 AES-256 [加密]，[密钥]由[密钥]管理服务保管。"},
		{"数据加密", "数据加密", "[数据加密]"},
		{"No match here.", "kubernetes", "No match here."},
		{"<b>Keys</b> & policies", "key policy", "<b>[Keys]</b> & [policies]"},
	}
	for _, c := range cases {
		var b strings.Builder
		segs := Mark(c.text, Parse(c.q))
		for _, s := range segs {
			if s.Mark {
				b.WriteString("[" + s.Text + "]")
			} else {
				b.WriteString(s.Text)
			}
		}
		if b.String() != c.want {
			t.Errorf("Mark(%q, %q) = %q, want %q", c.text, c.q, b.String(), c.want)
		}
		if Plain(segs) != c.text {
			t.Errorf("Mark(%q) lost text: %q", c.text, Plain(segs))
		}
	}
}

// BenchmarkKnowledgeSearch searches 2,000 entries, half English and half
// Chinese, as the knowledge page does for each uncached query.
func BenchmarkKnowledgeSearch(b *testing.B) {
	docs := make([]Doc, 0, 2000)
	for i := range 2000 {
		d := sample[i%len(sample)]
		d[Answer] += fmt.Sprintf(" Control %d reviewed quarterly; evidence kept for audit %d. 第%d项控制每季度复核。", i, i%97, i)
		docs = append(docs, d)
	}
	ix := New(docs)
	queries := []Query{Parse("how is customer data encrypted at rest"), Parse("单点登录"), Parse("penetration test report"), Parse("密钥管理")}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		q := queries[i%len(queries)]
		hits := ix.Search(q)
		for _, h := range hits[:min(20, len(hits))] {
			Mark(docs[h.Doc][Answer], q)
		}
	}
}
