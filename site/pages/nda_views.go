package pages

import (
	"time"

	"trustcenter/shared/trust"
)

// NDAAdminData is the console's NDA page: every version, the one in
// effect, and the publication form as typed.
type NDAAdminData struct {
	Versions  []trust.NDAVersion
	Current   int
	Input     trust.NDAInput
	CanEdit   bool
	Published string
	Error     string
	Fields    map[string]string
}

// AccessNDAData is the access page asking for a newer NDA.
type AccessNDAData struct {
	Grant     trust.Grant
	Token     string
	Signature string
	Error     string
	Fields    map[string]string
}

func (p *Page) changeLabel(v trust.NDAVersion) string {
	if v.Major {
		return p.T("ndaui.admin.major")
	}
	return p.T("ndaui.admin.minor")
}

func effectiveText(p *Page, v trust.NDAVersion) string {
	if v.EffectiveAt.IsZero() {
		return p.T("ndaui.admin.from_content")
	}
	return p.DateTime(v.EffectiveAt)
}

func publishedBy(p *Page, v trust.NDAVersion) string {
	if v.PublishedBy == "" {
		return p.T("ndaui.admin.content_file")
	}
	return v.PublishedBy + " · " + v.PublishedAt.UTC().Format(time.DateTime)
}

func modeLabel(p *Page, m string) string {
	switch m {
	case trust.NDAPrior:
		return p.T("ndaui.request.mode_prior")
	case trust.NDAExisting:
		return p.T("ndaui.request.mode_existing")
	}
	return p.T("ndaui.request.mode_clickthrough")
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func existingState(p *Page, e trust.ExistingNDA) string {
	switch e.State {
	case trust.ExistingConfirmed:
		return p.T("ndaui.request.state_confirmed", e.Reference, e.Date, e.By)
	case trust.ExistingClickThough:
		return p.T("ndaui.request.state_clickthrough", e.By)
	}
	return p.T("ndaui.request.state_open")
}
