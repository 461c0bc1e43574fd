// Package boltstore is the embedded trust.Store engine: one bbolt file, for
// running the trust center on a laptop or a single server without AWS.
//
// Values are JSON. Orderings the interface promises (requests by status and
// age, events by subject and time, the outbox by age) are kept as index keys
// written in the same bolt transaction as the values, so they cannot drift.
// Times in keys are fixed-width big-endian, so byte order is time order.
package boltstore

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"trustcenter/shared/trust"
)

var (
	bucketRequests = []byte("requests")           // id → Request
	bucketByStatus = []byte("requests_by_status") // status 0x00 time id → empty
	bucketEvents   = []byte("events")             // subject(len-prefixed) time id → Event
	bucketDocs     = []byte("documents")          // id → Document
	bucketSessions = []byte("sessions")           // id → Session
	bucketUses     = []byte("uses")               // id → Use
	bucketOutbox   = []byte("outbox")             // time id → Mail
	bucketMailKeys = []byte("mail_keys")          // id → outbox key, while the mail is pending
	bucketSent     = []byte("sent_mails")         // id → end of retention, once the mail is sent or given up
	bucketGivenUp  = []byte("undeliverable")      // id → keptMail, once the mail is given up
	bucketSuppress = []byte("suppressions")       // address → Suppression
	bucketRates    = []byte("rates")              // key(len-prefixed) window length start → expiry count
	bucketCounts   = []byte("download_counts")    // document(len-prefixed) day → expiry count
	bucketCopies   = []byte("copies")             // grant(len-prefixed) document(len-prefixed) version → Copy
	bucketMarks    = []byte("watermarks")         // watermark id → copies key
	bucketRules    = []byte("rules")              // "current" → RuleSet
)

var allBuckets = [][]byte{
	bucketRequests, bucketByStatus, bucketEvents, bucketDocs, bucketSessions,
	bucketUses, bucketOutbox, bucketMailKeys, bucketSent, bucketRates, bucketCounts,
	bucketCopies, bucketMarks, bucketRules, bucketGivenUp, bucketSuppress,
	bucketNDAs, bucketAcceptances,
}

// openTimeout bounds the wait for the file lock: a second process on the same
// file gets a clear error instead of hanging.
const openTimeout = time.Second

// Store is a trust.Store in one bbolt file.
type Store struct {
	db    *bolt.DB
	clock trust.Clock
}

var _ trust.Store = (*Store)(nil)

// Open opens or creates the store at path, creating its directory. clock
// (nil: the system's) dates what the store expires on its own: the sweeps
// (at open and by Sweep) and the retention of sent mails.
func Open(path string, clock trust.Clock) (*Store, error) {
	return open(path, openTimeout, clock)
}

func open(path string, timeout time.Duration, clock trust.Clock) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("boltstore: create directory for %s: %w", path, err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("boltstore: open %s: the file is locked, probably by another running trust center: %w", path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		if err := indexQueueOnce(tx); err != nil {
			return err
		}
		if err := countGrantDaysOnce(tx); err != nil {
			return err
		}
		return sweep(tx, clock.Now())
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("boltstore: initialize %s: %w", path, err)
	}
	return &Store{db: db, clock: clock}, nil
}

// Close releases the file.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("boltstore: close: %w", err)
	}
	return nil
}

// Sweep deletes what has expired (see sweep). bbolt has no TTL; the local
// server calls this on its ticker, so expiry on one machine lags DynamoDB's
// by at most the tick.
func (s *Store) Sweep(ctx context.Context) error {
	return fail("sweep", s.update(ctx, func(tx *bolt.Tx) error { return sweep(tx, s.clock.Now()) }))
}

