// Package sigv4test checks Signature Version 4 signatures on the requests a
// fake AWS service receives, the way the real service does: from what
// arrived on the wire (method, path, the signed headers, the body) it
// derives the signature again and compares. Emulators such as gofakes3 do not
// check signatures; wrapping them in Handler does.
package sigv4test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Handler passes each request whose signature holds for creds, region and
// service on to next; any other fails the test and is answered 403
// SignatureDoesNotMatch. Checked counts the requests that passed.
type Handler struct {
	T       testing.TB
	Creds   aws.Credentials
	Region  string
	Service string
	Next    http.Handler
	Checked atomic.Int32
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err := h.Verify(r, body); err != nil {
		h.T.Errorf("%s %s: %v", r.Method, r.URL, err)
		w.Header().Set("X-Amzn-ErrorType", "SignatureDoesNotMatch")
		w.WriteHeader(http.StatusForbidden)
		return
	}
	h.Checked.Add(1)
	h.Next.ServeHTTP(w, r)
}

// Verify checks r's signature: its Authorization header against body, or
// for a presigned link its query, which must not have expired.
func (h *Handler) Verify(r *http.Request, body []byte) error {
	if r.URL.Query().Has("X-Amz-Signature") {
		return h.verifyPresigned(r)
	}
	auth := r.Header.Get("Authorization")
	const alg = "AWS4-HMAC-SHA256 "
	if !strings.HasPrefix(auth, alg) {
		return fmt.Errorf("authorization %q is not SigV4", auth)
	}
	parts := map[string]string{}
	for _, p := range strings.Split(strings.TrimPrefix(auth, alg), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		parts[k] = v
	}
	at, err := h.checkScope(r.Header.Get("X-Amz-Date"), parts["Credential"], r.Header.Get("X-Amz-Security-Token"))
	if err != nil {
		return err
	}

	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	if claimed := r.Header.Get("X-Amz-Content-Sha256"); claimed != "" && claimed != "UNSIGNED-PAYLOAD" {
		if claimed != payload {
			return fmt.Errorf("X-Amz-Content-Sha256 %s, but the body hashes to %s", claimed, payload)
		}
	} else if claimed == "UNSIGNED-PAYLOAD" {
		payload = claimed
	} else if h.Service == "s3" {
		return fmt.Errorf("S3 request without X-Amz-Content-Sha256")
	}

	again, err := h.copySigned(r, r.URL.RequestURI(), parts["SignedHeaders"])
	if err != nil {
		return err
	}
	if err := h.signer().SignHTTP(context.Background(), h.Creds, again, payload, h.Service, h.Region, at); err != nil {
		return err
	}
	want := again.Header.Get("Authorization")
	if want != auth {
		return fmt.Errorf("signature does not match:\n got %s\nwant %s", auth, want)
	}
	return nil
}

// verifyPresigned checks a presigned link: the signature over everything
// but itself, and the expiry.
func (h *Handler) verifyPresigned(r *http.Request) error {
	q := r.URL.Query()
	at, err := h.checkScope(q.Get("X-Amz-Date"), q.Get("X-Amz-Credential"), q.Get("X-Amz-Security-Token"))
	if err != nil {
		return err
	}
	expires, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	if err != nil || expires <= 0 || expires > 7*24*3600 {
		return fmt.Errorf("X-Amz-Expires %q", q.Get("X-Amz-Expires"))
	}
	if time.Now().After(at.Add(time.Duration(expires) * time.Second)) {
		return fmt.Errorf("the link expired at %s", at.Add(time.Duration(expires)*time.Second))
	}
	got, signedHeaders := q.Get("X-Amz-Signature"), q.Get("X-Amz-SignedHeaders")
	for _, k := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Security-Token", "X-Amz-Signature"} {
		q.Del(k)
	}
	again, err := h.copySigned(r, r.URL.EscapedPath()+"?"+strings.ReplaceAll(q.Encode(), "+", "%20"), signedHeaders)
	if err != nil {
		return err
	}
	u, _, err := h.signer().PresignHTTP(context.Background(), h.Creds, again, "UNSIGNED-PAYLOAD", h.Service, h.Region, at)
	if err != nil {
		return err
	}
	pu, err := url.Parse(u)
	if err != nil {
		return err
	}
	if want := pu.Query().Get("X-Amz-Signature"); want != got {
		return fmt.Errorf("link signature does not match: got %s, want %s", got, want)
	}
	return nil
}

// checkScope checks the signing time, credential scope and session token.
func (h *Handler) checkScope(date, credential, token string) (time.Time, error) {
	at, err := time.Parse("20060102T150405Z", date)
	if err != nil {
		return at, fmt.Errorf("X-Amz-Date: %v", err)
	}
	scope := h.Creds.AccessKeyID + "/" + at.Format("20060102") + "/" + h.Region + "/" + h.Service + "/aws4_request"
	if credential != scope {
		return at, fmt.Errorf("credential %q, want %q", credential, scope)
	}
	if token != h.Creds.SessionToken {
		return at, fmt.Errorf("session token %q, want %q", token, h.Creds.SessionToken)
	}
	return at, nil
}

// signer signs as the service does: S3 signs the path as sent, every other
// service escapes it a second time. The rule is written out here rather than
// taken from awsenv, whose requests this checks, so that a slip there shows
// as a refused signature instead of being repeated on both sides.
func (h *Handler) signer() *v4.Signer {
	return v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = h.Service == "s3" })
}

// copySigned is a new request for requestURI on r's host with only the
// headers r says it signed.
func (h *Handler) copySigned(r *http.Request, requestURI, signedHeaders string) (*http.Request, error) {
	again, err := http.NewRequest(r.Method, "http://"+r.Host+requestURI, nil)
	if err != nil {
		return nil, err
	}
	again.Host = r.Host
	for _, name := range strings.Split(signedHeaders, ";") {
		switch name {
		case "host":
		case "content-length":
			again.ContentLength = r.ContentLength
		default:
			vals := r.Header.Values(name)
			if len(vals) == 0 {
				return nil, fmt.Errorf("signed header %q is missing", name)
			}
			again.Header[http.CanonicalHeaderKey(name)] = vals
		}
	}
	return again, nil
}
