package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"

	"trustcenter/shared/trust"
	"trustcenter/site"
)

// Static assets are served under names that carry a hash of their bytes
// (site.css as site.1a2b3c4d5e.css), so a browser or CloudFront may keep
// one for a year without asking again: a changed file is a new name, and
// pages name the current one. The plain name still answers, for links
// from elsewhere, but must be revalidated every time, so it is never
// served stale after a deploy; a hashed name of bytes we no longer have
// is not found rather than answered with other bytes.
const (
	immutableCache = "public, max-age=31536000, immutable"
	revalidate     = "public, no-cache"
)

// asset is one file of site/static in memory, with its hashed name. Its
// served form (with gzip) is made on first use, so functions that never
// serve /static/ (all but the public one) link no compressor for it.
type asset struct {
	name, hashed, contentType string
	data                      []byte
	once                      sync.Once
	served                    *rendered
}

func (a *asset) body() *rendered {
	a.once.Do(func() { a.served = newRendered(a.contentType, a.data) })
	return a.served
}

// contentTypes are the types of the files site/static may hold; the mime
// package's table would do, at the cost of its init in every function.
var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
	".jpeg": "image/jpeg", ".webp": "image/webp", ".ico": "image/x-icon", ".woff2": "font/woff2", ".txt": "text/plain; charset=utf-8",
}

// assetSet is every static file by plain and by hashed name, read once.
type assetSet struct {
	byName, byHashed map[string]*asset
}

// staticAssets is read at start from the embedded folder; it never changes
// while the process runs.
var staticAssets = loadAssets(site.Static, "static")

func loadAssets(fsys fs.FS, dir string) assetSet {
	set := assetSet{byName: map[string]*asset{}, byHashed: map[string]*asset{}}
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, dir+"/")
		sum := sha256.Sum256(b)
		ext := path.Ext(name)
		a := &asset{name: name, hashed: strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext, data: b,
			contentType: contentTypes[strings.ToLower(ext)]}
		if a.contentType == "" {
			a.contentType = "application/octet-stream"
		}
		set.byName[a.name], set.byHashed[a.hashed] = a, a
		return nil
	})
	if err != nil {
		panic(err) // embedded at build time
	}
	return set
}

// url is the address pages use for the static file at p ("/static/x.svg"):
// its hashed name when p is one of ours, p itself otherwise.
func (set assetSet) url(p string) string {
	if name, ok := strings.CutPrefix(p, "/static/"); ok {
		if a := set.byName[name]; a != nil {
			return "/static/" + a.hashed
		}
	}
	return p
}

// serveStatic answers GET /static/{name}: hashed names immutable for a
// year, plain names revalidated on every use, anything else not found.
func (s *server) serveStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("proxy")
	if a := staticAssets.byHashed[name]; a != nil {
		a.body().serveWith(w, r, immutableCache, false)
		return
	}
	if a := staticAssets.byName[name]; a != nil {
		a.body().serveWith(w, r, revalidate, false)
		return
	}
	s.fail(w, r, trust.Errorf(trust.ENotFound, "not found"))
}
