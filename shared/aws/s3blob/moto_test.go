package s3blob_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"trustcenter/shared/aws/s3blob"
	"trustcenter/shared/testkit/childproc"
	"trustcenter/shared/trust"
)

// startMoto runs moto's server (Python, `pip install "moto[server]"`) on a
// free port until the test ends and returns its address. It is ready when
// it says it is running.
func startMoto(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		t.Skip(`moto_server is not installed (make test-deps installs it: pip install "moto[server]")`)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", port)
	childproc.DieWithParent(cmd)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	out := &childproc.Output{}
	cmd.Stdout = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	dead := make(chan struct{})
	go func() { cmd.Wait(); close(dead) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-dead })
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		said := false
		for sc.Scan() {
			out.Write([]byte(sc.Text() + "\n"))
			if !said && strings.Contains(sc.Text(), "Running on") {
				said = true
				ready <- true
			}
		}
		if !said {
			ready <- false
		}
	}()
	if !<-ready {
		t.Fatalf("moto_server ended before it listened:\n%s", out)
	}
	return "http://127.0.0.1:" + port
}

// TestPresignedPostAgainstMoto: a second check of the browser upload, on
// moto's S3 (5.2.1 here). Moto takes the form our engine presigns and
// stores the file under its key with the redirect S3 would send, which
// gofakes3 does not do. It does NOT enforce the policy's conditions: it
// stores a file over the size range and one posted with another content
// type alike (found when this test was written; logged below while it
// lasts). So the conditions themselves are checked by evaluating the
// signed policy as S3 documents it (policyAllows): the right file passes,
// a file too big, a wrong content type, another key or an extra field do
// not.
func TestPresignedPostAgainstMoto(t *testing.T) {
	endpoint := startMoto(t)
	t.Setenv("AWS_ENDPOINT_URL_S3", endpoint)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}
	ctx := context.Background()
	admin := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint, o.UsePathStyle = aws.String(endpoint), true })
	if _, err := admin.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("reports")}); err != nil {
		t.Fatal(err)
	}
	up := s3blob.UploadsFromConfig(cfg, "reports")
	const limit = 2048
	const redirect = "http://trust.test/admin/documents/soc2/uploaded"
	form := func(t *testing.T, key string) trust.UploadForm {
		f, err := up.PresignUpload(ctx, key, limit, "application/pdf", redirect, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	stored := func(key string) bool {
		_, err := admin.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("reports"), Key: aws.String(key)})
		return err == nil
	}
	pdf := []byte("%PDF-1.7\n" + strings.Repeat("x", 1000) + "\n%%EOF\n")
	tooBig := append(append([]byte{}, pdf...), make([]byte, limit)...)
	retyped := func(f trust.UploadForm, typ string) trust.UploadForm {
		f.Fields = append([][2]string(nil), f.Fields...)
		for i, kv := range f.Fields {
			if kv[0] == "Content-Type" {
				f.Fields[i][1] = typ
			}
		}
		return f
	}

	// On moto: the right file lands under its key, and the browser is
	// sent on to the console.
	f := form(t, "incoming/soc2/ok.pdf")
	res := postForm(t, noRedirect, f, pdf)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), redirect) || !stored("incoming/soc2/ok.pdf") {
		t.Fatalf("the right file: %d to %q, stored %v", res.StatusCode, res.Header.Get("Location"), stored("incoming/soc2/ok.pdf"))
	}
	for name, post := range map[string]func() *http.Response{
		"over the size range": func() *http.Response { return postForm(t, noRedirect, form(t, "incoming/soc2/big.pdf"), tooBig) },
		"as text/html": func() *http.Response {
			return postForm(t, noRedirect, retyped(form(t, "incoming/soc2/typed.pdf"), "text/html"), pdf)
		},
	} {
		if res := post(); res.StatusCode < 400 {
			t.Logf("moto does not enforce the POST policy: a file %s was taken (%d)", name, res.StatusCode)
		}
	}

	// The conditions, as S3 applies them to what the browser posts.
	cases := []struct {
		name   string
		form   trust.UploadForm
		size   int
		extra  [2]string
		allows bool
	}{
		{"the right file", f, len(pdf), [2]string{}, true},
		{"one byte over", f, limit + 1, [2]string{}, false},
		{"an empty file", f, 0, [2]string{}, false},
		{"text/html", retyped(f, "text/html"), len(pdf), [2]string{}, false},
		{"a PDF type with a suffix", retyped(f, "application/pdf; x=y"), len(pdf), [2]string{}, false},
		{"another key", func() trust.UploadForm {
			g := f
			g.Fields = append([][2]string(nil), f.Fields...)
			g.Fields[0][1] = "reports/soc2/v9.pdf"
			return g
		}(), len(pdf), [2]string{}, false},
		{"a field the policy does not name", f, len(pdf), [2]string{"acl", "public-read"}, false},
	}
	for _, c := range cases {
		fields := map[string]string{}
		for _, kv := range c.form.Fields {
			fields[kv[0]] = kv[1]
		}
		if c.extra[0] != "" {
			fields[c.extra[0]] = c.extra[1]
		}
		if err := policyAllows(t, fields, c.size, time.Now()); (err == nil) != c.allows {
			t.Errorf("%s: policy says %v, want allowed %v", c.name, err, c.allows)
		}
	}
}

