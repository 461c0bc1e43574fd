package boltstore

import (
	"context"
	"encoding/json"
	"slices"

	bolt "go.etcd.io/bbolt"

	"trustcenter/shared/trust"
)

// RequestsByAddress reads the requests bucket through: the embedded store
// holds one trust center's requests in a local file, where a pass over
// them costs less than keeping a second index in step with every write.
func (s *Store) RequestsByAddress(ctx context.Context, email string, limit int) ([]trust.Request, error) {
	if limit <= 0 || email == "" {
		return nil, trust.Errorf(trust.EInvalid, "The address and page size must be given.")
	}
	key := trust.AddressKey(email)
	var reqs []trust.Request
	err := s.view(ctx, func(btx *bolt.Tx) error {
		return btx.Bucket(bucketRequests).ForEach(func(_, v []byte) error {
			var r trust.Request
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			if trust.AddressKey(r.Email) == key {
				reqs = append(reqs, r)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fail("requests by address", err)
	}
	slices.SortFunc(reqs, func(a, b trust.Request) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return reqs[:min(limit, len(reqs))], nil
}
