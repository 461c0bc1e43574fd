package contentfile

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"trustcenter/shared/i18n"

	"trustcenter/shared/content"
)

// Problem is one thing wrong with a content file.
type Problem struct {
	Line int    // 1-based; 0 when the problem has no position
	Path string // e.g. certifications[2].periods[0].end; "" for the file
	Msg  string
}

// Error lists every problem found in one content file, in file order, so
// that one failed deploy shows everything to fix rather than the first.
type Error struct {
	File     string
	Problems []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		b.WriteString(": ")
		if p.Path != "" {
			b.WriteString(p.Path + ": ")
		}
		b.WriteString(p.Msg)
	}
	return b.String()
}

// Load reads and checks the content file at path.
func Load(path string) (*content.Site, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	return Parse(data, path)
}

// Parse checks content read from the file called name (used in errors). On
// failure the error is an *Error listing every problem.
func Parse(data []byte, name string) (*content.Site, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, &Error{File: name, Problems: []Problem{syntaxProblem(err)}}
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return nil, &Error{File: name, Problems: []Problem{{Line: 1, Msg: "the file is empty"}}}
	}
	d := &decoder{lines: map[string]int{}}
	var s content.Site
	d.value(root.Content[0], reflect.ValueOf(&s).Elem(), "")
	if len(d.problems) == 0 {
		// Checking meaning on a half-decoded file would mostly repeat the
		// decode errors in other words.
		deriveUpdateIDs(&s)
		deriveLibrary(&s)
		check(&s, d)
	}
	if len(d.problems) > 0 {
		slices.SortStableFunc(d.problems, func(a, b Problem) int { return a.Line - b.Line })
		return nil, &Error{File: name, Problems: d.problems}
	}
	completeLinks(&s)
	// The compiled file states the values in effect rather than leaving the
	// reader to know the defaults.
	s.StaleAfterMonths = s.StaleMonths()
	for i := range s.Certifications {
		s.Certifications[i].Standard = s.Certifications[i].AttestationStandard()
	}
	// Sorted once here; the page and the outputs keep this order (see
	// content.Site.Updates).
	slices.SortStableFunc(s.Updates, func(a, b content.Update) int { return b.Date.Compare(a.Date) })
	return &s, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func syntaxProblem(err error) Problem {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return Problem{Line: line, Msg: "YAML syntax: " + m[2]}
	}
	return Problem{Msg: strings.TrimPrefix(msg, "yaml: ")}
}

// decoder fills the model from the YAML node tree by reflection over the
// yaml struct tags. It is hand-written rather than yaml.Node.Decode because
// it must report every problem with its line and full path, refuse unknown
// fields, and record where each value sits for the checks that follow.
type decoder struct {
	problems []Problem
	lines    map[string]int // path → line where it is written
}

