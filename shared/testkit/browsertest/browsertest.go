// Package browsertest gives other packages' tests a real headless Chromium:
// a browser per test, full-page screenshots saved as build artifacts, and an
// axe-core accessibility audit of the current page against WCAG 2.x A and
// AA. Chromium and axe-core are test dependencies (`make test-deps` and the
// module's package.json); a missing browser fails the test instead of
// skipping it, so that a broken environment cannot hide broken pages.
package browsertest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"trustcenter/shared/testkit/childproc"
	"trustcenter/shared/testkit/modroot"
)

// DefaultChromium is used when the CHROMIUM environment variable is empty.
const DefaultChromium = "/usr/bin/chromium"

// startTimeout bounds the browser launch, which is the step most likely to
// hang on a broken installation.
const startTimeout = 60 * time.Second

// closeTimeout bounds the graceful close at the end of a test; after it the
// browser is killed.
const closeTimeout = 15 * time.Second

// New starts a headless Chromium with a fresh profile and returns a chromedp
// context for one tab of it. The browser is stopped when the test ends.
//
// The browser comes from $CHROMIUM, or DefaultChromium. When it is missing
// the test fails with instructions, unless SKIP_BROWSER=1, in which case the
// test is skipped.
func New(t testing.TB) context.Context {
	t.Helper()
	execPath := os.Getenv("CHROMIUM")
	if execPath == "" {
		execPath = DefaultChromium
	}
	if _, err := exec.LookPath(execPath); err != nil {
		if os.Getenv("SKIP_BROWSER") == "1" {
			t.Skipf("skipping browser test: Chromium not found at %s and SKIP_BROWSER=1", execPath)
		}
		t.Fatalf("Chromium not found at %s (%v): run `make test-deps`, set CHROMIUM to the browser's path, "+
			"or set SKIP_BROWSER=1 to skip browser tests", execPath, err)
	}

	output := &childproc.Output{}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(execPath),
		chromedp.Flag("headless", true),
		// Test machines and containers often run as root, where the
		// sandbox cannot start.
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		// The next flags keep the browser from talking to Google's
		// services, so tests neither depend on the network nor slow down.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		// Containers often give /dev/shm only 64 MB, which crashes tabs.
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.CombinedOutput(output),
	)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		// A graceful close lets Chromium's helper processes exit before
		// t.TempDir removes the profile they write to; a kill would not.
		closeCtx, stop := context.WithTimeout(ctx, closeTimeout)
		if err := chromedp.Cancel(closeCtx); err != nil && !errors.Is(err, context.Canceled) {
			t.Logf("closing Chromium: %v", err)
		}
		stop()
		cancel()
		cancelAlloc()
		// Chromium is noisy even when healthy, so its output is only
		// worth reading when something went wrong.
		if log := browserLog(output.String()); t.Failed() && log != "" {
			t.Logf("Chromium output (last %d lines, D-Bus noise removed):\n%s", maxLogLines, log)
		}
	})

	// The first action launches the browser and ties it to the context it
	// runs with, so a deadline on that context would later kill the browser.
	// A timer that cancels only while the launch is pending avoids that.
	watchdog := time.AfterFunc(startTimeout, cancel)
	err := chromedp.Do(ctx)
	if !watchdog.Stop() && err == nil {
		err = errors.New("launch timed out")
	}
	if err != nil {
		t.Fatalf("starting Chromium %s: %v\n%s", execPath, err, browserLog(output.String()))
	}
	return ctx
}

// Navigate loads url in the tab and waits for its load event.
func Navigate(t testing.TB, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("navigating to %s: %v", url, err)
	}
}

// ModuleRoot returns the directory of the nearest go.mod above the working
// directory, which `go test` sets to the package under test.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

const maxLogLines = 40

// browserLog trims Chromium's output to what can explain a failure: the
// last lines, without the D-Bus errors every container run prints.
func browserLog(out string) string {
	var keep []string
	for line := range strings.Lines(out) {
		if strings.Contains(line, "dbus") || strings.TrimSpace(line) == "" {
			continue
		}
		keep = append(keep, strings.TrimRight(line, "\n"))
	}
	if len(keep) > maxLogLines {
		keep = keep[len(keep)-maxLogLines:]
	}
	return strings.Join(keep, "\n")
}

// artifactName keeps screenshot names to safe file-name characters, so that
// a test name with slashes or spaces cannot escape the artifacts directory.
func artifactName(name string) string {
	name = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '-'
	}, name)
	name = strings.Trim(name, ".-")
	if name == "" {
		name = "screenshot"
	}
	return name
}