// sweep deletes what DynamoDB would have expired by TTL: used tokens,
// sessions, sent mails' ids, rate and download counters past their end,
// and unconfirmed requests past their PurgeAt. It runs at open and on
// Sweep, which keeps the hot paths free of it.
func sweep(tx *bolt.Tx, now time.Time) error {
	expired := func(bucket []byte, ends func(v []byte) (time.Time, error)) error {
		b := tx.Bucket(bucket)
		var dead [][]byte
		err := b.ForEach(func(k, v []byte) error {
			end, err := ends(v)
			if err != nil {
				return fmt.Errorf("%s %q: %w", bucket, k, err)
			}
			if !end.After(now) {
				dead = append(dead, bytes.Clone(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		// Deleting while iterating skips keys in bbolt, hence two passes.
		for _, k := range dead {
			if err := b.Delete(k); err != nil {
				return fmt.Errorf("sweep %s: %w", bucket, err)
			}
		}
		return nil
	}
	err := expired(bucketUses, func(v []byte) (time.Time, error) {
		var u trust.Use
		err := json.Unmarshal(v, &u)
		return u.ExpiresAt, err
	})
	if err != nil {
		return err
	}
	err = expired(bucketSessions, func(v []byte) (time.Time, error) {
		var s trust.Session
		err := json.Unmarshal(v, &s)
		return s.ExpiresAt, err
	})
	if err != nil {
		return err
	}
	err = expired(bucketSent, func(v []byte) (time.Time, error) {
		end, err := decodeInstant(v)
		return time.Unix(0, end), err
	})
	if err != nil {
		return err
	}
	err = expired(bucketGivenUp, func(v []byte) (time.Time, error) {
		var k keptMail
		err := json.Unmarshal(v, &k)
		return k.Until, err
	})
	if err != nil {
		return err
	}
	counter := func(v []byte) (time.Time, error) {
		end, _, err := decodeRate(v)
		return time.Unix(0, end), err
	}
	if err := expired(bucketRates, counter); err != nil {
		return err
	}
	if err := expired(bucketCounts, counter); err != nil {
		return err
	}
	return purgeRequests(tx, now)
}

// purgeRequests deletes the requests whose PurgeAt has passed, with their
// status index entries and any trail. Only unconfirmed requests have one,
// so only that part of the status index is walked.
func purgeRequests(tx *bolt.Tx, now time.Time) error {
	reqs, index, events := tx.Bucket(bucketRequests), tx.Bucket(bucketByStatus), tx.Bucket(bucketEvents)
	prefix := statusPrefix(trust.Unconfirmed)
	var dead []trust.Request
	c := index.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		id := k[len(prefix)+timeKeyLen:]
		r, found, err := get[trust.Request](reqs, "request", id)
		if err != nil {
			return err
		}
		if found && !r.PurgeAt.IsZero() && !r.PurgeAt.After(now) {
			dead = append(dead, r)
		}
	}
	for _, r := range dead {
		if err := index.Delete(statusKey(r)); err != nil {
			return fmt.Errorf("purge request %q: %w", r.ID, err)
		}
		if err := reqs.Delete([]byte(r.ID)); err != nil {
			return fmt.Errorf("purge request %q: %w", r.ID, err)
		}
		var trail [][]byte
		p := lenPrefixed(r.ID)
		ec := events.Cursor()
		for k, _ := ec.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = ec.Next() {
			trail = append(trail, bytes.Clone(k))
		}
		for _, k := range trail {
			if err := events.Delete(k); err != nil {
				return fmt.Errorf("purge trail of %q: %w", r.ID, err)
			}
		}
	}
	return nil
}

// fail turns an engine error into a domain error; domain errors raised inside
// a transaction pass through unchanged.
func fail(op string, err error) error {
	if err == nil {
		return nil
	}
	var de *trust.Error
	if errors.As(err, &de) {
		return err
	}
	return trust.Unavailable(fmt.Errorf("boltstore: %s: %w", op, err))
}

// corrupt reports a stored value that cannot be decoded: a bug or a damaged
// file, not something a retry fixes.
func corrupt(what string, key []byte, err error) error {
	return &trust.Error{Code: trust.EInternal, Message: "Internal error.", Err: fmt.Errorf("boltstore: decode %s %q: %w", what, key, err)}
}

// getByID reads the value under id in bucket, ENotFound if there is none.
func getByID[T any](ctx context.Context, s *Store, bucket []byte, what, id string) (T, error) {
	var v T
	err := s.view(ctx, func(btx *bolt.Tx) error {
		var found bool
		var err error
		v, found, err = get[T](btx.Bucket(bucket), what, []byte(id))
		if err == nil && !found {
			err = trust.Errorf(trust.ENotFound, "The %s does not exist.", what)
		}
		return err
	})
	return v, fail("get "+what, err)
}

func get[T any](b *bolt.Bucket, what string, key []byte) (T, bool, error) {
	var v T
	raw := b.Get(key)
	if raw == nil {
		return v, false, nil
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, false, corrupt(what, key, err)
	}
	return v, true, nil
}

func put(b *bolt.Bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode value of %q: %w", key, err)
	}
	if err := b.Put(key, raw); err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	return nil
}

// timeKey is 12 bytes that sort like the instant: seconds with the sign bit
// flipped, then nanoseconds.
func timeKey(t time.Time) []byte {
	k := make([]byte, 12)
	binary.BigEndian.PutUint64(k, uint64(t.Unix())^(1<<63))
	binary.BigEndian.PutUint32(k[8:], uint32(t.Nanosecond()))
	return k
}

const timeKeyLen = 12

// lenPrefixed makes a variable-length key component safe to use as a
// prefix: "req-a" can then never match the keys of "req-ab".
func lenPrefixed(s string) []byte {
	k := binary.AppendUvarint(nil, uint64(len(s)))
	return append(k, s...)
}

func statusPrefix(st trust.Status) []byte {
	return append([]byte(st), 0)
}

func statusKey(r trust.Request) []byte {
	k := append(statusPrefix(r.Status), timeKey(r.CreatedAt)...)
	return append(k, r.ID...)
}

func eventKey(e trust.Event) []byte {
	k := append(lenPrefixed(e.Subject), timeKey(e.At)...)
	return append(k, e.ID...)
}

func outboxKey(m trust.Mail) []byte {
	return append(timeKey(m.CreatedAt), m.ID...)
}

// Commit writes tx in one bolt transaction: any error rolls all of it back.
// trust.CheckTx judges the arguments first; then every new item is checked
// against what is stored right before it is put.
func (s *Store) Commit(ctx context.Context, tx trust.Tx) error {
	if err := trust.CheckTx(tx); err != nil {
		return err
	}
	err := s.update(ctx, func(btx *bolt.Tx) error {
		if tx.Request != nil {
			if err := writeRequest(btx, *tx.Request, tx.IfVersion); err != nil {
				return err
			}
		}
		uses := btx.Bucket(bucketUses)
		for _, u := range tx.Uses {
			if uses.Get([]byte(u.ID)) != nil {
				return trust.Errorf(trust.EConflict, "This link has already been used.")
			}
			if err := put(uses, []byte(u.ID), u); err != nil {
				return err
			}
		}
		if tx.Session != nil {
			sessions := btx.Bucket(bucketSessions)
			if sessions.Get([]byte(tx.Session.ID)) != nil {
				return trust.Errorf(trust.EConflict, "The session already exists.")
			}
			if err := put(sessions, []byte(tx.Session.ID), tx.Session); err != nil {
				return err
			}
		}
		if d := tx.Document; d != nil {
			docs := btx.Bucket(bucketDocs)
			old, found, err := get[trust.Document](docs, "document", []byte(d.ID))
			if err != nil {
				return err
			}
			if (d.Version == 1 && found) || (d.Version != 1 && (!found || old.Version != d.Version-1)) {
				return trust.Errorf(trust.EConflict, "The document was changed by someone else. Reload it and try again.")
			}
			if err := put(docs, []byte(d.ID), *d); err != nil {
				return err
			}
		}
		if rs := tx.Rules; rs != nil {
			b := btx.Bucket(bucketRules)
			old, found, err := get[trust.RuleSet](b, "rule set", rulesKey)
			if err != nil {
				return err
			}
			if (rs.Version == 1 && found) || (rs.Version != 1 && (!found || old.Version != rs.Version-1)) {
				return trust.Errorf(trust.EConflict, "The rules were changed by someone else. Reload them and try again.")
			}
			if err := put(b, rulesKey, *rs); err != nil {
				return err
			}
		}
		events := btx.Bucket(bucketEvents)
		for _, e := range tx.Events {
			k := eventKey(e)
			if events.Get(k) != nil {
				return trust.Errorf(trust.EConflict, "The event was already recorded.")
			}
			if err := put(events, k, e); err != nil {
				return err
			}
		}
		for _, m := range tx.Mails {
			if err := writeMail(btx, m); err != nil {
				return err
			}
		}
		if c := tx.Copy; c != nil {
			if err := writeCopy(btx, *c); err != nil {
				return err
			}
		}
		if err := writeNDA(btx, tx); err != nil {
			return err
		}
		if err := commitSubscriptions(btx, tx); err != nil {
			return err
		}
		if tx.DownloadBy != "" && len(tx.Events) > 0 {
			if err := countAccountDownload(btx, tx.DownloadBy, tx.Events[0].At); err != nil {
				return err
			}
		}
		return nil
	})
	return fail("commit", err)
}

func grantPrefix(grant string) []byte { return lenPrefixed(grant) }

func copyKey(grant, document string, version int) []byte {
	k := append(grantPrefix(grant), lenPrefixed(document)...)
	return binary.BigEndian.AppendUint64(k, uint64(version))
}

// writeCopy keeps c under its grant, document and version, and indexes it
// by watermark ID; either taken already is a conflict.
func writeCopy(btx *bolt.Tx, c trust.Copy) error {
	copies, marks := btx.Bucket(bucketCopies), btx.Bucket(bucketMarks)
	k := copyKey(c.Grant, c.Document, c.Version)
	if copies.Get(k) != nil || marks.Get([]byte(c.WatermarkID)) != nil {
		return trust.Errorf(trust.EConflict, "The copy was already made.")
	}
	if err := put(copies, k, c); err != nil {
		return err
	}
	if err := marks.Put([]byte(c.WatermarkID), k); err != nil {
		return fmt.Errorf("index copy %q: %w", c.WatermarkID, err)
	}
	return nil
}

func (s *Store) GetCopy(ctx context.Context, grant, document string, version int) (trust.Copy, error) {
	var c trust.Copy
	err := s.view(ctx, func(btx *bolt.Tx) error {
		var found bool
		var err error
		c, found, err = get[trust.Copy](btx.Bucket(bucketCopies), "copy", copyKey(grant, document, version))
		if err == nil && !found {
			err = trust.Errorf(trust.ENotFound, "The copy does not exist.")
		}
		return err
	})
	return c, fail("get copy", err)
}

func (s *Store) CopyByWatermark(ctx context.Context, id string) (trust.Copy, error) {
	var c trust.Copy
	err := s.view(ctx, func(btx *bolt.Tx) error {
		k := btx.Bucket(bucketMarks).Get([]byte(id))
		if k == nil {
			return trust.Errorf(trust.ENotFound, "No copy has that watermark ID.")
		}
		var found bool
		var err error
		c, found, err = get[trust.Copy](btx.Bucket(bucketCopies), "copy", k)
		if err == nil && !found {
			err = corrupt("watermark index entry without copy", []byte(id), errors.New("dangling"))
		}
		return err
	})
	return c, fail("copy by watermark", err)
}

func (s *Store) ListCopies(ctx context.Context, grant string) ([]trust.Copy, error) {
	var copies []trust.Copy
	err := s.view(ctx, func(btx *bolt.Tx) error {
		prefix := grantPrefix(grant)
		c := btx.Bucket(bucketCopies).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var cp trust.Copy
			if err := json.Unmarshal(v, &cp); err != nil {
				return corrupt("copy", k, err)
			}
			copies = append(copies, cp)
		}
		return nil
	})
	return copies, fail("list copies", err)
}

func writeRequest(btx *bolt.Tx, r trust.Request, ifVersion int64) error {
	reqs := btx.Bucket(bucketRequests)
	index := btx.Bucket(bucketByStatus)
	old, found, err := get[trust.Request](reqs, "request", []byte(r.ID))
	if err != nil {
		return err
	}
	switch {
	case ifVersion == 0 && found:
		return trust.Errorf(trust.EConflict, "The request already exists.")
	case ifVersion != 0 && (!found || old.Version != ifVersion):
		return trust.Errorf(trust.EConflict, "The request was changed by someone else. Reload it and try again.")
	}
	if found {
		if err := index.Delete(statusKey(old)); err != nil {
			return fmt.Errorf("delete index of request %q: %w", r.ID, err)
		}
	}
	r.Version = ifVersion + 1
	if err := put(reqs, []byte(r.ID), r); err != nil {
		return err
	}
	if err := index.Put(statusKey(r), []byte{}); err != nil {
		return fmt.Errorf("index request %q: %w", r.ID, err)
	}
	if err := indexContacts(btx, r); err != nil {
		return err
	}
	var prev *trust.Request
	if found {
		prev = &old
	}
	return indexQueue(btx, prev, r)
}

// writeMail queues m under an id that is neither pending nor recently sent:
// a reused id would send a mail twice or replace one not yet sent.
func writeMail(btx *bolt.Tx, m trust.Mail) error {
	keys := btx.Bucket(bucketMailKeys)
	if keys.Get([]byte(m.ID)) != nil || btx.Bucket(bucketSent).Get([]byte(m.ID)) != nil {
		return trust.Errorf(trust.EConflict, "The mail was already queued.")
	}
	k := outboxKey(m)
	if err := put(btx.Bucket(bucketOutbox), k, m); err != nil {
		return err
	}
	if err := keys.Put([]byte(m.ID), k); err != nil {
		return fmt.Errorf("index mail %q: %w", m.ID, err)
	}
	return nil
}

func (s *Store) GetRequest(ctx context.Context, id string) (trust.Request, error) {
	return getByID[trust.Request](ctx, s, bucketRequests, "request", id)
}

// ListRequests walks the status index backwards, newest first. The cursor is
// the last index key returned; a page is only given a cursor when another
// item follows, so the last page always has next "".
func (s *Store) ListRequests(ctx context.Context, status trust.Status, cursor string, limit int) ([]trust.Request, string, error) {
	if !slices.Contains(trust.Statuses, status) {
		return nil, "", trust.Errorf(trust.EInvalid, "Unknown status %q.", status)
	}
	if limit <= 0 {
		return nil, "", trust.Errorf(trust.EInvalid, "The page size must be positive.")
	}
	prefix := statusPrefix(status)
	var after []byte
	if cursor != "" {
		k, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || !bytes.HasPrefix(k, prefix) || len(k) <= len(prefix)+timeKeyLen {
			return nil, "", trust.Errorf(trust.EInvalid, "The page link is not valid.")
		}
		after = k
	}
	var (
		reqs []trust.Request
		next string
		last []byte
	)
	err := s.view(ctx, func(btx *bolt.Tx) error {
		reqsB := btx.Bucket(bucketRequests)
		c := btx.Bucket(bucketByStatus).Cursor()
		// Position on the greatest key below the bound: the cursor key (which
		// may have moved to another status since), or the end of the status.
		bound := after
		if bound == nil {
			bound = append([]byte(status), 1)
		}
		k, _ := c.Seek(bound)
		if k == nil {
			k, _ = c.Last()
		}
		for k != nil && bytes.Compare(k, bound) >= 0 {
			k, _ = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Prev() {
			if len(reqs) == limit {
				next = base64.RawURLEncoding.EncodeToString(last)
				break
			}
			id := k[len(prefix)+timeKeyLen:]
			r, found, err := get[trust.Request](reqsB, "request", id)
			if err != nil {
				return err
			}
			if !found {
				return corrupt("status index entry without request", k, errors.New("dangling"))
			}
			reqs = append(reqs, r)
			last = bytes.Clone(k) // bbolt keys die with the transaction
		}
		return nil
	})
	if err != nil {
		return nil, "", fail("list requests", err)
	}
	return reqs, next, nil
}

func (s *Store) ListEvents(ctx context.Context, subject string) ([]trust.Event, error) {
	var evs []trust.Event
	err := s.view(ctx, func(btx *bolt.Tx) error {
		prefix := lenPrefixed(subject)
		c := btx.Bucket(bucketEvents).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var e trust.Event
			if err := json.Unmarshal(v, &e); err != nil {
				return corrupt("event", k, err)
			}
			evs = append(evs, e)
		}
		return nil
	})
	return evs, fail("list events", err)
}

var rulesKey = []byte("current")

func (s *Store) GetRules(ctx context.Context) (trust.RuleSet, error) {
	return getByID[trust.RuleSet](ctx, s, bucketRules, "rule set", string(rulesKey))
}

// RequestsSince reads each status's index from since onwards (its keys
// are ordered by creation time), then merges them newest first.
func (s *Store) RequestsSince(ctx context.Context, since time.Time, limit int) ([]trust.Request, error) {
	if limit <= 0 {
		return nil, trust.Errorf(trust.EInvalid, "The page size must be positive.")
	}
	var reqs []trust.Request
	err := s.view(ctx, func(btx *bolt.Tx) error {
		reqsB := btx.Bucket(bucketRequests)
		c := btx.Bucket(bucketByStatus).Cursor()
		for _, st := range trust.Statuses {
			prefix := statusPrefix(st)
			for k, _ := c.Seek(append(bytes.Clone(prefix), timeKey(since)...)); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
				r, found, err := get[trust.Request](reqsB, "request", k[len(prefix)+timeKeyLen:])
				if err != nil {
					return err
				}
				if !found {
					return corrupt("status index entry without request", k, errors.New("dangling"))
				}
				reqs = append(reqs, r)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fail("requests since", err)
	}
	slices.SortFunc(reqs, func(a, b trust.Request) int { return b.CreatedAt.Compare(a.CreatedAt) })
	if len(reqs) > limit {
		reqs = reqs[:limit]
	}
	return reqs, nil
}

func (s *Store) GetDocument(ctx context.Context, id string) (trust.Document, error) {
	return getByID[trust.Document](ctx, s, bucketDocs, "document", id)
}

// ListDocuments relies on bbolt keeping keys sorted, which sorts by ID.
func (s *Store) ListDocuments(ctx context.Context) ([]trust.Document, error) {
	var docs []trust.Document
	err := s.view(ctx, func(btx *bolt.Tx) error {
		return btx.Bucket(bucketDocs).ForEach(func(k, v []byte) error {
			var d trust.Document
			if err := json.Unmarshal(v, &d); err != nil {
				return corrupt("document", k, err)
			}
			docs = append(docs, d)
			return nil
		})
	})
	return docs, fail("list documents", err)
}

func (s *Store) GetSession(ctx context.Context, id string) (trust.Session, error) {
	return getByID[trust.Session](ctx, s, bucketSessions, "session", id)
}

// DeleteSession succeeds for an unknown id: signing out twice is not an error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	err := s.update(ctx, func(btx *bolt.Tx) error {
		return btx.Bucket(bucketSessions).Delete([]byte(id))
	})
	return fail("delete session", err)
}

func (s *Store) PendingMails(ctx context.Context, limit int) ([]trust.Mail, error) {
	if limit <= 0 {
		return nil, trust.Errorf(trust.EInvalid, "The page size must be positive.")
	}
	var mails []trust.Mail
	err := s.view(ctx, func(btx *bolt.Tx) error {
		c := btx.Bucket(bucketOutbox).Cursor()
		for k, v := c.First(); k != nil && len(mails) < limit; k, v = c.Next() {
			var m trust.Mail
			if err := json.Unmarshal(v, &m); err != nil {
				return corrupt("mail", k, err)
			}
			mails = append(mails, m)
		}
		return nil
	})
	return mails, fail("pending mails", err)
}

// MarkMailSent moves the mail's id from the pending to the sent ids and
// drops its body from the outbox: only the id is needed from then on, to
// refuse it again until the sweep at open forgets it. Marking a sent mail
// again succeeds and changes nothing, so a sender that crashed between
// sending and marking can mark again.
func (s *Store) MarkMailSent(ctx context.Context, id string) error {
	end := s.clock.Now().Add(trust.SentMailRetention).UnixNano()
	err := s.update(ctx, func(btx *bolt.Tx) error {
		keys, sent := btx.Bucket(bucketMailKeys), btx.Bucket(bucketSent)
		k := keys.Get([]byte(id))
		switch {
		case k == nil && sent.Get([]byte(id)) != nil:
			return nil
		case k == nil:
			return trust.Errorf(trust.ENotFound, "The mail does not exist.")
		}
		if err := btx.Bucket(bucketOutbox).Delete(k); err != nil {
			return err
		}
		if err := keys.Delete([]byte(id)); err != nil {
			return err
		}
		return sent.Put([]byte(id), encodeInstant(end))
	})
	return fail("mark mail sent", err)
}

// keptMail is an undeliverable mail, kept with its reason until Until.
type keptMail struct {
	Mail  trust.Mail `json:"mail"`
	Until time.Time  `json:"until"`
}

// GetMail finds a mail pending (in the outbox), given up, or sent (of which
// only the id is kept).
func (s *Store) GetMail(ctx context.Context, id string) (trust.Mail, error) {
	var m trust.Mail
	err := s.view(ctx, func(btx *bolt.Tx) error {
		if k := btx.Bucket(bucketMailKeys).Get([]byte(id)); k != nil {
			mail, found, err := get[trust.Mail](btx.Bucket(bucketOutbox), "mail", k)
			if err == nil && !found {
				err = fmt.Errorf("mail %q indexed but not in the outbox", id)
			}
			m = mail
			return err
		}
		if kept, found, err := get[keptMail](btx.Bucket(bucketGivenUp), "mail", []byte(id)); err != nil || found {
			m = kept.Mail
			return err
		}
		if btx.Bucket(bucketSent).Get([]byte(id)) != nil {
			m = trust.Mail{ID: id, State: trust.MailSent}
			return nil
		}
		return trust.Errorf(trust.ENotFound, "The mail does not exist.")
	})
	return m, fail("get mail", err)
}

// SaveMailAttempt rewrites a pending mail's delivery state in place, or
// moves a given-up mail out of the outbox into the undeliverable bucket,
// its id joining the sent ones so that it is refused as a new mail.
func (s *Store) SaveMailAttempt(ctx context.Context, m trust.Mail, ifAttempts int) error {
	if m.State != trust.MailPending && m.State != trust.MailUndeliverable {
		return trust.Errorf(trust.EInvalid, "A mail attempt cannot record the state %q.", m.State)
	}
	now := s.clock.Now()
	err := s.update(ctx, func(btx *bolt.Tx) error {
		keys, outbox := btx.Bucket(bucketMailKeys), btx.Bucket(bucketOutbox)
		k := keys.Get([]byte(m.ID))
		if k == nil {
			if btx.Bucket(bucketSent).Get([]byte(m.ID)) != nil {
				return trust.Errorf(trust.EConflict, "The mail is no longer pending.")
			}
			return trust.Errorf(trust.ENotFound, "The mail does not exist.")
		}
		k = bytes.Clone(k)
		stored, found, err := get[trust.Mail](outbox, "mail", k)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("mail %q indexed but not in the outbox", m.ID)
		}
		if stored.Attempts != ifAttempts {
			return trust.Errorf(trust.EConflict, "Another sender moved the mail first.")
		}
		next := withDelivery(stored, m)
		if m.State == trust.MailPending {
			return put(outbox, k, next)
		}
		if err := outbox.Delete(k); err != nil {
			return err
		}
		if err := keys.Delete([]byte(m.ID)); err != nil {
			return err
		}
		until := now.Add(trust.SentMailRetention)
		if err := put(btx.Bucket(bucketGivenUp), []byte(m.ID), keptMail{Mail: next, Until: until}); err != nil {
			return err
		}
		return btx.Bucket(bucketSent).Put([]byte(m.ID), encodeInstant(until.UnixNano()))
	})
	return fail("save mail attempt", err)
}

