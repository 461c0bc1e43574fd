package dynamostore

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"trustcenter/shared/trust"
)

// The console's queue and accounts on DynamoDB. Every page is one Query of
// one index partition with a key condition and a Limit: the tab counts are
// one counter item plus the grants still active, counted by the day their
// access ends (grantdays.go); accounts are
// items of their own, rewritten in the same transaction as each request
// of their domain, listed by activity in GSI1.

const countsPK = PrefixCounts + "requests"

// addQueueKeys puts a request into the sparse queue indexes it belongs in.
func addQueueKeys(it map[string]types.AttributeValue, r trust.Request) {
	if r.Status == trust.Unconfirmed {
		return
	}
	created := timeKey(r.CreatedAt, r.ID)
	it[AttrGSI2PK], it[AttrGSI2SK] = str(PartConfirmed), str(created)
	it[AttrGSI3PK], it[AttrGSI3SK] = str(PrefixDomain+trust.AccountDomain(r.Email)), str(created)
	if r.Status == trust.Approved {
		it[AttrGSI4PK], it[AttrGSI4SK] = str(PartGrants), str(timeKey(r.ExpiresAt, r.ID))
	}
}

// accountAttempts bounds the rebuilds of a commit whose account item was
// rewritten by another commit between our read and our write.
const accountAttempts = 5

// Commit writes tx with its queue bookkeeping: the counters by an atomic
// ADD, and the account by a write conditioned on the version read. When
// only the account's condition failed, another request of the same domain
// got there first; the account is read again and the commit retried.
func (s *Store) Commit(ctx context.Context, tx trust.Tx) error {
	if err := trust.CheckTx(tx); err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		extra, err := s.queueItems(ctx, tx)
		if err != nil {
			return err
		}
		err = s.commitOnce(ctx, tx, extra)
		if err == nil || attempt == accountAttempts || !onlyAccountFailed(err, len(extra)) {
			return err
		}
	}
}

// onlyAccountFailed reports whether a cancelled transaction failed only on
// its last action, which queueItems makes the account's when there is one.
func onlyAccountFailed(err error, extra int) bool {
	reasons, ok := cancelReasons(err)
	if !ok || extra == 0 || len(reasons) == 0 {
		return false
	}
	for i, r := range reasons {
		last := i == len(reasons)-1
		if last && r != "ConditionalCheckFailed" || !last && r != "None" && r != "" {
			return false
		}
	}
	return true
}

// queueItems are the actions that keep the counters and the account in
// step with tx; the account's Put, if any, comes last.
func (s *Store) queueItems(ctx context.Context, tx trust.Tx) ([]types.TransactWriteItem, error) {
	var (
		items   []types.TransactWriteItem
		acct    trust.Account
		domain  string
		changed bool
	)
	load := func(d string) error {
		if domain != "" {
			return nil
		}
		a, err := getItem[trust.Account](ctx, s, PrefixAccount+d, "account")
		if err != nil && trust.ErrorCode(err) != trust.ENotFound {
			return err
		}
		acct, domain = a, d
		return nil
	}
	if r := tx.Request; r != nil && (r.Status != trust.Unconfirmed || tx.IfVersion > 0) {
		var old *trust.Request
		if tx.IfVersion > 0 {
			cur, err := s.GetRequest(ctx, r.ID)
			if err != nil && trust.ErrorCode(err) != trust.ENotFound {
				return nil, err
			}
			if err != nil || cur.Version != tx.IfVersion {
				return nil, errConflict(fmt.Errorf("request %s is not at version %d", r.ID, tx.IfVersion))
			}
			old = &cur
		}
		if d := trust.CountChange(old, *r); len(d) > 0 {
			expr, names, values := "ADD", map[string]string{}, map[string]types.AttributeValue{}
			i := 0
			for _, st := range trust.Statuses {
				if n, ok := d[st]; ok {
					if i > 0 {
						expr += ","
					}
					k := strconv.Itoa(i)
					expr += " #s" + k + " :n" + k
					names["#s"+k], values[":n"+k] = string(st), num(int64(n))
					i++
				}
			}
			items = append(items, types.TransactWriteItem{Update: &types.Update{
				TableName: aws.String(s.table), Key: key(countsPK), UpdateExpression: aws.String(expr),
				ExpressionAttributeNames: names, ExpressionAttributeValues: values,
			}})
		}
		items = append(items, s.grantDayItems(old, *r)...)
		if d := trust.AccountOf(old, *r); d != "" && r.Status != trust.Unconfirmed {
			if err := load(d); err != nil {
				return nil, err
			}
			changed = trust.ApplyToAccount(&acct, old, *r) || changed
		}
	}
	if tx.DownloadBy != "" && len(tx.Events) > 0 {
		if d := trust.AccountDomain(tx.DownloadBy); d != "" && (domain == "" || domain == d) {
			if err := load(d); err != nil {
				return nil, err
			}
			trust.AccountDownload(&acct, d, tx.Events[0].At)
			changed = true
		}
	}
	if !changed {
		return items, nil
	}
	was := acct.Version
	acct.Version++
	pk := PrefixAccount + acct.Domain
	it, err := item(acct, map[string]string{AttrPK: pk, AttrSK: pk, AttrGSI1PK: PartAccounts, AttrGSI1SK: timeKey(acct.LastActivity, acct.Domain)})
	if err != nil {
		return nil, fmt.Errorf("dynamostore: encode account: %w", err)
	}
	p := &types.Put{TableName: aws.String(s.table), Item: it}
	if was == 0 {
		p.ConditionExpression = aws.String("attribute_not_exists(" + AttrPK + ")")
	} else {
		p.ConditionExpression = aws.String("#version = :version")
		p.ExpressionAttributeNames = map[string]string{"#version": "version"}
		p.ExpressionAttributeValues = map[string]types.AttributeValue{":version": num(was)}
	}
	return append(items, types.TransactWriteItem{Put: p}), nil
}

