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

	"trustcenter/shared/i18n"
)

// rendered is one response body kept in memory with its gzip form, so a
// page is rendered and compressed once per content change, not per request.
// API Gateway HTTP APIs do not compress, so we do.
type rendered struct {
	contentType string
	body, gz    []byte
	// The two bodies are different representations, so each has its own
	// strong ETag; a cache holding one must not revalidate it as the other.
	etag, gzEtag string
}

func newRendered(contentType string, body []byte) *rendered {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(body)
	zw.Close()
	sum := sha256.Sum256(body)
	tag := base64.RawURLEncoding.EncodeToString(sum[:12])
	return &rendered{contentType: contentType, body: body, gz: buf.Bytes(), etag: `"` + tag + `"`, gzEtag: `"` + tag + `-gz"`}
}

// serve answers with the cached body: gzip when the client takes it, and
// 304 when the browser's copy of that representation is current. maxAge
// lets browsers and a CDN keep the page briefly; revalidation by ETag is
// cheap after that. byLang says whether the body depends on the reader's
// language, which caches must then tell apart.
func (c *rendered) serve(w http.ResponseWriter, r *http.Request, maxAge time.Duration, byLang bool) {
	c.serveWith(w, r, "public, max-age="+itoa(int64(maxAge/time.Second))+", stale-while-revalidate=60", byLang)
}

// serveWith is serve with the Cache-Control header given whole.
func (c *rendered) serveWith(w http.ResponseWriter, r *http.Request, cacheControl string, byLang bool) {
	h := w.Header()
	gz := acceptsGzip(r)
	body, etag := c.body, c.etag
	if gz {
		body, etag = c.gz, c.gzEtag
	}
	h.Set("Content-Type", c.contentType)
	h.Set("ETag", etag)
	if byLang {
		h.Set("Vary", "Accept-Encoding, Accept-Language")
	} else {
		h.Set("Vary", "Accept-Encoding")
	}
	h.Set("Cache-Control", cacheControl)
	if etagMatch(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if gz {
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", itoa(int64(len(body))))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// etagMatch reports whether an If-None-Match list names etag, by the weak
// comparison RFC 9110 (section 13.1.2) prescribes for it: a W/ prefix is
// ignored, and "*" matches any current representation.
func etagMatch(header, etag string) bool {
	for tag := range strings.SplitSeq(header, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || strings.TrimPrefix(tag, "W/") == etag {
			return true
		}
	}
	return false
}

// acceptsGzip reports whether the client takes a gzip body: gzip (or its
// old name x-gzip) listed with a weight above 0, or, when not listed at
// all, the * wildcard with one.
func acceptsGzip(r *http.Request) bool {
	gz, star := -1.0, -1.0
	for part := range strings.SplitSeq(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(part, ";")
		switch name = strings.TrimSpace(name); {
		case strings.EqualFold(name, "gzip"), strings.EqualFold(name, "x-gzip"):
			gz = max(gz, i18n.QValue(params))
		case name == "*":
			star = max(star, i18n.QValue(params))
		}
	}
	if gz >= 0 {
		return gz > 0
	}
	return star > 0
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
