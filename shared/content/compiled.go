package content

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

// compiledFormat marks the JSON form of a checked content file. The Lambda
// functions read that form instead of the YAML: the check runs once, at
// build time (`make build`), and the YAML parser stays out of the deployed
// binaries.
const compiledFormat = "trustcenter-content/1"

type compiled struct {
	Format string
	Site   *Site
}

// Compile is the JSON form of s, a site that contentfile.Parse or Load
// returned.
func Compile(s *Site) ([]byte, error) {
	data, err := json.MarshalIndent(compiled{compiledFormat, s}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	return append(data, '\n'), nil
}

// LoadCompiled reads a file Compile wrote. It refuses anything else, a YAML
// file or a JSON file with fields Compile does not write, so a deployment
// cannot ship content that skipped the check.
func LoadCompiled(path string) (*Site, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c compiled
	if err := dec.Decode(&c); err != nil || c.Format != compiledFormat || c.Site == nil {
		return nil, fmt.Errorf("content: %s is not a compiled content file (make build writes one from the YAML: go run ./functions/local compile <content.yaml> <out.json>)", path)
	}
	return c.Site, nil
}

// UnmarshalText parses YYYY-MM-DD, as MarshalText writes it.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}
