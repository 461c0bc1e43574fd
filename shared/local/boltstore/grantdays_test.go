package boltstore

import (
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"trustcenter/shared/trust"
)

// A store written before the day counters existed gets them built from its
// grants index when it is opened.
func TestGrantDaysBuiltOnOpen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "trust.db")
	s, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for i, ends := range []time.Time{now.Add(-time.Hour), now.Add(time.Hour), now.AddDate(0, 0, 3)} {
		r := trust.Request{ID: "req-" + string(rune('a'+i)), Email: "ada@example.com", Status: trust.Approved, CreatedAt: now, ExpiresAt: ends, GrantID: "g"}
		if err := s.Commit(ctx, trust.Tx{Request: &r}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(btx *bolt.Tx) error {
		if err := btx.DeleteBucket(bucketGrantDays); err != nil {
			return err
		}
		return btx.Bucket(bucketQCounts).Delete(grantDaysMark)
	})
	if cerr := db.Close(); err != nil || cerr != nil {
		t.Fatal(err, cerr)
	}

	s, err = Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.QueueCounts(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if c.Approved != 2 || c.Expired != 1 {
		t.Errorf("QueueCounts after building the day counters = %+v, want 2 approved and 1 expired", c)
	}
}
