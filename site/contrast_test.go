package site

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestTimelineContrast: the marks of the coverage timeline stand out from
// its track by at least 3:1 (WCAG's bar for graphics a reader must make
// out), in the light scheme and the dark one.
func TestTimelineContrast(t *testing.T) {
	css, err := Static.ReadFile("static/site.css")
	if err != nil {
		t.Fatal(err)
	}
	light := customProperties(t, string(css), ":root{")
	dark := customProperties(t, string(css), "@media (prefers-color-scheme:dark){:root{")
	for name, scheme := range map[string]map[string]string{"light": light, "dark": dark} {
		// The dark scheme sets only what it changes.
		vars := map[string]string{}
		for k, v := range light {
			vars[k] = v
		}
		for k, v := range scheme {
			vars[k] = v
		}
		for _, pair := range [][2]string{{"--mark", "--track"}, {"--bridge", "--track"}, {"--today", "--track"}, {"--today", "--card"}} {
			r := contrast(t, vars[pair[0]], vars[pair[1]])
			if r < 3 {
				t.Errorf("%s: %s (%s) on %s (%s) is %.2f:1, want at least 3:1", name, pair[0], vars[pair[0]], pair[1], vars[pair[1]], r)
			}
		}
	}
}

var property = regexp.MustCompile(`(--[a-z]+):(#[0-9a-fA-F]{6})`)

// customProperties are the colours set in the first block opened by
// prefix.
func customProperties(t *testing.T, css, prefix string) map[string]string {
	t.Helper()
	i := strings.Index(css, prefix)
	if i < 0 {
		t.Fatalf("site.css has no %q", prefix)
	}
	block := css[i+len(prefix):]
	block = block[:strings.IndexByte(block, '}')]
	out := map[string]string{}
	for _, m := range property.FindAllStringSubmatch(block, -1) {
		out[m[1]] = m[2]
	}
	return out
}

// contrast is the WCAG 2 contrast ratio of two #rrggbb colours.
func contrast(t *testing.T, a, b string) float64 {
	t.Helper()
	la, lb := luminance(t, a), luminance(t, b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func luminance(t *testing.T, hex string) float64 {
	t.Helper()
	if len(hex) != 7 || hex[0] != '#' {
		t.Fatalf("%q is not a #rrggbb colour", hex)
	}
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			t.Fatalf("%q: %v", hex, err)
		}
		c := float64(v) / 255
		if c <= 0.04045 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += w * c
	}
	return l
}

func TestContrastRatio(t *testing.T) {
	if r := contrast(t, "#000000", "#ffffff"); math.Abs(r-21) > 0.01 {
		t.Errorf("black on white is %.2f:1, want 21:1", r)
	}
	if r := contrast(t, "#777777", "#ffffff"); math.Abs(r-4.48) > 0.01 {
		t.Errorf("#777 on white is %.2f:1, want 4.48:1", r)
	}
}
