package lambdaweb_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"trustcenter/shared/aws/lambdaweb"
)

func loadEvent(t *testing.T, name string) events.APIGatewayV2HTTPRequest {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ev
}

// invoke runs h on the event and checks the adapter's promise never to hand
// Lambda an error.
func invoke(t *testing.T, h http.Handler, ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	t.Helper()
	resp, err := lambdaweb.Handler(h)(t.Context(), ev)
	if err != nil {
		t.Fatalf("Handler returned an error: %v", err)
	}
	return resp
}

// seen is what a handler observed of its request.
type seen struct {
	Method, Path, RawQuery, RequestURI, Host, RemoteAddr, Proto string
	Query                                                       map[string][]string
	Cookies                                                     map[string]string
	Header                                                      http.Header
	Body                                                        []byte
	ContentLength                                               int64
	RequestID                                                   string
	TLS                                                         bool
}

func record(into *seen, then http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			panic(err)
		}
		*into = seen{
			Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, RequestURI: r.RequestURI,
			Host: r.Host, RemoteAddr: r.RemoteAddr, Proto: r.Proto,
			Query: r.URL.Query(), Cookies: map[string]string{}, Header: r.Header.Clone(),
			Body: body, ContentLength: r.ContentLength,
			RequestID: lambdaweb.RequestID(r.Context()), TLS: r.TLS != nil,
		}
		for _, c := range r.Cookies() {
			into.Cookies[c.Name] = c.Value
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		then(w, r)
	}
}

func TestGetWithQueryAndCookies(t *testing.T) {
	var got seen
	h := record(&got, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Add("Vary", "Accept")
		w.Header().Add("Vary", "Cookie")
		w.Header().Set("Cache-Control", "no-store")
		io.WriteString(w, `{"title":"SOC 2 — Type II"}`)
	})
	resp := invoke(t, h, loadEvent(t, "get_query_cookies.json"))

	want := seen{
		Method:        "GET",
		Path:          "/documents/soc 2",
		RawQuery:      "lang=en&tag=a&tag=b&q=caf%C3%A9+menu",
		RequestURI:    "/documents/soc%202?lang=en&tag=a&tag=b&q=caf%C3%A9+menu",
		Host:          "trust.example.com",
		RemoteAddr:    "203.0.113.7:0",
		Proto:         "HTTP/1.1",
		Query:         map[string][]string{"lang": {"en"}, "tag": {"a", "b"}, "q": {"café menu"}},
		Cookies:       map[string]string{"tc_session": "s3ss10n", "theme": "dark"},
		Body:          []byte{},
		ContentLength: 0,
		RequestID:     "GetQ1zAbCdIAMEbVw=",
	}
	gotCore := got
	gotCore.Header = nil
	if !reflect.DeepEqual(gotCore, want) {
		t.Errorf("handler saw\n%+v\nwant\n%+v", gotCore, want)
	}
	for k, v := range map[string]string{
		"Accept-Language":   "en-US,en;q=0.9,de;q=0.8",
		"X-Custom":          "one,two",
		"Cookie":            "tc_session=s3ss10n; theme=dark",
		"X-Forwarded-Proto": "https",
		"X-Forwarded-For":   "203.0.113.7",
	} {
		if vs := got.Header[k]; len(vs) != 1 || vs[0] != v {
			t.Errorf("header %s = %q, want [%q]", k, vs, v)
		}
	}
	if _, ok := got.Header["Host"]; ok {
		t.Error("Host is in the header map; net/http keeps it in r.Host only")
	}

	if resp.StatusCode != 200 || resp.IsBase64Encoded || resp.Body != `{"title":"SOC 2 — Type II"}` {
		t.Errorf("response %d base64=%v body %q", resp.StatusCode, resp.IsBase64Encoded, resp.Body)
	}
	wantHeaders := map[string]string{"Content-Type": "application/json", "Vary": "Accept, Cookie", "Cache-Control": "no-store"}
	if !reflect.DeepEqual(resp.Headers, wantHeaders) {
		t.Errorf("response headers %v, want %v", resp.Headers, wantHeaders)
	}
	if len(resp.Cookies) != 0 {
		t.Errorf("response cookies %q, want none", resp.Cookies)
	}
}

