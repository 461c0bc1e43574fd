package dynamostore

import (
	"context"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"trustcenter/shared/trust"
)

// The approved grants counted by the UTC day their access ends
// (trust.GrantDayChange): one item per day in the partition
// QCOUNT#grantdays, sort key the day, moved by an atomic ADD in the
// transaction of every request write that approves, extends or ends a
// grant. It shares the counters' prefix, so the functions allowed to move
// the counters may move these too.
const (
	grantDaysPK   = PrefixCounts + "grantdays"
	attrGrantDays = "grants"
)

// grantDayItems are the ADDs of a write's GrantDayChange: at most two
// days, never the same item twice in one transaction.
func (s *Store) grantDayItems(old *trust.Request, r trust.Request) []types.TransactWriteItem {
	var items []types.TransactWriteItem
	for day, n := range trust.GrantDayChange(old, r) {
		items = append(items, types.TransactWriteItem{Update: &types.Update{
			TableName:                 aws.String(s.table),
			Key:                       map[string]types.AttributeValue{AttrPK: str(grantDaysPK), AttrSK: str(day)},
			UpdateExpression:          aws.String("ADD #n :n"),
			ExpressionAttributeNames:  map[string]string{"#n": attrGrantDays},
			ExpressionAttributeValues: map[string]types.AttributeValue{":n": num(int64(n))},
		}})
	}
	return items
}

// activeGrants counts the grants active at now: the day counters after
// today (one item per day, as many as the longest access period has days)
// and, on GSI4, the grants that end between now and the end of today.
func (s *Store) activeGrants(ctx context.Context, now time.Time) (int, error) {
	tomorrow := trust.DayAfter(now)
	n := 0
	days := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("#pk = :pk AND #sk >= :day"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrPK, "#sk": AttrSK, "#n": attrGrantDays},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(grantDaysPK), ":day": str(trust.GrantDay(tomorrow))},
		ProjectionExpression:      aws.String("#n"),
		ConsistentRead:            aws.Bool(true),
	}
	for {
		page, err := s.client.Query(ctx, days)
		if err != nil {
			return 0, mapErr("Query", err)
		}
		for _, it := range page.Items {
			if v, ok := it[attrGrantDays].(*types.AttributeValueMemberN); ok {
				i, _ := strconv.Atoi(v.Value)
				n += i
			}
		}
		if len(page.LastEvaluatedKey) == 0 {
			break
		}
		days.ExclusiveStartKey = page.LastEvaluatedKey
	}
	today := s.indexQuery(IndexGSI4, AttrGSI4PK, PartGrants, false)
	// Keys are "<end>#<id>": those ending after now sort above now's time
	// followed by "$" (above "#"); those of today below tomorrow's bare time.
	today.KeyConditionExpression = aws.String("#pk = :pk AND #sk BETWEEN :now AND :tomorrow")
	today.ExpressionAttributeNames["#sk"] = AttrGSI4SK
	today.ExpressionAttributeValues[":now"] = str(now.UTC().Format(sortTime) + "$")
	today.ExpressionAttributeValues[":tomorrow"] = str(tomorrow.Format(sortTime))
	today.Select = types.SelectCount
	for {
		page, err := s.client.Query(ctx, today)
		if err != nil {
			return 0, mapErr("Query", err)
		}
		n += int(page.Count)
		if len(page.LastEvaluatedKey) == 0 {
			return n, nil
		}
		today.ExclusiveStartKey = page.LastEvaluatedKey
	}
}
