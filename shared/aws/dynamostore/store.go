// Package dynamostore is the DynamoDB engine of trust.Store: one table, the
// item kinds told apart by the prefix of their partition key, and one global
// secondary index for everything listed in order (the request queue by status,
// the documents, the outbox). The layout is in schema.go; the CDK stack
// creates the same table from it.
package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"trustcenter/shared/aws/awsenv"
	"trustcenter/shared/trust"
)

// maxTxItems is DynamoDB's limit on the actions of one TransactWriteItems.
const maxTxItems = 100

// maxPage bounds one ListRequests page, so a caller's limit cannot turn one
// request into an unbounded read.
const maxPage = 1000

// Store is a trust.Store on one DynamoDB table.
type Store struct {
	client api
	table  string
	clock  trust.Clock
}

var _ trust.Store = (*Store)(nil)

// New returns a store on table, which must have the shape of Schema. clock
// (nil: the system's) dates what the store stamps itself: when a mail was
// sent, and when its record may expire.
func New(client *dynamodb.Client, table string, clock trust.Clock) *Store {
	return &Store{table: table, clock: clock, client: api{
		GetItem:            client.GetItem,
		DeleteItem:         client.DeleteItem,
		UpdateItem:         client.UpdateItem,
		PutItem:            client.PutItem,
		Query:              client.Query,
		TransactWriteItems: client.TransactWriteItems,
	}}
}

