package boltstore

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"trustcenter/shared/trust"
)

// The console's queue and accounts: indexes written with every request in
// writeRequest's transaction, so each page is a walk of one key range.
var (
	bucketConfirmed = []byte("requests_confirmed")   // time id → empty, every confirmed request
	bucketByDomain  = []byte("requests_by_domain")   // domain(len-prefixed) time id → empty
	bucketGrants    = []byte("grants_by_expiry")     // expiry time id → empty, approved requests
	bucketQCounts   = []byte("queue_counts")         // status → count (8 bytes); "indexed" once built
	bucketAccounts  = []byte("accounts")             // domain → Account
	bucketActivity  = []byte("accounts_by_activity") // time domain → empty
)

func init() {
	allBuckets = append(allBuckets, bucketConfirmed, bucketByDomain, bucketGrants, bucketQCounts, bucketAccounts, bucketActivity)
}

var indexedMark = []byte("\x00indexed")

// indexQueueOnce builds the queue indexes of a store written before they
// existed, once: every request is indexed as if it were written anew.
func indexQueueOnce(btx *bolt.Tx) error {
	counts := btx.Bucket(bucketQCounts)
	if counts.Get(indexedMark) != nil {
		return nil
	}
	err := btx.Bucket(bucketRequests).ForEach(func(k, v []byte) error {
		r, _, err := get[trust.Request](btx.Bucket(bucketRequests), "request", k)
		if err != nil {
			return err
		}
		return indexQueue(btx, nil, r)
	})
	if err != nil {
		return fmt.Errorf("index the queue: %w", err)
	}
	if err := counts.Put(grantDaysMark, []byte{1}); err != nil {
		return err
	}
	return counts.Put(indexedMark, []byte{1})
}

func confirmedKey(r trust.Request) []byte {
	return append(timeKey(r.CreatedAt), r.ID...)
}

func domainKey(r trust.Request) []byte {
	k := append(lenPrefixed(trust.AccountDomain(r.Email)), timeKey(r.CreatedAt)...)
	return append(k, r.ID...)
}

func grantKey(r trust.Request) []byte {
	return append(timeKey(r.ExpiresAt), r.ID...)
}

func activityKey(a trust.Account) []byte {
	return append(timeKey(a.LastActivity), a.Domain...)
}

// indexQueue moves r's index entries from where old had them and applies
// the write to the counters and to its account.
func indexQueue(btx *bolt.Tx, old *trust.Request, r trust.Request) error {
	type entry struct {
		b   []byte
		key func(trust.Request) []byte
		in  func(trust.Request) bool
	}
	confirmed := func(x trust.Request) bool { return x.Status != trust.Unconfirmed }
	entries := []entry{
		{bucketConfirmed, confirmedKey, confirmed},
		{bucketByDomain, domainKey, confirmed},
		{bucketGrants, grantKey, func(x trust.Request) bool { return x.Status == trust.Approved }},
	}
	for _, e := range entries {
		b := btx.Bucket(e.b)
		if old != nil && e.in(*old) {
			if err := b.Delete(e.key(*old)); err != nil {
				return err
			}
		}
		if e.in(r) {
			if err := b.Put(e.key(r), []byte{}); err != nil {
				return err
			}
		}
	}
	counts := btx.Bucket(bucketQCounts)
	for st, n := range trust.CountChange(old, r) {
		if err := addCount(counts, []byte(st), n); err != nil {
			return err
		}
	}
	if err := countGrantDays(btx, old, r); err != nil {
		return err
	}
	return updateAccount(btx, trust.AccountOf(old, r), func(a *trust.Account) bool { return trust.ApplyToAccount(a, old, r) })
}

func countAccountDownload(btx *bolt.Tx, email string, at time.Time) error {
	domain := trust.AccountDomain(email)
	if domain == "" {
		return nil
	}
	return updateAccount(btx, domain, func(a *trust.Account) bool {
		trust.AccountDownload(a, domain, at)
		return true
	})
}

