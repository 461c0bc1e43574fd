package content

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"2025-09-30", "2025-09-30", false},
		{"2024-02-29", "2024-02-29", false},
		{"2025-02-29", "", true}, // not a leap year
		{"2025-13-01", "", true},
		{"2025-9-30", "", true},
		{"30/09/2025", "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		d, err := ParseDate(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseDate(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if got := d.String(); got != tt.want {
			t.Errorf("ParseDate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAddMonths(t *testing.T) {
	tests := []struct {
		from   string
		months int
		want   string
	}{
		{"2025-09-30", 12, "2026-09-30"},
		{"2025-01-15", 1, "2025-02-15"},
		{"2025-01-31", 1, "2025-02-28"},  // clamped, not 2025-03-03
		{"2024-01-31", 1, "2024-02-29"},  // leap year
		{"2024-02-29", 12, "2025-02-28"}, // leap day to a common year
		{"2025-08-31", 6, "2026-02-28"},
		{"2025-03-31", 1, "2025-04-30"},
		{"2025-12-31", 2, "2026-02-28"}, // across the year
		{"2025-11-30", 3, "2026-02-28"},
		{"2025-05-31", -3, "2025-02-28"}, // backwards
		{"2025-10-01", 0, "2025-10-01"},
	}
	for _, tt := range tests {
		if got := MustDate(tt.from).AddMonths(tt.months).String(); got != tt.want {
			t.Errorf("%s + %d months = %s, want %s", tt.from, tt.months, got, tt.want)
		}
	}
}

func TestDaysUntil(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"2025-12-31", "2026-11-25", 329},
		{"2025-09-30", "2026-11-25", 421},
		{"2024-02-28", "2024-03-01", 2}, // leap year
		{"2025-02-28", "2025-03-01", 1},
		{"2026-01-01", "2025-12-31", -1},
		{"2026-01-01", "2026-01-01", 0},
	}
	for _, tt := range tests {
		if got := MustDate(tt.a).DaysUntil(MustDate(tt.b)); got != tt.want {
			t.Errorf("%s to %s = %d days, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestDateOfUsesUTC(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*60*60)
	tests := []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 1, 1, 8, 0, 0, 0, tokyo), "2025-12-31"}, // still 31 Dec in UTC
		{time.Date(2026, 1, 1, 9, 0, 0, 0, tokyo), "2026-01-01"},
		{time.Date(2026, 1, 1, 23, 59, 59, 0, time.UTC), "2026-01-01"},
	}
	for _, tt := range tests {
		if got := DateOf(tt.at).String(); got != tt.want {
			t.Errorf("DateOf(%v) = %s, want %s", tt.at, got, tt.want)
		}
	}
}

func TestTextIn(t *testing.T) {
	both := Text{"en": "Security", "zh-CN": "安全性"}
	tests := []struct {
		t    Text
		lang string
		want string
	}{
		{both, "en", "Security"},
		{both, "zh-CN", "安全性"},
		{both, "fr", "Security"},
		{Text{"en": "Only English"}, "zh-CN", "Only English"},
		{Text{"en": "Blank", "zh-CN": ""}, "zh-CN", "Blank"},
		{nil, "en", ""},
	}
	for _, tt := range tests {
		if got := tt.t.In(tt.lang); got != tt.want {
			t.Errorf("%v.In(%q) = %q, want %q", tt.t, tt.lang, got, tt.want)
		}
	}
}
