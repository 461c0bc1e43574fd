package dynamostore

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"trustcenter/shared/trust"
)

// Subscriptions' keys. Every subscriber is in the one partition
// PartSubscribers, by address in the sort key, so that the announcer lists
// them with a Query, never a Scan; a trust center's subscribers fit one
// partition many times over. What was announced is one item.
const (
	PartSubscribers = "SUB#"
	PrefixAnnounced = "ANNOUNCED#"
	announcedPK     = PrefixAnnounced + "current"
)

func subscriberKey(email string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrPK: str(PartSubscribers), AttrSK: str(email)}
}

// subscriptionWrites are tx's subscription writes, for Commit's
// transaction.
func (s *Store) subscriptionWrites(tx trust.Tx) ([]types.TransactWriteItem, error) {
	var items []types.TransactWriteItem
	if e := tx.EraseSubscriber; e != "" {
		items = append(items, types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(s.table), Key: subscriberKey(e)}})
	}
	if sub := tx.Subscriber; sub != nil {
		it, err := item(*sub, map[string]string{AttrPK: PartSubscribers, AttrSK: sub.Email})
		if err != nil {
			return nil, fmt.Errorf("dynamostore: encode subscriber: %w", err)
		}
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.table), Item: it}})
	}
	if a := tx.Announced; a != nil {
		it, err := item(*a, map[string]string{AttrPK: announcedPK, AttrSK: announcedPK})
		if err != nil {
			return nil, fmt.Errorf("dynamostore: encode announcement: %w", err)
		}
		p := &types.Put{TableName: aws.String(s.table), Item: it,
			ConditionExpression: aws.String("attribute_not_exists(" + AttrPK + ")")}
		if a.Version != 1 {
			p.ConditionExpression = aws.String("#version = :version")
			p.ExpressionAttributeNames = map[string]string{"#version": "version"}
			p.ExpressionAttributeValues = map[string]types.AttributeValue{":version": num(int64(a.Version - 1))}
		}
		items = append(items, types.TransactWriteItem{Put: p})
	}
	return items, nil
}

// GetSubscriber reads the subscriber at address email.
func (s *Store) GetSubscriber(ctx context.Context, email string) (trust.Subscriber, error) {
	var sub trust.Subscriber
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: subscriberKey(email), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return sub, mapErr("GetItem", err)
	}
	if out.Item == nil {
		return sub, trust.Errorf(trust.ENotFound, "No such subscriber.")
	}
	if err := decode(out.Item, &sub); err != nil {
		return sub, fmt.Errorf("dynamostore: decode subscriber: %w", err)
	}
	return sub, nil
}

// ListSubscribers queries the subscribers' partition.
func (s *Store) ListSubscribers(ctx context.Context) ([]trust.Subscriber, error) {
	var subs []trust.Subscriber
	err := s.queryAll(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrPK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(PartSubscribers)},
		ConsistentRead:            aws.Bool(true),
	}, func(it map[string]types.AttributeValue) error {
		var sub trust.Subscriber
		if err := decode(it, &sub); err != nil {
			return fmt.Errorf("dynamostore: decode subscriber: %w", err)
		}
		subs = append(subs, sub)
		return nil
	})
	return subs, err
}

// GetAnnounced reads what was announced last.
func (s *Store) GetAnnounced(ctx context.Context) (trust.Announced, error) {
	return getItem[trust.Announced](ctx, s, announcedPK, "announcement")
}
