package storetest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

// testErasure: an erasure rewrites the request, its events and its copies
// and forgets the address's acceptance in one step, after which nothing
// the store returns holds the personal data; rewriting what is not stored
// is refused and changes nothing.
func testErasure(t *testing.T, s trust.Store) {
	ctx := t.Context()
	const name, email, ip = "Ada Lovelace", "ada@erase.example", "203.0.113.9"
	r := newRequest("req-erase", trust.Approved, t0)
	r.Name, r.Email, r.Company, r.GrantID = name, email, "Erase Ltd", "gnt-erase"
	r.NDA.IP, r.NDA.Signature = ip, name
	ev := trust.Event{ID: "evt-e1", Subject: r.ID, Type: "nda.accepted", Actor: email, At: t0, IP: ip, Detail: "by " + name}
	cp := trust.Copy{WatermarkID: "WM-ERASE", Request: r.ID, Grant: r.GrantID, Document: "soc2", Version: 1, Name: name, Company: "Erase Ltd", Email: email, CreatedAt: t0}
	commit(t, s, trust.Tx{Request: &r, Events: []trust.Event{ev}, Copy: &cp,
		Acceptances: []trust.EmailAcceptance{{Email: email, Request: r.ID, Seq: 1, Series: 1, At: t0}}})
	stored, err := s.GetRequest(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}

	missing := ev
	missing.ID = "evt-never"
	wantCode(t, s.Commit(ctx, trust.Tx{ReplaceEvents: []trust.Event{missing}}), trust.EConflict, "rewriting an event not stored")
	other := cp
	other.Version = 9
	wantCode(t, s.Commit(ctx, trust.Tx{ReplaceCopies: []trust.Copy{other}}), trust.EConflict, "rewriting a copy not stored")

	erased := stored
	erased.Name, erased.Email, erased.Company, erased.NDA.IP, erased.NDA.Signature = "", "subject-1234", "", "", ""
	erased.ErasedAt = t0.Add(time.Hour)
	ev2 := ev
	ev2.Actor, ev2.IP, ev2.Detail = "subject-1234", "", "by [erased]"
	cp2 := cp
	cp2.Name, cp2.Company, cp2.Email = "", "", "subject-1234"
	commit(t, s, trust.Tx{Request: &erased, IfVersion: stored.Version, ReplaceEvents: []trust.Event{ev2}, ReplaceCopies: []trust.Copy{cp2},
		ForgetAcceptances: []string{email}, ErasedEmail: email, Events: []trust.Event{{ID: "evt-erased", Subject: r.ID, Type: "request.erased", At: t0.Add(time.Hour)}}})

	var all []any
	got, err := s.GetRequest(ctx, r.ID)
	all = append(all, got, err)
	evs, err := s.ListEvents(ctx, r.ID)
	all = append(all, evs, err)
	c1, err := s.GetCopy(ctx, cp.Grant, cp.Document, cp.Version)
	all = append(all, c1, err)
	c2, err := s.CopyByWatermark(ctx, cp.WatermarkID)
	all = append(all, c2, err)
	cs, err := s.ListCopies(ctx, cp.Grant)
	all = append(all, cs, err)
	// The request was confirmed, so it was filed by address and domain
	// too; those filings go with the erasure.
	for _, by := range []struct {
		field trust.ContactField
		value string
	}{{trust.ByEmail, email}, {trust.ByDomain, "erase.example"}, {trust.ByEmail, "subject-1234"}} {
		prior, err := s.PriorRequests(ctx, by.field, by.value, 10)
		if err != nil || len(prior) != 0 {
			t.Errorf("PriorRequests(%s, %s) after the erasure = %d requests, %v; want none", by.field, by.value, len(prior), err)
		}
		all = append(all, prior)
	}
	// The domain's account lists the person no more.
	if acct, err := s.GetAccount(ctx, "erase.example"); err == nil {
		if len(acct.People) != 0 {
			t.Errorf("the account still lists %v after the erasure", acct.People)
		}
		all = append(all, acct)
	} else if trust.ErrorCode(err) != trust.ENotFound {
		t.Errorf("GetAccount: %v", err)
	}
	raw, _ := json.Marshal(all)
	for _, pd := range []string{name, email, ip, "Erase Ltd"} {
		if strings.Contains(string(raw), pd) {
			t.Errorf("after the erasure the store still returns %q: %s", pd, raw)
		}
	}
	if len(evs) != 2 || got.ErasedAt.IsZero() || c1.Email != "subject-1234" {
		t.Errorf("erasure not applied: %d events, %+v, %+v", len(evs), got, c1)
	}
	_, err = s.LastAcceptance(ctx, email)
	wantCode(t, err, trust.ENotFound, "the erased address's acceptance")
}
