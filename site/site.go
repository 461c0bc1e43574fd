// Package site holds the trust center's static assets, embedded into every
// function binary so a deployment is one file. The pages are in
// site/pages, as templ components.
package site

import "embed"

// Static assets served under /static/.
//
//go:embed static
var Static embed.FS