// commitOnce writes tx as one TransactWriteItems, so the request, the
// tokens it consumes, its events and its mails land together or not at
// all, with extra (the queue's counters and accounts, queue.go) at the end.
// Commit (queue.go) runs trust.CheckTx first: DynamoDB refuses two actions
// on one item as a malformed request, which to the caller is one id
// written twice, a conflict like any other reuse.
func (s *Store) commitOnce(ctx context.Context, tx trust.Tx, extra []types.TransactWriteItem) error {
	var items []types.TransactWriteItem
	put := func(it map[string]types.AttributeValue, cond string, names map[string]string, values map[string]types.AttributeValue) {
		p := &types.Put{TableName: aws.String(s.table), Item: it, ConditionExpression: aws.String(cond)}
		if len(names) > 0 {
			p.ExpressionAttributeNames = names
		}
		if len(values) > 0 {
			p.ExpressionAttributeValues = values
		}
		items = append(items, types.TransactWriteItem{Put: p})
	}
	// Every item in a transaction is new except the request, so each one is
	// guarded against overwriting: a reused id must fail, not silently
	// replace an event, resend a mail or revive a used token.
	const mustBeNew = "attribute_not_exists(" + AttrPK + ")"

	if r := tx.Request; r != nil {
		req := *r
		req.Version = tx.IfVersion + 1
		pk := prefixRequest + req.ID
		it, err := item(req, map[string]string{
			AttrPK: pk, AttrSK: pk,
			AttrGSI1PK: prefixStatus + string(req.Status),
			AttrGSI1SK: timeKey(req.CreatedAt, req.ID),
		})
		if err != nil {
			return fmt.Errorf("dynamostore: encode request: %w", err)
		}
		// The whole item is replaced on every write, so a request written
		// without PurgeAt (confirmed) loses the TTL it had.
		setTTL(it, req.PurgeAt)
		addQueueKeys(it, req)
		if tx.IfVersion == 0 {
			put(it, mustBeNew, nil, nil)
		} else {
			put(it, "#version = :version",
				map[string]string{"#version": "version"},
				map[string]types.AttributeValue{":version": num(tx.IfVersion)})
		}
		contacts, err := s.contactPuts(req)
		if err != nil {
			return err
		}
		items = append(items, contacts...)
	}

	if d := tx.Document; d != nil {
		it, err := documentItem(*d)
		if err != nil {
			return err
		}
		if d.Version == 1 {
			put(it, mustBeNew, nil, nil)
		} else {
			put(it, "#version = :version",
				map[string]string{"#version": "version"},
				map[string]types.AttributeValue{":version": num(int64(d.Version - 1))})
		}
	}

	if rs := tx.Rules; rs != nil {
		it, err := item(*rs, map[string]string{AttrPK: rulesPK, AttrSK: rulesPK})
		if err != nil {
			return fmt.Errorf("dynamostore: encode rules: %w", err)
		}
		if rs.Version == 1 {
			put(it, mustBeNew, nil, nil)
		} else {
			put(it, "#version = :version",
				map[string]string{"#version": "version"},
				map[string]types.AttributeValue{":version": num(int64(rs.Version - 1))})
		}
	}

	for _, u := range tx.Uses {
		pk := prefixUse + u.ID
		it, err := item(u, map[string]string{AttrPK: pk, AttrSK: pk})
		if err != nil {
			return fmt.Errorf("dynamostore: encode use: %w", err)
		}
		setTTL(it, u.ExpiresAt)
		put(it, mustBeNew, nil, nil)
	}

	if se := tx.Session; se != nil {
		pk := prefixSession + se.ID
		it, err := item(*se, map[string]string{AttrPK: pk, AttrSK: pk})
		if err != nil {
			return fmt.Errorf("dynamostore: encode session: %w", err)
		}
		setTTL(it, se.ExpiresAt)
		put(it, mustBeNew, nil, nil)
	}

	for _, e := range tx.Events {
		it, err := item(e, map[string]string{AttrPK: prefixEvent + e.Subject, AttrSK: timeKey(e.At, e.ID)})
		if err != nil {
			return fmt.Errorf("dynamostore: encode event: %w", err)
		}
		put(it, mustBeNew, nil, nil)
	}

	for _, m := range tx.Mails {
		pk := prefixMail + m.ID
		it, err := item(m, map[string]string{
			AttrPK: pk, AttrSK: pk,
			AttrGSI1PK: partOutbox,
			AttrGSI1SK: timeKey(m.CreatedAt, m.ID),
		})
		if err != nil {
			return fmt.Errorf("dynamostore: encode mail: %w", err)
		}
		put(it, mustBeNew, nil, nil)
	}

	if c := tx.Copy; c != nil {
		// Two items, both new: the one a later download reads by grant,
		// document and version, and the one a trace reads by watermark ID.
		// Either one existing cancels the transaction.
		byGrant, err := item(*c, map[string]string{AttrPK: prefixCopy + c.Grant, AttrSK: copySK(c.Document, c.Version)})
		if err != nil {
			return fmt.Errorf("dynamostore: encode copy: %w", err)
		}
		put(byGrant, mustBeNew, nil, nil)
		pk := prefixMark + c.WatermarkID
		byMark, err := item(*c, map[string]string{AttrPK: pk, AttrSK: pk})
		if err != nil {
			return fmt.Errorf("dynamostore: encode copy: %w", err)
		}
		put(byMark, mustBeNew, nil, nil)
	}

	del := func(pk, sk string) {
		items = append(items, types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(s.table),
			Key: map[string]types.AttributeValue{AttrPK: str(pk), AttrSK: str(sk)}}})
	}
	if err := ndaItems(tx, put, del); err != nil {
		return err
	}
	subs, err := s.subscriptionWrites(tx)
	if err != nil {
		return err
	}
	items = append(items, subs...)
	items = append(items, extra...)
	if len(items) == 0 {
		return nil
	}
	if len(items) > maxTxItems {
		return trust.Errorf(trust.EInvalid, "Too many changes in one step (%d, at most %d).", len(items), maxTxItems)
	}
	in := &dynamodb.TransactWriteItemsInput{TransactItems: items}
	for attempt := 1; ; attempt++ {
		_, err := s.client.TransactWriteItems(ctx, in)
		if err == nil || !txConflict(err) || attempt == commitAttempts {
			return mapErr("TransactWriteItems", err)
		}
		// DynamoDB cancels a transaction that meets another one on the
		// same item (two approvers at once) without saying who won, and
		// the SDK does not retry cancelled transactions. Trying again
		// turns that into the real answer: success, or a failed
		// condition because the other one committed.
		backoff := time.Duration(rand.Int64N(int64(commitBackoff << attempt)))
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return mapErr("TransactWriteItems", errors.Join(err, ctx.Err()))
		case <-t.C:
		}
	}
}

// commitAttempts and commitBackoff bound the retries of a transaction that
// met a concurrent one: full jitter, at most 5ms·2^n after attempt n.
const (
	commitAttempts = 4
	commitBackoff  = 5 * time.Millisecond
)

