package trust

import "time"

// DefaultUnconfirmedRetention is how long an access request whose address
// was never confirmed is kept, with the personal data it holds (name,
// address, company, reason, the NDA acceptance's IP and browser), when
// Config.UnconfirmedRetention is not set. A confirmation link lives
// ConfirmTTL, so after that the request can never move on; it is kept a
// while longer only to answer "did I send it?".
const DefaultUnconfirmedRetention = 30 * 24 * time.Hour

// unconfirmedRetention is the configured retention, or the default.
func (s *Service) unconfirmedRetention() time.Duration {
	if s.cfg.UnconfirmedRetention > 0 {
		return s.cfg.UnconfirmedRetention
	}
	return DefaultUnconfirmedRetention
}

// retain sets when r may be deleted: an unconfirmed request at the end of
// its retention, any other never (its trail is the evidence of an NDA and
// of a decision). commit applies it to every request it writes, so the
// confirmation that moves a request on is also what keeps it; engines
// delete a request once PurgeAt has passed (DynamoDB by TTL, bbolt in its
// sweep).
func (s *Service) retain(r *Request) {
	r.PurgeAt = time.Time{}
	if r.Status == Unconfirmed {
		r.PurgeAt = r.CreatedAt.Add(s.unconfirmedRetention())
	}
}
