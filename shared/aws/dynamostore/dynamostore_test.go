package dynamostore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"trustcenter/shared/aws/dynamostore"
	"trustcenter/shared/testkit/dynamolocal"
	"trustcenter/shared/testkit/storetest"
	"trustcenter/shared/trust"
)

// local is the package's one DynamoDB Local; every test gets its own table.
var local dynamolocal.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	local.Stop()
	os.Exit(code)
}

// newTable creates a fresh table from Schema, deleted when t ends.
func newTable(t *testing.T) (*dynamodb.Client, string) {
	t.Helper()
	client := dynamolocal.Client(local.Endpoint(t))
	return client, dynamolocal.NewTable(t, client)
}

// newStore is a store on a fresh table, reading clock (nil: the system's).
func newStore(t *testing.T, clock trust.Clock) (*dynamostore.Store, *dynamodb.Client, string) {
	t.Helper()
	client, name := newTable(t)
	return dynamostore.New(client, name, clock), client, name
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) trust.Store {
		s, _, _ := newStore(t, nil)
		return s
	})
}

func TestCreateTableFromSchema(t *testing.T) {
	client, name := newTable(t)
	ctx := t.Context()
	out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	tbl := out.Table
	if tbl.TableStatus != types.TableStatusActive {
		t.Errorf("status = %s, want ACTIVE", tbl.TableStatus)
	}
	if tbl.BillingModeSummary == nil || tbl.BillingModeSummary.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("billing mode = %+v, want PAY_PER_REQUEST", tbl.BillingModeSummary)
	}
	wantKeys := []string{dynamostore.AttrPK + "/HASH", dynamostore.AttrSK + "/RANGE"}
	if got := keyList(tbl.KeySchema); !slices.Equal(got, wantKeys) {
		t.Errorf("table key = %v, want %v", got, wantKeys)
	}
	if len(tbl.GlobalSecondaryIndexes) != len(dynamostore.Schema.GSIs) {
		t.Fatalf("GSIs = %d, want the schema's %d", len(tbl.GlobalSecondaryIndexes), len(dynamostore.Schema.GSIs))
	}
	gsi := tbl.GlobalSecondaryIndexes[slices.IndexFunc(tbl.GlobalSecondaryIndexes, func(g types.GlobalSecondaryIndexDescription) bool {
		return aws.ToString(g.IndexName) == dynamostore.IndexGSI1
	})]
	if aws.ToString(gsi.IndexName) != dynamostore.IndexGSI1 {
		t.Errorf("GSI name = %s, want %s", aws.ToString(gsi.IndexName), dynamostore.IndexGSI1)
	}
	wantGSIKeys := []string{dynamostore.AttrGSI1PK + "/HASH", dynamostore.AttrGSI1SK + "/RANGE"}
	if got := keyList(gsi.KeySchema); !slices.Equal(got, wantGSIKeys) {
		t.Errorf("GSI key = %v, want %v", got, wantGSIKeys)
	}
	if gsi.Projection == nil || gsi.Projection.ProjectionType != types.ProjectionTypeAll {
		t.Errorf("GSI projection = %+v, want ALL", gsi.Projection)
	}
	for _, d := range tbl.AttributeDefinitions {
		if d.AttributeType != types.ScalarAttributeTypeS {
			t.Errorf("attribute %s has type %s, want S", aws.ToString(d.AttributeName), d.AttributeType)
		}
	}
	if want := 2 + 2*len(dynamostore.Schema.GSIs); len(tbl.AttributeDefinitions) != want {
		t.Errorf("attribute definitions = %d, want the %d key attributes", len(tbl.AttributeDefinitions), want)
	}

	ttl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	d := ttl.TimeToLiveDescription
	if d == nil || d.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(d.AttributeName) != dynamostore.AttrTTL {
		t.Errorf("TTL = %+v, want ENABLED on %s", d, dynamostore.AttrTTL)
	}
}

func keyList(ks []types.KeySchemaElement) []string {
	var out []string
	for _, k := range ks {
		out = append(out, aws.ToString(k.AttributeName)+"/"+string(k.KeyType))
	}
	return out
}

