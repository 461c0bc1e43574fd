// Package sitecontent embeds the example content file. It exists because an
// embed directive only reaches files in its own package's directory, and the
// content file belongs with the site rather than with the Go code that
// reads it (package contentfile, which exposes it as contentfile.Example).
package sitecontent

import _ "embed"

// Example is site/content/example.yaml, byte for byte.
//
//go:embed example.yaml
var Example []byte
