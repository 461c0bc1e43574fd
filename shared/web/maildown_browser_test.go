package web

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"trustcenter/shared/testkit/browsertest"
	"trustcenter/shared/trust"
)

// TestMailDownNoticeInABrowser: the request form with mail failing, as a
// requester sees it, at desktop and phone widths, light and dark, in both
// languages: screenshots in artifacts/screenshots/ and axe on each.
func TestMailDownNoticeInABrowser(t *testing.T) {
	store := &mailDownStore{fakeStore: &fakeStore{}}
	d := newDeps(t, store.fakeStore, nil)
	d.Service = trust.New(trust.Config{BaseURL: "https://trust.example"}, trust.Engines{Store: store})
	srv := httptest.NewServer(New(d, Public, Access))
	t.Cleanup(srv.Close)
	ctx := browsertest.New(t)
	for _, lang := range []string{"en", "zh-CN"} {
		browsertest.Navigate(t, ctx, srv.URL+"/access-requests/new?lang="+lang)
		for _, v := range []struct {
			width, height int
			scheme        string
		}{{1280, 900, "light"}, {1280, 900, "dark"}, {375, 740, "light"}, {375, 740, "dark"}} {
			step, cancel := context.WithTimeout(ctx, 20*time.Second)
			err := chromedp.Do(step, chromedp.EmulateViewport(int64(v.width), int64(v.height)), chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
				_, err := cdp.Call(ctx, tgt, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
					Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: v.scheme}},
				})
				return err
			}))
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			browsertest.Axe(t, ctx)
			browsertest.Screenshot(t, ctx, "mail-down-form-"+lang+"-"+v.scheme+"-"+itoa(int64(v.width)), v.width, v.height)
		}
	}
}
