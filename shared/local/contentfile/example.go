package contentfile

import (
	"trustcenter/shared/content"
	sitecontent "trustcenter/site/content"
)

// ExampleName is the name Example reports problems under.
const ExampleName = "site/content/example.yaml"

// Example parses the embedded example content (Lumen Ledger, Inc.), which
// doubles as the reference for the content file's format.
func Example() (*content.Site, error) { return Parse(sitecontent.Example, ExampleName) }
