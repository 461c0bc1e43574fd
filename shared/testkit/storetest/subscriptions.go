package storetest

import (
	"slices"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

// testSubscriptions: a subscriber is written whole and read back by
// address, listed with the others, erased with nothing left; what was
// announced is versioned like the rules, so two announcers cannot both
// write over the same state, and a refused announcement takes its mails
// with it.
func testSubscriptions(t *testing.T, s trust.Store) {
	ctx := t.Context()
	if _, err := s.GetSubscriber(ctx, "nobody@example.com"); trust.ErrorCode(err) != trust.ENotFound {
		t.Fatalf("GetSubscriber of none: %v, want ENotFound", err)
	}
	if subs, err := s.ListSubscribers(ctx); err != nil || len(subs) != 0 {
		t.Fatalf("ListSubscribers of none: %v, %v", subs, err)
	}
	ada := trust.Subscriber{Email: "ada@example.com", Lang: "zh-CN", Pending: []trust.Topic{trust.TopicReports}, CreatedAt: t0}
	bob := trust.Subscriber{Email: "bob@example.org", Lang: "en", Topics: []trust.Topic{trust.TopicIncidents, trust.TopicSubprocessors}, CreatedAt: t0, ConfirmedAt: t0.Add(time.Minute)}
	for _, sub := range []trust.Subscriber{ada, bob} {
		if err := s.Commit(ctx, trust.Tx{Subscriber: &sub}); err != nil {
			t.Fatal(err)
		}
	}
	ada.Topics, ada.Pending, ada.ConfirmedAt = ada.Pending, nil, t0.Add(time.Hour)
	if err := s.Commit(ctx, trust.Tx{Subscriber: &ada}); err != nil {
		t.Fatalf("rewriting a subscriber: %v", err)
	}
	got, err := s.GetSubscriber(ctx, ada.Email)
	if err != nil || got.Lang != "zh-CN" || !slices.Equal(got.Topics, ada.Topics) || got.Pending != nil || !got.ConfirmedAt.Equal(ada.ConfirmedAt) || !got.CreatedAt.Equal(t0) {
		t.Fatalf("GetSubscriber = %+v, %v; want %+v", got, err, ada)
	}
	subs, err := s.ListSubscribers(ctx)
	if err != nil || len(subs) != 2 {
		t.Fatalf("ListSubscribers = %v, %v; want two", subs, err)
	}
	if err := s.Commit(ctx, trust.Tx{EraseSubscriber: ada.Email, Events: []trust.Event{{ID: "evt_erase", Subject: "subscriptions", Type: "subscription.erased", At: t0}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetSubscriber(ctx, ada.Email); trust.ErrorCode(err) != trust.ENotFound {
		t.Errorf("after erasure: %v, want ENotFound", err)
	}
	if err := s.Commit(ctx, trust.Tx{EraseSubscriber: ada.Email}); err != nil {
		t.Errorf("erasing an erased subscriber: %v, want success", err)
	}
	if subs, _ := s.ListSubscribers(ctx); len(subs) != 1 || subs[0].Email != bob.Email {
		t.Errorf("after erasure the list is %v, want only %s", subs, bob.Email)
	}
	if err := s.Commit(ctx, trust.Tx{Subscriber: &trust.Subscriber{}}); trust.ErrorCode(err) != trust.EInvalid {
		t.Errorf("a subscriber without an address: %v, want EInvalid", err)
	}

	if _, err := s.GetAnnounced(ctx); trust.ErrorCode(err) != trust.ENotFound {
		t.Fatalf("GetAnnounced of none: %v, want ENotFound", err)
	}
	first := trust.Announced{Version: 1, Updates: []string{"u1"}, Subprocessors: []trust.ListedSubprocessor{{Name: "A", Purpose: "p", Location: "l"}}, At: t0}
	if err := s.Commit(ctx, trust.Tx{Announced: &first}); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, trust.Tx{Announced: &first}); trust.ErrorCode(err) != trust.EConflict {
		t.Errorf("a second version 1: %v, want EConflict", err)
	}
	second := trust.Announced{Version: 2, Updates: []string{"u1", "u2"}, At: t0.Add(time.Hour)}
	mail := trust.Mail{ID: "mail_announce_1", To: bob.Email, Subject: "News", Text: "t", CreatedAt: t0,
		Headers: map[string]string{"List-Unsubscribe": "<https://trust.example/u/x>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}}
	if err := s.Commit(ctx, trust.Tx{Announced: &second, Mails: []trust.Mail{mail}}); err != nil {
		t.Fatal(err)
	}
	stale := trust.Announced{Version: 2, Updates: []string{"u1", "u3"}, At: t0.Add(2 * time.Hour)}
	lost := mail
	lost.ID = "mail_announce_2"
	if err := s.Commit(ctx, trust.Tx{Announced: &stale, Mails: []trust.Mail{lost}}); trust.ErrorCode(err) != trust.EConflict {
		t.Errorf("an announcement over a stale version: %v, want EConflict", err)
	}
	if _, err := s.GetMail(ctx, lost.ID); trust.ErrorCode(err) != trust.ENotFound {
		t.Errorf("the refused announcement's mail: %v, want it never queued", err)
	}
	a, err := s.GetAnnounced(ctx)
	if err != nil || a.Version != 2 || !slices.Equal(a.Updates, second.Updates) || len(a.Subprocessors) != 0 {
		t.Errorf("GetAnnounced = %+v, %v; want version 2", a, err)
	}
	m, err := s.GetMail(ctx, mail.ID)
	if err != nil || m.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" || m.Headers["List-Unsubscribe"] != mail.Headers["List-Unsubscribe"] {
		t.Errorf("the mail's headers came back as %v, %v", m.Headers, err)
	}
}