// txConflict reports whether err is a transaction cancelled only because of
// a concurrent transaction, not because a condition failed.
func txConflict(err error) bool {
	reasons, _ := cancelReasons(err)
	return slices.Contains(reasons, "TransactionConflict") && !slices.Contains(reasons, "ConditionalCheckFailed")
}

func setTTL(it map[string]types.AttributeValue, at time.Time) {
	if !at.IsZero() {
		it[AttrTTL] = num(epoch(at))
	}
}

// getItem reads and decodes the item pk, ENotFound if there is none. The
// read is strongly consistent: callers read a request's version and write
// against it at once, and a stale read would only buy a conflict.
func getItem[T any](ctx context.Context, s *Store, pk, what string) (T, error) {
	var zero, v T
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            key(pk),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return zero, mapErr("GetItem", err)
	}
	if out.Item == nil {
		return zero, trust.Errorf(trust.ENotFound, "No such %s.", what)
	}
	if err := decode(out.Item, &v); err != nil {
		return zero, fmt.Errorf("dynamostore: decode %s %s: %w", what, pk, err)
	}
	return v, nil
}

// gsi1Query queries one partition of GSI1, oldest first when forward.
func (s *Store) gsi1Query(pk string, forward bool) *dynamodb.QueryInput {
	return &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(IndexGSI1),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrGSI1PK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk)},
		ScanIndexForward:          aws.Bool(forward),
	}
}

func (s *Store) GetRequest(ctx context.Context, id string) (trust.Request, error) {
	return getItem[trust.Request](ctx, s, prefixRequest+id, "request")
}

