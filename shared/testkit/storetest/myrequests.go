package storetest

import (
	"testing"
	"time"

	"trustcenter/shared/trust"
)

// testRequestsByAddress: an address's requests, newest first, whatever
// their status, none of another address's, and the same after a status
// change rewrote one of them.
func testRequestsByAddress(t *testing.T, s trust.Store) {
	mk := func(id, email string, at time.Time) trust.Request {
		r := trust.Request{ID: id, Email: email, Name: "Ada", Status: trust.Unconfirmed, CreatedAt: at, Documents: []string{"soc2"}}
		commit(t, s, trust.Tx{Request: &r})
		r.Version = 1
		return r
	}
	mk("req-a1", "ada@buyer.example", t0)
	a2 := mk("req-a2", "ada@buyer.example", t0.Add(time.Hour))
	mk("req-b1", "bob@buyer.example", t0.Add(30*time.Minute))
	next := a2
	next.Status = trust.Approved
	commit(t, s, trust.Tx{Request: &next, IfVersion: 1})

	got, err := s.RequestsByAddress(t.Context(), "ada@buyer.example", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "req-a2" || got[1].ID != "req-a1" || got[0].Status != trust.Approved {
		t.Fatalf("ada's requests: %+v", got)
	}
	// The address as a person types it finds the same.
	if got, err := s.RequestsByAddress(t.Context(), " Ada@Buyer.Example", 1); err != nil || len(got) != 1 || got[0].ID != "req-a2" {
		t.Fatalf("newest of ada's, typed differently: %+v %v", got, err)
	}
	if got, err := s.RequestsByAddress(t.Context(), "nobody@buyer.example", 10); err != nil || len(got) != 0 {
		t.Fatalf("an address without requests: %+v %v", got, err)
	}
	_, err = s.RequestsByAddress(t.Context(), "ada@buyer.example", 0)
	wantCode(t, err, trust.EInvalid, "limit 0")
	_, err = s.RequestsByAddress(t.Context(), "", 1)
	wantCode(t, err, trust.EInvalid, "no address")
}
