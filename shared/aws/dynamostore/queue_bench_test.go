package dynamostore_test

import (
	"testing"

	"trustcenter/shared/aws/dynamostore"
	"trustcenter/shared/testkit/dynamolocal"
	"trustcenter/shared/testkit/queuebench"
)

// BenchmarkQueuePage renders the console's queue pages over a DynamoDB
// Local table holding queuebench.Requests requests. DynamoDB Local is a
// Java emulator on this machine: read the figures as the cost of the
// queries' shape (one keyed Query per page), not as DynamoDB's latency.
func BenchmarkQueuePage(b *testing.B) {
	client := dynamolocal.Client(local.Endpoint(b))
	s := dynamostore.New(client, dynamolocal.NewTable(b, client), nil)
	queuebench.Seed(b, s, queuebench.Requests)
	queuebench.Pages(b, s)
}
