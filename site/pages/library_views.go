package pages

import "trustcenter/shared/knowledge"

// LibraryView is the trust page's document library: one shelf per
// category.
type LibraryView struct {
	Shelves []ShelfView
}

// ShelfView is one category of the library.
type ShelfView struct {
	ID, Heading string
	Docs        []LibraryDocView
}

// LibraryDocView is one document as the library lists it.
type LibraryDocView struct {
	ID, Title, Kind, Description string
	Date, DateISO                string
	// Level is the access level ("public", "nda", "gated"), LevelLabel
	// what it means to the reader.
	Level, LevelLabel string
	// Href downloads a public document or opens the form with this one
	// ticked; "" while its file is not published.
	Href, Action string
	Size         string
}

// KnowledgeView is /knowledge: a query's ranked results, or without one
// every public entry, a page at a time.
type KnowledgeView struct {
	Query   string
	Entries []KBEntryView
	// Total is how many entries matched (or exist, without a query);
	// First and Last number the ones on this page.
	Total, First, Last int
	PrevHref, NextHref string
}

// KBEntryView is one entry, its question and answer with the query's
// words marked.
type KBEntryView struct {
	ID       string
	Question []knowledge.Segment
	Answer   []knowledge.Segment
	Category string
	Tags     []string
	Docs     []LinkView
}

// LinkView is a labelled link.
type LinkView struct {
	Href, Label string
}
