package stamp

import (
	"regexp"
	"slices"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// idPattern finds a canonical watermark ID inside metadata or drawn text.
var idPattern = regexp.MustCompile(`WM-[` + alphabet + `]{4}-[` + alphabet + `]{4}`)

// FindID reads the watermark ID back from a stamped copy, for tracing a
// leak: first from the document information, where Stamp records it, then,
// when a tool has dropped that, from the text drawn on the pages. A file
// without either is refused with ErrNoID; one stamped several times (a copy
// of a copy) with ErrSeveralIDs, whose message lists them.
func FindID(data []byte) (id string, err error) {
	ctx, err := open(data)
	if err != nil {
		return "", err
	}
	if id, err := ParseID(ctx.Properties[IDKey]); err == nil {
		return id, nil
	}
	if found := idPattern.FindAllString(ctx.Keywords, -1); len(found) > 0 {
		return oneID(found)
	}
	defer catch(&err, "reading its pages")
	var found []string
	for _, entry := range ctx.XRefTable.Table {
		if entry == nil || entry.Free || entry.Object == nil {
			continue
		}
		sd, ok := entry.Object.(types.StreamDict)
		// Images are most of a report's bytes and never hold the mark.
		if !ok || sd.Subtype() != nil && *sd.Subtype() == "Image" {
			continue
		}
		if err := sd.Decode(); err != nil {
			continue
		}
		found = append(found, idPattern.FindAllString(string(sd.Content), -1)...)
	}
	return oneID(found)
}

func oneID(found []string) (string, error) {
	slices.Sort(found)
	found = slices.Compact(found)
	switch len(found) {
	case 0:
		return "", ErrNoID
	case 1:
		return found[0], nil
	}
	return "", &Error{kind: ErrSeveralIDs, note: strings.Join(found, ", ")}
}
