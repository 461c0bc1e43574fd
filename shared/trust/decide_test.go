package trust_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"trustcenter/shared/trust"
)

// ask files and confirms a request from email for docs, in lang.
func (f *fixture) ask(t *testing.T, email, company, lang string, docs ...string) trust.Request {
	t.Helper()
	ctx := context.Background()
	in := validInput()
	in.Email, in.Company, in.Lang = email, company, lang
	if len(docs) > 0 {
		in.Documents = docs
	}
	f.tick()
	r, err := f.svc.Submit(ctx, in, trust.Client{IP: "192.0.2.1", UserAgent: "Mozilla/5.0 test"})
	if err != nil {
		t.Fatal(err)
	}
	f.tick()
	r, err = f.svc.Confirm(ctx, lastLink(t, f.mail.to(r.Email), "/access-requests/confirm/"), trust.Client{})
	if err != nil {
		t.Fatal(err)
	}
	f.tick()
	return r
}

// withSOC1 publishes a second gated document, so a request can ask for two.
func withSOC1(t *testing.T, f *fixture) {
	t.Helper()
	d := trust.Document{ID: "soc1", Title: "SOC 1 Type II", Access: trust.Gated, FileName: "soc1.pdf"}
	if _, err := f.svc.Publish(context.Background(), admin, d, []byte("%PDF-1.4 soc1"), trust.Client{}); err != nil {
		t.Fatal(err)
	}
}

// tick moves the clock on a minute, so each step's events and mails sort
// after the last step's.
func (f *fixture) tick() { f.now = f.now.Add(time.Minute) }

func lastMail(t *testing.T, f *fixture, to string) trust.Mail {
	t.Helper()
	mails := f.mail.to(to)
	if len(mails) == 0 {
		t.Fatalf("no mail to %s", to)
	}
	return mails[len(mails)-1]
}

// An approver grants until a date, or some of the documents only: the
// grant ends at the end of that day, the request keeps what was asked, and
// the trail says both. A date past the limit, a date gone by and a
// document not asked for are refused without a change.
func TestApproveUntilADateForSomeDocuments(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	withSOC1(t, f)
	r := f.ask(t, "ada@buyer.example", "Buyer", "", "soc1", "soc2")
	refusals := map[string]trust.Approval{
		"a day gone by":        {Until: f.now.AddDate(0, 0, -1)},
		"beyond a year":        {Until: f.now.AddDate(0, 0, trust.MaxDays+2)},
		"a document not asked": {Days: 30, Documents: []string{"soc3"}},
		"no period":            {},
	}
	for name, a := range refusals {
		if _, err := f.svc.ApproveWith(ctx, staff, r.ID, a, trust.Client{}); trust.ErrorCode(err) != trust.EInvalid {
			t.Errorf("%s: %v, want EInvalid", name, err)
		}
	}
	if got, _ := f.store.GetRequest(ctx, r.ID); got.Status != trust.Pending {
		t.Fatalf("a refused approval moved the request to %s", got.Status)
	}
	got, err := f.svc.ApproveWith(ctx, staff, r.ID, trust.Approval{Until: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), Documents: []string{"soc2"}}, trust.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC); !got.ExpiresAt.Equal(want) {
		t.Errorf("access until %s, want %s", got.ExpiresAt, want)
	}
	if !slices.Equal(got.Documents, []string{"soc2"}) || !slices.Equal(got.Asked, []string{"soc1", "soc2"}) {
		t.Errorf("granted %v of %v", got.Documents, got.Asked)
	}
	_, events, _ := f.svc.Request(ctx, r.ID)
	if e := events[len(events)-1]; e.Type != "request.approved" || !strings.Contains(e.Detail, "days=37 documents=soc2 asked=soc1,soc2") {
		t.Errorf("trail: %+v", e)
	}
	g, err := f.svc.AccessPage(ctx, lastLink(t, f.mail.to(r.Email), "/access/"))
	if err != nil || len(g.Documents) != 1 || g.Documents[0].ID != "soc2" {
		t.Fatalf("access page: %+v %v", g.Documents, err)
	}
}

