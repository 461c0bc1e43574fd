package trust

import "testing"

func TestNormalizeEmail(t *testing.T) {
	for _, c := range []struct{ in, want, mailbox string }{
		{" Ada@Buyer.Example ", "ada@buyer.example", "ada@buyer.example"},
		{"ada+reports@buyer.example", "ada+reports@buyer.example", "ada@buyer.example"},
		{"ada@Bücher.example", "ada@xn--bcher-kva.example", "ada@xn--bcher-kva.example"},
		{"ada@xn--bcher-kva.example", "ada@xn--bcher-kva.example", "ada@xn--bcher-kva.example"},
		{"ada@ς.example", "ada@xn--3xa.example", "ada@xn--3xa.example"},
		{"ada@[127.0.0.1]", "ada@[127.0.0.1]", "ada@[127.0.0.1]"},
	} {
		got := normalizeEmail(c.in)
		if got != c.want || mailboxKey(got) != c.mailbox {
			t.Errorf("normalizeEmail(%q) = %q (mailbox %q), want %q (%q)", c.in, got, mailboxKey(got), c.want, c.mailbox)
		}
	}
	for _, bad := range []string{"ada@[127.0.0.1]", "ada@[IPv6:::1]", "ada@exa_mple.com", "ada@-x.example", "ada@x..example"} {
		if m := validEmail(normalizeEmail(bad)); m.Key != "valid.email_invalid" {
			t.Errorf("validEmail(%q) = %q, want valid.email_invalid", bad, m.Key)
		}
	}
	if m := validEmail(normalizeEmail("ada@Bücher.example")); m.Key != "" {
		t.Errorf("an internationalized domain is refused: %s", m.Key)
	}
}

func TestNetwork(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.7":                 "192.0.2.7",
		"::ffff:192.0.2.7":          "192.0.2.7",
		"2001:db8:1:2:3:4:5:6":      "2001:db8:1:2::/64",
		"2001:db8:1:2::9":           "2001:db8:1:2::/64",
		"fe80::1%eth0":              "fe80::/64",
		"not an address":            "not an address",
		"2001:db8:1:2:ffff:ffff::1": "2001:db8:1:2::/64",
	} {
		if got := network(in); got != want {
			t.Errorf("network(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInert(t *testing.T) {
	for in, want := range map[string]string{
		"Ada Lovelace":                   "Ada Lovelace",
		"J. R. R. Tolkien":               "J. R. R. Tolkien",
		"see https://evil.example/x":     "see https[:]//evil[.]example/x",
		"mail ceo@evil.example":          "mail ceo[@]evil[.]example",
		"Acme\u202e moc.live":            "Acme moc[.]live",
		"Acme\u2066\u2069\u200f Ltd\x07": "Acme Ltd",
	} {
		if got := inert(in); got != want {
			t.Errorf("inert(%q) = %q, want %q", in, got, want)
		}
	}
	if got := quotedBlock("first\nhttp://x.example"); got != "> first\n> http[:]//x[.]example" {
		t.Errorf("quotedBlock = %q", got)
	}
}
