package storetest

import (
	"testing"
	"time"

	"trustcenter/shared/trust"
)

// testMailHealth: none before the first write; a write is read back whole
// (instants as the same moments) and replaced by the next, a cleared record
// included.
func testMailHealth(t *testing.T, s trust.Store) {
	_, err := s.MailHealth(t.Context())
	wantCode(t, err, trust.ENotFound, "MailHealth before any")
	failing := trust.MailHealth{FailingSince: t0.In(plus5), LastFailure: t0.Add(time.Minute), Reason: "refused: MessageRejected: Email address is not verified."}
	if err := s.SetMailHealth(t.Context(), failing); err != nil {
		t.Fatal(err)
	}
	got, err := s.MailHealth(t.Context())
	if err != nil || !got.FailingSince.Equal(failing.FailingSince) || !got.LastFailure.Equal(failing.LastFailure) || got.Reason != failing.Reason {
		t.Fatalf("MailHealth = %+v, %v; want %+v", got, err, failing)
	}
	if err := s.SetMailHealth(t.Context(), trust.MailHealth{}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.MailHealth(t.Context()); err != nil || got.Failing() || got.Reason != "" {
		t.Fatalf("after clearing: %+v, %v", got, err)
	}
}
