package trust_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"trustcenter/shared/trust"
)

// TestErasure: the requester asks from their status page, staff confirm,
// and afterwards nothing the store holds for the request names them; the
// NDA evidence's hash, the pseudonymised trail and the erasure event stay.
func TestErasure(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	client := trust.Client{IP: "198.51.100.77", UserAgent: "ErasureTestBrowser/1.0"}
	in := validInput()
	in.Company = "Analytical Engines Ltd"
	r, err := f.svc.Submit(ctx, in, client)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Confirm(ctx, lastLink(t, f.mail.to(r.Email), "/access-requests/confirm/"), client); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Approve(ctx, staff, r.ID, 30, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	_, links := downloadLinks(t, f, lastLink(t, f.mail.to(r.Email), "/access/"))
	if _, err := f.svc.Download(ctx, links[0], client); err != nil {
		t.Fatal(err)
	}
	status := lastLink(t, f.mail.to(r.Email), "/requests/")
	if _, err := f.svc.Erase(ctx, trust.Session{Email: "x@lumen.example", Role: "viewer"}, r.ID, trust.Client{}); trust.ErrorCode(err) != trust.EForbidden {
		t.Fatalf("erase without the role: %v", err)
	}
	asked, err := f.svc.RequestErasure(ctx, status, client)
	if err != nil || asked.ErasureRequestedAt.IsZero() {
		t.Fatalf("request erasure: %v %+v", err, asked)
	}
	erased, err := f.svc.Erase(ctx, staff, r.ID, trust.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if erased.Status != trust.Revoked || erased.NDA.TextSHA256 != nda.Hash() || erased.Email != trust.Pseudonym("ada@buyer.example") {
		t.Errorf("after erasure: %+v", erased)
	}
	if _, err := f.svc.Erase(ctx, staff, r.ID, trust.Client{}); trust.ErrorCode(err) != trust.EConflict {
		t.Errorf("erasing twice: %v", err)
	}

	got, events, err := f.svc.Request(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	copies, err := f.store.ListCopies(ctx, got.GrantID)
	if err != nil {
		t.Fatal(err)
	}
	_, accErr := f.store.LastAcceptance(ctx, "ada@buyer.example")
	raw, _ := json.Marshal([]any{got, events, copies})
	for _, pd := range []string{"Ada Lovelace", "ada lovelace", "ada@buyer.example", "Analytical Engines", "198.51.100.77", "ErasureTestBrowser"} {
		if strings.Contains(string(raw), pd) {
			t.Errorf("the store still holds %q after the erasure", pd)
		}
	}
	if trust.ErrorCode(accErr) != trust.ENotFound {
		t.Errorf("the address's acceptance is still remembered: %v", accErr)
	}
	if !hasNDAEvent(events, "request.erased", "pseudonym=") || !hasNDAEvent(events, "nda.accepted", nda.Hash()) || !hasNDAEvent(events, "request.erasure_requested", "") {
		t.Errorf("trail after erasure: %+v", events)
	}
	if len(copies) != 1 || copies[0].WatermarkID == "" {
		t.Errorf("the copy's record (for tracing) is gone: %+v", copies)
	}
}
