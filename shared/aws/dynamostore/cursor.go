package dynamostore

import (
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"trustcenter/shared/trust"
)

// maxCursor bounds what decodeCursor will look at; a real cursor is a few
// hundred bytes.
const maxCursor = 2048

// cursorKeys are the attributes of a GSI1 LastEvaluatedKey: the index key
// and the table key.
var cursorKeys = []string{AttrPK, AttrSK, AttrGSI1PK, AttrGSI1SK}

// encodeCursor makes the key of the last item of a page into the opaque
// cursor for the next one.
func encodeCursor(it map[string]types.AttributeValue) string {
	m := make(map[string]string, len(cursorKeys))
	for _, k := range cursorKeys {
		if s, ok := it[k].(*types.AttributeValueMemberS); ok {
			m[k] = s.Value
		}
	}
	raw, _ := json.Marshal(m) // a map of strings always marshals
	return base64.RawURLEncoding.EncodeToString(raw)
}

// decodeCursor turns a cursor from a client back into an ExclusiveStartKey.
// The cursor crosses the network, so it is checked rather than trusted: it
// must name a request key within the partition being listed, or DynamoDB
// would either reject it (an internal error) or start somewhere else.
func decodeCursor(cursor, gsiPK string) (map[string]types.AttributeValue, error) {
	if cursor == "" {
		return nil, nil
	}
	bad := trust.Errorf(trust.EInvalid, "The page cursor is not valid.")
	if len(cursor) > maxCursor {
		return nil, bad
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, bad
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil || len(m) != len(cursorKeys) {
		return nil, bad
	}
	for _, k := range cursorKeys {
		if m[k] == "" {
			return nil, bad
		}
	}
	if m[AttrGSI1PK] != gsiPK || !keyPrefix(m[AttrPK], prefixRequest) || m[AttrSK] != m[AttrPK] {
		return nil, bad
	}
	key := make(map[string]types.AttributeValue, len(m))
	for k, v := range m {
		key[k] = str(v)
	}
	return key, nil
}

// keyPrefix reports whether pk is a key of the given kind with a non-empty id.
func keyPrefix(pk, prefix string) bool {
	return strings.HasPrefix(pk, prefix) && len(pk) > len(prefix)
}