// policyAllows evaluates the form's signed POST policy against the fields
// and file size a browser posts, as S3 documents it: not expired; every
// condition met (exact matches, starts-with, content-length-range); every
// field but the file, the policy, the signature and x-ignore-* named by a
// condition. nil means S3 would take the upload (signature aside, which
// the gofakes3 test checks).
func policyAllows(t *testing.T, fields map[string]string, size int, now time.Time) error {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(fields["policy"])
	if err != nil {
		return fmt.Errorf("policy is not base64: %w", err)
	}
	var p struct {
		Expiration string `json:"expiration"`
		Conditions []any  `json:"conditions"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("policy is not JSON: %w", err)
	}
	exp, err := time.Parse(time.RFC3339, p.Expiration)
	if err != nil || !now.Before(exp) {
		return fmt.Errorf("policy expired or has no expiration: %q", p.Expiration)
	}
	named := map[string]bool{"policy": true, "x-amz-signature": true, "file": true}
	field := func(name string) string {
		for k, v := range fields {
			if strings.EqualFold(k, name) {
				return v
			}
		}
		return ""
	}
	for _, c := range p.Conditions {
		switch c := c.(type) {
		case map[string]any:
			for k, v := range c {
				named[strings.ToLower(k)] = true
				if k == "bucket" {
					continue // the bucket is the URL's
				}
				if field(k) != fmt.Sprint(v) {
					return fmt.Errorf("%s is %q, policy wants %q", k, field(k), v)
				}
			}
		case []any:
			op := fmt.Sprint(c[0])
			switch op {
			case "content-length-range":
				lo, hi := c[1].(float64), c[2].(float64)
				if float64(size) < lo || float64(size) > hi {
					return fmt.Errorf("size %d outside %v..%v", size, lo, hi)
				}
			case "eq", "starts-with":
				name := strings.TrimPrefix(fmt.Sprint(c[1]), "$")
				named[strings.ToLower(name)] = true
				v, want := field(name), fmt.Sprint(c[2])
				if op == "eq" && v != want || op == "starts-with" && !strings.HasPrefix(v, want) {
					return fmt.Errorf("%s %q fails %s %q", name, v, op, want)
				}
			default:
				return fmt.Errorf("unknown condition %v", c)
			}
		}
	}
	for k := range fields {
		if l := strings.ToLower(k); !named[l] && !strings.HasPrefix(l, "x-ignore-") {
			return fmt.Errorf("field %s is named by no condition", k)
		}
	}
	return nil
}
