package awsenv

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Service reaches one AWS service through SigV4-signed HTTP requests. The
// functions make three calls besides DynamoDB's (SES SendEmail, Secrets
// Manager GetSecretValue, S3 PutObject/GetObject) and presign S3 download
// links; each service's SDK client would add its whole API to the binary
// (S3's alone is four megabytes, since html/template's reflection keeps
// every method of a client the SDK turns into an interface), so they are
// made here with the SDK's signer instead.
// Tests hold each call to the SDK client's request for the same input, and
// check every signature the way the service would.
type Service struct {
	// Origin is scheme and host, e.g. https://email.eu-west-1.amazonaws.com,
	// or an emulator's origin with an optional path prefix.
	Origin string
	// SigningName is the service's name in the credential scope ("ses",
	// "secretsmanager", "s3").
	SigningName string
	Region      string
	Credentials aws.CredentialsProvider
	// HTTP sends the requests; nil means a client with a 15-second timeout.
	HTTP *http.Client
	// Attempts is how many times a request is sent when the service is
	// throttled, failing or unreachable; 0 means 3.
	Attempts int
	// Backoff is the wait before the second attempt, doubled after that;
	// 0 means 50 ms.
	Backoff time.Duration
}

// NewService is the service reached at https://<host>.<region>.<suffix>,
// or at AWS_ENDPOINT_URL_<envName> (else AWS_ENDPOINT_URL) when set.
func NewService(cfg aws.Config, envName, host, signingName string) *Service {
	origin := "https://" + host + "." + cfg.Region + "." + DNSSuffix(cfg.Region)
	if e := Endpoint(cfg, envName); e != nil {
		origin = strings.TrimRight(*e, "/")
	}
	return &Service{Origin: origin, SigningName: signingName, Region: cfg.Region, Credentials: cfg.Credentials}
}

// DNSSuffix is the domain of the region's partition.
func DNSSuffix(region string) string {
	if strings.HasPrefix(region, "cn-") {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}

var defaultHTTP = &http.Client{Timeout: 15 * time.Second}

// Do sends a signed request to the service: method, the escaped path (and
// query) below Origin, extra headers, and the whole body (nil for none).
// A 2xx answer is returned for the caller to read and close. Anything else
// is an error: *APIError when the service answered, with its body read and
// closed. Throttling, 5xx answers and network failures are tried again.
func (s *Service) Do(ctx context.Context, method, pathAndQuery string, header http.Header, body []byte) (*http.Response, error) {
	attempts, wait := s.Attempts, s.Backoff
	if attempts <= 0 {
		attempts = 3
	}
	if wait <= 0 {
		wait = 50 * time.Millisecond
	}
	// The request is signed over the body's hash, the same on every attempt.
	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	for i := 1; ; i++ {
		res, err := s.once(ctx, method, pathAndQuery, header, body, payload)
		// Only the caller's ctx says the caller has given up. The HTTP
		// client's timeout reports context.DeadlineExceeded too, but it is a
		// stalled attempt like any other network failure.
		if err == nil || i == attempts || ctx.Err() != nil || !retryable(err) {
			return res, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// Call is Do for answers small enough to hold: it returns the body of a
// 2xx answer, read in full (at most 1 MiB) and closed.
func (s *Service) Call(ctx context.Context, method, pathAndQuery string, header http.Header, body []byte) ([]byte, error) {
	res, err := s.Do(ctx, method, pathAndQuery, header, body)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, &netError{service: s.SigningName, err: err}
	}
	return data, nil
}

func (s *Service) once(ctx context.Context, method, pathAndQuery string, header http.Header, body []byte, payload string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.Origin+pathAndQuery, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.SigningName, err)
	}
	if body == nil {
		req.Body, req.GetBody, req.ContentLength = http.NoBody, nil, 0
	}
	for k, v := range header {
		req.Header[http.CanonicalHeaderKey(k)] = v
	}
	if s.SigningName == "s3" {
		req.Header.Set("X-Amz-Content-Sha256", payload)
	}
	creds, err := s.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: credentials: %w", s.SigningName, err)
	}
	if err := s.signer().SignHTTP(ctx, creds, req, payload, s.SigningName, s.Region, time.Now().UTC()); err != nil {
		return nil, fmt.Errorf("%s: sign: %w", s.SigningName, err)
	}
	hc := s.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, &netError{service: s.SigningName, err: err}
	}
	if res.StatusCode/100 == 2 {
		return res, nil
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	return nil, parseError(s.SigningName, res, data)
}

