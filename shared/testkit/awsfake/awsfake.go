// Package awsfake puts a record of who called what in front of the fake AWS
// services the tests run (DynamoDB Local, gofakes3, the Secrets Manager
// fake) and adds an SES fake. Each caller signs with credentials of its own,
// so the signature check also says which caller (a Lambda function) made
// each call; every call is recorded as IAM would authorise it: action,
// resource ARNs and, for DynamoDB, the partition keys it touches.
package awsfake

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"trustcenter/shared/testkit/sigv4test"
)

// Call is one AWS request as IAM authorises it.
type Call struct {
	Principal string // who signed it
	Service   string // the signing name: dynamodb, s3, secretsmanager, ses
	Action    string // the IAM action, e.g. dynamodb:GetItem
	// Resources the call is authorised on; IAM allows it when a statement
	// allows any one (SES checks the sender's address or its domain,
	// whichever is the verified identity).
	Resources []string
	// LeadingKeys are the partition keys a DynamoDB call touches, the
	// values of the dynamodb:LeadingKeys condition key. KeysUnknown is set
	// for a call (a Scan) whose keys cannot be known in advance, which a
	// LeadingKeys condition therefore denies.
	LeadingKeys []string
	KeysUnknown bool
}

// Recorder keeps every call, in order.
type Recorder struct {
	mu    sync.Mutex
	calls []Call
}

func (r *Recorder) add(c ...Call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c...)
}

// Calls returns the calls so far.
func (r *Recorder) Calls() []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// Principal is one caller and the credentials it signs with.
type Principal struct {
	Name  string
	Creds aws.Credentials
}

type principalKey struct{}

// PrincipalOf is the name of whoever signed r, once Signed has checked it.
func PrincipalOf(r *http.Request) string {
	p, _ := r.Context().Value(principalKey{}).(string)
	return p
}

// Signed passes on each request that one of principals signed correctly
// for service and region, with the signer's name for PrincipalOf; a request
// signed by anyone else, or signed wrong, fails tb and is refused.
func Signed(tb testing.TB, region, service string, principals []Principal, next http.Handler) http.Handler {
	checks := map[string]*sigv4test.Handler{}
	for _, p := range principals {
		name := p.Name
		checks[p.Creds.AccessKeyID] = &sigv4test.Handler{T: tb, Creds: p.Creds, Region: region, Service: service,
			Next: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, name)))
			})}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := accessKey(r)
		h, ok := checks[key]
		if !ok {
			tb.Errorf("%s %s %s: signed with access key %q, which no known caller holds", service, r.Method, r.URL, key)
			w.Header().Set("X-Amzn-ErrorType", "UnrecognizedClientException")
			http.Error(w, "unknown access key", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// accessKey is the access key id in r's credential scope, from the
// Authorization header or a presigned link's query.
func accessKey(r *http.Request) string {
	cred := r.URL.Query().Get("X-Amz-Credential")
	if cred == "" {
		auth := r.Header.Get("Authorization")
		if i := strings.Index(auth, "Credential="); i >= 0 {
			cred = auth[i+len("Credential="):]
		}
	}
	key, _, _ := strings.Cut(cred, "/")
	return key
}

// S3 records the object calls to a path-style S3 endpoint (gofakes3) and
// passes them on. Only the calls the trust center makes are named; any
// other is recorded as s3:Unknown, which no policy allows.
func S3(rec *Recorder, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
		if k, err := url.PathUnescape(key); err == nil {
			key = k
		}
		q := r.URL.Query()
		action, resource := "s3:Unknown", "arn:aws:s3:::"+bucket
		switch {
		case key == "" && r.Method == http.MethodGet && len(q) <= 3:
			action = "s3:ListBucket"
		case key == "":
		case q.Has("tagging"), q.Has("acl"), q.Has("retention"), q.Has("legal-hold"):
			// Sub-resources have permissions of their own.
		case (r.Method == http.MethodGet || r.Method == http.MethodHead) && q.Has("versionId"):
			action, resource = "s3:GetObjectVersion", resource+"/"+key
		case r.Method == http.MethodGet || r.Method == http.MethodHead:
			action, resource = "s3:GetObject", resource+"/"+key
		case r.Method == http.MethodPut, r.Method == http.MethodPost && (q.Has("uploads") || q.Has("uploadId")):
			action, resource = "s3:PutObject", resource+"/"+key
		case r.Method == http.MethodDelete:
			action, resource = "s3:DeleteObject", resource+"/"+key
		}
		rec.add(Call{Principal: PrincipalOf(r), Service: "s3", Action: action, Resources: []string{resource}})
		next.ServeHTTP(w, r)
	})
}
