package content

import "testing"

func TestInScope(t *testing.T) {
	s := &Site{Certifications: []Certification{
		{ID: "soc2", Framework: SOC2, Type: Type2, Criteria: []string{Security, Availability}},
		// A SOC 3 reports against the same criteria; what it names counts
		// even when the SOC 2 leaves it out.
		{ID: "soc3", Framework: SOC3, Criteria: []string{Security, Confidentiality}},
		// The check refuses criteria on other frameworks; a Site built in
		// code might still carry some, and they must not count.
		{ID: "iso", Framework: ISO27001, Criteria: []string{Privacy}},
	}}
	for id, want := range map[string]bool{
		Security:            true,
		Availability:        true,
		Confidentiality:     true,
		ProcessingIntegrity: false,
		Privacy:             false,
	} {
		if got := s.InScope(id); got != want {
			t.Errorf("InScope(%q) = %v, want %v", id, got, want)
		}
	}
	if (&Site{}).InScope(Security) {
		t.Error("a site without reports has security in scope")
	}
}

func TestStaleMonths(t *testing.T) {
	if got := (&Site{}).StaleMonths(); got != DefaultStaleAfterMonths {
		t.Errorf("unset: %d, want the default %d", got, DefaultStaleAfterMonths)
	}
	if got := (&Site{StaleAfterMonths: 6}).StaleMonths(); got != 6 {
		t.Errorf("set to 6: %d", got)
	}
}