// rawItem reads an item as stored, to check the layout the CDK stack, TTL and
// operators rely on.
func rawItem(t *testing.T, client *dynamodb.Client, table, pk, sk string) map[string]types.AttributeValue {
	t.Helper()
	out, err := client.GetItem(t.Context(), &dynamodb.GetItemInput{
		TableName: aws.String(table),
		Key: map[string]types.AttributeValue{
			dynamostore.AttrPK: &types.AttributeValueMemberS{Value: pk},
			dynamostore.AttrSK: &types.AttributeValueMemberS{Value: sk},
		},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.Item == nil {
		t.Fatalf("no item %s / %s", pk, sk)
	}
	return out.Item
}

func attrS(it map[string]types.AttributeValue, name string) (string, bool) {
	v, ok := it[name].(*types.AttributeValueMemberS)
	if !ok {
		return "", false
	}
	return v.Value, true
}

func attrN(t *testing.T, it map[string]types.AttributeValue, name string) int64 {
	t.Helper()
	v, ok := it[name].(*types.AttributeValueMemberN)
	if !ok {
		t.Fatalf("attribute %s = %#v, want a number", name, it[name])
	}
	n, err := strconv.ParseInt(v.Value, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestItemLayout(t *testing.T) {
	// The store's clock, moved by hand below.
	now := time.Now().Truncate(time.Second)
	s, client, table := newStore(t, func() time.Time { return now })
	ctx := t.Context()
	created := time.Date(2025, 3, 14, 9, 26, 53, 0, time.FixedZone("UTC+5", 5*3600))
	exp := time.Now().Add(time.Hour).Truncate(time.Second).Add(300 * time.Millisecond)
	r := trust.Request{ID: "r1", Email: "ada@example.com", Status: trust.Pending, CreatedAt: created}
	sess := trust.Session{ID: "s1", Email: "admin@example.com", Role: trust.Admin, CreatedAt: created, ExpiresAt: exp}
	err := s.Commit(ctx, trust.Tx{
		Request: &r,
		Uses:    []trust.Use{{ID: "u1", ExpiresAt: exp}},
		Session: &sess,
		Events:  []trust.Event{{ID: "e1", Subject: "r1", Type: "submitted", At: created}},
		Mails:   []trust.Mail{{ID: "m1", To: "ada@example.com", CreatedAt: created}},
	})
	if err != nil {
		t.Fatal(err)
	}

	req := rawItem(t, client, table, "REQ#r1", "REQ#r1")
	for name, want := range map[string]string{
		dynamostore.AttrGSI1PK: "STATUS#pending",
		// UTC and a fixed-width fraction, so text order is time order.
		dynamostore.AttrGSI1SK: "2025-03-14T04:26:53.000000000Z#r1",
		"email":                "ada@example.com",
	} {
		if got, _ := attrS(req, name); got != want {
			t.Errorf("request %s = %q, want %q", name, got, want)
		}
	}
	if v := attrN(t, req, "version"); v != 1 {
		t.Errorf("request version = %d, want 1", v)
	}
	if _, ok := req[dynamostore.AttrTTL]; ok {
		t.Error("a request must not expire")
	}

	// TTL rounds up: an item must not be deleted before it expires.
	wantTTL := exp.Unix() + 1
	for _, pk := range []string{"USE#u1", "SESSION#s1"} {
		if got := attrN(t, rawItem(t, client, table, pk, pk), dynamostore.AttrTTL); got != wantTTL {
			t.Errorf("%s TTL = %d, want %d", pk, got, wantTTL)
		}
	}
	rawItem(t, client, table, "EVT#r1", "2025-03-14T04:26:53.000000000Z#e1")

	mail := rawItem(t, client, table, "MAIL#m1", "MAIL#m1")
	if got, _ := attrS(mail, dynamostore.AttrGSI1PK); got != "OUTBOX" {
		t.Errorf("pending mail GSI1PK = %q, want OUTBOX", got)
	}
	if _, ok := mail[dynamostore.AttrTTL]; ok {
		t.Error("a pending mail must not expire")
	}
	if err := s.MarkMailSent(ctx, "m1"); err != nil {
		t.Fatal(err)
	}
	mail = rawItem(t, client, table, "MAIL#m1", "MAIL#m1")
	for _, name := range []string{dynamostore.AttrGSI1PK, dynamostore.AttrGSI1SK} {
		if _, ok := mail[name]; ok {
			t.Errorf("sent mail still has %s; it would stay in the outbox index", name)
		}
	}
	ttl := attrN(t, mail, dynamostore.AttrTTL)
	if lo, hi := now.Add(trust.SentMailRetention).Unix(), now.Add(trust.SentMailRetention).Unix()+1; ttl < lo || ttl > hi {
		t.Errorf("sent mail TTL = %d, want within [%d, %d]", ttl, lo, hi)
	}
	sentAt, ok := attrS(mail, "sent_at")
	if !ok {
		t.Fatal("sent mail has no sent_at")
	}
	// Marking again must not re-stamp the mail: the first sending is the
	// one that happened, and its TTL must not be pushed back.
	now = now.Add(time.Minute)
	if err := s.MarkMailSent(ctx, "m1"); err != nil {
		t.Fatalf("marking a sent mail again: %v", err)
	}
	again := rawItem(t, client, table, "MAIL#m1", "MAIL#m1")
	if got, _ := attrS(again, "sent_at"); got != sentAt {
		t.Errorf("sent_at after marking again = %q, want the first %q", got, sentAt)
	}
	if got := attrN(t, again, dynamostore.AttrTTL); got != ttl {
		t.Errorf("TTL after marking again = %d, want the first %d", got, ttl)
	}

	if err := s.Commit(ctx, trust.Tx{Document: &trust.Document{ID: "d1", Title: "SOC 3", Version: 1}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := attrS(rawItem(t, client, table, "DOC#d1", "DOC#d1"), dynamostore.AttrGSI1PK); got != "DOCS" {
		t.Errorf("document GSI1PK = %q, want DOCS", got)
	}

	hit := time.Date(2030, 1, 1, 12, 0, 30, 0, time.UTC)
	if _, err := s.Hit(ctx, "k", time.Minute, hit); err != nil {
		t.Fatal(err)
	}
	out, err := client.Query(ctx, &dynamodb.QueryInput{
		TableName:              aws.String(table),
		KeyConditionExpression: aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: "RATE#k#2030-01-01T12:00:00.000000000Z/1m0s"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Items) != 1 {
		t.Fatalf("rate counter items = %d, want 1", len(out.Items))
	}
	// Kept through the next window, which weighs it.
	if got, want := attrN(t, out.Items[0], dynamostore.AttrTTL), hit.Add(90*time.Second).Unix(); got != want {
		t.Errorf("rate counter TTL = %d, want the next window's end %d", got, want)
	}
}

func TestTxValidation(t *testing.T) {
	s, _, _ := newStore(t, nil)
	ctx := t.Context()
	exp := time.Now().Add(time.Hour)

	if err := s.Commit(ctx, trust.Tx{}); err != nil {
		t.Fatalf("empty Tx: %v", err)
	}
	err := s.Commit(ctx, trust.Tx{Uses: []trust.Use{{ID: "dup", ExpiresAt: exp}, {ID: "dup", ExpiresAt: exp}}})
	if code := trust.ErrorCode(err); code != trust.EConflict {
		t.Fatalf("one token used twice in one Tx: %v (code %s), want conflict", err, code)
	}
	// Neither of the two must have landed.
	if err := s.Commit(ctx, trust.Tx{Uses: []trust.Use{{ID: "dup", ExpiresAt: exp}}}); err != nil {
		t.Fatalf("token after a refused Tx: %v", err)
	}

	var many []trust.Event
	for i := range 101 {
		many = append(many, trust.Event{ID: fmt.Sprint(i), Subject: "s", At: exp})
	}
	if code := trust.ErrorCode(s.Commit(ctx, trust.Tx{Events: many})); code != trust.EInvalid {
		t.Fatalf("Tx over DynamoDB's 100 items: code %s, want invalid", code)
	}
	if code := trust.ErrorCode(s.Commit(ctx, trust.Tx{Request: &trust.Request{}})); code != trust.EInvalid {
		t.Fatalf("request without id: code %s, want invalid", code)
	}
}

// TestUnreachable points the store at a port nobody listens on.
func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	client := dynamolocal.Client("http://"+addr, func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
	s := dynamostore.New(client, "trust", nil)

	_, err = s.GetRequest(t.Context(), "r1")
	assertUnavailable(t, err, addr)
	r := trust.Request{ID: "r1", Status: trust.Pending}
	assertUnavailable(t, s.Commit(t.Context(), trust.Tx{Request: &r}), addr)
}

func assertUnavailable(t *testing.T, err error, internal ...string) {
	t.Helper()
	if code := trust.ErrorCode(err); code != trust.EUnavailable {
		t.Fatalf("got %v (code %s), want unavailable", err, code)
	}
	msg := trust.ErrorMessage(err)
	for _, s := range append(internal, "dynamodb", "dial", "connect", "Exception") {
		if strings.Contains(strings.ToLower(msg), strings.ToLower(s)) {
			t.Fatalf("user message %q leaks %q", msg, s)
		}
	}
}

// fakeDynamo answers every call with one canned DynamoDB error.
func fakeDynamo(t *testing.T, status int, errType, extra string) *dynamodb.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"__type":"com.amazonaws.dynamodb.v20120810#%s","message":"internal detail 42"%s}`, errType, extra)
	}))
	t.Cleanup(srv.Close)
	return dynamolocal.Client(srv.URL, func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
}

func TestErrorMapping(t *testing.T) {
	reasons := func(codes ...string) string {
		var rs []string
		for _, c := range codes {
			rs = append(rs, fmt.Sprintf(`{"Code":%q}`, c))
		}
		return `,"CancellationReasons":[` + strings.Join(rs, ",") + `]`
	}
	for _, tc := range []struct {
		name    string
		status  int
		errType string
		extra   string
		want    trust.Code
	}{
		{"throttling", 400, "ThrottlingException", "", trust.EUnavailable},
		{"provisioned throughput", 400, "ProvisionedThroughputExceededException", "", trust.EUnavailable},
		{"request limit", 400, "RequestLimitExceeded", "", trust.EUnavailable},
		{"transaction conflict", 400, "TransactionConflictException", "", trust.EUnavailable},
		{"table missing", 400, "ResourceNotFoundException", "", trust.EUnavailable},
		{"internal server error", 500, "InternalServerError", "", trust.EUnavailable},
		{"bare 503", 503, "ServiceUnavailable", "", trust.EUnavailable},
		{"condition failed", 400, "ConditionalCheckFailedException", "", trust.EConflict},
		{"transaction condition failed", 400, "TransactionCanceledException", reasons("None", "ConditionalCheckFailed"), trust.EConflict},
		{"transaction throttled", 400, "TransactionCanceledException", reasons("ThrottlingError", "None"), trust.EUnavailable},
		{"transaction validation", 400, "TransactionCanceledException", reasons("ValidationError"), trust.EInternal},
		{"validation is a bug", 400, "ValidationException", "", trust.EInternal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := dynamostore.New(fakeDynamo(t, tc.status, tc.errType, tc.extra), "trust", nil)
			r := trust.Request{ID: "r1", Status: trust.Pending}
			err := s.Commit(t.Context(), trust.Tx{Request: &r, IfVersion: 3})
			if code := trust.ErrorCode(err); code != tc.want {
				t.Fatalf("Commit: %v (code %s), want %s", err, code, tc.want)
			}
			if tc.want == trust.EUnavailable {
				assertUnavailable(t, err, "internal detail 42")
			}
			if strings.Contains(trust.ErrorMessage(err), "internal detail 42") {
				t.Fatalf("user message %q carries DynamoDB's text", trust.ErrorMessage(err))
			}
		})
	}

	t.Run("throttled read", func(t *testing.T) {
		s := dynamostore.New(fakeDynamo(t, 400, "ThrottlingException", ""), "trust", nil)
		_, _, err := s.ListRequests(t.Context(), trust.Pending, "", 10)
		assertUnavailable(t, err, "internal detail 42")
		_, err = s.Hit(t.Context(), "k", time.Minute, time.Now())
		assertUnavailable(t, err, "internal detail 42")
	})
}

func TestTimeout(t *testing.T) {
	// The handler never answers. It is released at cleanup (cleanups run
	// last-in first-out, so before srv.Close waits for it): a handler that
	// has not read the body does not notice the client hanging up.
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	client := dynamolocal.Client(srv.URL, func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
	s := dynamostore.New(client, "trust", nil)
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, err := s.GetDocument(ctx, "d1")
	assertUnavailable(t, err)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the cause is lost for the log: %v", err)
	}
}

// TestCommitRetriesTransactionConflict: DynamoDB cancels a transaction that
// meets a concurrent one. The engine must try again and report what really
// happened, not an outage.
func TestCommitRetriesTransactionConflict(t *testing.T) {
	const (
		conflict = `{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","message":"x","CancellationReasons":[{"Code":"TransactionConflict"},{"Code":"None"}]}`
		lost     = `{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","message":"x","CancellationReasons":[{"Code":"ConditionalCheckFailed"},{"Code":"None"}]}`
	)
	for _, tc := range []struct {
		name    string
		answers []string // "" is success; the last answer repeats
		want    trust.Code
		calls   int64
	}{
		{"then success", []string{conflict, conflict, ""}, "", 3},
		{"then the other writer won", []string{conflict, lost}, trust.EConflict, 2},
		{"conflict persists", []string{conflict}, trust.EUnavailable, 4},
		{"a failed condition is final", []string{lost, ""}, trust.EConflict, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/x-amz-json-1.0")
				if r.Header.Get("X-Amz-Target") != "DynamoDB_20120810.TransactWriteItems" {
					// The reads a commit makes first: the request it
					// replaces is at version 1, and the account it keeps
					// is not there yet.
					if body, _ := io.ReadAll(r.Body); bytes.Contains(body, []byte(`"REQ#r1"`)) {
						fmt.Fprint(w, `{"Item":{"PK":{"S":"REQ#r1"},"SK":{"S":"REQ#r1"},"id":{"S":"r1"},"status":{"S":"pending"},"version":{"N":"1"}}}`)
						return
					}
					fmt.Fprint(w, `{}`)
					return
				}
				n := int(calls.Add(1))
				answer := tc.answers[min(n, len(tc.answers))-1]
				if answer == "" {
					fmt.Fprint(w, `{}`)
					return
				}
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, answer)
			}))
			t.Cleanup(srv.Close)
			s := dynamostore.New(dynamolocal.Client(srv.URL, func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 }), "trust", nil)
			r := trust.Request{ID: "r1", Status: trust.Approved}
			err := s.Commit(t.Context(), trust.Tx{Request: &r, IfVersion: 1, Uses: []trust.Use{{ID: "u1"}}})
			if tc.want == "" && err != nil {
				t.Fatalf("Commit: %v", err)
			}
			if tc.want != "" && trust.ErrorCode(err) != tc.want {
				t.Fatalf("Commit: %v (code %s), want %s", err, trust.ErrorCode(err), tc.want)
			}
			if got := calls.Load(); got != tc.calls {
				t.Fatalf("TransactWriteItems calls = %d, want %d", got, tc.calls)
			}
		})
	}
}

