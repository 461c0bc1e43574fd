package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"trustcenter/shared/trust"
	"trustcenter/site/pages"
)

// mountRules adds the rules page to the console (the admin function).
func (s *server) mountRules(m router) {
	m.handle("GET", "/admin/rules", s.staff(s.rulesPage))
	m.handle("POST", "/admin/rules", s.staff(s.postRules))
}

// ruleDocs are the documents an allow rule may grant: the content's gated
// ones, published or not, so rules can be written before the first upload.
func (s *server) ruleDocs() []trust.Document {
	var docs []trust.Document
	for _, cd := range s.site.Documents {
		if d, ok := s.site.StoreDocument(cd.ID); ok && d.Access.Restricted() {
			docs = append(docs, d)
		}
	}
	return docs
}

func (s *server) rulesPage(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	set, err := s.svc.Rules(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var rows []pages.RuleRow
	for i, rule := range set.Rules {
		docs := rule.Documents
		if rule.Kind == trust.RuleAllow && len(docs) == 0 {
			// The seed's "every document", spelled out, as the form
			// asks for the documents by name.
			for _, d := range s.ruleDocs() {
				docs = append(docs, d.ID)
			}
		}
		rows = append(rows, pages.RuleRow{Position: strconv.Itoa(i + 1), Kind: string(rule.Kind), Match: string(rule.Match),
			Value: rule.Value, Documents: docs, Days: daysText(rule), RequireNDA: rule.RequireNDA})
	}
	data := pages.RulesData{Rows: rows, Version: set.Version, Saved: r.URL.Query().Get("saved") != ""}
	s.showRules(w, r, sess, set, data, nil)
}

func daysText(r trust.Rule) string {
	if r.Days == 0 {
		return ""
	}
	return strconv.Itoa(r.Days)
}

// showRules renders the page: the rules as stored (GET) or as posted, a
// dry run's result if one ran, and the rules' trail.
func (s *server) showRules(w http.ResponseWriter, r *http.Request, sess trust.Session, set trust.RuleSet, data pages.RulesData, actionErr error) {
	events, err := s.svc.RuleEvents(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.adminPage(r, "rules.title", &sess)
	p.postedFrom("/admin/rules")
	data.Set, data.Events, data.Docs = set, events, s.ruleDocs()
	data.CanEdit = sess.Role.May(trust.EditRules)
	data.DryRunDays = trust.DryRunDays
	if data.CanEdit {
		// One empty row takes a new rule.
		data.Rows = append(data.Rows, pages.RuleRow{Position: strconv.Itoa(len(data.Rows) + 1), Kind: string(trust.RuleAllow),
			Match: string(trust.MatchDomain), Days: strconv.Itoa(trust.DefaultDays), New: true})
	}
	if actionErr != nil {
		data.Error = p.errorText(actionErr)
		data.Fields = p.fieldErrors(actionErr)
	}
	s.render(w, r, p, pages.AdminRules(&p.Page, data), actionErr)
}

// postedRules reads the form's rows in the order their numbers give, the
// rows left without an address or domain dropped.
func postedRules(r *http.Request) ([]pages.RuleRow, []trust.RuleInput, error) {
	n, err := strconv.Atoi(r.PostForm.Get("count"))
	if err != nil || n < 0 || n > trust.MaxRules+1 {
		return nil, nil, userError(trust.EInvalid, "rules.error.too_many", trust.MaxRules)
	}
	type row struct {
		pos  int
		view pages.RuleRow
	}
	var rows []row
	for i := range n {
		k := strconv.Itoa(i)
		v := pages.RuleRow{
			Position: strings.TrimSpace(r.PostForm.Get("pos." + k)), Kind: r.PostForm.Get("kind." + k),
			Match: r.PostForm.Get("match." + k), Value: strings.TrimSpace(r.PostForm.Get("value." + k)),
			Documents: r.PostForm["docs."+k], Days: strings.TrimSpace(r.PostForm.Get("days." + k)),
			RequireNDA: r.PostForm.Get("nda." + k),
		}
		if v.Value == "" {
			continue
		}
		pos, err := strconv.Atoi(v.Position)
		if err != nil {
			return nil, nil, userError(trust.EInvalid, "rules.error.position", i+1)
		}
		rows = append(rows, row{pos, v})
	}
	slices.SortStableFunc(rows, func(a, b row) int { return a.pos - b.pos })
	views := make([]pages.RuleRow, len(rows))
	in := make([]trust.RuleInput, len(rows))
	for i, x := range rows {
		x.view.Position = strconv.Itoa(i + 1)
		views[i] = x.view
		in[i] = trust.RuleInput{Kind: x.view.Kind, Match: x.view.Match, Value: x.view.Value, Documents: x.view.Documents, Days: x.view.Days, RequireNDA: x.view.RequireNDA}
	}
	return views, in, nil
}

// postRules runs a dry run of the rules as edited, or saves them: two
// buttons of one form, so what was previewed is what is saved next.
func (s *server) postRules(w http.ResponseWriter, r *http.Request, sess trust.Session) {
	if !sess.Role.May(trust.EditRules) {
		s.fail(w, r, userError(trust.EForbidden, "rules.view_only"))
		return
	}
	set, err := s.svc.Rules(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	views, in, err := postedRules(r)
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	data := pages.RulesData{Rows: views, Version: version}
	if err != nil {
		s.showRules(w, r, sess, set, data, err)
		return
	}
	rules, err := trust.ParseRules(in, s.ruleDocs())
	if err != nil {
		s.showRules(w, r, sess, set, data, err)
		return
	}
	if r.PostForm.Get("action") != "save" {
		dry, err := s.svc.DryRun(r.Context(), rules)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		data.DryRun, data.Dry = true, dry
		s.showRules(w, r, sess, set, data, nil)
		return
	}
	saved, err := s.svc.SaveRules(r.Context(), sess, version, rules, client(r))
	if err != nil {
		if trust.ErrorCode(err) == trust.EConflict || trust.ErrorCode(err) == trust.EInvalid {
			s.showRules(w, r, sess, set, data, err)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/rules?saved="+strconv.Itoa(saved.Version), http.StatusSeeOther)
}
