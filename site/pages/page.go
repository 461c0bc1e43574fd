// Package pages is the trust center's HTML: one templ component per page,
// compiled to Go by `make templ` (the *_templ.go files are generated and
// committed). Compiled templates use no reflection, so the linker can
// still drop the methods a function never calls.
package pages

import (
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/a-h/templ"

	"trustcenter/shared/content"
	"trustcenter/shared/i18n"
	"trustcenter/shared/trust"
)

// Page is what the layout and every page read: the reader's language, the
// head's fields, the company, and the signed-in staff member on console
// pages.
type Page struct {
	Lang        string
	Title       string
	Description string
	Robots      string
	Company     string
	// Logo and Icon are image addresses, data: URLs for our own files.
	Logo string
	Icon string
	// CSS is the stylesheet inlined into <style>; the CSP allows it by its
	// hash, so it is written as it is, never escaped.
	CSS   string
	Staff *trust.Session
	Site  *content.Site
	// Address is the page's own address, where the language links lead
	// with ?lang= replaced. A page answering a post has none: the post's
	// address has nothing to GET, so its handler names the page the form
	// came from, or the links lead to the home page.
	Address string
	// MailDown, when set, says on the page that mail cannot go out.
	MailDown *MailDown
}

// LangLink is one entry of the language switch.
type LangLink struct {
	Code, Name, Href string
	Current          bool
}

// T translates an interface string into the page's language.
func (p *Page) T(key string, args ...any) string { return i18n.T(p.Lang, key, args...) }

// StatusLabel names a request status in the page's language.
func (p *Page) StatusLabel(s trust.Status) string { return p.T("admin.status." + string(s)) }

// DateTime writes a moment for a reader of the page: the day as the
// language writes dates, the time in UTC, which is what emails state too.
func (p *Page) DateTime(t time.Time) string {
	t = t.UTC()
	return i18n.FormatDate(p.Lang, t) + " " + t.Format("15:04") + " UTC"
}

// DocTitle is a document's title in the page's language: the content file
// may translate it; the store keeps the English one.
func (p *Page) DocTitle(d trust.Document) string {
	if t := p.DocName(d.ID); t != d.ID {
		return t
	}
	return d.Title
}

// DocName is the title of the document with id, as the content file names
// it in the page's language, or the id itself when the file does not.
func (p *Page) DocName(id string) string {
	if p.Site != nil {
		if cd, ok := p.Site.Document(id); ok {
			if t := cd.Title.In(p.Lang); t != "" {
				return t
			}
		}
	}
	return id
}

// DocNames joins the titles of the documents with ids, as the console and
// the status page list a request's documents.
func (p *Page) DocNames(ids []string) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = p.DocName(id)
	}
	return strings.Join(names, "; ")
}

// Places joins place names: Chinese lists them with 、; an English place
// such as "Austin, Texas" holds commas already, so English ones are set
// apart with a middle dot.
func (p *Page) Places(names []string) string {
	if p.Lang == i18n.Chinese {
		return i18n.JoinList(p.Lang, names)
	}
	return strings.Join(names, " · ")
}

// LangQuery is the query of an internal link: params, given as name and
// value pairs, and the reader's explicit language choice, which the link
// carries along unless it is English.
func (p *Page) LangQuery(params ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		q.Add(params[i], params[i+1])
	}
	if p.Lang != i18n.English {
		q.Set("lang", p.Lang)
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// Langs are the language switch: the page's address in each language, its
// other query parameters kept.
func (p *Page) Langs() []LangLink {
	u, err := url.Parse(p.Address)
	if err != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		u = &url.URL{Path: "/"}
	}
	links := make([]LangLink, 0, len(i18n.Languages))
	for _, code := range i18n.Languages {
		q := u.Query()
		q.Set("lang", code)
		href := (&url.URL{Path: u.Path, RawPath: u.RawPath, RawQuery: q.Encode()}).String()
		links = append(links, LangLink{Code: code, Name: i18n.T(code, "lang."+code), Href: href, Current: code == p.Lang})
	}
	return links
}

// pathURL is an internal address ending in one path segment, escaped as
// one, as html/template escaped a value in that place.
func pathURL(prefix, segment string) templ.SafeURL {
	return templ.SafeURL(prefix + url.PathEscape(segment))
}

// prefix is s cut to its first n characters, for digests shown short.
func prefix(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// also is sep and s, or nothing when there is no s.
func also(sep, s string) string {
	if s == "" {
		return ""
	}
	return sep + s
}

// datePattern finds the dates i18n writes, in either language: "30 Sep
// 2026", "September 30, 2026", "Nov 2027", "2026年9月30日", "2027年11月".
var datePattern = regexp.MustCompile(`\d{1,2} [A-Z][a-z]{2} \d{4}|[A-Z][a-z]+ \d{1,2}, \d{4}|[A-Z][a-z]{2} \d{4}|\d{4}年\d{1,2}月(?:\d{1,2}日)?`)

// textRun is a piece of a line: a date, kept on one line, or the text
// between dates.
type textRun struct {
	text string
	date bool
}

// dateRuns cuts s around its dates, so that a line break never falls
// inside one.
func dateRuns(s string) []textRun {
	var out []textRun
	last := 0
	for _, m := range datePattern.FindAllStringIndex(s, -1) {
		if m[0] > last {
			out = append(out, textRun{text: s[last:m[0]]})
		}
		out = append(out, textRun{text: s[m[0]:m[1]], date: true})
		last = m[1]
	}
	if last < len(s) {
		out = append(out, textRun{text: s[last:]})
	}
	return out
}
