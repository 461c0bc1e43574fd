package content

import (
	"slices"
	"strings"
	"time"

	"trustcenter/shared/i18n"
)

// Status is where a certification stands on a given day.
type Status string

// The statuses, computed by Coverage.
const (
	// Current: the report is recent enough, or the certificate is valid.
	Current Status = "current"
	// Stale: a report whose latest period ended more than
	// Site.StaleMonths ago.
	Stale Status = "stale"
	// Expired: a certificate past its valid_until day.
	Expired Status = "expired"
	// Upcoming: coverage starts after today.
	Upcoming Status = "upcoming"
)

// Segment is an unbroken run of covered days, both ends included.
type Segment struct {
	Start Date `json:"start"`
	End   Date `json:"end"`
	// Bridged is set when some of the days rest only on a bridge letter,
	// which is management's word, not the auditor's.
	Bridged bool `json:"bridged,omitempty"`
}

// String writes s as "2025-10-01..2026-09-30", with " bridged" when it is.
func (s Segment) String() string {
	x := s.Start.String() + ".." + s.End.String()
	if s.Bridged {
		x += " bridged"
	}
	return x
}

// Coverage is a certification's timeline as of one day. trust.json writes
// it under each certification, which already carries the id and status.
type Coverage struct {
	Certification string `json:"-"`
	Status        Status `json:"-"`
	// Segments are the report periods, bridge letters or validity window,
	// merged where they touch or overlap, oldest first.
	Segments []Segment `json:"segments"`
	// Through is the last covered day.
	Through Date `json:"through,omitzero"`
	// StaleFrom is the first day a report counts as stale; zero for
	// certificates.
	StaleFrom Date `json:"stale_from,omitzero"`
	// Since says how the days after the latest report period are covered;
	// nil while that period runs, before coverage starts, and for
	// certificates. It replaces a count of days since coverage ended:
	// every SOC report ends before it is issued, so such a count alarms
	// readers about an ordinary state and tells them nothing they can act on.
	Since *Since `json:"since_period_end,omitempty"`
}

// Cover is how the days after a report period are accounted for.
type Cover string

// The ways, in order of preference: the first that applies is chosen.
const (
	// CoverBridgeLetter: management's bridge letter vouches for days after
	// the period (Since.BridgeLetter says which).
	CoverBridgeLetter Cover = "bridge_letter"
	// CoverNextBridgeLetter: no letter yet, one is expected.
	CoverNextBridgeLetter Cover = "next_bridge_letter"
	// CoverNextReport: the next report is expected.
	CoverNextReport Cover = "next_report"
	// CoverOnRequest: nothing is scheduled; a reader may ask.
	CoverOnRequest Cover = "on_request"
)

// Since is how the time after a report's latest period is covered.
type Since struct {
	// Period is the latest report period; a Type I's is one day.
	Period Period `json:"period"`
	How    Cover  `json:"how"`
	// BridgeLetter is the current letter reaching furthest past the
	// period, when there is one; it may itself have run out.
	BridgeLetter *BridgeLetter `json:"bridge_letter,omitempty"`
	// NextBridgeLetter and NextReport are the expected dates still ahead.
	NextBridgeLetter Date `json:"next_bridge_letter,omitzero"`
	NextReport       Date `json:"next_report,omitzero"`
}

// Explain writes s for a reader of lang, e.g. "Since the period ended on
// 30 Sep 2026: bridge letter through 31 Dec 2026 · next report expected
// Nov 2027". Expected dates are given to the month: they are plans.
func (s Since) Explain(lang string) string {
	day := func(d Date) string { return shortDate(lang, d) }
	var parts []string
	if b := s.BridgeLetter; b != nil {
		if b.CoversFrom == s.Period.End.AddDays(1) {
			parts = append(parts, i18n.T(lang, "coverage.since.bridge_letter", day(b.CoversTo)))
		} else {
			// Days between the period and the letter rest on nothing;
			// saying where the letter starts lets the reader see them.
			parts = append(parts, i18n.T(lang, "coverage.since.bridge_letter_range", day(b.CoversFrom), day(b.CoversTo)))
		}
	}
	if !s.NextBridgeLetter.IsZero() {
		parts = append(parts, i18n.T(lang, "coverage.since.next_bridge_letter", i18n.FormatMonth(lang, s.NextBridgeLetter.Time())))
	}
	if !s.NextReport.IsZero() {
		parts = append(parts, i18n.T(lang, "coverage.since.next_report", i18n.FormatMonth(lang, s.NextReport.Time())))
	}
	if len(parts) == 0 {
		parts = append(parts, i18n.T(lang, "coverage.since.on_request"))
	}
	key := "coverage.since"
	if s.Period.Start == s.Period.End {
		key = "coverage.since_as_of"
	}
	return i18n.T(lang, key, day(s.Period.End), strings.Join(parts, i18n.T(lang, "summary.separator")))
}

