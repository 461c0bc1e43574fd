package trust

import (
	"slices"
	"testing"
)

func TestParseStaff(t *testing.T) {
	got, err := ParseStaff(" Alice@Example.com , bob@example.com:approver,,")
	want := []Staff{{Email: "alice@example.com", Role: Admin}, {Email: "bob@example.com", Role: Approver}}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("ParseStaff = %v, %v; want %v", got, err, want)
	}
	for _, bad := range []string{"", " , ", "alice@example.com:owner", "not-an-address", "a@example.com\r\nBcc: x@example.net"} {
		if _, err := ParseStaff(bad); err == nil {
			t.Errorf("ParseStaff(%q) accepted", bad)
		}
	}
}
