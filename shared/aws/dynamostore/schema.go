package dynamostore

// The table's shape, written once: the CDK stack in infra/ deploys it and the
// tests create it in DynamoDB Local from the same values, so the two cannot
// drift. Plain Go values: infra/ and tests turn them into their own types.

// Attribute names of the single table.
const (
	AttrPK     = "PK"     // partition key, prefixed by item kind: REQ#, DOC#, SESSION#, USE#, MAIL#, RATE#, EVT#, DLCOUNT#, COPY#, WM#, RULES#, SUPPRESS#, CONTACT#
	AttrSK     = "SK"     // sort key (the PK again, but for events, download counters and copies)
	AttrGSI1PK = "GSI1PK" // queue and list partitions: STATUS#<status>, DOCS, OUTBOX
	AttrGSI1SK = "GSI1SK" // time-ordered within a GSI1 partition
	// The console's queue (queue.go): every confirmed request by creation
	// time (GSI2, partition CONFIRMED), a domain's (GSI3, DOMAIN#<domain>),
	// and the approved ones by the end of their access period (GSI4,
	// GRANTS). Sparse: a request is in an index only while it belongs.
	AttrGSI2PK = "GSI2PK"
	AttrGSI2SK = "GSI2SK"
	AttrGSI3PK = "GSI3PK"
	AttrGSI3SK = "GSI3SK"
	AttrGSI4PK = "GSI4PK"
	AttrGSI4SK = "GSI4SK"
	AttrTTL    = "TTL" // epoch seconds; DynamoDB deletes expired items (used tokens, sessions, rate counters, sent mail, unconfirmed requests, download counters)
)

// Partition key prefixes (PK) and fixed GSI1 partitions (GSI1PK) of the
// items. Exported for infra/, whose IAM policies allow each function only the
// keys it uses (dynamodb:LeadingKeys).
const (
	PrefixRequest = "REQ#"     // access requests
	PrefixDoc     = "DOC#"     // documents (metadata; files are in S3)
	PrefixSession = "SESSION#" // staff sessions
	PrefixUse     = "USE#"     // single-use token ids
	PrefixMail    = "MAIL#"    // queued and sent mails
	PrefixRate    = "RATE#"    // rate-limit counters
	PrefixEvent   = "EVT#"     // audit trail entries, by subject
	// PrefixDownloads keys the public download counters: DLCOUNT#<shard>#<document>,
	// one item per UTC day in the sort key.
	PrefixDownloads = "DLCOUNT#"
	PrefixRules     = "RULES#"    // the approval rule set, one item
	PrefixStatus    = "STATUS#"   // GSI1: requests by status
	PartDocs        = "DOCS"      // GSI1: every document
	PartOutbox      = "OUTBOX"    // GSI1: mails not yet sent
	PrefixCopy      = "COPY#"     // stamped copies, by grant (SK: document and version)
	PrefixMark      = "WM#"       // stamped copies, by watermark ID
	PrefixSuppress  = "SUPPRESS#" // addresses that bounced or complained: no more mail
	// PrefixNDA is the partition of the NDA versions (nda.go);
	// PrefixAcceptance keys the latest NDA acceptance of each address.
	PrefixNDA        = "NDA#"
	PrefixAcceptance = "NDAACC#"
	PrefixContact    = "CONTACT#"  // copies of confirmed requests, by address and by domain (prior.go)
	PrefixAccount    = "ACCT#"     // one item per email domain (trust.Account)
	PrefixCounts     = "QCOUNT#"   // the queue's per-status counters, one item
	PartAccounts     = "ACCOUNTS"  // GSI1: accounts by latest activity
	PartConfirmed    = "CONFIRMED" // GSI2: every confirmed request
	PrefixDomain     = "DOMAIN#"   // GSI3: a domain's confirmed requests
	PartGrants       = "GRANTS"    // GSI4: approved requests by end of access
)

// The global secondary indexes (projection ALL).
const (
	IndexGSI1 = "GSI1"
	IndexGSI2 = "GSI2"
	IndexGSI3 = "GSI3"
	IndexGSI4 = "GSI4"
)

// KeyAttribute is one key attribute and its DynamoDB scalar type.
type KeyAttribute struct {
	Name string
	Type string // "S"
}

// TableSchema is everything needed to create the table.
type TableSchema struct {
	PartitionKey KeyAttribute
	SortKey      KeyAttribute
	GSIs         []GSISchema
	TTLAttribute string
}

// GSISchema is one global secondary index, projecting all attributes.
type GSISchema struct {
	Name         string
	PartitionKey KeyAttribute
	SortKey      KeyAttribute
}

// Schema is the trust center's table.
var Schema = TableSchema{
	PartitionKey: KeyAttribute{AttrPK, "S"},
	SortKey:      KeyAttribute{AttrSK, "S"},
	GSIs: []GSISchema{
		{Name: IndexGSI1, PartitionKey: KeyAttribute{AttrGSI1PK, "S"}, SortKey: KeyAttribute{AttrGSI1SK, "S"}},
		{Name: IndexGSI2, PartitionKey: KeyAttribute{AttrGSI2PK, "S"}, SortKey: KeyAttribute{AttrGSI2SK, "S"}},
		{Name: IndexGSI3, PartitionKey: KeyAttribute{AttrGSI3PK, "S"}, SortKey: KeyAttribute{AttrGSI3SK, "S"}},
		{Name: IndexGSI4, PartitionKey: KeyAttribute{AttrGSI4PK, "S"}, SortKey: KeyAttribute{AttrGSI4SK, "S"}},
	},
	TTLAttribute: AttrTTL,
}
