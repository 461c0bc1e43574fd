package trust

import (
	"slices"
	"testing"
)

// TestWarnings: each sign that an upload is not the file meant for the row,
// and none for the right file.
func TestWarnings(t *testing.T) {
	row := Document{ID: "soc2", Title: "SOC 2 Type II report", Kind: "SOC 2 Type II", Version: 2, Size: 1000, SHA256: "cur",
		History: []Version{{Version: 1, SHA256: "old"}, {Version: 2, SHA256: "cur", Size: 1000}}}
	other := Document{ID: "soc1", Title: "SOC 1 Type II report", Version: 1, SHA256: "soc1file"}
	docs := []Document{row, other}
	for _, c := range []struct {
		name string
		info FileInfo
		want []string
	}{
		{"the right file", FileInfo{Size: 900, SHA256: "new", Title: "Acme – SOC 2 Type II Report"}, nil},
		{"no metadata", FileInfo{Size: 900, SHA256: "new"}, nil},
		{"an earlier version", FileInfo{Size: 900, SHA256: "old"}, []string{"publish.warn.same_version"}},
		{"the current version", FileInfo{Size: 1000, SHA256: "cur"}, []string{"publish.warn.same_version"}},
		{"another document's file", FileInfo{Size: 900, SHA256: "soc1file"}, []string{"publish.warn.same_other"}},
		{"another framework", FileInfo{Size: 900, SHA256: "new", Title: "Acme SOC1 Type 2"}, []string{"publish.warn.framework"}},
		{"another framework in the subject", FileInfo{Size: 900, SHA256: "new", Subject: "ISO/IEC 27001 certificate"}, []string{"publish.warn.framework"}},
		{"another type", FileInfo{Size: 900, SHA256: "new", Title: "SOC 2 Type I"}, []string{"publish.warn.type"}},
		{"type 1 in digits", FileInfo{Size: 900, SHA256: "new", Title: "soc 2 type-1"}, []string{"publish.warn.type"}},
		{"much smaller", FileInfo{Size: 499, SHA256: "new"}, []string{"publish.warn.smaller"}},
		{"half the size", FileInfo{Size: 500, SHA256: "new"}, nil},
	} {
		var got []string
		for _, m := range warnings(row, c.info, docs) {
			got = append(got, m.Key)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: warnings %v, want %v", c.name, got, c.want)
		}
	}
	// A first upload has nothing to be smaller than.
	if w := warnings(Document{ID: "soc2", Kind: "SOC 2 Type II"}, FileInfo{Size: 1, SHA256: "x"}, nil); len(w) != 0 {
		t.Errorf("first upload: %v", w)
	}
}

// TestIncomingKeys: only keys incomingKey makes for the document pass.
func TestIncomingKeys(t *testing.T) {
	key := incomingKey("soc2")
	if err := checkIncoming("soc2", key); err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	for _, bad := range []string{"", key[:len(key)-1], "reports/soc2/v1.pdf", "incoming/soc2/../x/" + key[len("incoming/soc2/"):],
		"incoming/soc3/" + key[len("incoming/soc2/"):], "incoming/soc2/sub/" + key[len("incoming/soc2/"):]} {
		if checkIncoming("soc2", bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
