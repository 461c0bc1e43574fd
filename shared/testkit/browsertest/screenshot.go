package browsertest

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Screenshot sets the viewport to width x height CSS pixels, captures the
// whole page (not just the viewport) as a PNG and writes it to
// artifacts/screenshots/<name>.png under the module root. It returns the
// file's path. The viewport size stays in effect for later actions.
func Screenshot(t testing.TB, ctx context.Context, name string, width, height int) string {
	t.Helper()
	if width <= 0 || height <= 0 {
		t.Fatalf("screenshot %q: invalid viewport %dx%d", name, width, height)
	}
	png, err := chromedp.Run(ctx, fullPage(width, height))
	if err != nil {
		t.Fatalf("screenshot %q: %v", name, err)
	}
	dir := filepath.Join(ModuleRoot(t), "artifacts", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, artifactName(name)+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// fullPage captures the page at a fixed width and its full scroll height.
// chromedp's FullScreenshot captures only the viewport's height, so the clip
// is computed from the layout metrics here.
func fullPage(width, height int) chromedp.Action[[]byte] {
	return func(ctx context.Context, tgt *chromedp.Target) ([]byte, error) {
		if _, err := chromedp.EmulateViewport(int64(width), int64(height))(ctx, tgt); err != nil {
			return nil, err
		}
		metrics, err := cdp.Call(ctx, tgt, page.GetLayoutMetrics, cdp.Empty{})
		if err != nil {
			return nil, err
		}
		h := float64(height)
		if metrics.CSSContentSize != nil {
			h = math.Max(h, math.Ceil(metrics.CSSContentSize.Height))
		}
		beyond, fromSurface := true, true
		res, err := cdp.Call(ctx, tgt, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format:                page.CaptureScreenshotFormatPng,
			CaptureBeyondViewport: &beyond,
			FromSurface:           &fromSurface,
			Clip:                  &page.Viewport{Width: float64(width), Height: h, Scale: 1},
		})
		if err != nil {
			return nil, err
		}
		return res.Data, nil
	}
}
