package boltstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"trustcenter/shared/trust"
)

// The requests by address and by domain, for a request's page: a bucket
// made on the first confirmed request, keyed
// field 0x00 len-prefixed value, time, id → empty. A request's address and
// creation never change, so its keys are written once it is confirmed and
// stay; unconfirmed ones are left out (they may be purged).
var bucketByContact = []byte("requests_by_contact")

func contactPrefix(by trust.ContactField, value string) []byte {
	k := append([]byte(by), 0)
	return append(k, lenPrefixed(value)...)
}

// indexContacts is part of writing r: it files a confirmed request under
// its address and its domain.
func indexContacts(btx *bolt.Tx, r trust.Request) error {
	if r.Status == trust.Unconfirmed || !r.ErasedAt.IsZero() {
		return nil
	}
	b, err := btx.CreateBucketIfNotExists(bucketByContact)
	if err != nil {
		return fmt.Errorf("create bucket %s: %w", bucketByContact, err)
	}
	for by, v := range map[trust.ContactField]string{trust.ByEmail: r.Email, trust.ByDomain: trust.EmailDomain(r.Email)} {
		k := append(contactPrefix(by, v), timeKey(r.CreatedAt)...)
		if err := b.Put(append(k, r.ID...), []byte{}); err != nil {
			return fmt.Errorf("index request %q by %s: %w", r.ID, by, err)
		}
	}
	return nil
}

func (s *Store) PriorRequests(ctx context.Context, by trust.ContactField, value string, limit int) ([]trust.Request, error) {
	if by != trust.ByEmail && by != trust.ByDomain {
		return nil, trust.Errorf(trust.EInvalid, "Requests cannot be looked up by %q.", by)
	}
	if value == "" || limit < 1 {
		return nil, trust.Errorf(trust.EInvalid, "The lookup needs a value and a positive limit.")
	}
	var reqs []trust.Request
	err := s.view(ctx, func(btx *bolt.Tx) error {
		b := btx.Bucket(bucketByContact)
		if b == nil {
			return nil
		}
		prefix := contactPrefix(by, value)
		// Newest first: from just past the prefix's last key, backwards.
		c := b.Cursor()
		end := append(bytes.Clone(prefix), 0xff)
		k, _ := c.Seek(end)
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix) && len(reqs) < limit; k, _ = c.Prev() {
			id := k[len(prefix)+timeKeyLen:]
			r, found, err := get[trust.Request](btx.Bucket(bucketRequests), "request", id)
			if err != nil {
				return err
			}
			if !found {
				return corrupt("contact index entry without request", k, errors.New("dangling"))
			}
			reqs = append(reqs, r)
		}
		return nil
	})
	if err != nil {
		return nil, fail("prior requests", err)
	}
	return reqs, nil
}

// unfileContacts is part of erasing r: it removes r's filings under the
// address it had before, whose key holds that address.
func unfileContacts(btx *bolt.Tx, r trust.Request, email string) error {
	b := btx.Bucket(bucketByContact)
	if b == nil {
		return nil
	}
	for by, v := range map[trust.ContactField]string{trust.ByEmail: email, trust.ByDomain: trust.EmailDomain(email)} {
		k := append(append(contactPrefix(by, v), timeKey(r.CreatedAt)...), r.ID...)
		if err := b.Delete(k); err != nil {
			return fmt.Errorf("unfile request %q by %s: %w", r.ID, by, err)
		}
	}
	return nil
}
