package boltstore

import (
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"trustcenter/shared/trust"
)

// bucketGrantDays counts the approved grants by the UTC day their access
// ends (trust.GrantDayChange), so the tab counts read the days ahead and
// today's grants rather than every active grant.
var bucketGrantDays = []byte("grants_by_end_day") // "2006-01-02" → count (8 bytes)

func init() { allBuckets = append(allBuckets, bucketGrantDays) }

// grantDaysMark says the day counters cover every grant: set when the
// queue is indexed from scratch (indexQueue keeps them), or once the
// counters of a store indexed before they existed are built.
var grantDaysMark = []byte("\x00grant days")

func addCount(b *bolt.Bucket, k []byte, n int) error {
	v := int64(0)
	if c := b.Get(k); len(c) == 8 {
		v = int64(binary.BigEndian.Uint64(c))
	}
	return b.Put(k, binary.BigEndian.AppendUint64(nil, uint64(v+int64(n))))
}

func readCount(v []byte) int {
	if len(v) != 8 {
		return 0
	}
	return int(int64(binary.BigEndian.Uint64(v)))
}

func countGrantDays(btx *bolt.Tx, old *trust.Request, r trust.Request) error {
	b := btx.Bucket(bucketGrantDays)
	for day, n := range trust.GrantDayChange(old, r) {
		if err := addCount(b, []byte(day), n); err != nil {
			return err
		}
	}
	return nil
}

// countGrantDaysOnce builds the day counters from the grants index, once.
func countGrantDaysOnce(btx *bolt.Tx) error {
	counts := btx.Bucket(bucketQCounts)
	if counts.Get(grantDaysMark) != nil {
		return nil
	}
	days := btx.Bucket(bucketGrantDays)
	err := btx.Bucket(bucketGrants).ForEach(func(k, _ []byte) error {
		if len(k) < timeKeyLen {
			return fmt.Errorf("grant key %x is too short", k)
		}
		return addCount(days, []byte(trust.GrantDay(keyTime(k))), 1)
	})
	if err != nil {
		return fmt.Errorf("count grants by end day: %w", err)
	}
	return counts.Put(grantDaysMark, []byte{1})
}

// keyTime is the time timeKey wrote at the start of k.
func keyTime(k []byte) time.Time {
	sec := int64(binary.BigEndian.Uint64(k[:8]) ^ (1 << 63))
	return time.Unix(sec, int64(binary.BigEndian.Uint32(k[8:timeKeyLen]))).UTC()
}

// activeGrants counts the grants active at now: the day counters after
// today, and today's grants that end after now.
func activeGrants(btx *bolt.Tx, now time.Time) int {
	n := 0
	tomorrow := trust.DayAfter(now)
	cur := btx.Bucket(bucketGrantDays).Cursor()
	for k, v := cur.Seek([]byte(trust.GrantDay(tomorrow))); k != nil; k, v = cur.Next() {
		n += readCount(v)
	}
	end := timeKey(tomorrow)
	gc := btx.Bucket(bucketGrants).Cursor()
	for k, _ := gc.Seek(activeFrom(now)); k != nil && string(k[:timeKeyLen]) < string(end); k, _ = gc.Next() {
		n++
	}
	return n
}