// withDelivery is stored with the delivery state of m: an attempt never
// rewrites what the mail says or to whom.
func withDelivery(stored, m trust.Mail) trust.Mail {
	stored.State, stored.Attempts, stored.NextAttemptAt = m.State, m.Attempts, m.NextAttemptAt
	stored.SendingAt, stored.Lost, stored.Reason = m.SendingAt, m.Lost, m.Reason
	return stored
}

// Suppress stores sup under its address, replacing an earlier one.
func (s *Store) Suppress(ctx context.Context, sup trust.Suppression) error {
	if sup.Address == "" {
		return trust.Errorf(trust.EInvalid, "The suppressed address is empty.")
	}
	err := s.update(ctx, func(btx *bolt.Tx) error {
		return put(btx.Bucket(bucketSuppress), []byte(sup.Address), sup)
	})
	return fail("suppress", err)
}

func (s *Store) Suppressed(ctx context.Context, address string) (trust.Suppression, error) {
	return getByID[trust.Suppression](ctx, s, bucketSuppress, "suppression", address)
}

func encodeInstant(ns int64) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(ns))
}

func decodeInstant(v []byte) (int64, error) {
	if len(v) != 8 {
		return 0, fmt.Errorf("instant of %d bytes", len(v))
	}
	return int64(binary.BigEndian.Uint64(v)), nil
}