// queryItems runs in from its ExclusiveStartKey until it has want items
// or the key range ends, asking each time only for what is still missing.
func (s *Store) queryItems(ctx context.Context, in *dynamodb.QueryInput, want int) ([]map[string]types.AttributeValue, error) {
	var items []map[string]types.AttributeValue
	for {
		in.Limit = aws.Int32(int32(want - len(items)))
		out, err := s.client.Query(ctx, in)
		if err != nil {
			return nil, mapErr("Query", err)
		}
		items = append(items, out.Items...)
		if len(items) >= want || len(out.LastEvaluatedKey) == 0 {
			return items, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// ListRequests reads the status partition of GSI1, newest first. GSI reads
// are eventually consistent: a request written a moment ago may show up a
// moment later, which a queue can live with.
func (s *Store) ListRequests(ctx context.Context, status trust.Status, cursor string, limit int) ([]trust.Request, string, error) {
	if !slices.Contains(trust.Statuses, status) {
		return nil, "", trust.Errorf(trust.EInvalid, "Unknown status %q.", status)
	}
	if limit <= 0 {
		return nil, "", trust.Errorf(trust.EInvalid, "The page size must be positive.")
	}
	limit = min(limit, maxPage)
	gsiPK := prefixStatus + string(status)
	start, err := decodeCursor(cursor, gsiPK)
	if err != nil {
		return nil, "", err
	}

	// Ask for one more than the page: DynamoDB hands back a LastEvaluatedKey
	// whenever it stops at Limit, even with nothing left, and a cursor to
	// an empty page would break "next is empty on the last page".
	in := s.gsi1Query(gsiPK, false)
	in.ExclusiveStartKey = start
	items, err := s.queryItems(ctx, in, limit+1)
	if err != nil {
		return nil, "", err
	}

	next := ""
	if len(items) > limit {
		items = items[:limit]
		next = encodeCursor(items[limit-1])
	}
	reqs := make([]trust.Request, 0, len(items))
	for _, it := range items {
		var r trust.Request
		if err := decode(it, &r); err != nil {
			return nil, "", fmt.Errorf("dynamostore: decode request: %w", err)
		}
		reqs = append(reqs, r)
	}
	return reqs, next, nil
}

const rulesPK = prefixRules + "current"

func (s *Store) GetRules(ctx context.Context) (trust.RuleSet, error) {
	return getItem[trust.RuleSet](ctx, s, rulesPK, "rule set")
}

// RequestsSince queries each status partition of GSI1 newest first, down to
// since (its sort key starts with the creation time), so the read is bounded
// by the key condition and the limit; then merges the partitions.
func (s *Store) RequestsSince(ctx context.Context, since time.Time, limit int) ([]trust.Request, error) {
	if limit <= 0 {
		return nil, trust.Errorf(trust.EInvalid, "The page size must be positive.")
	}
	var reqs []trust.Request
	for _, st := range trust.Statuses {
		in := s.gsi1Query(prefixStatus+string(st), false)
		in.KeyConditionExpression = aws.String("#pk = :pk AND #sk >= :since")
		in.ExpressionAttributeNames["#sk"] = AttrGSI1SK
		in.ExpressionAttributeValues[":since"] = str(since.UTC().Format(sortTime))
		n := 0
		for {
			in.Limit = aws.Int32(int32(min(limit-n, maxPage)))
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
			n += len(out.Items)
			if n >= limit || len(out.LastEvaluatedKey) == 0 {
				break
			}
			in.ExclusiveStartKey = out.LastEvaluatedKey
		}
	}
	slices.SortFunc(reqs, func(a, b trust.Request) int { return b.CreatedAt.Compare(a.CreatedAt) })
	if len(reqs) > limit {
		reqs = reqs[:limit]
	}
	return reqs, nil
}

// ListEvents reads the subject's partition of the base table, strongly
// consistent, so the audit trail shows what was just committed.
func (s *Store) ListEvents(ctx context.Context, subject string) ([]trust.Event, error) {
	var events []trust.Event
	err := s.queryAll(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrPK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(prefixEvent + subject)},
		ScanIndexForward:          aws.Bool(true),
		ConsistentRead:            aws.Bool(true),
	}, func(it map[string]types.AttributeValue) error {
		var e trust.Event
		if err := decode(it, &e); err != nil {
			return fmt.Errorf("dynamostore: decode event: %w", err)
		}
		events = append(events, e)
		return nil
	})
	return events, err
}

// api is the part of *dynamodb.Client the store calls, as method values.
// Holding the client itself would make its type reachable from Store's,
// and html/template's use of reflection makes the linker keep every
// exported method of every reachable type: the client's hundreds of
// operations would add megabytes to each function binary.
type api struct {
	GetItem            func(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	DeleteItem         func(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	UpdateItem         func(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	PutItem            func(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query              queryFunc
	TransactWriteItems func(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// queryFunc is Query as the paginator wants it: an interface whose only
// method is Query.
type queryFunc func(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)

func (f queryFunc) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return f(ctx, in, opts...)
}

// queryAll runs in to its last page, handing each item to fn.
func (s *Store) queryAll(ctx context.Context, in *dynamodb.QueryInput, fn func(map[string]types.AttributeValue) error) error {
	p := dynamodb.NewQueryPaginator(s.client.Query, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return mapErr("Query", err)
		}
		for _, it := range out.Items {
			if err := fn(it); err != nil {
				return err
			}
		}
	}
	return nil
}

func documentItem(d trust.Document) (map[string]types.AttributeValue, error) {
	pk := prefixDoc + d.ID
	it, err := item(d, map[string]string{AttrPK: pk, AttrSK: pk, AttrGSI1PK: partDocs, AttrGSI1SK: d.ID})
	if err != nil {
		return nil, fmt.Errorf("dynamostore: encode document: %w", err)
	}
	return it, nil
}

func (s *Store) GetDocument(ctx context.Context, id string) (trust.Document, error) {
	return getItem[trust.Document](ctx, s, prefixDoc+id, "document")
}

// ListDocuments reads the DOCS partition of GSI1, ordered by id.
func (s *Store) ListDocuments(ctx context.Context) ([]trust.Document, error) {
	var docs []trust.Document
	err := s.queryAll(ctx, s.gsi1Query(partDocs, true), func(it map[string]types.AttributeValue) error {
		var d trust.Document
		if err := decode(it, &d); err != nil {
			return fmt.Errorf("dynamostore: decode document: %w", err)
		}
		docs = append(docs, d)
		return nil
	})
	return docs, err
}

// GetSession returns the session even past ExpiresAt: TTL deletes expired
// items only eventually (typically within days), so the caller's expiry
// check is what ends a session.
func (s *Store) GetSession(ctx context.Context, id string) (trust.Session, error) {
	return getItem[trust.Session](ctx, s, prefixSession+id, "session")
}

// DeleteSession is idempotent: signing out twice is not an error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	_, err := s.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(s.table),
		Key:       key(prefixSession + id),
	})
	return mapErr("DeleteItem", err)
}

// PendingMails reads the OUTBOX partition of GSI1, oldest first.
func (s *Store) PendingMails(ctx context.Context, limit int) ([]trust.Mail, error) {
	if limit <= 0 {
		return nil, trust.Errorf(trust.EInvalid, "The batch size must be positive.")
	}
	return queryUpTo[trust.Mail](ctx, s, s.gsi1Query(partOutbox, true), limit, "mail")
}

// MarkMailSent takes the mail out of the outbox by removing its GSI1 keys (a
// sparse index keeps only what is pending) and lets TTL remove it later.
// The update is conditioned on the mail still being pending, so marking it
// again keeps the first sent_at and TTL; when the condition fails, the item
// DynamoDB returns with the failure tells a sent mail (success) from a
// missing one.
func (s *Store) MarkMailSent(ctx context.Context, id string) error {
	now := s.clock.Now()
	_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(s.table),
		Key:                 key(prefixMail + id),
		UpdateExpression:    aws.String("REMOVE #gpk, #gsk SET #ttl = :ttl, #sent = :sent, #state = :state"),
		ConditionExpression: aws.String("attribute_exists(#gpk)"),
		ExpressionAttributeNames: map[string]string{
			"#gpk": AttrGSI1PK, "#gsk": AttrGSI1SK, "#ttl": AttrTTL, "#sent": "sent_at", "#state": "state",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":ttl":   num(epoch(now.Add(trust.SentMailRetention))),
			":sent":  str(now.UTC().Format(time.RFC3339Nano)),
			":state": str(string(trust.MailSent)),
		},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var condFailed *types.ConditionalCheckFailedException
	if errors.As(err, &condFailed) {
		if len(condFailed.Item) > 0 {
			return nil
		}
		return trust.Errorf(trust.ENotFound, "No such mail.")
	}
	return mapErr("UpdateItem", err)
}

// GetMail reads the mail's item, whatever its state (a sent one keeps its
// body until TTL removes it).
func (s *Store) GetMail(ctx context.Context, id string) (trust.Mail, error) {
	return getItem[trust.Mail](ctx, s, prefixMail+id, "mail")
}

// deliveryAttrs are the attributes of a mail's delivery state: an attempt
// writes these and nothing else, so it never rewrites what the mail says.
var deliveryAttrs = []string{"state", "attempts", "next_attempt_at", "sending_at", "lost", "reason"}

// SaveMailAttempt updates the delivery attributes in place (each one set, or
// removed where m leaves it zero, as the JSON encoding leaves it out),
// conditioned on the mail still being in the outbox with ifAttempts
// attempts. A given-up mail also leaves the OUTBOX partition and gets a TTL.
func (s *Store) SaveMailAttempt(ctx context.Context, m trust.Mail, ifAttempts int) error {
	if m.State != trust.MailPending && m.State != trust.MailUndeliverable {
		return trust.Errorf(trust.EInvalid, "A mail attempt cannot record the state %q.", m.State)
	}
	fields, err := item(m, nil)
	if err != nil {
		return fmt.Errorf("dynamostore: encode mail: %w", err)
	}
	names := map[string]string{"#gpk": AttrGSI1PK, "#attempts": "attempts"}
	values := map[string]types.AttributeValue{}
	var set, remove []string
	for i, a := range deliveryAttrs {
		n := "#d" + strconv.Itoa(i)
		names[n] = a
		if v, ok := fields[a]; ok {
			values[":d"+strconv.Itoa(i)] = v
			set = append(set, n+" = :d"+strconv.Itoa(i))
		} else {
			remove = append(remove, n)
		}
	}
	if m.State == trust.MailUndeliverable {
		names["#gsk"], names["#ttl"] = AttrGSI1SK, AttrTTL
		values[":ttl"] = num(epoch(s.clock.Now().Add(trust.SentMailRetention)))
		set = append(set, "#ttl = :ttl")
		remove = append(remove, "#gpk", "#gsk")
	}
	update := "SET " + strings.Join(set, ", ")
	if len(remove) > 0 {
		update += " REMOVE " + strings.Join(remove, ", ")
	}
	cond := "attribute_exists(#gpk) AND attribute_not_exists(#attempts)"
	if ifAttempts != 0 {
		cond = "attribute_exists(#gpk) AND #attempts = :if"
		values[":if"] = num(int64(ifAttempts))
	}
	_, err = s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                           aws.String(s.table),
		Key:                                 key(prefixMail + m.ID),
		UpdateExpression:                    aws.String(update),
		ConditionExpression:                 aws.String(cond),
		ExpressionAttributeNames:            names,
		ExpressionAttributeValues:           values,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if condFailed, ok := errors.AsType[*types.ConditionalCheckFailedException](err); ok {
		if len(condFailed.Item) > 0 {
			return trust.Errorf(trust.EConflict, "The mail is no longer pending with %d attempts.", ifAttempts)
		}
		return trust.Errorf(trust.ENotFound, "No such mail.")
	}
	return mapErr("UpdateItem", err)
}

// Suppress puts the suppression under its address, replacing an earlier one.
func (s *Store) Suppress(ctx context.Context, sup trust.Suppression) error {
	if sup.Address == "" {
		return trust.Errorf(trust.EInvalid, "The suppressed address is empty.")
	}
	pk := prefixSuppress + sup.Address
	it, err := item(sup, map[string]string{AttrPK: pk, AttrSK: pk})
	if err != nil {
		return fmt.Errorf("dynamostore: encode suppression: %w", err)
	}
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: it})
	return mapErr("PutItem", err)
}

