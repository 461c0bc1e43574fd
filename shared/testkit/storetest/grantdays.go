package storetest

import (
	"testing"
	"time"

	"trustcenter/shared/trust"
)

// testGrantDayCounts follows the approved and expired counts through
// approvals, extensions both ways, a revocation, and the clock passing
// grants' ends within a day and across midnight, which the engines count
// by the day each grant ends.
func testGrantDayCounts(t *testing.T, s trust.Store) {
	// A day well ahead of the real clock, so nothing the store sweeps by
	// its own clock has ended.
	midnight := trust.DayAfter(time.Now()).AddDate(0, 0, 10)
	noon := midnight.Add(-12 * time.Hour)
	approve := func(id string, ends time.Time) trust.Request {
		r := newRequest(id, trust.Unconfirmed, time.Now().UTC().Truncate(time.Millisecond))
		r.Email = id + "@grants.example"
		r = create(t, s, r)
		r = move(t, s, r, func(n *trust.Request) { n.Status, n.ConfirmedAt = trust.Pending, n.CreatedAt })
		return move(t, s, r, func(n *trust.Request) {
			n.Status, n.GrantID, n.ExpiresAt, n.DecidedAt = trust.Approved, "g-"+id, ends, n.CreatedAt
		})
	}
	extend := func(r trust.Request, ends time.Time) {
		move(t, s, r, func(n *trust.Request) { n.ExpiresAt = ends })
	}
	approve("later-today", noon.Add(3*time.Hour))
	approve("earlier-today", noon.Add(-3*time.Hour))
	approve("after-midnight", midnight.Add(time.Hour))
	approve("in-five-days", noon.AddDate(0, 0, 5))
	approve("at-midnight", midnight)
	revoked := approve("revoked", noon.Add(3*time.Hour))
	move(t, s, revoked, func(n *trust.Request) { n.Status, n.RevokedAt = trust.Revoked, noon })
	extend(approve("extended", noon.Add(time.Hour)), noon.AddDate(0, 0, 3))
	extend(approve("shortened", noon.AddDate(0, 0, 2)), noon.Add(30*time.Minute))

	for _, tc := range []struct {
		what            string
		now             time.Time
		active, expired int
	}{
		{"at noon", noon, 6, 1},
		{"as the shortened grant has ended", noon.Add(2 * time.Hour), 5, 2},
		{"just before midnight", midnight.Add(-time.Nanosecond), 4, 3},
		{"at midnight", midnight, 3, 4},
		{"after midnight's grant has ended", midnight.Add(2 * time.Hour), 2, 5},
		{"once the extended grant has ended", noon.AddDate(0, 0, 3), 1, 6},
		{"once every grant has ended", noon.AddDate(0, 0, 6), 0, 7},
		{"before any grant ends", noon.Add(-4 * time.Hour), 7, 0},
	} {
		c, err := s.QueueCounts(t.Context(), tc.now)
		if err != nil {
			t.Fatal(err)
		}
		want := trust.QueueCounts{Approved: tc.active, Expired: tc.expired, Revoked: 1}
		if c != want {
			t.Errorf("QueueCounts %s = %+v, want %+v", tc.what, c, want)
		}
	}
}
