package contentfile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ImportCSV converts a questionnaire's answers, as a spreadsheet exports
// them (CSV with the columns question, answer, category, in that order, a
// header row optional), into the content file's knowledge section: YAML to
// append to the file, where each entry is a plain (English) Text ready to
// be translated, tagged or linked to documents. Quoted fields may hold
// commas, quotes and line breaks; a UTF-8 byte-order mark, which Excel
// writes, is skipped. Every row's problem is reported with its line.
func ImportCSV(r io.Reader, name string) ([]byte, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1 // checked below, with a clearer message
	type entry struct {
		Question string `yaml:"question"`
		Answer   string `yaml:"answer"`
		Category string `yaml:"category"`
	}
	var entries []entry
	var problems []string
	for first := true; ; first = false {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if first && isHeader(rec) {
			continue
		}
		if len(rec) != 3 {
			problems = append(problems, fmt.Sprintf("%s:%d: %d columns, want 3 (question, answer, category)", name, line, len(rec)))
			continue
		}
		e := entry{Question: clean(rec[0]), Answer: clean(rec[1]), Category: clean(rec[2])}
		for _, f := range []struct{ name, v string }{{"question", e.Question}, {"answer", e.Answer}, {"category", e.Category}} {
			if f.v == "" {
				problems = append(problems, fmt.Sprintf("%s:%d: the %s is empty", name, line, f.name))
			}
		}
		entries = append(entries, e)
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("%s: no rows", name)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(map[string][]entry{"knowledge": entries}); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return buf.Bytes(), nil
}

func isHeader(rec []string) bool {
	return len(rec) == 3 && strings.EqualFold(strings.TrimSpace(rec[0]), "question") &&
		strings.EqualFold(strings.TrimSpace(rec[1]), "answer") && strings.EqualFold(strings.TrimSpace(rec[2]), "category")
}

// clean trims a cell and gives its line breaks one form, so that an answer
// exported on Windows reads the same.
func clean(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}
