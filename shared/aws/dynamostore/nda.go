package dynamostore

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"trustcenter/shared/trust"
)

// NDA versions live in one partition, NDA#, one item per version (SK
// v<seq>, zero-padded so the order of the keys is the order of the
// numbers) and a head item (SK HEAD) holding the newest number: a
// publication writes the head on the condition that it still names the
// number before, so two at once cannot both take one. The few versions
// there are come back in one Query of the partition. The latest acceptance
// of each address is one item, NDAACC#<address>.
const (
	ndaPK     = PrefixNDA
	ndaHeadSK = "HEAD"
)

func ndaSK(seq int) string { return fmt.Sprintf("v%09d", seq) }

type ndaHead struct {
	Seq int `json:"seq"`
}

type putFunc func(it map[string]types.AttributeValue, cond string, names map[string]string, values map[string]types.AttributeValue)

// ndaItems adds tx's NDA versions and acceptances, and an erasure's
// rewrites, to a transaction.
func ndaItems(tx trust.Tx, put putFunc, del func(pk, sk string)) error {
	const mustBeNew = "attribute_not_exists(" + AttrPK + ")"
	if n := len(tx.NDAs); n > 0 {
		for _, v := range tx.NDAs {
			it, err := item(v, map[string]string{AttrPK: ndaPK, AttrSK: ndaSK(v.Seq)})
			if err != nil {
				return fmt.Errorf("dynamostore: encode NDA version: %w", err)
			}
			put(it, mustBeNew, nil, nil)
		}
		head, err := item(ndaHead{Seq: tx.NDAs[n-1].Seq}, map[string]string{AttrPK: ndaPK, AttrSK: ndaHeadSK})
		if err != nil {
			return fmt.Errorf("dynamostore: encode NDA head: %w", err)
		}
		if first := tx.NDAs[0].Seq; first == 1 {
			put(head, mustBeNew, nil, nil)
		} else {
			put(head, "#seq = :seq", map[string]string{"#seq": "seq"},
				map[string]types.AttributeValue{":seq": num(int64(first - 1))})
		}
	}
	for _, a := range tx.Acceptances {
		pk := PrefixAcceptance + a.Email
		it, err := item(a, map[string]string{AttrPK: pk, AttrSK: pk})
		if err != nil {
			return fmt.Errorf("dynamostore: encode acceptance: %w", err)
		}
		put(it, "attribute_not_exists(#pk) OR attribute_exists(#pk)", map[string]string{"#pk": AttrPK}, nil)
	}
	for _, email := range tx.ForgetAcceptances {
		del(PrefixAcceptance+email, PrefixAcceptance+email)
	}
	if r := tx.Request; tx.ErasedEmail != "" && r != nil {
		// The filings of an erased request (prior.go), whose keys hold
		// the address it had.
		del(contactPK(trust.ByEmail, tx.ErasedEmail), timeKey(r.CreatedAt, r.ID))
		del(contactPK(trust.ByDomain, trust.EmailDomain(tx.ErasedEmail)), timeKey(r.CreatedAt, r.ID))
	}
	const mustExist = "attribute_exists(" + AttrPK + ")"
	for _, e := range tx.ReplaceEvents {
		it, err := item(e, map[string]string{AttrPK: prefixEvent + e.Subject, AttrSK: timeKey(e.At, e.ID)})
		if err != nil {
			return fmt.Errorf("dynamostore: encode event: %w", err)
		}
		put(it, mustExist, nil, nil)
	}
	for _, c := range tx.ReplaceCopies {
		byGrant, err := item(c, map[string]string{AttrPK: prefixCopy + c.Grant, AttrSK: copySK(c.Document, c.Version)})
		if err != nil {
			return fmt.Errorf("dynamostore: encode copy: %w", err)
		}
		put(byGrant, "attribute_exists(#pk) AND watermark_id = :wm", map[string]string{"#pk": AttrPK},
			map[string]types.AttributeValue{":wm": str(c.WatermarkID)})
		pk := prefixMark + c.WatermarkID
		byMark, err := item(c, map[string]string{AttrPK: pk, AttrSK: pk})
		if err != nil {
			return fmt.Errorf("dynamostore: encode copy: %w", err)
		}
		put(byMark, mustExist, nil, nil)
	}
	return nil
}

func (s *Store) ListNDAVersions(ctx context.Context) ([]trust.NDAVersion, error) {
	var vs []trust.NDAVersion
	err := s.queryAll(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :v)"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrPK, "#sk": AttrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(ndaPK), ":v": str("v")},
		ScanIndexForward:          aws.Bool(true),
		ConsistentRead:            aws.Bool(true),
	}, func(it map[string]types.AttributeValue) error {
		var v trust.NDAVersion
		if err := decode(it, &v); err != nil {
			return fmt.Errorf("dynamostore: decode NDA version: %w", err)
		}
		vs = append(vs, v)
		return nil
	})
	return vs, err
}

func (s *Store) LastAcceptance(ctx context.Context, email string) (trust.EmailAcceptance, error) {
	return getItem[trust.EmailAcceptance](ctx, s, PrefixAcceptance+email, "NDA acceptance")
}
