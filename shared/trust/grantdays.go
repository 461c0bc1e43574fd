package trust

import "time"

// The queue's approved and expired tabs split the approved requests at
// now. Counting the grants still active by reading them all would cost one
// index entry per active grant on every page view, so the engines keep,
// with every request write, a counter of approved grants per UTC day of
// their end (GrantDayChange): the grants active at now are the counters of
// the days after today plus the few grants ending later today, a read
// bounded by the longest access period, not by the number of grants.

// GrantDayLayout names a grant's end day; it sorts as the days do.
const GrantDayLayout = "2006-01-02"

// GrantDay is the UTC day in which access ending at t ends.
func GrantDay(t time.Time) string { return t.UTC().Format(GrantDayLayout) }

// DayAfter is the start of the UTC day after now's: the grants of now's day
// end before it, those of the later days' counters at or after it.
func DayAfter(now time.Time) time.Time {
	y, m, d := now.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

// GrantDayChange is what writing next over old (nil when new) does to the
// per-day counters of approved grants: an approval adds one to its end's
// day, an extension moves it, a revocation takes it away. Days whose
// change is zero are left out.
func GrantDayChange(old *Request, next Request) map[string]int {
	d := map[string]int{}
	if old != nil && old.Status == Approved {
		d[GrantDay(old.ExpiresAt)]--
	}
	if next.Status == Approved {
		d[GrantDay(next.ExpiresAt)]++
	}
	for day, n := range d {
		if n == 0 {
			delete(d, day)
		}
	}
	return d
}