func encodeRate(end int64, count uint64) []byte {
	v := binary.BigEndian.AppendUint64(nil, uint64(end))
	return binary.BigEndian.AppendUint64(v, count)
}

func decodeRate(v []byte) (end int64, count uint64, err error) {
	if len(v) != 16 {
		return 0, 0, fmt.Errorf("rate counter of %d bytes", len(v))
	}
	return int64(binary.BigEndian.Uint64(v)), binary.BigEndian.Uint64(v[8:]), nil
}

// CountDownload keeps one counter per document and day: a bbolt file has
// one writer at a time, so the shards DynamoDB needs would buy nothing.
func (s *Store) CountDownload(ctx context.Context, doc string, at time.Time) error {
	if doc == "" {
		return trust.Errorf(trust.EInvalid, "The document has no id.")
	}
	k := countKey(doc, trust.DownloadDay(at))
	err := s.update(ctx, func(btx *bolt.Tx) error {
		b := btx.Bucket(bucketCounts)
		var n uint64
		if v := b.Get(k); v != nil {
			_, c, err := decodeRate(v)
			if err != nil {
				return corrupt("download counter", k, err)
			}
			n = c
		}
		return b.Put(k, encodeRate(trust.DownloadCounterEnd(at).UnixNano(), n+1))
	})
	return fail("count download", err)
}