// "Approve and trust this domain" saves an allow rule with the approval,
// so the domain's next request is approved by it; the rule set's trail
// records the change. A free-mail domain is refused and nothing changes.
func TestApproveAndTrustTheDomain(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := f.ask(t, "ada@buyer.example", "Buyer", "")
	if _, err := f.svc.ApproveWith(ctx, staff, r.ID, trust.Approval{Days: 90, Trust: true}, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	rs, err := f.svc.Rules(ctx)
	if err != nil || rs.Version != 2 || len(rs.Rules) != 1 {
		t.Fatalf("rules %+v %v", rs, err)
	}
	if got := rs.Rules[0].String(); got != "allow:domain:buyer.example documents=soc2 days=90" || rs.UpdatedBy != staff.Email {
		t.Errorf("rule %s by %s", got, rs.UpdatedBy)
	}
	events, _ := f.svc.RuleEvents(ctx)
	if e := events[len(events)-1]; e.Type != "rules.changed" || !strings.Contains(e.Detail, "request="+r.ID) {
		t.Errorf("rules trail %+v", e)
	}
	next := f.ask(t, "grace@buyer.example", "Buyer", "")
	if next.Status != trust.Approved || next.DecisionRule != "allow:domain:buyer.example" {
		t.Errorf("the next request from the domain: %s by %q", next.Status, next.DecisionRule)
	}

	// An earlier rule that would still decide the domain first is not
	// shadowed silently.
	triage := mustRules(t, rule(trust.RuleTriage, trust.MatchDomain, "partner.example"))
	if _, err := f.svc.SaveRules(ctx, admin, 2, append(triage, rs.Rules...), trust.Client{}); err != nil {
		t.Fatal(err)
	}
	p := f.ask(t, "pat@partner.example", "Partner", "")
	_, err = f.svc.ApproveWith(ctx, staff, p.ID, trust.Approval{Days: 30, Trust: true}, trust.Client{})
	if trust.ErrorCode(err) != trust.EInvalid || !strings.Contains(err.Error(), "triage:domain:partner.example") {
		t.Fatalf("trusting a domain an earlier rule triages: %v", err)
	}

	free := f.ask(t, "ada@gmail.com", "Buyer", "")
	_, err = f.svc.ApproveWith(ctx, staff, free.ID, trust.Approval{Days: 30, Trust: true}, trust.Client{})
	if trust.ErrorCode(err) != trust.EInvalid || !strings.Contains(err.Error(), "gmail.com") {
		t.Fatalf("trusting gmail.com: %v", err)
	}
	if rs, _ := f.svc.Rules(ctx); rs.Version != 3 {
		t.Errorf("a refused trust saved rules version %d", rs.Version)
	}
	if got, _ := f.store.GetRequest(ctx, free.ID); got.Status != trust.Pending {
		t.Errorf("a refused trust approved the request anyway")
	}
}

// A saved reason is sent in the requester's language; an unknown one, or
// none and no reason of one's own, is refused.
func TestDenyWithASavedReason(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := f.ask(t, "li@buyer.example", "Buyer", "zh-CN")
	for _, tmpl := range []string{"", "rude"} {
		if _, err := f.svc.DenyWith(ctx, staff, r.ID, " ", tmpl, trust.Client{}); trust.ErrorCode(err) != trust.EInvalid {
			t.Errorf("template %q without a reason: %v", tmpl, err)
		}
	}
	got, err := f.svc.DenyWith(ctx, staff, r.ID, "", "work_address", trust.Client{})
	if err != nil {
		t.Fatal(err)
	}
	want := trust.DenyTemplate("zh-CN", "work_address")
	if got.DenyReason != want || !strings.Contains(want, "工作邮箱") {
		t.Errorf("reason %q", got.DenyReason)
	}
	if m := lastMail(t, f, r.Email); !strings.Contains(m.Text, want) {
		t.Errorf("the mail does not carry the reason:\n%s", m.Text)
	}
	v, err := f.svc.RequestStatus(ctx, lastLink(t, f.mail.to(r.Email), "/requests/"))
	if err != nil || v.State != trust.StateDenied || v.Request.DenyReason != want {
		t.Errorf("status page: %s %q %v", v.State, v.Request.DenyReason, err)
	}
}

// Revoking needs a reason, which the requester gets by mail and on their
// status page; their links stop working.
func TestRevokeTellsTheRequesterWhy(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := f.ask(t, "ada@buyer.example", "Buyer", "")
	if _, err := f.svc.Approve(ctx, staff, r.ID, 30, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	access := lastLink(t, f.mail.to(r.Email), "/access/")
	if _, err := f.svc.Revoke(ctx, staff, r.ID, "  ", trust.Client{}); trust.ErrorCode(err) != trust.EInvalid {
		t.Fatalf("revoke without a reason: %v", err)
	}
	if _, err := f.svc.Revoke(ctx, staff, r.ID, "The evaluation ended.", trust.Client{}); err != nil {
		t.Fatal(err)
	}
	m := lastMail(t, f, r.Email)
	if !strings.Contains(m.Subject, "ended") || !strings.Contains(m.Text, "> The evaluation ended.") {
		t.Errorf("revocation mail: %s\n%s", m.Subject, m.Text)
	}
	v, err := f.svc.RequestStatus(ctx, lastLink(t, f.mail.to(r.Email), "/requests/"))
	if err != nil || v.State != trust.StateRevoked || v.Request.RevokeReason != "The evaluation ended." {
		t.Errorf("status page: %s %q %v", v.State, v.Request.RevokeReason, err)
	}
	if _, err := f.svc.AccessPage(ctx, access); trust.ErrorCode(err) != trust.EForbidden {
		t.Errorf("the access link after revocation: %v", err)
	}
}

// Extend keeps the grant and mails a link that outlives the old period;
// an end not later than the current one is refused. Resend mails the link
// of an active grant only. Reinstate makes a new grant: the revoked
// grant's link stays refused, the new one works.
func TestExtendResendReinstate(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := f.ask(t, "ada@buyer.example", "Buyer", "")
	r, err := f.svc.Approve(ctx, staff, r.ID, 7, trust.Client{})
	if err != nil {
		t.Fatal(err)
	}
	grant := r.GrantID
	if _, err := f.svc.Extend(ctx, staff, r.ID, 3, time.Time{}, trust.Client{}); trust.ErrorCode(err) != trust.EInvalid {
		t.Fatalf("extend to an earlier end: %v", err)
	}
	f.tick()
	ext, err := f.svc.Extend(ctx, staff, r.ID, 90, time.Time{}, trust.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if ext.GrantID != grant || !ext.ExpiresAt.Equal(f.now.AddDate(0, 0, 90)) {
		t.Errorf("extended: grant %s until %s", ext.GrantID, ext.ExpiresAt)
	}
	m := lastMail(t, f, r.Email)
	if !strings.Contains(m.Subject, "extended") || !strings.Contains(m.Text, ext.ExpiresAt.Format("2006-01-02 15:04")) {
		t.Errorf("extension mail: %s\n%s", m.Subject, m.Text)
	}
	link := lastLink(t, []trust.Mail{m}, "/access/")
	f.now = f.now.AddDate(0, 0, 30) // past the first period and its grace
	if _, err := f.svc.AccessPage(ctx, link); err != nil {
		t.Errorf("the extension's link after the first period: %v", err)
	}

	before := len(f.mail.to(r.Email))
	f.tick()
	if _, err := f.svc.ResendAccess(ctx, staff, r.ID, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	if n := len(f.mail.to(r.Email)); n != before+1 {
		t.Errorf("resend sent %d mails", n-before)
	}
	if _, err := f.svc.AccessPage(ctx, lastLink(t, f.mail.to(r.Email), "/access/")); err != nil {
		t.Errorf("the resent link: %v", err)
	}
	f.now = f.now.AddDate(0, 0, 61)
	if _, err := f.svc.ResendAccess(ctx, staff, r.ID, trust.Client{}); trust.ErrorCode(err) != trust.EConflict {
		t.Errorf("resend of an ended grant: %v", err)
	}

	f.tick()
	if _, err := f.svc.Extend(ctx, staff, r.ID, 30, time.Time{}, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	old := lastLink(t, f.mail.to(r.Email), "/access/")
	f.tick()
	if _, err := f.svc.Revoke(ctx, staff, r.ID, "Sent by mistake.", trust.Client{}); err != nil {
		t.Fatal(err)
	}
	f.tick()
	back, err := f.svc.Reinstate(ctx, staff, r.ID, 30, time.Time{}, trust.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if back.Status != trust.Approved || back.GrantID == grant || !back.RevokedAt.IsZero() || back.RevokeReason != "" {
		t.Errorf("reinstated: %+v", back)
	}
	if _, err := f.svc.AccessPage(ctx, old); err == nil {
		t.Error("the revoked grant's link works again")
	}
	if _, err := f.svc.AccessPage(ctx, lastLink(t, f.mail.to(r.Email), "/access/")); err != nil {
		t.Errorf("the new grant's link: %v", err)
	}
	_, events, _ := f.svc.Request(ctx, r.ID)
	var types []string
	for _, e := range events {
		types = append(types, e.Type)
	}
	want := []string{"grant.extended", "access.resent", "grant.extended", "grant.revoked", "grant.reinstated"}
	if got := types[len(types)-len(want):]; !slices.Equal(got, want) {
		t.Errorf("trail %v, want it to end %v", types, want)
	}
	if e := events[len(events)-1]; !strings.Contains(e.Detail, "previous="+grant) {
		t.Errorf("reinstatement does not name the grant it replaces: %s", e.Detail)
	}
}

// Notes are events of the request's trail, by the staff member who wrote
// them; the requester is sent nothing. An empty note, one without a role
// and one on an unknown request are refused.
func TestNotesAreAuditEvents(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := f.ask(t, "ada@buyer.example", "Buyer", "")
	before := len(f.mail.to(r.Email))
	f.tick()
	if err := f.svc.AddNote(ctx, staff, r.ID, "Called Ada: renewal in Q1.", trust.Client{IP: "198.51.100.7"}); err != nil {
		t.Fatal(err)
	}
	checks := map[string]error{
		"empty":           f.svc.AddNote(ctx, staff, r.ID, "  ", trust.Client{}),
		"without a role":  f.svc.AddNote(ctx, trust.Session{Email: "eve@evil.example"}, r.ID, "hi", trust.Client{}),
		"unknown request": f.svc.AddNote(ctx, staff, "req_nope", "hi", trust.Client{}),
	}
	want := map[string]trust.Code{"empty": trust.EInvalid, "without a role": trust.EForbidden, "unknown request": trust.ENotFound}
	for name, err := range checks {
		if trust.ErrorCode(err) != want[name] {
			t.Errorf("note %s: %v, want %s", name, err, want[name])
		}
	}
	_, events, _ := f.svc.Request(ctx, r.ID)
	e := events[len(events)-1]
	if e.Type != trust.NoteEvent || e.Actor != staff.Email || e.Detail != "Called Ada: renewal in Q1." || e.IP != "198.51.100.7" {
		t.Errorf("note event %+v", e)
	}
	if n := len(f.mail.to(r.Email)); n != before {
		t.Errorf("a note mailed the requester")
	}
}

// The flags and earlier requests a request's page shows.
func TestRequestContext(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	rules := mustRules(t, rule(trust.RuleAllow, trust.MatchDomain, "customer.example"), rule(trust.RuleDeny, trust.MatchSubdomains, "rival.example"))
	if _, err := f.svc.SaveRules(ctx, admin, 1, rules, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	first := f.ask(t, "ada@buyer.example", "Buyer", "")
	if _, err := f.svc.Approve(ctx, staff, first.ID, 30, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	colleague := f.ask(t, "bob@buyer.example", "Buyer Incorporated", "")
	again := f.ask(t, "ada@buyer.example", "Buyer", "")
	flagsOf := func(r trust.Request) (trust.DecisionContext, []string) {
		t.Helper()
		_, events, err := f.svc.Request(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		c, err := f.svc.RequestContext(ctx, r, events)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, fl := range c.Flags {
			out = append(out, fl.Kind+":"+fl.Detail)
		}
		return c, out
	}
	c, flags := flagsOf(again)
	if ids := ids(c.SameEmail); !slices.Equal(ids, []string{first.ID}) {
		t.Errorf("same email %v, want the first request", ids)
	}
	if ids := ids(c.SameDomain); !slices.Equal(ids, []string{colleague.ID}) {
		t.Errorf("same domain %v, want the colleague's", ids)
	}
	if !slices.Equal(flags, []string{"customer_grant:ada@buyer.example"}) {
		t.Errorf("flags %v", flags)
	}
	cases := []struct {
		email, company string
		want           []string
	}{
		{"x@gmail.com", "Buyer", []string{"freemail:gmail.com"}},
		{"x@eu.mailinator.com", "Buyer", []string{"disposable:eu.mailinator.com"}},
		{"x@other.example", "Buyer", []string{"company_mismatch:other.example"}},
		{"x@customer.example", "Customer GmbH", []string{"customer_rule:allow:domain:customer.example"}},
		{"x@spy.rival.example", "Rival", []string{"deny_rule:deny:subdomains:rival.example"}}, // denied by the rule at once
	}
	for _, c := range cases {
		r := f.ask(t, c.email, c.company, "")
		if _, got := flagsOf(r); !slices.Equal(got, c.want) && !(len(got) == 0 && len(c.want) == 0) {
			t.Errorf("%s (%s): flags %v, want %v", c.email, c.company, got, c.want)
		}
	}
	if spy, _ := f.store.PriorRequests(ctx, trust.ByEmail, "x@spy.rival.example", 1); len(spy) != 1 || spy[0].Status != trust.Denied {
		t.Fatalf("rival request %+v", spy)
	}
}

func ids(rs []trust.Request) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

// The staff mail names the requester, their company and the documents in
// its subject, and lists the titles, reason, flags and rule outcome, with
// the request's link, in its body; what the requester typed stays inert.
func TestStaffMailNamesTheRequest(t *testing.T) {
	f := newFixture(t)
	withSOC1(t, f)
	in := validInput()
	in.Name, in.Email, in.Company, in.Documents = "Ada Lovelace", "ada@gmail.com", "Buyer.example Inc", []string{"soc1", "soc2"}
	in.Reason = "Vendor review, see https://evil.example"
	r, err := f.svc.Submit(context.Background(), in, trust.Client{IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Confirm(context.Background(), lastLink(t, f.mail.to(r.Email), "/access-requests/confirm/"), trust.Client{}); err != nil {
		t.Fatal(err)
	}
	m := lastMail(t, f, "sales@lumen.example")
	if want := "“Ada Lovelace” (“Buyer[.]example Inc”) requests SOC 1 Type II, SOC 2 Type II"; m.Subject != want {
		t.Errorf("subject %q, want %q", m.Subject, want)
	}
	for _, want := range []string{"- SOC 1 Type II\n- SOC 2 Type II", "> Vendor review, see https[:]//evil[.]example",
		"Free-mail address (gmail[.]com)", "No rule matched (reason rule.none).", "https://trust.example/admin/requests/" + r.ID} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("the staff mail lacks %q:\n%s", want, m.Text)
		}
	}
}

func TestCompanyMatchesDomain(t *testing.T) {
	cases := []struct {
		company, domain string
		want            bool
	}{
		{"Buyer", "buyer.example", true},
		{"Buyer Inc.", "mail.buyer.example", true},
		{"Acme Corporation", "acme-corp.com", true},
		{"International Business Machines", "ibm.com", true},
		{"Lumen Ledger Ltd", "lumenledger.co.uk", true},
		{"Globex", "initech.com", false},
		{"Globex Corporation", "other.com", false},
		{"The Company", "other.com", true}, // nothing but fillers: cannot be compared
		{"阿里巴巴", "alibaba-inc.com", true},  // cannot be compared: not flagged
	}
	for _, c := range cases {
		if got := trust.CompanyMatchesDomain(c.company, c.domain); got != c.want {
			t.Errorf("CompanyMatchesDomain(%q, %q) = %v, want %v", c.company, c.domain, got, c.want)
		}
	}
}

// The bundled lists parse, and a domain or its subdomain is found in them.
func TestDomainLists(t *testing.T) {
	if err := trust.CheckDomainLists(); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"gmail.com": trust.FlagFreeMail, "qq.com": trust.FlagFreeMail, "163.com": trust.FlagFreeMail,
		"outlook.com": trust.FlagFreeMail, "mailinator.com": trust.FlagDisposable, "x.yopmail.com": trust.FlagDisposable,
		"buyer.example": "", "notgmail.com": "", "com": "",
	}
	for d, want := range cases {
		if got := trust.DomainKind(d); got != want {
			t.Errorf("DomainKind(%s) = %q, want %q", d, got, want)
		}
	}
}

// The grant's later life and trusting a domain need a role that may take
// them: the service refuses, whatever the console shows.
func TestGrantActionsNeedTheirRole(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := f.ask(t, "ada@buyer.example", "Buyer", "")
	nobody := trust.Session{Email: "eve@evil.example"}
	if _, err := f.svc.ApproveWith(ctx, nobody, r.ID, trust.Approval{Days: 30, Trust: true}, trust.Client{}); trust.ErrorCode(err) != trust.EForbidden {
		t.Errorf("approve and trust without a role: %v", err)
	}
	if _, err := f.svc.Approve(ctx, staff, r.ID, 30, trust.Client{}); err != nil {
		t.Fatal(err)
	}
	checks := map[string]error{}
	_, checks["extend"] = f.svc.Extend(ctx, nobody, r.ID, 90, time.Time{}, trust.Client{})
	_, checks["resend"] = f.svc.ResendAccess(ctx, nobody, r.ID, trust.Client{})
	_, checks["revoke"] = f.svc.Revoke(ctx, nobody, r.ID, "no", trust.Client{})
	_, checks["reinstate"] = f.svc.Reinstate(ctx, nobody, r.ID, 30, time.Time{}, trust.Client{})
	for name, err := range checks {
		if trust.ErrorCode(err) != trust.EForbidden {
			t.Errorf("%s without a role: %v", name, err)
		}
	}
	if rs, _ := f.svc.Rules(ctx); rs.Version != 1 {
		t.Errorf("a refused trust saved rules version %d", rs.Version)
	}
}

// A function built without a store refuses the request page's calls with
// ErrNoEngine, as every other call.
func TestRequestPageWithoutAStore(t *testing.T) {
	ctx := context.Background()
	svc := trust.New(trust.Config{BaseURL: "https://trust.example", NDA: nda}, trust.Engines{})
	calls := map[string]func() error{
		"ApproveWith": func() error {
			_, err := svc.ApproveWith(ctx, staff, "req", trust.Approval{Days: 30}, trust.Client{})
			return err
		},
		"DenyWith":     func() error { _, err := svc.DenyWith(ctx, staff, "req", "", "more_info", trust.Client{}); return err },
		"Extend":       func() error { _, err := svc.Extend(ctx, staff, "req", 30, time.Time{}, trust.Client{}); return err },
		"ResendAccess": func() error { _, err := svc.ResendAccess(ctx, staff, "req", trust.Client{}); return err },
		"Reinstate":    func() error { _, err := svc.Reinstate(ctx, staff, "req", 30, time.Time{}, trust.Client{}); return err },
		"AddNote":      func() error { return svc.AddNote(ctx, staff, "req", "note", trust.Client{}) },
		"NextPending":  func() error { _, err := svc.NextPending(ctx, "req"); return err },
		"RequestContext": func() error {
			_, err := svc.RequestContext(ctx, trust.Request{ID: "req", Email: "a@b.example"}, nil)
			return err
		},
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, trust.ErrNoEngine) {
			t.Errorf("%s: %v, want ErrNoEngine", name, err)
		}
	}
	if svc.Emailable(ctx, "a@b.example") != true {
		t.Error("without a store nothing is known to be suppressed")
	}
}