// since is how c's days after its latest period are covered on today, or
// nil while that period has not ended.
func since(c Certification, today Date) *Since {
	latest := c.LatestPeriod()
	if !c.IsReport() || !today.After(latest.End) {
		return nil
	}
	s := &Since{Period: latest}
	for _, b := range c.CurrentBridgeLetters() {
		if b.CoversTo.After(latest.End) && (s.BridgeLetter == nil || b.CoversTo.After(s.BridgeLetter.CoversTo)) {
			s.BridgeLetter = &b
		}
	}
	// A date already passed is a plan that did not happen as stated;
	// repeating it would mislead more than saying nothing.
	if d := c.NextBridgeLetter; !d.Before(today) {
		s.NextBridgeLetter = d
	}
	if d := c.NextAudit; !d.Before(today) {
		s.NextReport = d
	}
	switch {
	case s.BridgeLetter != nil:
		s.How = CoverBridgeLetter
	case !s.NextBridgeLetter.IsZero():
		s.How = CoverNextBridgeLetter
	case !s.NextReport.IsZero():
		s.How = CoverNextReport
	default:
		s.How = CoverOnRequest
	}
	return s
}

// Coverage computes every certification's timeline on the day of now (in
// UTC), in the order the certifications are listed.
func (s *Site) Coverage(now time.Time) []Coverage {
	months := s.StaleMonths()
	today := DateOf(now)
	out := make([]Coverage, 0, len(s.Certifications))
	for _, c := range s.Certifications {
		out = append(out, coverage(c, today, months))
	}
	return out
}

func coverage(c Certification, today Date, staleMonths int) Coverage {
	cv := Coverage{Certification: c.ID}
	var audited, bridged []Segment
	if c.IsReport() {
		for _, p := range c.Periods {
			audited = append(audited, Segment{Start: p.Start, End: p.End})
		}
		for _, b := range c.BridgeLetters {
			bridged = append(bridged, Segment{Start: b.CoversFrom, End: b.CoversTo})
		}
	} else if !c.ValidFrom.IsZero() {
		audited = append(audited, Segment{Start: c.ValidFrom, End: c.ValidUntil})
	}
	audited = merge(audited)
	cv.Segments = merge(append(slices.Clone(audited), bridged...))
	for i, seg := range cv.Segments {
		// Merged runs are maximal, so a segment made only of audited days
		// lies inside a single merged audited run.
		cv.Segments[i].Bridged = !slices.ContainsFunc(audited, func(a Segment) bool {
			return !a.Start.After(seg.Start) && !a.End.Before(seg.End)
		})
	}
	if len(cv.Segments) == 0 {
		return cv
	}
	first, last := cv.Segments[0], cv.Segments[len(cv.Segments)-1]
	cv.Through = last.End
	switch {
	case today.Before(first.Start):
		cv.Status = Upcoming
	case c.IsReport():
		cv.Since = since(c, today)
		// Staleness follows the audited period only: a bridge letter
		// extends coverage but does not make an old report new.
		cv.StaleFrom = c.LatestPeriod().End.AddMonths(staleMonths).AddDays(1)
		if today.Before(cv.StaleFrom) {
			cv.Status = Current
		} else {
			cv.Status = Stale
		}
	case today.After(c.ValidUntil):
		cv.Status = Expired
	default:
		cv.Status = Current
	}
	return cv
}

// merge joins segments that overlap or touch (one ends the day before the
// next starts), oldest first.
func merge(parts []Segment) []Segment {
	parts = slices.Clone(parts)
	slices.SortFunc(parts, func(a, b Segment) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return a.End.Compare(b.End)
	})
	var out []Segment
	for _, p := range parts {
		if n := len(out); n > 0 && !p.Start.After(out[n-1].End.AddDays(1)) {
			if p.End.After(out[n-1].End) {
				out[n-1].End = p.End
			}
			continue
		}
		out = append(out, p)
	}
	return out
}
