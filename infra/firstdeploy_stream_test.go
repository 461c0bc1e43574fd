package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// trigger is an AWS::Lambda::EventSourceMapping from a table's stream to a
// function: the simulation reads the stream from DynamoDB Local and
// invokes the function with what Lambda's poller would send it.
type trigger struct {
	id         string
	streamARN  string // as the template names it, in every record
	localARN   string // DynamoDB Local's name for the same stream
	fn         *simFunction
	batch      int
	filters    []any // FilterCriteria patterns, decoded
	iterators  map[string]string
	exhausted  map[string]bool
	dynamoURL  string
	reportFail bool
}

// readTriggers reads the template's stream triggers. localStreams maps
// each table's StreamArn, as the template resolves it, to DynamoDB
// Local's.
func (d *deployment) readTriggers(localStreams map[string]string, dynamoURL string) {
	t := d.t
	for id, r := range d.cfn.resources {
		if r["Type"] != "AWS::Lambda::EventSourceMapping" {
			continue
		}
		p := props(r)
		src, err := d.cfn.resolve(p["EventSourceArn"])
		if err != nil {
			t.Fatalf("event source mapping %s: %v", id, err)
		}
		local, ok := localStreams[src]
		if !ok {
			t.Fatalf("event source mapping %s reads %s, which is not a stream of the template's tables (do they set StreamSpecification?)", id, src)
		}
		name, err := d.cfn.resolve(p["FunctionName"])
		if err != nil {
			t.Fatalf("event source mapping %s: %v", id, err)
		}
		tr := &trigger{id: id, streamARN: src, localARN: local, batch: 100, iterators: map[string]string{}, exhausted: map[string]bool{}, dynamoURL: dynamoURL}
		for _, f := range d.fns {
			if ref, _ := d.cfn.ref(f.id); ref == name || d.cfn.atts[f.id+".Arn"] == name {
				tr.fn = f
			}
		}
		if tr.fn == nil {
			t.Fatalf("event source mapping %s invokes %s, not a deployed Go function", id, name)
		}
		if b, ok := p["BatchSize"].(float64); ok {
			tr.batch = int(b)
		}
		if p["StartingPosition"] != "TRIM_HORIZON" && p["StartingPosition"] != "LATEST" {
			t.Fatalf("event source mapping %s: StartingPosition %v", id, p["StartingPosition"])
		}
		for _, rt := range asList(p["FunctionResponseTypes"]) {
			tr.reportFail = tr.reportFail || rt == "ReportBatchItemFailures"
		}
		if fc, ok := p["FilterCriteria"].(map[string]any); ok {
			for _, f := range asList(fc["Filters"]) {
				var pat any
				if err := json.Unmarshal([]byte(f.(map[string]any)["Pattern"].(string)), &pat); err != nil {
					t.Fatalf("event source mapping %s: filter pattern: %v", id, err)
				}
				tr.filters = append(tr.filters, pat)
			}
		}
		d.triggers = append(d.triggers, tr)
		t.Logf("stream trigger %s: %s → %s (batch %d, %d filters)", id, src, tr.fn.name, tr.batch, len(tr.filters))
	}
}

// pumpStreams delivers every stream record written so far to the
// functions their triggers name, until no new records appear: what
// Lambda's poller does between one request and the next, done at once so
// that the walk waits on conditions, never on time.
func (d *deployment) pumpStreams() {
	for round := 0; len(d.triggers) > 0; round++ {
		if round == 50 {
			d.t.Fatal("the stream triggers keep writing records that trigger them again")
		}
		delivered := 0
		for _, tr := range d.triggers {
			delivered += d.pump(tr)
		}
		if delivered == 0 {
			return
		}
	}
}

