package awsfake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

func TestDynamoDBCallsAsIAMAuthorisesThem(t *testing.T) {
	d := &DynamoDB{Region: "us-east-1", Account: "123456789012",
		PartitionKeys: map[string]string{"T": "PK", "T/index/GSI1": "GSI1PK"}}
	table, index := "arn:aws:dynamodb:us-east-1:123456789012:table/T", "arn:aws:dynamodb:us-east-1:123456789012:table/T/index/GSI1"
	for _, c := range []struct {
		op, body string
		want     []Call
	}{
		{"GetItem", `{"TableName":"T","Key":{"PK":{"S":"REQ#1"},"SK":{"S":"x"}}}`,
			[]Call{{Action: "dynamodb:GetItem", Resources: []string{table}, LeadingKeys: []string{"REQ#1"}}}},
		{"Query", `{"TableName":"T","IndexName":"GSI1","KeyConditionExpression":"#pk = :pk AND begins_with(#sk, :s)","ExpressionAttributeNames":{"#pk":"GSI1PK","#sk":"GSI1SK"},"ExpressionAttributeValues":{":pk":{"S":"DOCS"},":s":{"S":"a"}}}`,
			[]Call{{Action: "dynamodb:Query", Resources: []string{index}, LeadingKeys: []string{"DOCS"}}}},
		{"TransactWriteItems", `{"TransactItems":[{"Put":{"TableName":"T","Item":{"PK":{"S":"EVT#1"}}}},{"Update":{"TableName":"T","Key":{"PK":{"S":"RATE#a"}}}}]}`,
			[]Call{{Action: "dynamodb:PutItem", Resources: []string{table}, LeadingKeys: []string{"EVT#1"}},
				{Action: "dynamodb:UpdateItem", Resources: []string{table}, LeadingKeys: []string{"RATE#a"}}}},
		{"Scan", `{"TableName":"T"}`, []Call{{Action: "dynamodb:Scan", Resources: []string{table}, KeysUnknown: true}}},
	} {
		got, err := d.calls(c.op, []byte(c.body))
		if err != nil {
			t.Errorf("%s: %v", c.op, err)
			continue
		}
		if !slices.EqualFunc(got, c.want, func(a, b Call) bool {
			return a.Action == b.Action && slices.Equal(a.Resources, b.Resources) && slices.Equal(a.LeadingKeys, b.LeadingKeys) && a.KeysUnknown == b.KeysUnknown
		}) {
			t.Errorf("%s: %+v, want %+v", c.op, got, c.want)
		}
	}
	if _, err := d.calls("Query", []byte(`{"TableName":"T","KeyConditionExpression":"SK = :x","ExpressionAttributeValues":{":x":{"S":"a"}}}`)); err == nil {
		t.Error("a query without the partition key in its condition was read")
	}
}

func TestS3Actions(t *testing.T) {
	rec := &Recorder{}
	h := S3(rec, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for _, c := range []struct{ method, target, action, resource string }{
		{"GET", "/b/reports/a.pdf?X-Amz-Signature=x", "s3:GetObject", "arn:aws:s3:::b/reports/a.pdf"},
		{"PUT", "/b/reports/a%20b.pdf", "s3:PutObject", "arn:aws:s3:::b/reports/a b.pdf"},
		{"DELETE", "/b/k", "s3:DeleteObject", "arn:aws:s3:::b/k"},
		{"GET", "/b?list-type=2", "s3:ListBucket", "arn:aws:s3:::b"},
		{"PUT", "/b/k?tagging", "s3:Unknown", "arn:aws:s3:::b"},
	} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(c.method, c.target, nil))
		got := rec.Calls()[len(rec.Calls())-1]
		if got.Action != c.action || got.Resources[0] != c.resource {
			t.Errorf("%s %s: %s on %v, want %s on %s", c.method, c.target, got.Action, got.Resources, c.action, c.resource)
		}
	}
}

func TestSESWaitsForTheMail(t *testing.T) {
	s := &SES{Rec: &Recorder{}, Region: "us-east-1", Account: "123456789012"}
	send := func(to, text string) {
		body := `{"FromEmailAddress":"Trust <trust@mail.example.com>","Destination":{"ToAddresses":["` + to + `"]},"Content":{"Simple":{"Subject":{"Data":"s"},"Body":{"Text":{"Data":"` + text + `"}}}}}`
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("POST", "/v2/email/outbound-emails", strings.NewReader(body)))
		if w.Code != http.StatusOK {
			t.Errorf("SendEmail: %d %s", w.Code, w.Body)
		}
	}
	send("a@example.com", "no link")
	got := make(chan Mail)
	go func() {
		m, err := s.WaitFor(context.Background(), "ada@example.com", "/confirm/")
		if err != nil {
			t.Error(err)
		}
		got <- m
	}()
	send("ada@example.com", "open https://x/confirm/1")
	if m := <-got; m.Text != "open https://x/confirm/1" {
		t.Errorf("WaitFor returned %+v", m)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.WaitFor(ctx, "nobody@example.com", ""); err == nil {
		t.Error("WaitFor found a mail that never came")
	}
	c := s.Rec.Calls()[0]
	if c.Action != "ses:SendEmail" || !slices.Equal(c.Resources, []string{
		"arn:aws:ses:us-east-1:123456789012:identity/trust@mail.example.com", "arn:aws:ses:us-east-1:123456789012:identity/mail.example.com"}) {
		t.Errorf("recorded %+v", c)
	}
}

func TestSignedNamesTheSigner(t *testing.T) {
	a := Principal{"access", aws.Credentials{AccessKeyID: "AKIDA", SecretAccessKey: "sa"}}
	b := Principal{"admin", aws.Credentials{AccessKeyID: "AKIDB", SecretAccessKey: "sb"}}
	var seen []string
	srv := httptest.NewServer(Signed(t, "us-east-1", "secretsmanager", []Principal{a, b}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, PrincipalOf(r))
	})))
	defer srv.Close()
	for _, p := range []Principal{b, a} {
		body := `{"SecretId":"x"}`
		req, _ := http.NewRequest("POST", srv.URL, strings.NewReader(body))
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(context.Background(), p.Creds, req, hex.EncodeToString(sum[:]), "secretsmanager", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	if !slices.Equal(seen, []string{"admin", "access"}) {
		t.Errorf("signers %v, want admin then access", seen)
	}
}
