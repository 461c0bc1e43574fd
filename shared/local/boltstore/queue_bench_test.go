package boltstore_test

import (
	"path/filepath"
	"testing"

	"trustcenter/shared/local/boltstore"
	"trustcenter/shared/testkit/queuebench"
)

// BenchmarkQueuePage renders the console's queue pages over a bbolt file
// holding queuebench.Requests requests.
func BenchmarkQueuePage(b *testing.B) {
	s, err := boltstore.Open(filepath.Join(b.TempDir(), "trust.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	queuebench.Seed(b, s, queuebench.Requests)
	queuebench.Pages(b, s)
}
