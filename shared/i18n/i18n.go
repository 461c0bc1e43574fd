// Package i18n holds the interface strings of the public trust center in
// English and Simplified Chinese and picks the language for a request.
//
// The catalogs are JSON files embedded from messages/<lang>/, one file per
// area of the product (core, console, mail, ...), so that a translator can
// edit them without touching Go code and two areas never edit one file. A
// key defined in two files of one language is a build defect. English is the reference catalog:
// every other catalog must have exactly its keys (a test enforces this), and
// a lookup that still misses falls back to English rather than showing a
// blank.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Supported language tags. The first is the default and the fallback.
const (
	English = "en"
	Chinese = "zh-CN"
)

// Languages lists the supported tags, the default first.
var Languages = []string{English, Chinese}

//go:embed messages
var files embed.FS

var catalogs = mustLoad()

func mustLoad() map[string]map[string]string {
	out := make(map[string]map[string]string, len(Languages))
	for _, lang := range Languages {
		m, err := load(lang)
		if err != nil {
			// The catalogs are compiled in, so a broken one is a build
			// defect; failing at start-up beats serving key names.
			panic(fmt.Sprintf("i18n: catalog %s: %v", lang, err))
		}
		out[lang] = m
	}
	return out
}

// catalogFiles lists the files of lang's catalog, sorted.
func catalogFiles(lang string) ([]string, error) {
	entries, err := files.ReadDir("messages/" + lang)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
			names = append(names, "messages/"+lang+"/"+e.Name())
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no files")
	}
	return names, nil
}

func load(lang string) (map[string]string, error) {
	names, err := catalogFiles(lang)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, name := range names {
		data, err := files.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var m map[string]string
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for k, v := range m {
			if _, dup := out[k]; dup {
				return nil, fmt.Errorf("%s: key %q is defined in another file too", name, k)
			}
			out[k] = v
		}
	}
	return out, nil
}

// Supported reports whether lang is one of Languages, exactly.
func Supported(lang string) bool { return slices.Contains(Languages, lang) }

// Keys returns the message keys of lang's catalog, sorted.
func Keys(lang string) []string {
	keys := make([]string, 0, len(catalogs[lang]))
	for k := range catalogs[lang] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Has reports whether the English catalog defines key.
func Has(key string) bool {
	_, ok := catalogs[English][key]
	return ok
}

// T returns the message key in lang, formatted with args as by fmt.Sprintf
// when args are given. A key missing from lang falls back to English; a key
// missing everywhere comes back as the key itself, so a forgotten entry is
// visible on the page instead of silently empty.
func T(lang, key string, args ...any) string {
	msg, ok := catalogs[lang][key]
	if !ok {
		msg, ok = catalogs[English][key]
	}
	if !ok {
		return key
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// Plural is T for a message about a count n, its only argument. When n is
// 1 the key+".one" form is used if it exists: English needs "1 day";
// Chinese has no plural and repeats the same text there.
func Plural(lang, key string, n int) string {
	if n == 1 {
		one := key + ".one"
		if _, ok := catalogs[lang][one]; ok {
			return T(lang, one, n)
		}
	}
	return T(lang, key, n)
}

// FormatDate writes the calendar day of t (in t's location) the way a
// reader of lang expects it: "September 30, 2025" or "2025年9月30日".
func FormatDate(lang string, t time.Time) string {
	if lang == Chinese {
		return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
	}
	return t.Format("January 2, 2006")
}

// FormatShortDate is FormatDate for compact lines where several dates
// share one row: "1 Oct 2025". Chinese dates are short already.
func FormatShortDate(lang string, t time.Time) string {
	if lang == Chinese {
		return FormatDate(lang, t)
	}
	return t.Format("2 Jan 2006")
}

// FormatMonth writes the month of t, for dates known only roughly, such
// as when a next report is expected: "Nov 2027" or "2027年11月".
func FormatMonth(lang string, t time.Time) string {
	if lang == Chinese {
		return fmt.Sprintf("%d年%d月", t.Year(), int(t.Month()))
	}
	return t.Format("Jan 2006")
}

// JoinList joins the items of an inline list as lang writes one: "a, b, c"
// in English; Chinese separates list items with the enumeration comma 、,
// which a comma in Chinese text would read as a clause break.
func JoinList(lang string, items []string) string {
	if lang == Chinese {
		return strings.Join(items, "、")
	}
	return strings.Join(items, ", ")
}

// maxRanges bounds the work spent on one Accept-Language header; real
// browsers send a handful of ranges, and the header is attacker-controlled.
const maxRanges = 32

// Negotiate picks the page language: the ?lang= query value if it names a
// language we have, otherwise the best-ranked Accept-Language range we can
// serve, otherwise English.
func Negotiate(acceptLanguage, query string) string {
	if lang := match(query); lang != "" {
		return lang
	}
	type choice struct {
		lang string
		q    float64
	}
	var choices []choice
	n := 0
	for part := range strings.SplitSeq(acceptLanguage, ",") {
		if n++; n > maxRanges {
			break
		}
		tag, params, _ := strings.Cut(part, ";")
		q := QValue(params)
		if q == 0 {
			continue // q=0 means "not acceptable"
		}
		if lang := match(tag); lang != "" {
			choices = append(choices, choice{lang, q})
		}
	}
	// Stable, so that equal weights keep the order the client sent.
	slices.SortStableFunc(choices, func(a, b choice) int {
		switch {
		case a.q > b.q:
			return -1
		case a.q < b.q:
			return 1
		}
		return 0
	})
	if len(choices) > 0 {
		return choices[0].lang
	}
	return English
}

// QValue is the weight one member of an Accept-style header list gives
// itself (RFC 9110, section 12.4.2); params is what follows the member's
// first ";". Without a q parameter the weight is 1; a malformed or
// out-of-range one counts as 0, since it states no preference.
func QValue(params string) float64 {
	q := 1.0
	for p := range strings.SplitSeq(params, ";") {
		name, value, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || !(v >= 0 && v <= 1) { // NaN too
			v = 0
		}
		q = v
	}
	return q
}

// match maps a language tag to a supported language, or "" when we have
// nothing for it. Every Simplified Chinese variant maps to zh-CN; Traditional
// Chinese (zh-TW, zh-HK, zh-Hant) does not, because serving Simplified text
// to those readers is a choice they should make with ?lang=.
func match(tag string) string {
	t := strings.ToLower(strings.TrimSpace(tag))
	t = strings.ReplaceAll(t, "_", "-")
	switch {
	case t == "":
		return ""
	case t == "en" || strings.HasPrefix(t, "en-"):
		return English
	case t == "zh" || t == "zh-cn" || t == "zh-sg" || t == "zh-hans" || strings.HasPrefix(t, "zh-hans-"):
		return Chinese
	}
	return ""
}
