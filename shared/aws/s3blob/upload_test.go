package s3blob_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"trustcenter/shared/aws/s3blob"
	"trustcenter/shared/testkit/sigv4test"
	"trustcenter/shared/trust"
)

// postPolicyCheck stands in front of gofakes3 for browser uploads (a
// multipart POST to the bucket), which gofakes3 stores without looking at
// the policy or its signature: it checks the signature of the policy as S3
// does (SigV4 over the base64 policy, with the credential's scope), and
// hands the rest of the requests to the SigV4 check of signed calls.
type postPolicyCheck struct {
	t       *testing.T
	signed  http.Handler
	fake    http.Handler
	uploads int
}

func (p *postPolicyCheck) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		p.signed.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		http.Error(w, "malformed POST", http.StatusBadRequest)
		return
	}
	f := r.MultipartForm.Value
	scope := strings.Split(first(f["X-Amz-Credential"]), "/") // key id/date/region/service/aws4_request
	if len(scope) != 5 || scope[0] != creds.AccessKeyID || first(f["X-Amz-Security-Token"]) != creds.SessionToken {
		http.Error(w, "bad credential", http.StatusForbidden)
		return
	}
	mac := func(key []byte, s string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(s))
		return h.Sum(nil)
	}
	k := mac([]byte("AWS4"+creds.SecretAccessKey), scope[1])
	for _, part := range scope[2:] {
		k = mac(k, part)
	}
	if want := hex.EncodeToString(mac(k, first(f["policy"]))); first(f["X-Amz-Signature"]) != want {
		http.Error(w, "SignatureDoesNotMatch", http.StatusForbidden)
		return
	}
	p.uploads++
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.MultipartForm = nil
	p.fake.ServeHTTP(w, r)
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// postForm sends form's fields, then file, as a browser posts the form.
func postForm(t *testing.T, c *http.Client, form trust.UploadForm, file []byte) *http.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, f := range form.Fields {
		mw.WriteField(f[0], f[1])
	}
	fw, _ := mw.CreateFormFile("file", "report.pdf")
	fw.Write(file)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, form.URL, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

// TestPresignedPostUploadThenCopy: the presigned form posts a file that
// lands under its key, with a policy that limits the key, the size, the
// type and the redirect; Copy then publishes it under reports/ without
// the bytes leaving the bucket. gofakes3 enforces none of the policy's
// conditions (nor success_action_redirect): the conditions are checked here
// as written in the signed policy, and the signature by the check in front.
func TestPresignedPostUploadThenCopy(t *testing.T) {
	ctx := t.Context()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	fake := gofakes3.New(backend).Server()
	check := &postPolicyCheck{t: t, fake: fake, signed: &sigv4test.Handler{T: t, Creds: creds, Region: "us-east-1", Service: "s3", Next: fake}}
	srv := httptest.NewServer(check)
	t.Cleanup(srv.Close)
	b, _ := engines(t, srv.URL, srv.Client())

	const key = "incoming/soc2/abcdefghijklmnopqrstuvwx.pdf"
	const redirect = "https://trust.example/admin/documents/soc2/confirm"
	form, err := b.PresignUpload(ctx, key, 50<<20, "application/pdf", redirect, time.Hour)
	if err != nil {
		t.Fatalf("PresignUpload: %v", err)
	}
	if form.URL != srv.URL+"/"+bucket {
		t.Errorf("the form posts to %s, want the bucket %s/%s", form.URL, srv.URL, bucket)
	}
	fields := map[string]string{}
	for _, f := range form.Fields {
		fields[f[0]] = f[1]
	}
	if form.Fields[0][0] != "key" || fields["key"] != key || fields["Content-Type"] != "application/pdf" || fields["success_action_redirect"] != redirect {
		t.Errorf("form fields %v: want key first, the Content-Type and the redirect", form.Fields)
	}

	raw, err := base64.StdEncoding.DecodeString(fields["policy"])
	if err != nil {
		t.Fatalf("policy: %v", err)
	}
	var policy struct {
		Expiration time.Time `json:"expiration"`
		Conditions []any     `json:"conditions"`
	}
	if err := json.Unmarshal(raw, &policy); err != nil {
		t.Fatalf("policy %s: %v", raw, err)
	}
	if d := time.Until(policy.Expiration); d < 59*time.Minute || d > 61*time.Minute {
		t.Errorf("the policy expires in %v, want an hour", d)
	}
	conds, _ := json.Marshal(policy.Conditions)
	for _, want := range []string{
		`["content-length-range",1,52428800]`, `{"Content-Type":"application/pdf"}`,
		`{"success_action_redirect":"` + redirect + `"}`, `{"key":"` + key + `"}`, `{"bucket":"` + bucket + `"}`,
	} {
		if !strings.Contains(string(conds), want) {
			t.Errorf("the policy's conditions %s lack %s", conds, want)
		}
	}

	if res := postForm(t, srv.Client(), form, pdf); res.StatusCode/100 != 2 || check.uploads != 1 {
		t.Fatalf("the presigned POST: %d (%d accepted), want 2xx", res.StatusCode, check.uploads)
	}
	// A form whose policy was changed (here: a larger size) fails the signature.
	tampered := form
	tampered.Fields = nil
	for _, f := range form.Fields {
		if f[0] == "policy" {
			f[1] = base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(raw), "52428800", "99999999999", 1)))
		}
		tampered.Fields = append(tampered.Fields, f)
	}
	if res := postForm(t, srv.Client(), tampered, pdf); res.StatusCode != http.StatusForbidden {
		t.Errorf("a POST with a tampered policy: %d, want 403", res.StatusCode)
	}

	if err := b.Copy(ctx, key, "reports/soc2/v2-abc.pdf"); err != nil {
		t.Fatalf("Copy: %v", err)
	}
	rc, err := b.Open(ctx, "reports/soc2/v2-abc.pdf")
	if err != nil {
		t.Fatalf("Open the copy: %v", err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, pdf) {
		t.Errorf("the copy has %d bytes, want the %d uploaded", len(got), len(pdf))
	}
	if err := b.Copy(ctx, "incoming/soc2/missing.pdf", "reports/soc2/x.pdf"); trust.ErrorCode(err) != trust.ENotFound {
		t.Errorf("Copy of a missing upload: %v, want not found", err)
	}
}

var _ trust.Uploader = (*s3blob.Blobs)(nil)
