package dynamostore

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"trustcenter/shared/trust"
)

// PrefixHealth keys the operational records the scheduler writes for the
// web functions to read; HEALTH#mail is the mail health, one item.
const PrefixHealth = "HEALTH#"

const pkMailHealth = PrefixHealth + "mail"

func (s *Store) SetMailHealth(ctx context.Context, h trust.MailHealth) error {
	it, err := item(h, map[string]string{AttrPK: pkMailHealth, AttrSK: pkMailHealth})
	if err != nil {
		return fmt.Errorf("dynamostore: encode mail health: %w", err)
	}
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: it})
	return mapErr("PutItem", err)
}

func (s *Store) MailHealth(ctx context.Context) (trust.MailHealth, error) {
	return getItem[trust.MailHealth](ctx, s, pkMailHealth, "mail health")
}
