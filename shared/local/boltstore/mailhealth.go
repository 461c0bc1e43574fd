package boltstore

import (
	"context"

	bolt "go.etcd.io/bbolt"

	"trustcenter/shared/trust"
)

// bucketHealth holds the one mail health record; it is made on the first
// write, so a file from before it opens as it was.
var (
	bucketHealth = []byte("health")
	keyMail      = []byte("mail")
)

func (s *Store) SetMailHealth(ctx context.Context, h trust.MailHealth) error {
	err := s.update(ctx, func(btx *bolt.Tx) error {
		b, err := btx.CreateBucketIfNotExists(bucketHealth)
		if err != nil {
			return err
		}
		return put(b, keyMail, h)
	})
	return fail("set mail health", err)
}

func (s *Store) MailHealth(ctx context.Context) (trust.MailHealth, error) {
	var h trust.MailHealth
	found := false
	err := s.view(ctx, func(btx *bolt.Tx) error {
		b := btx.Bucket(bucketHealth)
		if b == nil {
			return nil
		}
		var err error
		h, found, err = get[trust.MailHealth](b, "mail health", keyMail)
		return err
	})
	if err != nil {
		return h, fail("mail health", err)
	}
	if !found {
		return h, trust.Errorf(trust.ENotFound, "No mail health is recorded.")
	}
	return h, nil
}
