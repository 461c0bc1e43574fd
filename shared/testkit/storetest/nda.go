package storetest

import (
	"testing"
	"time"

	"trustcenter/shared/trust"
)

func testNDAVersions(t *testing.T, s trust.Store) {
	if vs, err := s.ListNDAVersions(t.Context()); err != nil || len(vs) != 0 {
		t.Fatalf("ListNDAVersions before any = %v, %v", vs, err)
	}
	v1 := trust.NDAVersion{Seq: 1, Label: "2026-01", Text: "one", SHA256: trust.HashText("one"), Major: true, Series: 1, EffectiveAt: t0}
	v2 := trust.NDAVersion{Seq: 2, Label: "2026-02", Text: "two\n", SHA256: trust.HashText("two\n"), Series: 1, EffectiveAt: t0.Add(time.Hour).In(plus5), PublishedBy: "admin@example.com"}
	commit(t, s, trust.Tx{NDAs: []trust.NDAVersion{v1, v2}, Events: []trust.Event{{ID: "evt-nda", Subject: "nda", Type: "nda.published", At: t0}}})

	// A second publisher that read one as the newest loses, and its
	// event with it; so does one that skips a number.
	lost := trust.NDAVersion{Seq: 2, Label: "other"}
	wantCode(t, s.Commit(t.Context(), trust.Tx{NDAs: []trust.NDAVersion{lost}, Events: []trust.Event{{ID: "evt-lost", Subject: "nda", At: t0}}}), trust.EConflict, "a second version 2")
	wantCode(t, s.Commit(t.Context(), trust.Tx{NDAs: []trust.NDAVersion{{Seq: 4}}}), trust.EConflict, "version 4 after 2")
	wantCode(t, s.Commit(t.Context(), trust.Tx{NDAs: []trust.NDAVersion{{Seq: 1}}}), trust.EConflict, "version 1 again")
	wantCode(t, s.Commit(t.Context(), trust.Tx{NDAs: []trust.NDAVersion{{Seq: 3}, {Seq: 5}}}), trust.EInvalid, "a gap in one step")
	if evs, _ := s.ListEvents(t.Context(), "nda"); len(evs) != 1 {
		t.Errorf("events after refused publications: %v", evs)
	}

	v3 := trust.NDAVersion{Seq: 3, Label: "2027-01", Text: "three", Major: true, Series: 3, EffectiveAt: t0}
	commit(t, s, trust.Tx{NDAs: []trust.NDAVersion{v3}})
	vs, err := s.ListNDAVersions(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	equalAll(t, "NDA versions", vs, []trust.NDAVersion{v1, v2, v3}, func(v trust.NDAVersion) trust.NDAVersion {
		v.EffectiveAt, v.PublishedAt = v.EffectiveAt.UTC(), v.PublishedAt.UTC()
		return v
	})
}

func testAcceptances(t *testing.T, s trust.Store) {
	_, err := s.LastAcceptance(t.Context(), "ada@buyer.example")
	wantCode(t, err, trust.ENotFound, "LastAcceptance before any")
	a := trust.EmailAcceptance{Email: "ada@buyer.example", Request: "req-1", Seq: 1, Series: 1, SHA256: "ab", At: t0}
	commit(t, s, trust.Tx{Acceptances: []trust.EmailAcceptance{a}})
	b := a
	b.Request, b.Seq, b.At = "req-2", 2, t0.Add(time.Hour).In(plus5)
	commit(t, s, trust.Tx{Acceptances: []trust.EmailAcceptance{b}})
	got, err := s.LastAcceptance(t.Context(), "ada@buyer.example")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "latest acceptance", got, b, func(e trust.EmailAcceptance) trust.EmailAcceptance { e.At = e.At.UTC(); return e })
	wantCode(t, s.Commit(t.Context(), trust.Tx{Acceptances: []trust.EmailAcceptance{{}}}), trust.EInvalid, "acceptance without address")
	wantCode(t, s.Commit(t.Context(), trust.Tx{Acceptances: []trust.EmailAcceptance{a, a}}), trust.EConflict, "one address twice")
}
