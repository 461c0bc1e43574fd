package boltstore

import (
	"context"
	"encoding/json"

	bolt "go.etcd.io/bbolt"

	"trustcenter/shared/trust"
)

var (
	bucketSubscribers = []byte("subscribers") // address → Subscriber
	bucketAnnounced   = []byte("announced")   // "current" → Announced
	announcedKey      = []byte("current")
)

// The subscription buckets join the ones Open creates; kept here so the
// subscription store stays in one file.
func init() { allBuckets = append(allBuckets, bucketSubscribers, bucketAnnounced) }

// commitSubscriptions applies tx's subscription writes inside Commit's
// transaction.
func commitSubscriptions(btx *bolt.Tx, tx trust.Tx) error {
	subs := btx.Bucket(bucketSubscribers)
	if tx.EraseSubscriber != "" {
		if err := subs.Delete([]byte(tx.EraseSubscriber)); err != nil {
			return err
		}
	}
	if sub := tx.Subscriber; sub != nil {
		if err := put(subs, []byte(sub.Email), *sub); err != nil {
			return err
		}
	}
	if a := tx.Announced; a != nil {
		b := btx.Bucket(bucketAnnounced)
		old, found, err := get[trust.Announced](b, "announcement", announcedKey)
		if err != nil {
			return err
		}
		if (a.Version == 1 && found) || (a.Version != 1 && (!found || old.Version != a.Version-1)) {
			return trust.Errorf(trust.EConflict, "Someone else announced the updates first.")
		}
		if err := put(b, announcedKey, *a); err != nil {
			return err
		}
	}
	return nil
}

// GetSubscriber reads the subscriber at address email.
func (s *Store) GetSubscriber(ctx context.Context, email string) (trust.Subscriber, error) {
	return getByID[trust.Subscriber](ctx, s, bucketSubscribers, "subscriber", email)
}

// ListSubscribers reads every subscriber, by address.
func (s *Store) ListSubscribers(ctx context.Context) ([]trust.Subscriber, error) {
	var out []trust.Subscriber
	err := s.view(ctx, func(btx *bolt.Tx) error {
		return btx.Bucket(bucketSubscribers).ForEach(func(k, v []byte) error {
			var sub trust.Subscriber
			if err := json.Unmarshal(v, &sub); err != nil {
				return corrupt("subscriber", k, err)
			}
			out = append(out, sub)
			return nil
		})
	})
	return out, fail("list subscribers", err)
}

// GetAnnounced reads what was announced last.
func (s *Store) GetAnnounced(ctx context.Context) (trust.Announced, error) {
	return getByID[trust.Announced](ctx, s, bucketAnnounced, "announcement", string(announcedKey))
}
