package dynamostore

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"trustcenter/shared/trust"
)

// The requests by address and by domain, for a request's page: every write
// of a confirmed request also puts a copy of it in the partition of its
// address and of its domain (CONTACT#email#<address>,
// CONTACT#domain#<domain>), sorted by creation, so the page reads each with
// one Query instead of scanning the table. The copies are replaced with
// the request, so their status is the request's. Unconfirmed requests get
// none: they may be purged by their TTL, and the copies have none.

func contactPK(by trust.ContactField, value string) string {
	return PrefixContact + string(by) + "#" + value
}

// contactPuts are the copies of req its write puts in the same transaction.
func (s *Store) contactPuts(req trust.Request) ([]types.TransactWriteItem, error) {
	if req.Status == trust.Unconfirmed || !req.ErasedAt.IsZero() {
		return nil, nil
	}
	domain := trust.EmailDomain(req.Email)
	var puts []types.TransactWriteItem
	for _, k := range []struct {
		by    trust.ContactField
		value string
	}{{trust.ByEmail, req.Email}, {trust.ByDomain, domain}} {
		it, err := item(req, map[string]string{AttrPK: contactPK(k.by, k.value), AttrSK: timeKey(req.CreatedAt, req.ID)})
		if err != nil {
			return nil, fmt.Errorf("dynamostore: encode request by %s: %w", k.by, err)
		}
		puts = append(puts, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.table), Item: it}})
	}
	return puts, nil
}

func (s *Store) PriorRequests(ctx context.Context, by trust.ContactField, value string, limit int) ([]trust.Request, error) {
	if by != trust.ByEmail && by != trust.ByDomain {
		return nil, trust.Errorf(trust.EInvalid, "Requests cannot be looked up by %q.", by)
	}
	if value == "" || limit < 1 {
		return nil, trust.Errorf(trust.EInvalid, "The lookup needs a value and a positive limit.")
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrPK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(contactPK(by, value))},
		ScanIndexForward:          aws.Bool(false),
	}
	return queryUpTo[trust.Request](ctx, s, in, limit, "request")
}

// queryUpTo runs in page by page until it has limit items or none are
// left, decoding each as a T (what names it in errors).
func queryUpTo[T any](ctx context.Context, s *Store, in *dynamodb.QueryInput, limit int, what string) ([]T, error) {
	var items []T
	for len(items) < limit {
		in.Limit = aws.Int32(int32(min(limit-len(items), maxPage)))
		out, err := s.client.Query(ctx, in)
		if err != nil {
			return nil, mapErr("Query", err)
		}
		for _, it := range out.Items {
			var v T
			if err := decode(it, &v); err != nil {
				return nil, fmt.Errorf("dynamostore: decode %s: %w", what, err)
			}
			items = append(items, v)
		}
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	return items, nil
}
