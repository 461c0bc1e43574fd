package dynamostore

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// tableWait bounds how long CreateTable waits for the table to turn ACTIVE.
// DynamoDB Local is instant; in AWS a new on-demand table takes seconds.
const tableWait = 5 * time.Minute

// CreateTableInput is the CreateTable call for Schema, billed on demand.
func CreateTableInput(name string) *dynamodb.CreateTableInput {
	defs := []types.AttributeDefinition{}
	defined := map[string]bool{}
	define := func(a KeyAttribute) {
		if !defined[a.Name] {
			defined[a.Name] = true
			defs = append(defs, types.AttributeDefinition{
				AttributeName: aws.String(a.Name),
				AttributeType: types.ScalarAttributeType(a.Type),
			})
		}
	}
	keySchema := func(pk, sk KeyAttribute) []types.KeySchemaElement {
		define(pk)
		ks := []types.KeySchemaElement{{AttributeName: aws.String(pk.Name), KeyType: types.KeyTypeHash}}
		if sk.Name != "" {
			define(sk)
			ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(sk.Name), KeyType: types.KeyTypeRange})
		}
		return ks
	}

	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		KeySchema:   keySchema(Schema.PartitionKey, Schema.SortKey),
	}
	for _, g := range Schema.GSIs {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName:  aws.String(g.Name),
			KeySchema:  keySchema(g.PartitionKey, g.SortKey),
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		})
	}
	in.AttributeDefinitions = defs
	return in
}

// CreateTable creates the table from Schema, waits until it is ACTIVE and
// turns on TTL. For tests and local development; the deployed table comes
// from the CDK stack.
func CreateTable(ctx context.Context, client *dynamodb.Client, name string) error {
	if _, err := client.CreateTable(ctx, CreateTableInput(name)); err != nil {
		return fmt.Errorf("dynamostore: create table %s: %w", name, err)
	}
	// The waiter's default first back-off is 20s; a local table is ACTIVE
	// at once and an AWS one within seconds.
	w := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = time.Second
		o.MaxDelay = 10 * time.Second
	})
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, tableWait); err != nil {
		return fmt.Errorf("dynamostore: wait for table %s: %w", name, err)
	}
	if Schema.TTLAttribute != "" {
		_, err := client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
			TableName: aws.String(name),
			TimeToLiveSpecification: &types.TimeToLiveSpecification{
				AttributeName: aws.String(Schema.TTLAttribute),
				Enabled:       aws.Bool(true),
			},
		})
		if err != nil {
			return fmt.Errorf("dynamostore: enable TTL on %s: %w", name, err)
		}
	}
	return nil
}