func (s *Store) DownloadCount(ctx context.Context, doc string, first, last time.Time) (int, error) {
	if err := trust.CheckDownloadCount(doc, first, last); err != nil {
		return 0, err
	}
	from, to := countKey(doc, trust.DownloadDay(first)), countKey(doc, trust.DownloadDay(last))
	var total uint64
	err := s.view(ctx, func(btx *bolt.Tx) error {
		c := btx.Bucket(bucketCounts).Cursor()
		for k, v := c.Seek(from); k != nil && bytes.Compare(k, to) <= 0; k, v = c.Next() {
			_, n, err := decodeRate(v)
			if err != nil {
				return corrupt("download counter", k, err)
			}
			total += n
		}
		return nil
	})
	return int(total), fail("download count", err)
}

// countKey sorts a document's counters by day, so a span of days is one
// range of keys.
func countKey(doc string, day time.Time) []byte {
	return append(lenPrefixed(doc), timeKey(day)...)
}

// Hit aligns windows to the Unix epoch, so a one-minute window starts on the
// minute. Windows of the same key older than the previous one are deleted on
// the way (their expiry has passed), which keeps a busy key at two counters.
func (s *Store) Hit(ctx context.Context, key string, window time.Duration, now time.Time) (trust.Hits, error) {
	if window <= 0 {
		return trust.Hits{}, trust.Errorf(trust.EInvalid, "The rate window must be positive.")
	}
	n, w := now.UnixNano(), int64(window)
	start := n - ((n%w)+w)%w
	prefix := lenPrefixed(key)
	windowKey := func(start int64) []byte {
		k := binary.BigEndian.AppendUint64(bytes.Clone(prefix), uint64(w))
		return binary.BigEndian.AppendUint64(k, uint64(start))
	}
	k, prev := windowKey(start), windowKey(start-w)

	var hits trust.Hits
	err := s.update(ctx, func(btx *bolt.Tx) error {
		b := btx.Bucket(bucketRates)
		var dead [][]byte
		c := b.Cursor()
		for ck, cv := c.Seek(prefix); ck != nil && bytes.HasPrefix(ck, prefix); ck, cv = c.Next() {
			end, _, err := decodeRate(cv)
			if err != nil {
				return corrupt("rate counter", ck, err)
			}
			if end <= n {
				dead = append(dead, bytes.Clone(ck))
			}
		}
		for _, dk := range dead {
			if err := b.Delete(dk); err != nil {
				return err
			}
		}
		count := func(k []byte) (uint64, error) {
			v := b.Get(k)
			if v == nil {
				return 0, nil
			}
			_, c, err := decodeRate(v)
			if err != nil {
				return 0, corrupt("rate counter", k, err)
			}
			return c, nil
		}
		p, err := count(prev)
		if err != nil {
			return err
		}
		cur, err := count(k)
		if err != nil {
			return err
		}
		cur++
		hits = trust.Hits{Current: int(cur), Previous: int(p)}
		// Kept until the window after it is over too, as it weighs in there.
		return b.Put(k, encodeRate(start+2*w, cur))
	})
	if err != nil {
		return trust.Hits{}, fail("hit", err)
	}
	return hits, nil
}

// view and update run fn in a read-only or a read-write bolt transaction,
// unless ctx is already done: bolt itself takes no context.
func (s *Store) view(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return trust.Unavailable(err)
	}
	return s.db.View(fn)
}

func (s *Store) update(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return trust.Unavailable(err)
	}
	return s.db.Update(fn)
}
