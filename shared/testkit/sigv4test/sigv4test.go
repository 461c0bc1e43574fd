// Package sigv4test checks Signature Version 4 signatures on the requests a
// fake AWS service receives, the way the real service does: from what
// arrived on the wire (method, path, the signed headers, the body) it
// derives the signature again and compares. Emulators such as gofakes3 do not
// check signatures; wrapping them in Handler does. Like S3, Handler also
// checks the body's x-amz-checksum-* values and takes off the aws-chunked
// encoding the SDK uploads with over TLS, which gofakes3 cannot read.
package sigv4test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Handler passes each request whose signature holds for creds, region and
// service on to next, with its body as the service reads it; any other
// fails the test and is answered 403 SignatureDoesNotMatch (400 BadDigest
// for a body that does not match its checksum). Checked counts the requests
// that passed.
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
	body, err := decode(r, body)
	if err != nil {
		h.T.Errorf("%s %s: %v", r.Method, r.URL, err)
		w.Header().Set("X-Amzn-ErrorType", "BadDigest")
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	h.Checked.Add(1)
	h.Next.ServeHTTP(w, r)
}

// checksums are the x-amz-checksum-* algorithms decode can check, by header.
var checksums = map[string]func() hash.Hash{
	"X-Amz-Checksum-Crc32":  func() hash.Hash { return crc32.NewIEEE() },
	"X-Amz-Checksum-Crc32c": func() hash.Hash { return crc32.New(crc32.MakeTable(crc32.Castagnoli)) },
	"X-Amz-Checksum-Sha1":   sha1.New,
	"X-Amz-Checksum-Sha256": sha256.New,
}

// decode returns r's body as the service stores it: an aws-chunked body
// (Content-Encoding aws-chunked) decoded, with that encoding and its headers
// taken off r. It fails when the body does not match a checksum r carries,
// in a header or in the aws-chunked trailer.
func decode(r *http.Request, body []byte) ([]byte, error) {
	sums := map[string]string{}
	for name := range checksums {
		if v := r.Header.Get(name); v != "" {
			sums[name] = v
		}
	}
	encodings := strings.Split(r.Header.Get("Content-Encoding"), ",")
	if i := slices.IndexFunc(encodings, func(e string) bool { return strings.TrimSpace(e) == "aws-chunked" }); i >= 0 {
		data, trailer, err := decodeAWSChunked(body)
		if err != nil {
			return nil, fmt.Errorf("aws-chunked body: %w", err)
		}
		if n := r.Header.Get("X-Amz-Decoded-Content-Length"); n != strconv.Itoa(len(data)) {
			return nil, fmt.Errorf("X-Amz-Decoded-Content-Length %q, but the chunks hold %d bytes", n, len(data))
		}
		for _, name := range strings.Split(r.Header.Get("X-Amz-Trailer"), ",") {
			name = textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(name))
			if _, ok := checksums[name]; !ok {
				return nil, fmt.Errorf("X-Amz-Trailer names %q, not a checksum this check knows", name)
			}
			if sums[name] = trailer.Get(name); sums[name] == "" {
				return nil, fmt.Errorf("X-Amz-Trailer announces %s, but the body ends without it", name)
			}
		}
		encodings = slices.Delete(encodings, i, i+1)
		if len(encodings) == 0 {
			r.Header.Del("Content-Encoding")
		} else {
			r.Header.Set("Content-Encoding", strings.Join(encodings, ","))
		}
		r.Header.Del("X-Amz-Decoded-Content-Length")
		r.Header.Del("X-Amz-Trailer")
		body = data
	}
	for name, want := range sums {
		sum := checksums[name]()
		sum.Write(body)
		if got := base64.StdEncoding.EncodeToString(sum.Sum(nil)); got != want {
			return nil, fmt.Errorf("%s %s, but the body sums to %s", name, want, got)
		}
	}
	return body, nil
}

// decodeAWSChunked reads chunks "<hex size>\r\n<bytes>\r\n" up to the
// empty one, then trailer lines "name:value\r\n" up to an empty line.
func decodeAWSChunked(body []byte) ([]byte, textproto.MIMEHeader, error) {
	br := bufio.NewReader(bytes.NewReader(body))
	var data []byte
	for {
		line, err := br.ReadString('\n')
		if err != nil || !strings.HasSuffix(line, "\r\n") {
			return nil, nil, fmt.Errorf("chunk size line %q", line)
		}
		// A signed chunk carries ";chunk-signature=…", which this check
		// does not verify.
		sizeHex, ext, _ := strings.Cut(strings.TrimSuffix(line, "\r\n"), ";")
		if ext != "" {
			return nil, nil, fmt.Errorf("chunk extension %q: only unsigned chunks are checked", ext)
		}
		size, err := strconv.ParseInt(sizeHex, 16, 32)
		if err != nil || size < 0 {
			return nil, nil, fmt.Errorf("chunk size %q", sizeHex)
		}
		if size == 0 {
			break
		}
		chunk := make([]byte, size+2)
		if _, err := io.ReadFull(br, chunk); err != nil || !bytes.HasSuffix(chunk, []byte("\r\n")) {
			return nil, nil, fmt.Errorf("chunk of %d bytes is cut short or not followed by CRLF", size)
		}
		data = append(data, chunk[:size]...)
	}
	trailer, err := textproto.NewReader(br).ReadMIMEHeader()
	if err != nil {
		return nil, nil, fmt.Errorf("trailer: %w", err)
	}
	if rest, _ := io.ReadAll(br); len(rest) > 0 {
		return nil, nil, fmt.Errorf("%d bytes after the trailer", len(rest))
	}
	return data, trailer, nil
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
	// Only S3 names the payload's hash in a header; an unsigned payload
	// (over TLS, where the SDK sends aws-chunked with a trailing checksum)
	// is signed as that name instead.
	switch claimed := r.Header.Get("X-Amz-Content-Sha256"); claimed {
	case "UNSIGNED-PAYLOAD", "STREAMING-UNSIGNED-PAYLOAD-TRAILER":
		payload = claimed
	case "":
		if h.Service == "s3" {
			return fmt.Errorf("S3 request without X-Amz-Content-Sha256")
		}
	default:
		if claimed != payload {
			return fmt.Errorf("X-Amz-Content-Sha256 %s, but the body hashes to %s", claimed, payload)
		}
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
// taken from the clients' settings, so that a slip there shows as a refused
// signature instead of being repeated on both sides.
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