// Presign returns a link with which anyone may make the request method
// pathAndQuery (escaped, as for Do) without credentials, signed at the time
// at. The query sets the link's lifetime in X-Amz-Expires. The payload is
// left unsigned, as S3 allows for presigned requests.
func (s *Service) Presign(ctx context.Context, method, pathAndQuery string, at time.Time) (string, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.Origin+pathAndQuery, nil)
	if err != nil {
		return "", fmt.Errorf("%s: %w", s.SigningName, err)
	}
	creds, err := s.Credentials.Retrieve(ctx)
	if err != nil {
		return "", fmt.Errorf("%s: credentials: %w", s.SigningName, err)
	}
	link, _, err := s.signer().PresignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", s.SigningName, s.Region, at.UTC())
	if err != nil {
		return "", fmt.Errorf("%s: sign: %w", s.SigningName, err)
	}
	return link, nil
}

// signer signs for the service. S3 signs the path as sent; every other
// service escapes it a second time.
func (s *Service) signer() *v4.Signer {
	return v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = s.SigningName == "s3" })
}

// APIError is a service's refusal: its HTTP status and error code.
type APIError struct {
	Service string
	Status  int
	Code    string // e.g. ThrottlingException, NoSuchKey, ResourceNotFoundException
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s: %d %s: %s", e.Service, e.Status, e.Code, e.Message)
}

// netError is a request that got no answer.
type netError struct {
	service string
	err     error
}

func (e *netError) Error() string { return e.service + ": " + e.err.Error() }
func (e *netError) Unwrap() error { return e.err }

// ErrorCode is err's service error code, or "" when err is not an APIError.
func ErrorCode(err error) string {
	var api *APIError
	if errors.As(err, &api) {
		return api.Code
	}
	return ""
}

// HTTPStatus is the HTTP status of err's answer, or 0 when err is not an
// APIError.
func HTTPStatus(err error) int {
	var api *APIError
	if errors.As(err, &api) {
		return api.Status
	}
	return 0
}

// retryable reports whether err is worth another attempt, given that the
// caller has not given up: Do checks the caller's ctx itself.
func retryable(err error) bool {
	var ne *netError
	if errors.As(err, &ne) {
		return true
	}
	var api *APIError
	if !errors.As(err, &api) {
		return false
	}
	if api.Status >= 500 || api.Status == http.StatusTooManyRequests {
		return true
	}
	switch api.Code {
	case "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
		"TooManyRequestsException", "SlowDown", "RequestLimitExceeded", "RequestTimeout", "RequestTimeoutException":
		return true
	}
	return false
}

// parseError reads the error code the way each protocol carries it: the
// X-Amzn-ErrorType header or a JSON "__type"/"code" (SES, Secrets Manager),
// or an XML <Error><Code> (S3; a HEAD or some 404s carry no body at all).
func parseError(service string, res *http.Response, body []byte) *APIError {
	e := &APIError{Service: service, Status: res.StatusCode}
	var j struct {
		Type     string `json:"__type"`
		Code     string `json:"code"`
		Message  string `json:"message"`
		MessageU string `json:"Message"`
	}
	var x struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	switch {
	case json.Unmarshal(body, &j) == nil:
		e.Code, e.Message = j.Type, j.Message
		if e.Code == "" {
			e.Code = j.Code
		}
		if e.Message == "" {
			e.Message = j.MessageU
		}
	case xml.Unmarshal(body, &x) == nil:
		e.Code, e.Message = x.Code, x.Message
	}
	if h := res.Header.Get("X-Amzn-ErrorType"); h != "" {
		e.Code = h
	}
	// "aws.protocoltests#ThrottlingException:http://internal..." → ThrottlingException
	if i := strings.IndexByte(e.Code, ':'); i >= 0 {
		e.Code = e.Code[:i]
	}
	if i := strings.LastIndexByte(e.Code, '#'); i >= 0 {
		e.Code = e.Code[i+1:]
	}
	if e.Code == "" {
		e.Code = http.StatusText(res.StatusCode)
	}
	return e
}

// EscapePath escapes an object key for a URL path the way S3 expects:
// every byte but the unreserved ones and '/' percent-encoded.
func EscapePath(key string) string {
	const hexDigits = "0123456789ABCDEF"
	var sb strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~/", c) >= 0 {
			sb.WriteByte(c)
			continue
		}
		sb.WriteByte('%')
		sb.WriteByte(hexDigits[c>>4])
		sb.WriteByte(hexDigits[c&15])
	}
	return sb.String()
}