func (d *decoder) add(line int, path, format string, args ...any) {
	d.problems = append(d.problems, Problem{Line: line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// lineOf finds the line of path, or of its nearest present ancestor when
// the value is missing (a missing field is reported where its parent is).
func (d *decoder) lineOf(path string) int {
	for {
		if l, ok := d.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return d.lines[""]
		}
		path = path[:i]
	}
}

// has reports whether path was written in the file.
func (d *decoder) has(path string) bool {
	_, ok := d.lines[path]
	return ok
}

var (
	textType = reflect.TypeFor[content.Text]()
	dateType = reflect.TypeFor[content.Date]()
	timeType = reflect.TypeFor[time.Time]()
)

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (d *decoder) value(n *yaml.Node, v reflect.Value, path string) {
	// Aliases are followed. One pointing at its own ancestor cannot loop:
	// each step descends one level of the model's types, which do not nest
	// themselves, and unknown fields are reported rather than entered.
	// Problems with the value itself are reported where the alias is.
	line := n.Line
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	d.lines[path] = line
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return // an empty value is a missing one; the checks decide if it may be
	}
	switch v.Type() {
	case textType:
		d.text(n, v, path)
		return
	case dateType:
		if n.Kind != yaml.ScalarNode {
			d.add(line, path, "want a date (YYYY-MM-DD), got %s", kindName(n))
			return
		}
		date, err := content.ParseDate(n.Value)
		if err != nil {
			d.add(line, path, "%v", err)
			return
		}
		v.Set(reflect.ValueOf(date))
		return
	case timeType:
		t, ok := parseInstant(n)
		if !ok {
			d.add(line, path, "%s is not a date or time (want YYYY-MM-DD or RFC 3339)", kindName(n))
			return
		}
		v.Set(reflect.ValueOf(t))
		return
	}
	switch v.Kind() {
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.add(line, path, "want text, got %s", kindName(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Int:
		i, err := strconv.Atoi(n.Value)
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || err != nil {
			d.add(line, path, "want a whole number, got %s", kindName(n))
			return
		}
		v.SetInt(int64(i))
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.add(line, path, "want a list, got %s", kindName(n))
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content)))
		for i, c := range n.Content {
			d.value(c, v.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Struct:
		d.mapping(n, v, path)
	default:
		panic(fmt.Sprintf("content: no decoder for %s at %s", v.Type(), path))
	}
}

func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.add(d.lines[path], path, "want a mapping of fields, got %s", kindName(n))
		return
	}
	fields := map[string]int{}
	var names []string
	for i, f := range reflect.VisibleFields(v.Type()) {
		if name, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); name != "" && name != "-" {
			fields[name] = i
			names = append(names, name)
		}
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key := k.Value
		if k.Kind != yaml.ScalarNode {
			d.add(k.Line, path, "field names must be plain words, got %s", kindName(k))
			continue
		}
		if seen[key] {
			d.add(k.Line, join(path, key), "field given twice")
			continue
		}
		seen[key] = true
		idx, ok := fields[key]
		if !ok {
			msg := fmt.Sprintf("unknown field %q", key)
			if s := suggest(key, names); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			d.add(k.Line, path, "%s", msg)
			continue
		}
		d.value(val, v.Field(idx), join(path, key))
		// The key's line, not the value's: for a block value the value
		// starts a line later, and a field missing inside it reads best
		// reported at the key that opens the block.
		d.lines[join(path, key)] = k.Line
	}
}

func (d *decoder) text(n *yaml.Node, v reflect.Value, path string) {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Value != "" {
			v.Set(reflect.ValueOf(content.Text{i18n.English: n.Value}))
		}
		return
	case yaml.MappingNode:
	default:
		d.add(d.lines[path], path, "want text or a map of language to text, got %s", kindName(n))
		return
	}
	t := content.Text{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		lang := k.Value
		switch {
		case !i18n.Supported(lang):
			d.add(k.Line, path, "unknown language %q (want one of %s)", lang, strings.Join(i18n.Languages, ", "))
		case t[lang] != "":
			d.add(k.Line, join(path, lang), "language given twice")
		case val.Kind != yaml.ScalarNode || val.ShortTag() == "!!null" || val.Value == "":
			d.add(val.Line, join(path, lang), "want text, got %s", kindName(val))
		default:
			d.lines[join(path, lang)] = val.Line
			t[lang] = val.Value
		}
	}
	if t[i18n.English] == "" {
		// English is what every other language falls back to.
		d.add(n.Line, path, "no English (en) text")
	}
	v.Set(reflect.ValueOf(t))
}

func parseInstant(n *yaml.Node) (time.Time, bool) {
	if n.Kind != yaml.ScalarNode {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339, n.Value); err == nil {
		return t.UTC(), true
	}
	if d, err := content.ParseDate(n.Value); err == nil {
		return d.Time(), true
	}
	return time.Time{}, false
}

// suggest returns the known name closest to a misspelt one, if any is close.
func suggest(key string, names []string) string {
	norm := func(s string) string {
		return strings.NewReplacer("_", "", "-", "", " ", "").Replace(strings.ToLower(s))
	}
	best, bestDist := "", 3
	for _, name := range names {
		if norm(name) == norm(key) {
			return name
		}
		if dist := levenshtein(key, name); dist < bestDist {
			best, bestDist = name, dist
		}
	}
	return best
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