func (d *deployment) pump(tr *trigger) int {
	t := d.t
	var desc struct {
		StreamDescription struct {
			Shards []struct{ ShardId string }
		}
	}
	streamCall(t, tr.dynamoURL, "DescribeStream", map[string]any{"StreamArn": tr.localARN}, &desc)
	var records []map[string]any
	for _, sh := range desc.StreamDescription.Shards {
		if tr.exhausted[sh.ShardId] {
			continue
		}
		it, ok := tr.iterators[sh.ShardId]
		if !ok {
			var out struct{ ShardIterator string }
			streamCall(t, tr.dynamoURL, "GetShardIterator", map[string]any{"StreamArn": tr.localARN, "ShardId": sh.ShardId, "ShardIteratorType": "TRIM_HORIZON"}, &out)
			it = out.ShardIterator
		}
		for it != "" {
			var out struct {
				Records           []map[string]any
				NextShardIterator string
			}
			streamCall(t, tr.dynamoURL, "GetRecords", map[string]any{"ShardIterator": it}, &out)
			records = append(records, out.Records...)
			if out.NextShardIterator == "" {
				tr.exhausted[sh.ShardId] = true
			}
			tr.iterators[sh.ShardId] = out.NextShardIterator
			if len(out.Records) == 0 {
				break
			}
			it = out.NextShardIterator
		}
	}
	var batch []map[string]any
	for _, r := range records {
		r["eventSourceARN"], r["awsRegion"] = tr.streamARN, simRegion
		if len(tr.filters) == 0 || matchesAny(tr.filters, r) {
			batch = append(batch, r)
		}
	}
	for len(batch) > 0 {
		n := min(len(batch), tr.batch)
		d.invokeTrigger(tr, batch[:n])
		batch = batch[n:]
	}
	return len(records)
}

func (d *deployment) invokeTrigger(tr *trigger, records []map[string]any) {
	t := d.t
	ev, _ := json.Marshal(map[string]any{"Records": records})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tr.fn.mu.Lock()
	out, err := tr.fn.p.Invoke(ctx, ev)
	tr.fn.mu.Unlock()
	if err != nil {
		t.Fatalf("stream trigger %s → %s with %d records: %v\nstderr:\n%s", tr.id, tr.fn.name, len(records), err, tr.fn.p.Stderr())
	}
	if tr.reportFail {
		var res struct{ BatchItemFailures []any }
		if json.Unmarshal(out, &res) == nil && len(res.BatchItemFailures) > 0 {
			t.Errorf("stream trigger %s → %s: failed items %v", tr.id, tr.fn.name, res.BatchItemFailures)
		}
	}
}

// streamCall is one DynamoDB Streams call to DynamoDB Local, which reads
// only the access key of a signature.
func streamCall(t interface{ Fatalf(string, ...any) }, endpoint, op string, in, out any) {
	body, _ := json.Marshal(in)
	req, _ := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "DynamoDBStreams_20120810."+op)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+dynamoKey+"/20260101/"+simRegion+"/dynamodb/aws4_request, SignedHeaders=host, Signature=0")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("streams %s: %v", op, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("streams %s: %s\n%s", op, res.Status, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("streams %s: %v", op, err)
	}
}

// matchesAny applies Lambda's event filtering: a record passes when one
// pattern matches it. Patterns are objects of fields to arrays of
// values, {"prefix": ...}, {"exists": ...} or {"anything-but": [...]}.
func matchesAny(patterns []any, record map[string]any) bool {
	for _, p := range patterns {
		if matches(p, record) {
			return true
		}
	}
	return false
}

func matches(pattern, value any) bool {
	switch p := pattern.(type) {
	case map[string]any:
		v, _ := value.(map[string]any)
		for k, sub := range p {
			field, present := v[k]
			if alts, ok := sub.([]any); ok {
				if !matchesLeaf(alts, field, present) {
					return false
				}
				continue
			}
			if !present || !matches(sub, field) {
				return false
			}
		}
		return true
	}
	return false
}

func matchesLeaf(alts []any, v any, present bool) bool {
	for _, a := range alts {
		switch x := a.(type) {
		case map[string]any:
			if e, ok := x["exists"].(bool); ok && e == present {
				return true
			}
			if pre, ok := x["prefix"].(string); ok && present && strings.HasPrefix(fmt.Sprint(v), pre) {
				return true
			}
			if but, ok := x["anything-but"]; ok && present {
				excluded := false
				for _, b := range asList(but) {
					excluded = excluded || fmt.Sprint(b) == fmt.Sprint(v)
				}
				if !excluded {
					return true
				}
			}
		default:
			if present && fmt.Sprint(x) == fmt.Sprint(v) {
				return true
			}
		}
	}
	return false
}