func updateAccount(btx *bolt.Tx, domain string, change func(*trust.Account) bool) error {
	if domain == "" {
		return nil
	}
	accts, act := btx.Bucket(bucketAccounts), btx.Bucket(bucketActivity)
	a, found, err := get[trust.Account](accts, "account", []byte(domain))
	if err != nil {
		return err
	}
	before := activityKey(a)
	if !change(&a) {
		return nil
	}
	a.Version++
	if found {
		if err := act.Delete(before); err != nil {
			return err
		}
	}
	if err := act.Put(activityKey(a), []byte{}); err != nil {
		return err
	}
	return put(accts, []byte(domain), a)
}

func (s *Store) QueueCounts(ctx context.Context, now time.Time) (trust.QueueCounts, error) {
	var c trust.QueueCounts
	err := s.view(ctx, func(btx *bolt.Tx) error {
		counts := btx.Bucket(bucketQCounts)
		n := func(st trust.Status) int { return readCount(counts.Get([]byte(st))) }
		c.Pending, c.Denied, c.Revoked = n(trust.Pending), n(trust.Denied), n(trust.Revoked)
		c.Approved = activeGrants(btx, now)
		c.Expired = n(trust.Approved) - c.Approved
		return nil
	})
	return c, fail("queue counts", err)
}

// activeFrom is the first grant key still active at now: a grant is
// active while now is before its end.
func activeFrom(now time.Time) []byte { return timeKey(now.Add(time.Nanosecond)) }

// keyRange is a range of keys [lo, hi) of one bucket; a nil hi is the end.
type keyRange struct {
	bucket []byte
	lo, hi []byte
	tag    string // names the index in cursors, so one cannot be used on another
	idAt   int    // where the request id starts in a key
}

func prefixEnd(p []byte) []byte {
	end := bytes.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

func (s *Store) QueryRequests(ctx context.Context, q trust.RequestQuery) ([]trust.Request, string, error) {
	if q.Limit <= 0 {
		return nil, "", trust.Errorf(trust.EInvalid, "The page size must be positive.")
	}
	var kr keyRange
	switch q.Index {
	case trust.ByStatus:
		if !slices.Contains(trust.Statuses, q.Status) {
			return nil, "", trust.Errorf(trust.EInvalid, "Unknown status %q.", q.Status)
		}
		p := statusPrefix(q.Status)
		kr = keyRange{bucketByStatus, p, prefixEnd(p), "status:" + string(q.Status), len(p) + timeKeyLen}
	case trust.AllConfirmed:
		kr = keyRange{bucketConfirmed, nil, nil, "all", timeKeyLen}
	case trust.DomainIndex:
		if q.Domain == "" {
			return nil, "", trust.Errorf(trust.EInvalid, "The domain is empty.")
		}
		p := lenPrefixed(q.Domain)
		kr = keyRange{bucketByDomain, p, prefixEnd(p), "domain:" + q.Domain, len(p) + timeKeyLen}
	case trust.ActiveGrants:
		kr = keyRange{bucketGrants, activeFrom(q.Now), nil, "grants", timeKeyLen}
	case trust.ExpiredGrants:
		kr = keyRange{bucketGrants, nil, activeFrom(q.Now), "grants", timeKeyLen}
	default:
		return nil, "", trust.Errorf(trust.EInvalid, "Unknown index %q.", q.Index)
	}
	after, err := decodeKeyCursor(q.Cursor, kr.tag)
	if err != nil {
		return nil, "", err
	}
	var (
		reqs []trust.Request
		next string
	)
	err = s.view(ctx, func(btx *bolt.Tx) error {
		reqsB := btx.Bucket(bucketRequests)
		var last []byte
		return walk(btx.Bucket(kr.bucket).Cursor(), kr.lo, kr.hi, after, q.Oldest, func(k []byte) (bool, error) {
			if len(reqs) == q.Limit {
				next = encodeKeyCursor(kr.tag, last)
				return false, nil
			}
			if len(k) <= kr.idAt {
				return false, corrupt("queue index entry", k, errors.New("short key"))
			}
			r, found, err := get[trust.Request](reqsB, "request", k[kr.idAt:])
			if err != nil {
				return false, err
			}
			if !found {
				return false, corrupt("queue index entry without request", k, errors.New("dangling"))
			}
			reqs = append(reqs, r)
			last = bytes.Clone(k)
			return true, nil
		})
	})
	if err != nil {
		return nil, "", fail("query requests", err)
	}
	return reqs, next, nil
}

// walk visits the keys of [lo, hi) after the key after (exclusive; nil:
// from the range's start), ascending when forward, until fn says stop.
func walk(c *bolt.Cursor, lo, hi, after []byte, forward bool, fn func(k []byte) (bool, error)) error {
	below := func(k []byte) bool { return hi == nil || bytes.Compare(k, hi) < 0 }
	if forward {
		var k []byte
		if after != nil && bytes.Compare(after, lo) >= 0 {
			k, _ = c.Seek(after)
			if k != nil && bytes.Equal(k, after) {
				k, _ = c.Next()
			}
		} else if lo == nil {
			k, _ = c.First()
		} else {
			k, _ = c.Seek(lo)
		}
		for ; k != nil && below(k); k, _ = c.Next() {
			if ok, err := fn(k); !ok || err != nil {
				return err
			}
		}
		return nil
	}
	bound := hi
	if after != nil && (bound == nil || bytes.Compare(after, bound) < 0) {
		bound = after
	}
	var k []byte
	if bound == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Seek(bound)
		if k == nil {
			k, _ = c.Last()
		}
		for k != nil && bytes.Compare(k, bound) >= 0 {
			k, _ = c.Prev()
		}
	}
	for ; k != nil && bytes.Compare(k, lo) >= 0; k, _ = c.Prev() {
		if ok, err := fn(k); !ok || err != nil {
			return err
		}
	}
	return nil
}

