package stamp

import (
	"errors"
	"regexp"
	"testing"
)

func TestNewID(t *testing.T) {
	format := regexp.MustCompile(`^WM-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`)
	seen := map[string]bool{}
	for range 2000 {
		id := NewID()
		if !format.MatchString(id) {
			t.Fatalf("NewID() = %q, not like WM-7K3Q-9XPA", id)
		}
		if seen[id] {
			t.Fatalf("NewID() repeated %q within 2000 draws", id)
		}
		seen[id] = true
		if got, err := ParseID(id); err != nil || got != id {
			t.Fatalf("ParseID(%q) = %q, %v", id, got, err)
		}
	}
}

func TestParseID(t *testing.T) {
	for in, want := range map[string]string{
		"WM-7K3Q-9XPA":    "WM-7K3Q-9XPA",
		"wm-7k3q-9xpa":    "WM-7K3Q-9XPA",
		"7K3Q9XPA":        "WM-7K3Q-9XPA",
		" wm 7k3q 9xpa ":  "WM-7K3Q-9XPA",
		"WM–7K3Q–9XPA":    "WM-7K3Q-9XPA", // en dashes from a word processor
		"WM-OOIL-1000":    "WM-0011-1000", // letters misread for digits
		"wm_ab12.cd34":    "WM-AB12-CD34",
		"WM-7K3Q-9XPA\n":  "WM-7K3Q-9XPA",
		"WM7K3Q-9XPA":     "WM-7K3Q-9XPA",
		"wm-7K3Q-9xpa   ": "WM-7K3Q-9XPA",
	} {
		if got, err := ParseID(in); err != nil || got != want {
			t.Errorf("ParseID(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "WM-", "WM-7K3Q", "WM-7K3Q-9XPAB", "WM-7K3Q-9XPU", "WM-7K3Q-9XP!", "WM-7K3Q-9XPé", "XX-7K3Q-9XPA"} {
		if got, err := ParseID(in); !errors.Is(err, ErrBadID) {
			t.Errorf("ParseID(%q) = %q, %v; want ErrBadID", in, got, err)
		}
	}
}