func (s *Store) QueueCounts(ctx context.Context, now time.Time) (trust.QueueCounts, error) {
	var c trust.QueueCounts
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: key(countsPK), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return c, mapErr("GetItem", err)
	}
	n := func(st trust.Status) int {
		if v, ok := out.Item[string(st)].(*types.AttributeValueMemberN); ok {
			i, _ := strconv.Atoi(v.Value)
			return i
		}
		return 0
	}
	c.Pending, c.Denied, c.Revoked = n(trust.Pending), n(trust.Denied), n(trust.Revoked)
	active, err := s.activeGrants(ctx, now)
	if err != nil {
		return c, err
	}
	c.Approved = active
	c.Expired = n(trust.Approved) - c.Approved
	return c, nil
}

func (s *Store) indexQuery(index, pkAttr, pk string, forward bool) *dynamodb.QueryInput {
	return &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(index),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": pkAttr},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk)},
		ScanIndexForward:          aws.Bool(forward),
	}
}

// indexPage is one index partition read in order from a cursor.
type indexPage struct {
	index, pkAttr, skAttr, pk string
	bound                     string // with below: the sort key range's edge ("": none)
	below                     bool   // keys below bound, else above it
}

func (s *Store) QueryRequests(ctx context.Context, q trust.RequestQuery) ([]trust.Request, string, error) {
	if q.Limit <= 0 {
		return nil, "", trust.Errorf(trust.EInvalid, "The page size must be positive.")
	}
	now := q.Now.UTC().Format(sortTime) + "$"
	var ip indexPage
	switch q.Index {
	case trust.ByStatus:
		if !slices.Contains(trust.Statuses, q.Status) {
			return nil, "", trust.Errorf(trust.EInvalid, "Unknown status %q.", q.Status)
		}
		ip = indexPage{index: IndexGSI1, pkAttr: AttrGSI1PK, skAttr: AttrGSI1SK, pk: prefixStatus + string(q.Status)}
	case trust.AllConfirmed:
		ip = indexPage{index: IndexGSI2, pkAttr: AttrGSI2PK, skAttr: AttrGSI2SK, pk: PartConfirmed}
	case trust.DomainIndex:
		if q.Domain == "" {
			return nil, "", trust.Errorf(trust.EInvalid, "The domain is empty.")
		}
		ip = indexPage{index: IndexGSI3, pkAttr: AttrGSI3PK, skAttr: AttrGSI3SK, pk: PrefixDomain + q.Domain}
	case trust.ActiveGrants:
		ip = indexPage{index: IndexGSI4, pkAttr: AttrGSI4PK, skAttr: AttrGSI4SK, pk: PartGrants, bound: now}
	case trust.ExpiredGrants:
		ip = indexPage{index: IndexGSI4, pkAttr: AttrGSI4PK, skAttr: AttrGSI4SK, pk: PartGrants, bound: now, below: true}
	default:
		return nil, "", trust.Errorf(trust.EInvalid, "Unknown index %q.", q.Index)
	}
	items, next, err := s.readIndex(ctx, ip, q.Cursor, q.Limit, q.Oldest)
	if err != nil {
		return nil, "", err
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

// readIndex reads up to limit items of ip after cursor. It asks for one
// more than the page, so that the last page has no cursor.
func (s *Store) readIndex(ctx context.Context, ip indexPage, cursor string, limit int, forward bool) ([]map[string]types.AttributeValue, string, error) {
	limit = min(limit, maxPage)
	start, err := decodeIndexCursor(cursor, ip)
	if err != nil {
		return nil, "", err
	}
	in := s.indexQuery(ip.index, ip.pkAttr, ip.pk, forward)
	if ip.bound != "" {
		op := ">"
		if ip.below {
			op = "<"
		}
		in.KeyConditionExpression = aws.String("#pk = :pk AND #sk " + op + " :bound")
		in.ExpressionAttributeNames["#sk"] = ip.skAttr
		in.ExpressionAttributeValues[":bound"] = str(ip.bound)
	}
	in.ExclusiveStartKey = start
	items, err := s.queryItems(ctx, in, limit+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(items) > limit {
		items = items[:limit]
		next = encodeIndexCursor(items[limit-1], ip)
	}
	return items, next, nil
}

// An index cursor holds the table key and the index key of the last item
// of a page, and the partition it was read from, which decodeIndexCursor
// checks, so a cursor from one partition or index cannot start another.
func encodeIndexCursor(it map[string]types.AttributeValue, ip indexPage) string {
	m := map[string]string{"i": ip.index}
	for _, k := range []string{AttrPK, AttrSK, ip.pkAttr, ip.skAttr} {
		if v, ok := it[k].(*types.AttributeValueMemberS); ok {
			m[k] = v.Value
		}
	}
	raw, _ := json.Marshal(m) // a map of strings always marshals
	return base64.RawURLEncoding.EncodeToString(raw)
}

func decodeIndexCursor(cursor string, ip indexPage) (map[string]types.AttributeValue, error) {
	if cursor == "" {
		return nil, nil
	}
	bad := trust.Errorf(trust.EInvalid, "The page cursor is not valid.")
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if len(cursor) > maxCursor || err != nil {
		return nil, bad
	}
	var m map[string]string
	if json.Unmarshal(raw, &m) != nil || len(m) != 5 || m["i"] != ip.index || m[ip.pkAttr] != ip.pk || m[ip.skAttr] == "" || m[AttrPK] == "" || m[AttrSK] != m[AttrPK] {
		return nil, bad
	}
	wantPrefix := prefixRequest
	if ip.pkAttr == AttrGSI1PK && ip.pk == PartAccounts {
		wantPrefix = PrefixAccount
	}
	if !keyPrefix(m[AttrPK], wantPrefix) {
		return nil, bad
	}
	key := map[string]types.AttributeValue{}
	for _, k := range []string{AttrPK, AttrSK, ip.pkAttr, ip.skAttr} {
		key[k] = str(m[k])
	}
	return key, nil
}

func (s *Store) ListAccounts(ctx context.Context, cursor string, limit int) ([]trust.Account, string, error) {
	if limit <= 0 {
		return nil, "", trust.Errorf(trust.EInvalid, "The page size must be positive.")
	}
	ip := indexPage{index: IndexGSI1, pkAttr: AttrGSI1PK, skAttr: AttrGSI1SK, pk: PartAccounts}
	items, next, err := s.readIndex(ctx, ip, cursor, limit, false)
	if err != nil {
		return nil, "", err
	}
	accts := make([]trust.Account, 0, len(items))
	for _, it := range items {
		var a trust.Account
		if err := decode(it, &a); err != nil {
			return nil, "", fmt.Errorf("dynamostore: decode account: %w", err)
		}
		accts = append(accts, a)
	}
	return accts, next, nil
}

func (s *Store) GetAccount(ctx context.Context, domain string) (trust.Account, error) {
	return getItem[trust.Account](ctx, s, PrefixAccount+domain, "account")
}