// TestRetentionLayout: an unconfirmed request expires by TTL at its
// PurgeAt and the write that confirms it takes the TTL away; download
// counters are one item per shard and day, each with its expiry.
func TestRetentionLayout(t *testing.T) {
	s, client, table := newStore(t, nil)
	ctx := t.Context()
	created := time.Now().Truncate(time.Second)
	purge := created.Add(30 * 24 * time.Hour).Add(250 * time.Millisecond)
	r := trust.Request{ID: "r1", Email: "ada@example.com", Status: trust.Unconfirmed, CreatedAt: created, PurgeAt: purge}
	if err := s.Commit(ctx, trust.Tx{Request: &r}); err != nil {
		t.Fatal(err)
	}
	if got, want := attrN(t, rawItem(t, client, table, "REQ#r1", "REQ#r1"), dynamostore.AttrTTL), purge.Unix()+1; got != want {
		t.Errorf("unconfirmed request TTL = %d, want %d", got, want)
	}
	confirmed := r
	confirmed.Status, confirmed.PurgeAt = trust.Pending, time.Time{}
	if err := s.Commit(ctx, trust.Tx{Request: &confirmed, IfVersion: 1}); err != nil {
		t.Fatal(err)
	}
	if _, ok := rawItem(t, client, table, "REQ#r1", "REQ#r1")[dynamostore.AttrTTL]; ok {
		t.Error("a confirmed request still expires")
	}

	day := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	const downloads = 40
	for i := range downloads {
		if err := s.CountDownload(ctx, "soc3", day.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	wantTTL := trust.DownloadCounterEnd(day).Unix()
	total, shards := 0, 0
	for shard := range 64 {
		pk := dynamostore.PrefixDownloads + strconv.Itoa(shard) + "#soc3"
		out, err := client.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(table),
			Key: map[string]types.AttributeValue{
				dynamostore.AttrPK: &types.AttributeValueMemberS{Value: pk},
				dynamostore.AttrSK: &types.AttributeValueMemberS{Value: "2030-06-01"},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		if out.Item == nil {
			continue
		}
		shards++
		total += int(attrN(t, out.Item, "count"))
		if got := attrN(t, out.Item, dynamostore.AttrTTL); got != wantTTL {
			t.Errorf("%s TTL = %d, want %d (the day's end plus %v)", pk, got, wantTTL, trust.DownloadCountRetention)
		}
	}
	if total != downloads {
		t.Errorf("the shards hold %d downloads, want %d", total, downloads)
	}
	// 40 downloads over 8 shards all landing on one or two would mean the
	// shard is not picked at random.
	if shards < 3 {
		t.Errorf("%d downloads landed on %d shards", downloads, shards)
	}
}
