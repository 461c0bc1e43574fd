package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"trustcenter/shared/content"
	"trustcenter/shared/i18n"
	"trustcenter/shared/knowledge"
	"trustcenter/shared/trust"
	"trustcenter/site/pages"
)

// PathKnowledge is the knowledge base: every public entry, or with ?q= a
// search of them.
const PathKnowledge = "/knowledge"

// kbPageSize is how many entries one page of /knowledge shows, so that a
// knowledge base of thousands stays a light page.
const kbPageSize = 20

// maxQuery bounds what a query may hold, in bytes, before it is parsed.
const maxQuery = 200

// kbIndex is the public entries' search index in each language, built on
// first use from the content, which never changes while a function runs.
type kbIndex struct {
	once    sync.Once
	entries []content.Entry
	byLang  map[string]*knowledge.Index
}

func (s *server) knowledgeIndex() *kbIndex {
	k := &s.kb
	k.once.Do(func() {
		k.byLang = map[string]*knowledge.Index{}
		if s.site == nil {
			return
		}
		k.entries = s.site.PublicKnowledge()
		for _, lang := range i18n.Languages {
			docs := make([]knowledge.Doc, len(k.entries))
			for i, e := range k.entries {
				docs[i] = entryDoc(e, lang)
			}
			k.byLang[lang] = knowledge.New(docs)
		}
	})
	return k
}

func entryDoc(e content.Entry, lang string) knowledge.Doc {
	var d knowledge.Doc
	d[knowledge.Question] = e.Question.In(lang)
	d[knowledge.Answer] = e.Answer.In(lang)
	d[knowledge.Category] = e.Category.In(lang)
	// The English tags find the entry too: reviewers type "SOC 2" or
	// "pentest" on the Chinese page as well.
	tags := e.TagsIn(lang)
	if lang != i18n.English {
		tags = append(tags, e.TagsIn(i18n.English)...)
	}
	d[knowledge.Tags] = strings.Join(tags, ", ")
	return d
}

func (s *server) mountKnowledge(m router) {
	m.handle("GET", PathKnowledge, s.knowledgePage)
}

// knowledgePage answers every query with its own page, rendered per
// request: a search of a few thousand entries takes well under a
// millisecond (BenchmarkKnowledgeSearch), so a cache keyed by query would
// save little and grow without bound. The edge may keep a page as long as
// the other public pages if its cache key holds q, page and lang.
func (s *server) knowledgePage(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "kb.heading")
	p.Robots = ""
	q := r.URL.Query()
	raw := strings.TrimSpace(q.Get("q"))
	if len(raw) > maxQuery {
		raw = raw[:maxQuery]
		for !utf8Valid(raw) {
			raw = raw[:len(raw)-1]
		}
	}
	pageNo, _ := strconv.Atoi(q.Get("page"))
	pageNo = max(pageNo, 1)
	docs, _, err := s.documents(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	k := s.knowledgeIndex()
	query := knowledge.Parse(raw)
	var order []int
	if raw == "" {
		order = make([]int, len(k.entries))
		for i := range order {
			order[i] = i
		}
	} else {
		for _, h := range k.byLang[p.Lang].Search(query) {
			order = append(order, h.Doc)
		}
	}
	v := pages.KnowledgeView{Query: raw, Total: len(order)}
	from := min((pageNo-1)*kbPageSize, len(order))
	to := min(from+kbPageSize, len(order))
	for _, i := range order[from:to] {
		v.Entries = append(v.Entries, s.entryView(&p.Page, k.entries[i], query, docs))
	}
	if len(order) > 0 {
		v.First, v.Last = from+1, to
	}
	link := func(n int) string {
		u := url.Values{}
		if raw != "" {
			u.Set("q", raw)
		}
		if n > 1 {
			u.Set("page", strconv.Itoa(n))
		}
		s.keepLang(r, u)
		if len(u) == 0 {
			return PathKnowledge
		}
		return PathKnowledge + "?" + u.Encode()
	}
	if from > 0 {
		v.PrevHref = link(pageNo - 1)
	}
	if to < len(order) {
		v.NextHref = link(pageNo + 1)
	}
	if raw != "" {
		p.Title = p.T("kb.results", v.Total, raw) + " · " + p.Company
	}
	body, err := execute(context.WithoutCancel(r.Context()), pages.Knowledge(&p.Page, v))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Language", p.Lang)
	newRendered("text/html; charset=utf-8", body).serve(w, r, 5*time.Minute, true)
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\x00") == s }

// entryView is e in the page's language with q's words marked, and links
// to the library documents behind it that are published.
func (s *server) entryView(p *pages.Page, e content.Entry, q knowledge.Query, docs []trust.Document) pages.KBEntryView {
	v := pages.KBEntryView{ID: e.ID, Question: knowledge.Mark(e.Question.In(p.Lang), q), Answer: knowledge.Mark(e.Answer.In(p.Lang), q),
		Category: e.Category.In(p.Lang), Tags: e.TagsIn(p.Lang)}
	for _, id := range e.Documents {
		cd, ok := s.site.Document(id)
		if !ok || !slices.ContainsFunc(docs, func(d trust.Document) bool { return d.ID == id }) {
			continue
		}
		v.Docs = append(v.Docs, pages.LinkView{Href: "/" + p.LangQuery() + "#doc-" + id, Label: cd.Title.In(p.Lang)})
	}
	return v
}

// approvedKnowledge is the entries an approved requester's access page
// adds, unmarked.
func (s *server) approvedKnowledge(p *pages.Page, docs []trust.Document) []pages.KBEntryView {
	if s.site == nil {
		return nil
	}
	var out []pages.KBEntryView
	for _, e := range s.site.ApprovedKnowledge() {
		out = append(out, s.entryView(p, e, knowledge.Query{}, docs))
	}
	return out
}

// libraryView is the trust page's library in lang: each shelf's documents
// with their date, description and what it takes to get them. A document
// whose file is not published yet is listed without a link.
func (s *server) libraryView(lang string, docs []trust.Document) pages.LibraryView {
	t := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	langQuery := ""
	if lang != i18n.English {
		langQuery = "&lang=" + url.QueryEscape(lang)
	}
	var v pages.LibraryView
	for _, sh := range s.site.Library() {
		sv := pages.ShelfView{ID: "library-" + string(sh.Category), Heading: t("library.category." + string(sh.Category))}
		for _, d := range sh.Documents {
			dv := pages.LibraryDocView{ID: d.ID, Title: d.Title.In(lang), Kind: d.Kind, Description: d.Description.In(lang),
				Date: i18n.FormatDate(lang, d.Date.Time()), DateISO: d.Date.String()}
			level := d.Access
			if j := slices.IndexFunc(docs, func(x trust.Document) bool { return x.ID == d.ID }); j >= 0 {
				stored := docs[j]
				if stored.Access.Restricted() && level == trust.Public {
					level = stored.Access // the stricter, as the summary offers it
				}
				if level == trust.Public {
					dv.Href, dv.Action = "/documents/"+url.PathEscape(d.ID), t("doc.download")
				} else {
					dv.Href, dv.Action = "/access-requests/new?document="+url.QueryEscape(d.ID)+langQuery, t("library.request")
				}
				dv.Size = fmt.Sprintf("%d KB", (stored.Size+1023)/1024)
			}
			dv.Level, dv.LevelLabel = string(level), t("library.level."+string(level))
			sv.Docs = append(sv.Docs, dv)
		}
		v.Shelves = append(v.Shelves, sv)
	}
	return v
}
