package trust

import (
	"context"
	"net/netip"
	"time"
)

// rateLimit is one limit on attempts: at most max in any window-long span,
// estimated from two fixed windows (the current one, and the one before
// weighted by how much of it the span still covers), so a burst at the end
// of one window and another at the start of the next count together.
type rateLimit struct {
	name   string
	max    int
	window time.Duration
}

// The form limits. Each address limit is counted per address and network
// together: a stranger who posts someone's address uses up only their own
// allowance for it, and the owner, from their own network, still gets
// through. The network limit bounds how much one network can send at all.
var (
	submitPerNetwork = rateLimit{"ip", 20, time.Hour}
	submitPerAddress = rateLimit{"email", 5, time.Hour}
	signInPerNetwork = rateLimit{"signin-ip", 20, time.Hour}
	signInPerAddress = rateLimit{"signin", 5, time.Hour}
)

// allow counts one attempt against l for key and refuses it past the limit.
func (s *Service) allow(ctx context.Context, l rateLimit, key string) error {
	now := s.now()
	hits, err := s.store.Hit(ctx, l.name+":"+key, l.window, now)
	if err != nil {
		return err
	}
	if slidingCount(hits, l.window, now) > float64(l.max) {
		return errorMsg(ERateLimited, msg("error.rate_limited"))
	}
	return nil
}

// slidingCount estimates the attempts in the window-long span ending at
// now: those of the current window and the share of the previous window's
// that falls inside the span, assuming they were spread evenly over it.
func slidingCount(h Hits, window time.Duration, now time.Time) float64 {
	into := now.Sub(now.Truncate(window))
	left := 1 - float64(into)/float64(window)
	return float64(h.Current) + float64(h.Previous)*left
}

// network is the client's network as limits count it: an IPv4 address by
// itself, an IPv6 address by its /64, which one subscriber usually holds
// whole (counting single IPv6 addresses would give them 2^64 allowances).
// A peer that is not an address at all counts as itself.
func network(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// addressKey counts attempts against a mailbox from one network.
func addressKey(email string, c Client) string {
	return mailboxKey(email) + "|" + network(c.IP)
}
