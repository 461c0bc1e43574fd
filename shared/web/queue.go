package web

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"

	"trustcenter/shared/trust"
	"trustcenter/site/pages"
)

// The console's queue (tabs with counts, search, inline and bulk
// decisions) and its accounts (one row per email domain).
func (s *server) mountQueue(m router) {
	m.handle("GET", "/admin/requests", s.staff(s.queue))
	m.handle("POST", "/admin/requests/bulk", s.staff(s.bulkDecide))
	m.handle("GET", "/admin/accounts", s.staff(s.accounts))
	m.handle("GET", "/admin/accounts.csv", s.staff(s.accountsCSV))
	m.handle("GET", "/admin/accounts/{domain}", s.staff(s.account))
}

func (s *server) queue(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	q := r.URL.Query()
	f := trust.QueueFilter{View: trust.QueueView(q.Get("status")), Q: q.Get("q"), Document: q.Get("doc"), Cursor: q.Get("cursor")}
	if f.View == "" {
		f.View = trust.ViewPending
	}
	data := pages.QueueData{Filter: f, Now: s.svc.Now()}
	if n, err := strconv.Atoi(q.Get("done")); err == nil {
		data.Done = n
	}
	if n, err := strconv.Atoi(q.Get("failed")); err == nil {
		data.Failed = n
	}
	p := s.adminPage(r, "admin.requests.title", &sess)
	docs, _, err := s.documents(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data.Documents = docs
	page, err := s.svc.Queue(r.Context(), f)
	if err != nil {
		// A status or cursor the console does not know is the console's
		// own error, in its own layout, with the tabs to go on from.
		if trust.ErrorCode(err) != trust.EInvalid {
			s.fail(w, r, err)
			return
		}
		data.Error = p.errorText(err)
	}
	data.Page = page
	s.render(w, r, p, pages.AdminQueue(&p.Page, data), err)
}

// bulkDecide approves (for the default period) or denies each selected
// request, or the one row whose inline Approve was pressed, each through
// the request's own decision, and returns to the queue with the tally.
func (s *server) bulkDecide(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	ids := r.PostForm["ids"]
	approve := true
	switch {
	case r.PostForm.Get("one") != "":
		ids = []string{r.PostForm.Get("one")}
	case r.PostForm.Get("action") == "deny":
		approve = false
	case r.PostForm.Get("action") != "approve":
		s.fail(w, r, trust.Errorf(trust.EInvalid, "Choose approve or deny."))
		return
	}
	if len(ids) == 0 {
		s.fail(w, r, userError(trust.EInvalid, "queue.none_selected"))
		return
	}
	results := s.svc.DecideMany(r.Context(), sess, ids, approve, r.PostForm.Get("reason"), client(r))
	back := url.Values{}
	for _, k := range []string{"status", "q", "doc"} {
		if v := r.PostForm.Get(k); v != "" {
			back.Set(k, v)
		}
	}
	done, failed := 0, 0
	for _, res := range results {
		if res.Err != nil {
			failed++
			if code := trust.ErrorCode(res.Err); code != trust.EInvalid && code != trust.EConflict {
				s.fail(w, r, res.Err)
				return
			}
		} else {
			done++
		}
	}
	back.Set("done", strconv.Itoa(done))
	if failed > 0 {
		back.Set("failed", strconv.Itoa(failed))
	}
	s.keepLang(r, back)
	http.Redirect(w, r, "/admin/requests?"+back.Encode(), http.StatusSeeOther)
}

func (s *server) accounts(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	accts, next, err := s.svc.Accounts(r.Context(), r.URL.Query().Get("cursor"), trust.QueuePageSize)
	p := s.adminPage(r, "accounts.title", &sess)
	data := pages.AccountsData{Accounts: accts, Next: next, Now: s.svc.Now()}
	if err != nil {
		if trust.ErrorCode(err) != trust.EInvalid {
			s.fail(w, r, err)
			return
		}
		data.Error = p.errorText(err)
	}
	s.render(w, r, p, pages.AdminAccounts(&p.Page, data), err)
}

func (s *server) accountsCSV(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="accounts.csv"`)
	cw := csv.NewWriter(w)
	err := s.svc.AccountsCSV(r.Context(), func(row []string) error { return cw.Write(row) })
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	if err != nil {
		// The header may be out already; the log has the cause.
		s.log.Error("accounts csv", "err", err)
	}
}

func (s *server) account(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	v, err := s.svc.Account(r.Context(), r.PathValue("domain"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.adminPage(r, "accounts.title", &sess)
	s.render(w, r, p, pages.AdminAccount(&p.Page, pages.AccountData{View: v, Now: s.svc.Now()}), nil)
}