func (s *Store) Suppressed(ctx context.Context, address string) (trust.Suppression, error) {
	if address == "" {
		return trust.Suppression{}, trust.Errorf(trust.ENotFound, "No such suppression.")
	}
	return getItem[trust.Suppression](ctx, s, prefixSuppress+address, "suppression")
}

// Hit counts with an atomic ADD on one item per key and window, so
// concurrent attempts from many function instances all count, and reads the
// item of the window before. An item expires a window after its own ends,
// while the next window still weighs it.
func (s *Store) Hit(ctx context.Context, key string, window time.Duration, now time.Time) (trust.Hits, error) {
	if window <= 0 {
		return trust.Hits{}, trust.Errorf(trust.EInvalid, "The rate window must be positive.")
	}
	start := now.Truncate(window)
	ratePK := func(start time.Time) string {
		return prefixRate + key + "#" + start.UTC().Format(sortTime) + "/" + window.String()
	}
	pk := ratePK(start)
	out, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      map[string]types.AttributeValue{AttrPK: str(pk), AttrSK: str(pk)},
		UpdateExpression:         aws.String("ADD #n :one SET #ttl = :ttl"),
		ExpressionAttributeNames: map[string]string{"#n": "count", "#ttl": AttrTTL},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one": num(1),
			":ttl": num(epoch(start.Add(2 * window))),
		},
		ReturnValues: types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return trust.Hits{}, mapErr("UpdateItem", err)
	}
	cur, err := itemCount(pk, out.Attributes)
	if err != nil {
		return trust.Hits{}, err
	}
	prevPK := ratePK(start.Add(-window))
	prev, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            map[string]types.AttributeValue{AttrPK: str(prevPK), AttrSK: str(prevPK)},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return trust.Hits{}, mapErr("GetItem", err)
	}
	hits := trust.Hits{Current: cur}
	if len(prev.Item) > 0 {
		if hits.Previous, err = itemCount(prevPK, prev.Item); err != nil {
			return trust.Hits{}, err
		}
	}
	return hits, nil
}

