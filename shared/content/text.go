package content

import (
	"fmt"
	"time"

	"trustcenter/shared/i18n"
)

// Text is a user-visible string in one or more languages, keyed by language
// tag. In YAML it is either a plain string (English) or a map such as
// {en: "...", zh-CN: "..."}. English is required whenever a Text is given,
// because it is the fallback for every other language.
type Text map[string]string

// In returns the text in lang, falling back to English when lang has none.
func (t Text) In(lang string) string {
	if s := t[lang]; s != "" {
		return s
	}
	return t[i18n.English]
}

// String is the English text, so a Text prints sensibly in logs and tests.
func (t Text) String() string { return t[i18n.English] }

// IsZero reports whether t holds no text at all.
func (t Text) IsZero() bool { return len(t) == 0 }

// Date is a calendar day. Report periods and validity windows are days, not
// instants, and comparing them as instants across time zones would move
// boundaries by a day; so a Date is kept as midnight UTC, and "today" is
// taken from the clock in UTC.
type Date struct{ t time.Time }

const dateLayout = "2006-01-02"

// ParseDate parses YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date (want YYYY-MM-DD)", s)
	}
	return Date{t}, nil
}

// MustDate is ParseDate for constants in tests and examples; it panics on a
// malformed date.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DateOf returns the day of t in UTC.
func DateOf(t time.Time) Date {
	y, m, d := t.UTC().Date()
	return NewDate(y, m, d)
}

// NewDate returns the given day; out-of-range values normalise as in
// time.Date.
func NewDate(year int, month time.Month, day int) Date {
	return Date{time.Date(year, month, day, 0, 0, 0, 0, time.UTC)}
}

// Time returns midnight UTC at the start of d.
func (d Date) Time() time.Time { return d.t }

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d.t.IsZero() }

// String formats d as YYYY-MM-DD, or "" when unset.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(dateLayout)
}

// MarshalText writes YYYY-MM-DD; JSON outputs rely on it.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Before reports whether d is an earlier day than e.
func (d Date) Before(e Date) bool { return d.t.Before(e.t) }

// After reports whether d is a later day than e.
func (d Date) After(e Date) bool { return d.t.After(e.t) }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int { return d.t.Compare(e.t) }

// AddDays returns the day n days after d.
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }

// AddMonths returns the same day n months later, clamped to the end of the
// target month: 2025-08-31 plus 6 months is 2026-02-28, not time.AddDate's
// 2026-03-03, which would quietly stretch a deadline into the next month.
func (d Date) AddMonths(n int) Date {
	y, m, day := d.t.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return NewDate(first.Year(), first.Month(), min(day, last))
}

// DaysUntil returns the number of days from d to e, negative when e is
// earlier. Both are midnight UTC, so the division is exact.
func (d Date) DaysUntil(e Date) int { return int(e.t.Sub(d.t) / (24 * time.Hour)) }
