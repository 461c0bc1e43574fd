package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"trustcenter/shared/testkit/modroot"
)

// AxeTags are the axe-core rule tags the audit runs: WCAG 2.0, 2.1 and 2.2 at
// levels A and AA. (WCAG 2.2 added no level A criteria that axe tags
// separately, hence no wcag22a.)
var AxeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// axeTimeout bounds one audit, so that a page that never settles fails with
// a clear message instead of the test binary's global timeout.
const axeTimeout = 60 * time.Second

// Violation is one axe-core rule that failed on the page.
type Violation struct {
	ID      string          `json:"id"`
	Impact  string          `json:"impact"`
	Help    string          `json:"help"`
	HelpURL string          `json:"helpUrl"`
	Nodes   []ViolationNode `json:"nodes"`
}

// ViolationNode is one element that fails a rule.
type ViolationNode struct {
	// Target holds CSS selectors for the element, one per document from the
	// top frame down when it sits inside iframes; a selector that crosses
	// shadow roots is joined with " >>> ".
	Target         []string `json:"target"`
	HTML           string   `json:"html"`
	FailureSummary string   `json:"failureSummary"`
}

// Axe audits the current page and fails the test, listing every violation,
// when axe-core finds any. It uses t.Errorf, so the test can still collect
// screenshots or further audits afterwards.
func Axe(t testing.TB, ctx context.Context) {
	t.Helper()
	violations, err := AxeViolations(ctx)
	if err != nil {
		t.Fatalf("axe audit: %v", err)
	}
	if len(violations) > 0 {
		t.Errorf("%s", FormatViolations(violations))
	}
}

// FormatViolations renders violations as a readable report for a test log.
func FormatViolations(violations []Violation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "axe found %d accessibility violation(s):", len(violations))
	for _, v := range violations {
		fmt.Fprintf(&b, "\n- %s [%s]: %s", v.ID, v.Impact, v.Help)
		if v.HelpURL != "" {
			fmt.Fprintf(&b, " (%s)", v.HelpURL)
		}
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n    at %s", strings.Join(n.Target, " >>> "))
			if n.HTML != "" {
				fmt.Fprintf(&b, "  %s", n.HTML)
			}
		}
	}
	return b.String()
}

// AxeViolations injects axe-core into the current page, if it is not there
// yet, runs it with AxeTags and returns the violations it reports.
func AxeViolations(ctx context.Context) ([]Violation, error) {
	src, err := axeSource()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, axeTimeout)
	defer cancel()

	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	if err != nil {
		return nil, fmt.Errorf("checking for axe-core: %w", err)
	}
	if !loaded {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
			return nil, fmt.Errorf("injecting axe-core: %w", err)
		}
	}
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]Violation](axeRunScript(), chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("running axe-core: %w", err)
	}
	return violations, nil
}

// axeRunScript runs axe over the whole document and keeps only the fields of
// Violation, which also flattens the nested selector arrays axe uses for
// shadow DOM into strings.
func axeRunScript() string {
	tags := `"` + strings.Join(AxeTags, `","`) + `"`
	return `axe.run(document, {runOnly: {type: "tag", values: [` + tags + `]}, resultTypes: ["violations"]})
  .then(r => r.violations.map(v => ({
    id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({
      target: n.target.map(s => Array.isArray(s) ? s.join(" >>> ") : String(s)),
      html: n.html, failureSummary: n.failureSummary || ""
    }))
  })))`
}

var (
	axeOnce sync.Once
	axeJS   string
	axeErr  error
)

// axeSource reads tools/node_modules/axe-core/axe.min.js from the module root once
// per test binary; the file is about half a megabyte.
func axeSource() (string, error) {
	axeOnce.Do(func() {
		root, err := modroot.Find()
		if err != nil {
			axeErr = err
			return
		}
		path := filepath.Join(root, "tools", "node_modules", "axe-core", "axe.min.js")
		b, err := os.ReadFile(path)
		if err != nil {
			axeErr = fmt.Errorf("reading axe-core (run `make test-deps` or `npm ci` at the module root): %w", err)
			return
		}
		axeJS = string(b)
	})
	return axeJS, axeErr
}
