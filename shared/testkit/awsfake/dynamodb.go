package awsfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
)

// DynamoDB records each call to DynamoDB and passes it on to Upstream
// (DynamoDB Local), signed as UpstreamKey: DynamoDB Local keeps a database
// per access key, and the callers, each with a key of its own, must share
// one. Put it behind Signed, which has checked the caller's signature.
type DynamoDB struct {
	Rec             *Recorder
	Upstream        string
	UpstreamKey     string
	Region, Account string
	// PartitionKeys names each table's partition key attribute by table
	// name, and each index's by "<table>/index/<name>".
	PartitionKeys map[string]string
}

func (d *DynamoDB) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
	calls, err := d.calls(op, body)
	if err != nil {
		// A request this record cannot read is one no policy check could
		// clear; it is recorded as such rather than let through unseen.
		calls = []Call{{Action: "dynamodb:" + op + "?", Resources: []string{"unreadable: " + err.Error()}, KeysUnknown: true}}
	}
	for i := range calls {
		calls[i].Principal, calls[i].Service = PrincipalOf(r), "dynamodb"
	}
	d.Rec.add(calls...)

	up, err := http.NewRequestWithContext(r.Context(), r.Method, strings.TrimRight(d.Upstream, "/")+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	up.Header = r.Header.Clone()
	up.Header.Set("Authorization", credentialRE.ReplaceAllString(r.Header.Get("Authorization"), "Credential="+d.UpstreamKey+"/"))
	res, err := http.DefaultClient.Do(up)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	for k, vs := range res.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(res.StatusCode)
	io.Copy(w, res.Body)
}

var credentialRE = regexp.MustCompile(`Credential=[^/]+/`)

type attrs map[string]map[string]any

// item is one key or item in a request, under the table it belongs to.
type item struct {
	Table string `json:"TableName"`
	Key   attrs  `json:"Key"`
	Item  attrs  `json:"Item"`
}

type request struct {
	item
	Index         string            `json:"IndexName"`
	KeyCondition  string            `json:"KeyConditionExpression"`
	Names         map[string]string `json:"ExpressionAttributeNames"`
	Values        attrs             `json:"ExpressionAttributeValues"`
	TransactItems []map[string]item `json:"TransactItems"`
	RequestItems  map[string]json.RawMessage
}

// calls is the request as IAM authorises it: one call per table, or per
// item of a transaction, each with the partition keys it touches.
func (d *DynamoDB) calls(op string, body []byte) ([]Call, error) {
	var req request
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, err
	}
	switch op {
	case "GetItem", "DeleteItem", "UpdateItem", "PutItem":
		k, err := d.key(req.Table, "", req.item)
		if err != nil {
			return nil, err
		}
		return []Call{{Action: "dynamodb:" + op, Resources: []string{d.arn(req.Table, "")}, LeadingKeys: []string{k}}}, nil
	case "Query":
		k, err := d.queryKey(req)
		if err != nil {
			return nil, err
		}
		return []Call{{Action: "dynamodb:Query", Resources: []string{d.arn(req.Table, req.Index)}, LeadingKeys: []string{k}}}, nil
	case "TransactWriteItems", "TransactGetItems":
		var out []Call
		actions := map[string]string{"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}
		for _, ti := range req.TransactItems {
			for kind, it := range ti {
				action, ok := actions[kind]
				if !ok {
					return nil, fmt.Errorf("transaction item %q", kind)
				}
				k, err := d.key(it.Table, "", it)
				if err != nil {
					return nil, err
				}
				out = append(out, Call{Action: "dynamodb:" + action, Resources: []string{d.arn(it.Table, "")}, LeadingKeys: []string{k}})
			}
		}
		return out, nil
	case "BatchGetItem", "BatchWriteItem":
		var out []Call
		for table, raw := range req.RequestItems {
			var keys []string
			var its []item
			if op == "BatchGetItem" {
				var v struct{ Keys []attrs }
				if err := json.Unmarshal(raw, &v); err != nil {
					return nil, err
				}
				for _, k := range v.Keys {
					its = append(its, item{Table: table, Key: k})
				}
			} else {
				var v []struct {
					PutRequest    *struct{ Item attrs }
					DeleteRequest *struct{ Key attrs }
				}
				if err := json.Unmarshal(raw, &v); err != nil {
					return nil, err
				}
				for _, w := range v {
					switch {
					case w.PutRequest != nil:
						its = append(its, item{Table: table, Item: w.PutRequest.Item})
					case w.DeleteRequest != nil:
						its = append(its, item{Table: table, Key: w.DeleteRequest.Key})
					}
				}
			}
			for _, it := range its {
				k, err := d.key(table, "", it)
				if err != nil {
					return nil, err
				}
				keys = append(keys, k)
			}
			out = append(out, Call{Action: "dynamodb:" + op, Resources: []string{d.arn(table, "")}, LeadingKeys: keys})
		}
		return out, nil
	default:
		// Scan and the table-level calls: no key to tell.
		return []Call{{Action: "dynamodb:" + op, Resources: []string{d.arn(req.Table, req.Index)}, KeysUnknown: true}}, nil
	}
}

func (d *DynamoDB) arn(table, index string) string {
	a := "arn:aws:dynamodb:" + d.Region + ":" + d.Account + ":table/" + table
	if index != "" {
		a += "/index/" + index
	}
	return a
}

func (d *DynamoDB) partitionKey(table, index string) (string, error) {
	name := table
	if index != "" {
		name += "/index/" + index
	}
	pk, ok := d.PartitionKeys[name]
	if !ok {
		return "", fmt.Errorf("no partition key known for %s", name)
	}
	return pk, nil
}

func (d *DynamoDB) key(table, index string, it item) (string, error) {
	pk, err := d.partitionKey(table, index)
	if err != nil {
		return "", err
	}
	src := it.Key
	if src == nil {
		src = it.Item
	}
	return scalar(src[pk])
}

// queryKey is the partition key a Query's key condition names: the one
// clause "<partition key> = :value".
func (d *DynamoDB) queryKey(req request) (string, error) {
	pk, err := d.partitionKey(req.Table, req.Index)
	if err != nil {
		return "", err
	}
	for _, clause := range regexp.MustCompile(`(?i)\s+and\s+`).Split(req.KeyCondition, -1) {
		left, right, ok := strings.Cut(clause, "=")
		if !ok {
			continue
		}
		left, right = strings.Trim(strings.TrimSpace(left), "()"), strings.Trim(strings.TrimSpace(right), "()")
		if n, ok := req.Names[left]; ok {
			left = n
		}
		if left == pk {
			return scalar(req.Values[right])
		}
	}
	return "", fmt.Errorf("key condition %q has no %s = :value", req.KeyCondition, pk)
}

func scalar(v map[string]any) (string, error) {
	for _, t := range []string{"S", "N", "B"} {
		if s, ok := v[t].(string); ok {
			return s, nil
		}
	}
	return "", fmt.Errorf("key value %v is not a scalar", v)
}
