package pages

import (
	"strings"
	"testing"
)

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

func TestDateRuns(t *testing.T) {
	cases := map[string][]string{
		"Period 1 Oct 2025 – 30 Sep 2026 · next report expected Nov 2027": {"Period ", "[1 Oct 2025]", " – ", "[30 Sep 2026]", " · next report expected ", "[Nov 2027]"},
		"Covered through September 30, 2026":                              {"Covered through ", "[September 30, 2026]"},
		"覆盖至 2026年9月30日，下一份报告预计于 2027年11月 出具":                             {"覆盖至 ", "[2026年9月30日]", "，下一份报告预计于 ", "[2027年11月]", " 出具"},
		"No dates here": {"No dates here"},
	}
	for in, want := range cases {
		var got []string
		for _, r := range dateRuns(in) {
			if r.date {
				got = append(got, "["+r.text+"]")
			} else {
				got = append(got, r.text)
			}
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("dateRuns(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParagraphs(t *testing.T) {
	got := paragraphs("No contract yet.\r\n\r\n  Ask your account manager.\n")
	if len(got) != 2 || got[0] != "No contract yet." || got[1] != "Ask your account manager." {
		t.Errorf("paragraphs = %q", got)
	}
}