// downloadShards is how many partitions one document's download counters
// are spread over. A single item takes about a thousand writes a second;
// each download adds to one shard picked at random, so a document can be
// fetched downloadShards times as often before writes are throttled, and
// reading a span of days costs one small query per shard.
const downloadShards = 8

func downloadPK(shard int, doc string) string {
	return prefixDownloads + strconv.Itoa(shard) + "#" + doc
}

// dayKey is a counter's sort key: the UTC date, which sorts as time does.
func dayKey(t time.Time) string { return trust.DownloadDay(t).Format(time.DateOnly) }

// CountDownload adds one, atomically, to the day's counter of a random
// shard; the item expires with trust.DownloadCounterEnd.
func (s *Store) CountDownload(ctx context.Context, doc string, at time.Time) error {
	if doc == "" {
		return trust.Errorf(trust.EInvalid, "The document has no id.")
	}
	_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.table),
		Key: map[string]types.AttributeValue{
			AttrPK: str(downloadPK(rand.IntN(downloadShards), doc)),
			AttrSK: str(dayKey(at)),
		},
		UpdateExpression:         aws.String("ADD #n :one SET #ttl = :ttl"),
		ExpressionAttributeNames: map[string]string{"#n": "count", "#ttl": AttrTTL},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one": num(1),
			":ttl": num(epoch(trust.DownloadCounterEnd(at))),
		},
	})
	return mapErr("UpdateItem", err)
}

