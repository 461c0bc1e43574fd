package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"time"
)

// rendered is one response body kept in memory with its gzip form, so a
// page is rendered and compressed once per content change, not per request.
// API Gateway HTTP APIs do not compress, so we do.
type rendered struct {
	contentType string
	body        []byte
	gz          []byte
	etag        string
}

func newRendered(contentType string, body []byte) *rendered {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(body)
	zw.Close()
	sum := sha256.Sum256(body)
	return &rendered{contentType: contentType, body: body, gz: buf.Bytes(),
		etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
}

// serve answers with the cached body: 304 when the browser's copy is
// current, gzip when the client takes it. maxAge lets browsers and a CDN
// keep the page briefly; revalidation by ETag is cheap after that.
func (c *rendered) serve(w http.ResponseWriter, r *http.Request, maxAge time.Duration) {
	h := w.Header()
	h.Set("Content-Type", c.contentType)
	h.Set("ETag", c.etag)
	h.Set("Vary", "Accept-Encoding, Accept-Language")
	h.Set("Cache-Control", "public, max-age="+itoa(int64(maxAge/time.Second))+", stale-while-revalidate=60")
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, c.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := c.body
	if acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = c.gz
	}
	h.Set("Content-Length", itoa(int64(len(body))))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

func acceptsGzip(r *http.Request) bool {
	for part := range strings.SplitSeq(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && !strings.Contains(strings.ReplaceAll(params, " ", ""), "q=0") {
			return true
		}
		if strings.TrimSpace(name) == "*" && !strings.Contains(params, "q=0") {
			return true
		}
	}
	return false
}

// pageCache keeps rendered bodies by key. A key names everything a body
// depends on (path, language, day, documents' versions), so a stale entry
// is simply never asked for again; the map is cleared when it grows.
type pageCache struct {
	mu      sync.Mutex
	entries map[string]*rendered
}

func (p *pageCache) get(key string, build func() (*rendered, error)) (*rendered, error) {
	p.mu.Lock()
	if e, ok := p.entries[key]; ok {
		p.mu.Unlock()
		return e, nil
	}
	p.mu.Unlock()
	e, err := build()
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	if p.entries == nil || len(p.entries) > 64 {
		p.entries = map[string]*rendered{}
	}
	p.entries[key] = e
	p.mu.Unlock()
	return e, nil
}
