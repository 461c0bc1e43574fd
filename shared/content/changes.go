package content

import "trustcenter/shared/i18n"

// SubprocessorChange is what an update of kind subprocessor announces, as
// a structure rather than prose: which subprocessors are added, removed
// or changed, from which day, so a customer can see at a glance what
// moves and how long they have to object.
type SubprocessorChange struct {
	// Effective is the day the change takes effect; the notice period runs
	// from the update's date to it.
	Effective Date `yaml:"effective" json:"effective,omitzero"`
	// Added names subprocessors of the current list; Removed names ones
	// no longer in it.
	Added   []string           `yaml:"added" json:"added,omitempty"`
	Removed []string           `yaml:"removed" json:"removed,omitempty"`
	Changed []SubprocessorEdit `yaml:"changed" json:"changed,omitempty"`
}

// SubprocessorEdit is a listed subprocessor whose location or purpose
// changes.
type SubprocessorEdit struct {
	Name  string `yaml:"name" json:"name"`
	Field string `yaml:"field" json:"field"` // "location" or "purpose"
	From  Text   `yaml:"from" json:"from"`
	To    Text   `yaml:"to" json:"to"`
}

// IsZero reports whether no change is stated.
func (c SubprocessorChange) IsZero() bool {
	return c.Effective.IsZero() && len(c.Added) == 0 && len(c.Removed) == 0 && len(c.Changed) == 0
}

// NoticeDays is how many days' notice the update gives before the change
// takes effect.
func (u Update) NoticeDays() int {
	if u.Change.Effective.IsZero() {
		return 0
	}
	return u.Date.DaysUntil(u.Change.Effective)
}

// Subprocessor is the listed subprocessor called name.
func (s *Site) Subprocessor(name string) (Subprocessor, bool) {
	for _, sp := range s.Subprocessors {
		if sp.Name == name {
			return sp, true
		}
	}
	return Subprocessor{}, false
}

// ChangeLines are u's change as sentences in lang, one per subprocessor
// added, removed or changed, then when it takes effect: what the page lists
// under the update and what the mail to subscribers says.
func (s *Site) ChangeLines(u Update, lang string) []string {
	ch := u.Change
	if ch.IsZero() {
		return nil
	}
	var out []string
	for _, name := range ch.Added {
		sp, _ := s.Subprocessor(name)
		out = append(out, i18n.T(lang, "change.added", name, sp.Purpose.In(lang), sp.Location.In(lang)))
	}
	for _, name := range ch.Removed {
		out = append(out, i18n.T(lang, "change.removed", name))
	}
	for _, e := range ch.Changed {
		out = append(out, i18n.T(lang, "change.changed", e.Name, i18n.T(lang, "change.field."+e.Field), e.From.In(lang), e.To.In(lang)))
	}
	if !ch.Effective.IsZero() {
		out = append(out, i18n.T(lang, "change.effective", i18n.FormatDate(lang, ch.Effective.Time()), u.NoticeDays()))
	}
	return out
}
