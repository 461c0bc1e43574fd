package content

import (
	"net/url"
	"strings"

	"trustcenter/shared/i18n"
	"trustcenter/shared/trust"
)

// PathObject is the form that objects to a subprocessor change, with the
// update's id in ?update=.
const PathObject = "/subprocessors/objections/new"

// ObjectURL is where to object to the change update id announces.
func ObjectURL(baseURL, id string) string {
	return strings.TrimRight(baseURL, "/") + PathObject + "?update=" + url.QueryEscape(id)
}

// topics are the subscription topics of the update kinds; other kinds
// reach no one.
var topics = map[UpdateKind]trust.Topic{
	UpdateReport:       trust.TopicReports,
	UpdateSubprocessor: trust.TopicSubprocessors,
	UpdateIncident:     trust.TopicIncidents,
}

// Published is what s publishes, as the announcer compares it with what
// subscribers were told (trust.Service.Announce).
func (s *Site) Published(baseURL string) trust.Published {
	base := strings.TrimRight(baseURL, "/")
	var p trust.Published
	for _, u := range s.Updates {
		p.Updates = append(p.Updates, s.Notice(u, base))
	}
	for _, sp := range s.Subprocessors {
		p.Subprocessors = append(p.Subprocessors, trust.ListedSubprocessor{Name: sp.Name,
			Purpose: sp.Purpose.In(i18n.English), Location: sp.Location.In(i18n.English)})
	}
	return p
}

// Notice is update u as the announcer and the objection form see it.
func (s *Site) Notice(u Update, baseURL string) trust.Notice {
	n := trust.Notice{ID: u.ID, Topic: topics[u.Kind], Date: u.Date.Time(), Title: u.Title, Body: u.Body,
		Link: absolute(baseURL, u.Link)}
	if n.Link == "" {
		n.Link = strings.TrimRight(baseURL, "/") + "/#update-" + u.ID
	}
	if !u.Change.IsZero() {
		n.Change = map[string][]string{}
		for _, lang := range i18n.Languages {
			n.Change[lang] = s.ChangeLines(u, lang)
		}
		if !u.Change.Effective.IsZero() {
			n.Object = ObjectURL(baseURL, u.ID)
		}
	}
	return n
}

// Update is the update with id.
func (s *Site) Update(id string) (Update, bool) {
	for _, u := range s.Updates {
		if u.ID == id {
			return u, true
		}
	}
	return Update{}, false
}
