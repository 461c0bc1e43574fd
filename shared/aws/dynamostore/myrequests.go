package dynamostore

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"trustcenter/shared/trust"
)

// RequestsByAddress reads the address's partition of GSI2, newest first:
// one Query, however many requests the table holds. The partition is
// named by the address's hash, so neither the key nor an IAM condition
// on it spells an address out.
func (s *Store) RequestsByAddress(ctx context.Context, email string, limit int) ([]trust.Request, error) {
	if limit <= 0 || email == "" {
		return nil, trust.Errorf(trust.EInvalid, "The address and page size must be given.")
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(IndexGSI2),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrGSI2PK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(PrefixAddress + trust.AddressKey(email))},
		ScanIndexForward:          aws.Bool(false),
	}
	var reqs []trust.Request
	for len(reqs) < limit {
		in.Limit = aws.Int32(int32(min(limit-len(reqs), maxPage)))
		out, err := s.client.Query(ctx, in)
		if err != nil {
			return nil, mapErr("Query", err)
		}
		for _, it := range out.Items {
			var r trust.Request
			if err := decode(it, &r); err != nil {
				return nil, fmt.Errorf("dynamostore: decode request: %w", err)
			}
			reqs = append(reqs, r)
		}
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	return reqs, nil
}
