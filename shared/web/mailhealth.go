package web

import (
	"context"
	"net/http"
	"sync"
	"time"

	"trustcenter/shared/trust"
	"trustcenter/site/pages"
)

// The pages that promise an email (the request form, check-your-email,
// the request's status page, the console and its sign-in) say so when mail
// cannot go out. They learn it from the record the mail scheduler keeps
// (trust.MailHealth), read at most every mailHealthTTL per function
// instance and given mailHealthWait, so a page view costs no store call of
// its own and a slow store delays no page. The trust page never reads it.
const (
	mailHealthTTL  = 30 * time.Second
	mailHealthWait = 500 * time.Millisecond
)

// mailHealth is one instance's copy of the record.
type mailHealth struct {
	on bool // this function's pages show the notice
	mu sync.Mutex
	at time.Time
	h  trust.MailHealth
}

// noteMail sets p's mail notice when mail delivery is failing. A failed
// read keeps the last copy: the notice is a courtesy, never a reason to
// fail the page.
func (s *server) noteMail(r *http.Request, p *page) {
	mh := &s.mailHealth
	if !mh.on || s.svc == nil {
		return
	}
	mh.mu.Lock()
	defer mh.mu.Unlock()
	now := time.Now()
	if mh.at.IsZero() || now.Sub(mh.at) >= mailHealthTTL {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), mailHealthWait)
		h, err := s.svc.MailHealth(ctx)
		cancel()
		mh.at = now
		if err != nil {
			s.log.Warn("mail health not read; the last copy stands", "err", err)
		} else {
			mh.h = h
		}
	}
	if !mh.h.Failing() {
		return
	}
	contact := ""
	if s.site != nil {
		contact = s.site.RequestContact()
	}
	p.MailDown = &pages.MailDown{Since: mh.h.FailingSince, Reason: mh.h.Reason, Contact: contact}
}
