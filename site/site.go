// Package site holds the trust center's HTML templates and static assets,
// embedded into every function binary so a deployment is one file.
package site

import "embed"

// Templates are html/template files: layout.html wraps every page.
//
//go:embed templates/*.html
var Templates embed.FS

// Static assets served under /static/.
//
//go:embed static
var Static embed.FS