// DownloadCount sums the span's days over every shard: a query per shard,
// of at most one small item per day. The reads are eventually consistent;
// a count a moment behind is still the count.
func (s *Store) DownloadCount(ctx context.Context, doc string, first, last time.Time) (int, error) {
	if err := trust.CheckDownloadCount(doc, first, last); err != nil {
		return 0, err
	}
	total := 0
	for shard := range downloadShards {
		pk := downloadPK(shard, doc)
		err := s.queryAll(ctx, &dynamodb.QueryInput{
			TableName:                aws.String(s.table),
			KeyConditionExpression:   aws.String("#pk = :pk AND #sk BETWEEN :first AND :last"),
			ExpressionAttributeNames: map[string]string{"#pk": AttrPK, "#sk": AttrSK},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": str(pk), ":first": str(dayKey(first)), ":last": str(dayKey(last)),
			},
		}, func(it map[string]types.AttributeValue) error {
			n, err := itemCount(pk, it)
			total += n
			return err
		})
		if err != nil {
			return 0, err
		}
	}
	return total, nil
}

func itemCount(pk string, item map[string]types.AttributeValue) (int, error) {
	n, ok := item["count"].(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("dynamostore: counter %s came back without a count", pk)
	}
	count, err := strconv.Atoi(n.Value)
	if err != nil {
		return 0, fmt.Errorf("dynamostore: counter %s: %w", pk, err)
	}
	return count, nil
}

// copySK orders a grant's copies by document, then version.
func copySK(document string, version int) string {
	return fmt.Sprintf("%s#%010d", document, version)
}

func (s *Store) GetCopy(ctx context.Context, grant, document string, version int) (trust.Copy, error) {
	var zero, c trust.Copy
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table),
		Key: map[string]types.AttributeValue{
			AttrPK: str(prefixCopy + grant), AttrSK: str(copySK(document, version)),
		},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return zero, mapErr("GetItem", err)
	}
	if out.Item == nil {
		return zero, trust.Errorf(trust.ENotFound, "No such copy.")
	}
	if err := decode(out.Item, &c); err != nil {
		return zero, fmt.Errorf("dynamostore: decode copy: %w", err)
	}
	return c, nil
}

func (s *Store) CopyByWatermark(ctx context.Context, id string) (trust.Copy, error) {
	return getItem[trust.Copy](ctx, s, prefixMark+id, "copy")
}

// ListCopies reads the grant's partition, strongly consistent.
func (s *Store) ListCopies(ctx context.Context, grant string) ([]trust.Copy, error) {
	var copies []trust.Copy
	err := s.queryAll(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrPK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(prefixCopy + grant)},
		ConsistentRead:            aws.Bool(true),
	}, func(it map[string]types.AttributeValue) error {
		var c trust.Copy
		if err := decode(it, &c); err != nil {
			return fmt.Errorf("dynamostore: decode copy: %w", err)
		}
		copies = append(copies, c)
		return nil
	})
	return copies, err
}

// FromConfig is the engine of a Lambda function, on table.
// FromConfig is the engine of a Lambda function, on table, with the same
// bounded retries and per-try timeout as every AWS call (awsenv.Bounded):
// a throttled or stalled table answers unavailable well inside a request.
func FromConfig(cfg aws.Config, table string, clock trust.Clock) *Store {
	return New(dynamodb.NewFromConfig(awsenv.Bounded.Apply(cfg), func(o *dynamodb.Options) { o.BaseEndpoint = awsenv.Endpoint(cfg, "DYNAMODB") }), table, clock)
}
