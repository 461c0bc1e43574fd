package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

// The shared fake records no mail health: mail goes out.
func (f *fakeStore) MailHealth(context.Context) (trust.MailHealth, error) {
	return trust.MailHealth{}, trust.Errorf(trust.ENotFound, "none")
}

// mailDownStore is the fake with a recorded delivery failure, counting the
// reads.
type mailDownStore struct {
	*fakeStore
	reads int
}

func (m *mailDownStore) MailHealth(context.Context) (trust.MailHealth, error) {
	m.reads++
	return trust.MailHealth{FailingSince: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC), LastFailure: time.Now(),
		Reason: "refused: MessageRejected: Email address is not verified."}, nil
}

// TestMailDownNotice: while the scheduler records mail failing, the
// request form says that no email will arrive and names the contact
// address; the store is read once for many views; the trust page, which the
// public function serves, never reads it.
func TestMailDownNotice(t *testing.T) {
	store := &mailDownStore{fakeStore: &fakeStore{}}
	d := newDeps(t, store.fakeStore, nil)
	d.Service = trust.New(trust.Config{BaseURL: "https://trust.example"}, trust.Engines{Store: store})
	h := New(d, Public, Access)
	for range 3 {
		res := serve(h, http.MethodGet, "/access-requests/new", nil, nil)
		body := res.Body.String()
		if res.Code != http.StatusOK || !strings.Contains(body, `class="alert mail-down" role="alert"`) ||
			!strings.Contains(body, "cannot be sent") || !strings.Contains(body, "mailto:"+d.Site.RequestContact()) {
			t.Fatalf("request form: %d, no mail notice with the contact %q:\n%s", res.Code, d.Site.RequestContact(), body)
		}
		if strings.Contains(body, "MessageRejected") {
			t.Fatal("a requester is shown the provider's refusal")
		}
	}
	if store.reads != 1 {
		t.Errorf("%d reads of the mail health for three views, want 1", store.reads)
	}
	if res := serve(h, http.MethodGet, "/", nil, nil); strings.Contains(res.Body.String(), `class="alert mail-down"`) || store.reads != 1 {
		t.Errorf("the trust page carries the notice or read the health (%d reads)", store.reads)
	}

	// A function that does not promise mail never reads it.
	quiet := &mailDownStore{fakeStore: &fakeStore{}}
	d.Service = trust.New(trust.Config{BaseURL: "https://trust.example"}, trust.Engines{Store: quiet})
	serve(New(d, Public, Download), http.MethodGet, "/nothing-here", nil, nil)
	if quiet.reads != 0 {
		t.Errorf("the public and download functions read the mail health %d times", quiet.reads)
	}
}

// TestMailWorkingNoNotice: with no failure recorded, no notice.
func TestMailWorkingNoNotice(t *testing.T) {
	h := New(newDeps(t, &fakeStore{}, nil), Access)
	if res := serve(h, http.MethodGet, "/access-requests/new", nil, nil); strings.Contains(res.Body.String(), `class="alert mail-down"`) {
		t.Error("a notice without a failure")
	}
}
