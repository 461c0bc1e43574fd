package boltstore

import (
	"context"
	"encoding/binary"

	bolt "go.etcd.io/bbolt"

	"trustcenter/shared/trust"
)

// NDA versions and per-address acceptances. Their buckets are in
// allBuckets, so they exist from Open on.
var (
	bucketNDAs        = []byte("nda_versions")    // seq (8 bytes) → NDAVersion
	bucketAcceptances = []byte("nda_acceptances") // normalized address → EmailAcceptance
)

func ndaKey(seq int) []byte { return binary.BigEndian.AppendUint64(nil, uint64(seq)) }

// writeNDA writes tx's NDA versions, each the next number after the
// newest stored, and replaces the acceptances it records.
func writeNDA(btx *bolt.Tx, tx trust.Tx) error {
	if len(tx.NDAs) > 0 {
		b := btx.Bucket(bucketNDAs)
		last := 0
		if k, _ := b.Cursor().Last(); k != nil {
			last = int(binary.BigEndian.Uint64(k))
		}
		if tx.NDAs[0].Seq != last+1 {
			return trust.Errorf(trust.EConflict, "Another NDA version was published meanwhile.")
		}
		for _, v := range tx.NDAs {
			if err := put(b, ndaKey(v.Seq), v); err != nil {
				return err
			}
		}
	}
	b := btx.Bucket(bucketAcceptances)
	for _, a := range tx.Acceptances {
		if err := put(b, []byte(a.Email), a); err != nil {
			return err
		}
	}
	for _, email := range tx.ForgetAcceptances {
		if err := b.Delete([]byte(email)); err != nil {
			return err
		}
	}
	if tx.ErasedEmail != "" && tx.Request != nil {
		if err := unfileContacts(btx, *tx.Request, tx.ErasedEmail); err != nil {
			return err
		}
	}
	events := btx.Bucket(bucketEvents)
	for _, e := range tx.ReplaceEvents {
		k := eventKey(e)
		if events.Get(k) == nil {
			return trust.Errorf(trust.EConflict, "The event to rewrite is not stored.")
		}
		if err := put(events, k, e); err != nil {
			return err
		}
	}
	copies := btx.Bucket(bucketCopies)
	for _, c := range tx.ReplaceCopies {
		k := copyKey(c.Grant, c.Document, c.Version)
		old, found, err := get[trust.Copy](copies, "copy", k)
		if err != nil {
			return err
		}
		if !found || old.WatermarkID != c.WatermarkID {
			return trust.Errorf(trust.EConflict, "The copy to rewrite is not stored.")
		}
		if err := put(copies, k, c); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) ListNDAVersions(ctx context.Context) ([]trust.NDAVersion, error) {
	var vs []trust.NDAVersion
	err := s.view(ctx, func(btx *bolt.Tx) error {
		return btx.Bucket(bucketNDAs).ForEach(func(k, raw []byte) error {
			v, _, err := get[trust.NDAVersion](btx.Bucket(bucketNDAs), "NDA version", k)
			vs = append(vs, v)
			return err
		})
	})
	return vs, fail("list NDA versions", err)
}

func (s *Store) LastAcceptance(ctx context.Context, email string) (trust.EmailAcceptance, error) {
	return getByID[trust.EmailAcceptance](ctx, s, bucketAcceptances, "NDA acceptance", email)
}
