package localapp_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestTrustPageIsCachedAndSmall: / comes compressed, within its 30 KB
// budget, complete in the first response, and revalidates with a 304.
func TestTrustPageIsCachedAndSmall(t *testing.T) {
	h := boot(t, nil)
	get := func(hdr map[string]string) response {
		req, _ := http.NewRequest(http.MethodGet, h.base+"/", nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		// The transport must not decompress behind our back.
		res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return response{Status: res.StatusCode, Header: res.Header, Body: string(b)}
	}
	zipped := get(map[string]string{"Accept-Encoding": "gzip, br"})
	if zipped.Status != http.StatusOK || zipped.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("/ with gzip: %d %v", zipped.Status, zipped.Header)
	}
	if n := len(zipped.Body); n > 30<<10 {
		t.Errorf("/ is %d bytes gzipped, over the 30 KB budget for HTML and CSS", n)
	}
	zhZipped := get(map[string]string{"Accept-Encoding": "gzip", "Accept-Language": "zh-CN"})
	if n := len(zhZipped.Body); n > 30<<10 {
		t.Errorf("/ in Chinese is %d bytes gzipped, over the 30 KB budget for HTML and CSS", n)
	}
	t.Logf("/ gzipped: %d bytes in English, %d in Chinese", len(zipped.Body), len(zhZipped.Body))
	zr, err := gzip.NewReader(strings.NewReader(zipped.Body))
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(zr)
	plain := get(nil)
	if plain.Header.Get("Content-Encoding") != "" || !bytes.Equal(html, []byte(plain.Body)) {
		t.Fatal("the gzip and plain bodies differ")
	}
	for _, want := range []string{"<style>", "SOC 2 Type II", "Halden &amp; Ruiz LLP", `property="og:title"`, `href="/updates.atom"`} {
		if !strings.Contains(plain.Body, want) {
			t.Errorf("/ lacks %q", want)
		}
	}
	// The JSON-LD is data for crawlers, which no browser runs or fetches.
	code := strings.ReplaceAll(plain.Body, `<script type="application/ld+json">`, "")
	if strings.Contains(code, "<script") || strings.Contains(plain.Body, `rel="stylesheet"`) {
		t.Error("/ needs another request or a script to be complete")
	}
	etag := zipped.Header.Get("ETag")
	if etag == "" || !strings.Contains(zipped.Header.Get("Cache-Control"), "max-age=") || !strings.Contains(zipped.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("caching headers: %v", zipped.Header)
	}
	if res := get(map[string]string{"If-None-Match": etag, "Accept-Encoding": "gzip"}); res.Status != http.StatusNotModified || res.Body != "" {
		t.Fatalf("revalidation: %d", res.Status)
	}
	zh := get(map[string]string{"Accept-Language": "zh-CN,zh;q=0.9"})
	if zh.Header.Get("ETag") == plain.Header.Get("ETag") || !strings.Contains(zh.Body, `lang="zh-CN"`) {
		t.Error("the Chinese page is not a page of its own")
	}
}

// TestMachineReadable: the companions of the page answer with their types
// and parse.
func TestMachineReadable(t *testing.T) {
	h := boot(t, nil)
	cases := []struct {
		path, contentType string
		check             func(body string) error
	}{
		{"/trust.json", "application/json", func(b string) error {
			var v struct {
				Certifications []struct{ Status string } `json:"certifications"`
				Documents      []struct {
					ID, Access string
					Size       int64
				} `json:"documents"`
			}
			if err := json.Unmarshal([]byte(b), &v); err != nil {
				return err
			}
			if len(v.Certifications) != 4 || len(v.Documents) != 12 || v.Documents[0].Size == 0 { // the library: 3 reports and 9 more
				return fmt.Errorf("certifications %d, documents %+v", len(v.Certifications), v.Documents)
			}
			return nil
		}},
		{"/updates.atom", "application/atom+xml", func(b string) error {
			var f struct {
				Entries []struct{ Title string } `xml:"entry"`
			}
			if err := xml.Unmarshal([]byte(b), &f); err != nil {
				return err
			}
			if len(f.Entries) == 0 {
				return fmt.Errorf("no entries")
			}
			return nil
		}},
		{"/.well-known/security.txt", "text/plain", func(b string) error {
			if !strings.Contains(b, "Contact: mailto:") || !strings.Contains(b, "Expires: ") {
				return fmt.Errorf("%q", b)
			}
			return nil
		}},
		{"/sitemap.xml", "application/xml", func(b string) error {
			var s struct {
				URLs []struct {
					Loc string `xml:"loc"`
				} `xml:"url"`
			}
			if err := xml.Unmarshal([]byte(b), &s); err != nil {
				return err
			}
			if len(s.URLs) == 0 || !strings.HasPrefix(s.URLs[0].Loc, h.base) {
				return fmt.Errorf("%+v", s.URLs)
			}
			locs := map[string]bool{}
			for _, u := range s.URLs {
				locs[strings.TrimPrefix(u.Loc, h.base)] = true
			}
			for _, p := range []string{"/knowledge", "/verify", "/subscriptions/new"} {
				for _, want := range []string{p + "?lang=en", p + "?lang=zh-CN"} {
					if !locs[want] {
						return fmt.Errorf("no %s in %+v", want, s.URLs)
					}
				}
			}
			return nil
		}},
		{"/robots.txt", "text/plain", func(b string) error {
			if !strings.Contains(b, "Sitemap: ") || !strings.Contains(b, "Disallow: /admin/") {
				return fmt.Errorf("%q", b)
			}
			return nil
		}},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			res := h.get(c.path)
			if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), c.contentType) {
				t.Fatalf("%d %q", res.Status, res.Header.Get("Content-Type"))
			}
			if err := c.check(res.Body); err != nil {
				t.Fatal(err)
			}
		})
	}
}