func encodeKeyCursor(tag string, k []byte) string {
	return base64.RawURLEncoding.EncodeToString(append(append([]byte(tag), 0), k...))
}

func decodeKeyCursor(c, tag string) ([]byte, error) {
	if c == "" {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	p := append([]byte(tag), 0)
	if err != nil || !bytes.HasPrefix(raw, p) || len(raw) <= len(p)+timeKeyLen {
		return nil, trust.Errorf(trust.EInvalid, "The page cursor is not valid.")
	}
	return raw[len(p):], nil
}

func (s *Store) ListAccounts(ctx context.Context, cursor string, limit int) ([]trust.Account, string, error) {
	if limit <= 0 {
		return nil, "", trust.Errorf(trust.EInvalid, "The page size must be positive.")
	}
	after, err := decodeKeyCursor(cursor, "accounts")
	if err != nil {
		return nil, "", err
	}
	var (
		accts []trust.Account
		next  string
	)
	err = s.view(ctx, func(btx *bolt.Tx) error {
		b := btx.Bucket(bucketAccounts)
		var last []byte
		return walk(btx.Bucket(bucketActivity).Cursor(), nil, nil, after, false, func(k []byte) (bool, error) {
			if len(accts) == limit {
				next = encodeKeyCursor("accounts", last)
				return false, nil
			}
			a, found, err := get[trust.Account](b, "account", k[timeKeyLen:])
			if err != nil || !found {
				return false, corrupt("account index entry", k, errors.Join(err, errors.New("dangling")))
			}
			accts = append(accts, a)
			last = bytes.Clone(k)
			return true, nil
		})
	})
	if err != nil {
		return nil, "", fail("list accounts", err)
	}
	return accts, next, nil
}

func (s *Store) GetAccount(ctx context.Context, domain string) (trust.Account, error) {
	return getByID[trust.Account](ctx, s, bucketAccounts, "account", domain)
}
