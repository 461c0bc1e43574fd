package pages

import "testing"

func TestLangQuery(t *testing.T) {
	cases := []struct {
		lang   string
		params []string
		want   string
	}{
		{"en", nil, ""},
		{"zh-CN", nil, "?lang=zh-CN"},
		{"en", []string{"document", "soc 2"}, "?document=soc+2"},
		{"zh-CN", []string{"document", "soc2"}, "?document=soc2&lang=zh-CN"},
	}
	for _, c := range cases {
		p := &Page{Lang: c.lang}
		if got := p.LangQuery(c.params...); got != c.want {
			t.Errorf("%s %v: %q, want %q", c.lang, c.params, got, c.want)
		}
	}
}

func TestParagraphs(t *testing.T) {
	got := paragraphs("No contract yet.\r\n\r\n  Ask your account manager.\n")
	if len(got) != 2 || got[0] != "No contract yet." || got[1] != "Ask your account manager." {
		t.Errorf("paragraphs = %q", got)
	}
}