func TestPostBase64Form(t *testing.T) {
	var got seen
	var form map[string][]string
	h := record(&got, func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Errorf("ParseForm: %v", err)
		}
		form = r.PostForm
		http.Redirect(w, r, "/access/requests/sent", http.StatusSeeOther)
	})
	resp := invoke(t, h, loadEvent(t, "post_form_base64.json"))

	const body = "name=Zo%C3%AB+M%C3%BCller&email=zoe%40example.org&documents=soc2&documents=pentest&nda=on"
	if got.Method != "POST" || got.Path != "/access/requests" || string(got.Body) != body {
		t.Errorf("handler saw %s %s body %q, want POST /access/requests body %q", got.Method, got.Path, got.Body, body)
	}
	if got.ContentLength != int64(len(body)) || got.Header.Get("Content-Length") != "89" {
		t.Errorf("content length %d / header %q, want %d", got.ContentLength, got.Header.Get("Content-Length"), len(body))
	}
	if host, _, err := net.SplitHostPort(got.RemoteAddr); err != nil || host != "2001:db8::7" {
		t.Errorf("RemoteAddr %q does not split to the IPv6 source address (%v)", got.RemoteAddr, err)
	}
	wantForm := map[string][]string{
		"name":      {"Zoë Müller"},
		"email":     {"zoe@example.org"},
		"documents": {"soc2", "pentest"},
		"nda":       {"on"},
	}
	if !reflect.DeepEqual(form, wantForm) {
		t.Errorf("form %v, want %v", form, wantForm)
	}

	if resp.StatusCode != http.StatusSeeOther || resp.Headers["Location"] != "/access/requests/sent" {
		t.Errorf("response %d Location %q, want 303 to /access/requests/sent", resp.StatusCode, resp.Headers["Location"])
	}
	// http.Redirect writes no body for a POST.
	if resp.IsBase64Encoded || resp.Body != "" {
		t.Errorf("response body %q (base64=%v), want none", resp.Body, resp.IsBase64Encoded)
	}
}

func TestBinaryResponseAndCookies(t *testing.T) {
	pdf := append([]byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), bytes.Repeat([]byte{0x00, 0xff, 0x80, 0x7f}, 300)...)
	var got seen
	h := record(&got, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `attachment; filename="soc2.pdf"`)
		http.SetCookie(w, &http.Cookie{Name: "tc_dl", Value: "", Path: "/", MaxAge: -1})
		http.SetCookie(w, &http.Cookie{Name: "tc_seen", Value: "soc2", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		w.Write(pdf)
		// net/http freezes headers at the first write: so must we.
		w.Header().Set("X-Too-Late", "1")
	})
	resp := invoke(t, h, loadEvent(t, "get_pdf.json"))

	if got.Query["t"][0] != "eyJhbGciOiJFZERTQSJ9.e30.sig" || got.Cookies["tc_dl"] != "1" {
		t.Errorf("handler saw query %v cookies %v", got.Query, got.Cookies)
	}
	if resp.StatusCode != 200 || !resp.IsBase64Encoded {
		t.Fatalf("response %d base64=%v, want 200 base64", resp.StatusCode, resp.IsBase64Encoded)
	}
	body, err := base64.StdEncoding.DecodeString(resp.Body)
	if err != nil || !bytes.Equal(body, pdf) {
		t.Errorf("decoded body: %d bytes (err %v), want the %d PDF bytes", len(body), err, len(pdf))
	}
	wantCookies := []string{"tc_dl=; Path=/; Max-Age=0", "tc_seen=soc2; Path=/; HttpOnly; Secure; SameSite=Lax"}
	if !reflect.DeepEqual(resp.Cookies, wantCookies) {
		t.Errorf("cookies %q, want %q", resp.Cookies, wantCookies)
	}
	wantHeaders := map[string]string{"Content-Type": "application/pdf", "Content-Disposition": `attachment; filename="soc2.pdf"`}
	if !reflect.DeepEqual(resp.Headers, wantHeaders) {
		t.Errorf("headers %v, want %v (no Set-Cookie, nothing set after the first write)", resp.Headers, wantHeaders)
	}
}

func TestPanicIsA500WithoutInternals(t *testing.T) {
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&logs, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })

	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Debug-Query", "SELECT * FROM grants")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "partial page with db=postgres://admin:hunter2@db/")
		panic("invariant broken: grant g-42 for hunter2")
	})
	resp := invoke(t, h, loadEvent(t, "panic.json"))

	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", resp.StatusCode)
	}
	all, _ := json.Marshal(resp)
	for _, secret := range []string{"hunter2", "g-42", "invariant", "partial", "SELECT", "X-Debug-Query", "goroutine"} {
		if bytes.Contains(all, []byte(secret)) {
			t.Errorf("response leaks %q: %s", secret, all)
		}
	}
	if resp.Body != "Internal Server Error\n" {
		t.Errorf("body %q, want the bare status text", resp.Body)
	}

	var entry map[string]any
	if err := json.Unmarshal(logs.Bytes(), &entry); err != nil {
		t.Fatalf("want one JSON log line, got %q: %v", logs.String(), err)
	}
	if entry["level"] != "ERROR" || entry["request_id"] != "PanicAbCdIAMEbVw=" || entry["path"] != "/admin/boom" ||
		!strings.Contains(entry["panic"].(string), "grant g-42") || !strings.Contains(entry["stack"].(string), "lambdaweb") {
		t.Errorf("log entry %v lacks level, request id, path, panic value or stack", entry)
	}
}

