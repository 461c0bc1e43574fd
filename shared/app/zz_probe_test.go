package app_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"
	"trustcenter/shared/browsertest"
)

func TestZZProbe(t *testing.T) {
	var origin string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Referrer-Policy", "no-referrer")
		if r.Method == "POST" {
			origin = r.Header.Get("Origin")
		}
		fmt.Fprint(w, `<form method=post action=/x><button id=b>go</button></form>`)
	}))
	defer srv.Close()
	ctx := browsertest.New(t)
	browsertest.Navigate(t, ctx, srv.URL)
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.ID("b"))); err != nil {
		t.Fatal(err)
	}
	t.Logf("Origin on POST: %q", origin)
}
