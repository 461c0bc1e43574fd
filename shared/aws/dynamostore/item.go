package dynamostore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Key prefixes and fixed partitions of the single table (schema.go).
const (
	prefixRequest   = PrefixRequest
	prefixDoc       = PrefixDoc
	prefixSession   = PrefixSession
	prefixUse       = PrefixUse
	prefixMail      = PrefixMail
	prefixRate      = PrefixRate
	prefixEvent     = PrefixEvent
	prefixDownloads = PrefixDownloads
	prefixStatus    = PrefixStatus
	prefixRules     = PrefixRules
	partDocs        = PartDocs
	partOutbox      = PartOutbox
	prefixCopy      = PrefixCopy
	prefixMark      = PrefixMark
	prefixSuppress  = PrefixSuppress
)

// sortTime formats t for a sort key. RFC3339Nano drops trailing zeros, and
// then "…05Z" sorts after "…05.1Z"; a fixed-width fraction in UTC keeps
// string order equal to time order.
const sortTime = "2006-01-02T15:04:05.000000000Z"

func timeKey(t time.Time, id string) string {
	return t.UTC().Format(sortTime) + "#" + id
}

// keyAttrs are the table's own attributes; every other attribute of an item
// is a field of the domain value, named by its JSON tag.
var keyAttrs = []string{AttrPK, AttrSK, AttrGSI1PK, AttrGSI1SK, AttrGSI2PK, AttrGSI2SK, AttrGSI3PK, AttrGSI3SK, AttrGSI4PK, AttrGSI4SK, AttrTTL}

// item builds an item from a domain value: its JSON fields become native
// attributes (readable in the console and usable in expressions), next to
// the key attributes in keys. Going through the JSON tags keeps one
// definition of each field's name for both engines.
func item(v any, keys map[string]string) (map[string]types.AttributeValue, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var fields map[string]any
	if err := dec.Decode(&fields); err != nil {
		return nil, err
	}
	out := make(map[string]types.AttributeValue, len(fields)+len(keys))
	for k, f := range fields {
		av, err := toAttr(f)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", k, err)
		}
		out[k] = av
	}
	for k, s := range keys {
		out[k] = &types.AttributeValueMemberS{Value: s}
	}
	return out, nil
}

// decode fills v from an item written by item.
func decode(it map[string]types.AttributeValue, v any) error {
	fields := make(map[string]any, len(it))
	for k, av := range it {
		if slices.Contains(keyAttrs, k) {
			continue
		}
		f, err := fromAttr(av)
		if err != nil {
			return fmt.Errorf("attribute %s: %w", k, err)
		}
		fields[k] = f
	}
	raw, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

func toAttr(v any) (types.AttributeValue, error) {
	switch v := v.(type) {
	case nil:
		return &types.AttributeValueMemberNULL{Value: true}, nil
	case string:
		return &types.AttributeValueMemberS{Value: v}, nil
	case json.Number:
		return &types.AttributeValueMemberN{Value: v.String()}, nil
	case bool:
		return &types.AttributeValueMemberBOOL{Value: v}, nil
	case []any:
		l := make([]types.AttributeValue, len(v))
		for i, e := range v {
			av, err := toAttr(e)
			if err != nil {
				return nil, err
			}
			l[i] = av
		}
		return &types.AttributeValueMemberL{Value: l}, nil
	case map[string]any:
		m := make(map[string]types.AttributeValue, len(v))
		for k, e := range v {
			av, err := toAttr(e)
			if err != nil {
				return nil, err
			}
			m[k] = av
		}
		return &types.AttributeValueMemberM{Value: m}, nil
	}
	return nil, fmt.Errorf("unsupported JSON value %T", v)
}

func fromAttr(av types.AttributeValue) (any, error) {
	switch av := av.(type) {
	case *types.AttributeValueMemberNULL:
		return nil, nil
	case *types.AttributeValueMemberS:
		return av.Value, nil
	case *types.AttributeValueMemberN:
		return json.Number(av.Value), nil
	case *types.AttributeValueMemberBOOL:
		return av.Value, nil
	case *types.AttributeValueMemberL:
		l := make([]any, len(av.Value))
		for i, e := range av.Value {
			f, err := fromAttr(e)
			if err != nil {
				return nil, err
			}
			l[i] = f
		}
		return l, nil
	case *types.AttributeValueMemberM:
		m := make(map[string]any, len(av.Value))
		for k, e := range av.Value {
			f, err := fromAttr(e)
			if err != nil {
				return nil, err
			}
			m[k] = f
		}
		return m, nil
	}
	return nil, fmt.Errorf("unsupported attribute type %T", av)
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// epoch is a TTL value: DynamoDB's TTL wants whole epoch seconds, and an item
// must not vanish before its time, so round up.
func epoch(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

func key(pk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrPK: str(pk), AttrSK: str(pk)}
}