// TestAbortDropsThePartialAnswer: a handler that has logged its own panic
// and aborts with http.ErrAbortHandler gets the bare 500, without what it
// had written and without a second log entry.
func TestAbortDropsThePartialAnswer(t *testing.T) {
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&logs, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })

	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "<p>half a page")
		panic(http.ErrAbortHandler)
	})
	resp := invoke(t, h, loadEvent(t, "panic.json"))
	if resp.StatusCode != http.StatusInternalServerError || resp.Body != "Internal Server Error\n" || resp.Headers["Cache-Control"] != "no-store" {
		t.Errorf("%d %q %v, want the bare 500", resp.StatusCode, resp.Body, resp.Headers)
	}
	if logs.Len() != 0 {
		t.Errorf("the abort was logged: %s", logs.String())
	}
}

// Clients cannot talk the handler into thinking the request was plain HTTP,
// and r.TLS stays nil: X-Forwarded-Proto is the one signal.
func TestForwardedProtoIsAlwaysHTTPS(t *testing.T) {
	ev := loadEvent(t, "get_query_cookies.json")
	ev.Headers["x-forwarded-proto"] = "http"
	var got seen
	invoke(t, record(&got, func(http.ResponseWriter, *http.Request) {}), ev)
	if vs := got.Header["X-Forwarded-Proto"]; len(vs) != 1 || vs[0] != "https" || got.TLS {
		t.Errorf("X-Forwarded-Proto %q, TLS %v; want [https], false", vs, got.TLS)
	}
}

func TestResponseEncoding(t *testing.T) {
	for _, tc := range []struct {
		name, contentType string
		body              []byte
		base64            bool
		wantType          string
	}{
		{"html", "text/html; charset=utf-8", []byte("<p>Grüße</p>"), false, "text/html; charset=utf-8"},
		{"problem json", "application/problem+json", []byte(`{"a":1}`), false, "application/problem+json"},
		{"xml", "application/xml", []byte("<a/>"), false, "application/xml"},
		{"svg", "image/svg+xml", []byte("<svg/>"), false, "image/svg+xml"},
		{"javascript", "text/javascript; charset=utf-8", []byte("1"), false, "text/javascript; charset=utf-8"},
		{"latin-1 text", "text/plain; charset=iso-8859-1", []byte("Gr\xfc\xdfe"), true, "text/plain; charset=iso-8859-1"},
		{"png", "image/png", []byte("\x89PNG\r\n\x1a\n"), true, "image/png"},
		{"sniffed text", "", []byte("hello"), false, "text/plain; charset=utf-8"},
		{"sniffed pdf", "", []byte("%PDF-1.7\n\x00\x01"), true, "application/pdf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.contentType != "" {
					w.Header().Set("Content-Type", tc.contentType)
				}
				w.Write(tc.body)
			})
			resp := invoke(t, h, loadEvent(t, "get_query_cookies.json"))
			if resp.IsBase64Encoded != tc.base64 || resp.Headers["Content-Type"] != tc.wantType {
				t.Fatalf("base64=%v type %q, want base64=%v type %q", resp.IsBase64Encoded, resp.Headers["Content-Type"], tc.base64, tc.wantType)
			}
			body := []byte(resp.Body)
			if resp.IsBase64Encoded {
				body, _ = base64.StdEncoding.DecodeString(resp.Body)
			}
			if !bytes.Equal(body, tc.body) {
				t.Errorf("body %q, want %q", body, tc.body)
			}
		})
	}
}

func TestHeadDropsBodyAndBadBase64IsRefused(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "body")
	})
	ev := loadEvent(t, "get_query_cookies.json")
	ev.RequestContext.HTTP.Method = http.MethodHead
	if resp := invoke(t, h, ev); resp.StatusCode != 200 || resp.Body != "" || resp.Headers["Content-Type"] != "text/plain" {
		t.Errorf("HEAD: %d body %q type %q, want 200, no body, the type", resp.StatusCode, resp.Body, resp.Headers["Content-Type"])
	}

	ev = loadEvent(t, "post_form_base64.json")
	ev.Body = "not base64!"
	if resp := invoke(t, h, ev); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad base64: status %d, want 400", resp.StatusCode)
	}
}

func TestRequestIDOutsideLambda(t *testing.T) {
	if id := lambdaweb.RequestID(context.Background()); id != "" {
		t.Errorf("RequestID = %q, want empty", id)
	}
}
