package localapp_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"trustcenter/shared/app"
	"trustcenter/shared/local/localapp"
	"trustcenter/shared/token"
)

// harness is the local server booted on port 0 with a fresh data folder,
// and a browser-like client that keeps cookies but does not follow
// redirects, so tests see every 303.
type harness struct {
	t      *testing.T
	local  *localapp.Local
	base   string
	outbox string
	client *http.Client
	// skipped is how far the server's clock is ahead of the real one (ns),
	// shared by copies of the harness that stand for other browsers.
	skipped *atomic.Int64
}

func boot(t *testing.T, env map[string]string) *harness {
	t.Helper()
	return bootWith(t, env, nil)
}

// bootWith is boot with edit applied to the configuration read from env.
func bootWith(t *testing.T, env map[string]string, edit func(*app.Config)) *harness {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("TRUST_DATA_DIR", dir)
	t.Setenv("TRUST_STAFF", "admin@trust.localhost,sales@trust.localhost:approver")
	t.Setenv("TRUST_BASE_URL", "")
	t.Setenv("TRUST_AUTO_APPROVE", "")
	for k, v := range env {
		t.Setenv(k, v)
	}
	cfg, err := app.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	// Links in mails must name the port, which is known only once the
	// server listens: the harness listens first.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cfg.BaseURL = base
	if edit != nil {
		edit(&cfg)
	}
	h := &harness{t: t, base: base, client: newClient(), skipped: new(atomic.Int64)}
	l, err := localapp.Open(cfg, log, h.now)
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	l.Serve(ln)
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Error(err)
		}
	})
	h.local, h.outbox = l, l.Outbox
	return h
}

// now is the server's clock: the real time, moved on by skip.
func (h *harness) now() time.Time { return time.Now().Add(time.Duration(h.skipped.Load())) }

// skip moves the server's clock on by d.
func (h *harness) skip(d time.Duration) { h.skipped.Add(int64(d)) }

// newClient is a browser's worth of state: its own cookies, and redirects
// left for the test to see.
func newClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type response struct {
	Status int
	Header http.Header
	Body   string
}

func (h *harness) do(req *http.Request) response {
	h.t.Helper()
	res, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

func (h *harness) get(path string) response {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodGet, h.abs(path), nil)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.do(req)
}

func (h *harness) post(path string, form url.Values) response {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.abs(path), strings.NewReader(form.Encode()))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return h.do(req)
}

func (h *harness) abs(path string) string {
	if strings.HasPrefix(path, "http") {
		return path
	}
	return h.base + path
}

// email is one .eml file of the outbox, parsed as a mail client would.
type email struct {
	File    string
	Header  mail.Header
	To      string
	Subject string
	Body    string // the text/plain part
	HTML    string // the text/html part
	// Files are the attachments by file name.
	Files map[string][]byte
}

// mails reads every .eml in the outbox, in the order they were queued. It
// drains the outbox first: commits only queue mail, and the server's own
// drain runs asynchronously, so this is how a test waits for "delivered".
func (h *harness) mails() []email {
	h.t.Helper()
	if err := h.local.DeliverMail(context.Background()); err != nil {
		h.t.Fatalf("deliver mail: %v", err)
	}
	entries, err := os.ReadDir(h.outbox)
	if err != nil && !os.IsNotExist(err) {
		h.t.Fatal(err)
	}
	var out []email
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".eml") {
			continue
		}
		f, err := os.Open(filepath.Join(h.outbox, e.Name()))
		if err != nil {
			h.t.Fatal(err)
		}
		msg, err := mail.ReadMessage(f)
		if err != nil {
			h.t.Fatalf("%s: %v", e.Name(), err)
		}
		text, html, files := readMail(h.t, msg)
		f.Close()
		subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil {
			h.t.Fatal(err)
		}
		checkLinks(h.t, e.Name(), text, html)
		out = append(out, email{File: e.Name(), Header: msg.Header, To: msg.Header.Get("To"), Subject: subject, Body: text, HTML: html, Files: files})
	}
	slices.SortFunc(out, func(a, b email) int { return strings.Compare(a.File, b.File) })
	return out
}

// mailsTo returns the mails to addr whose body holds a link under path
// (any mail to addr when path is "").
func (h *harness) mailsTo(addr, path string) []email {
	var out []email
	for _, m := range h.mails() {
		if m.To == addr && (path == "" || strings.Contains(m.Body, h.base+path)) {
			out = append(out, m)
		}
	}
	return out
}

// link returns the one link under path in the newest mail to addr.
func (h *harness) link(addr, path string) string {
	h.t.Helper()
	ms := h.mailsTo(addr, path)
	if len(ms) == 0 {
		h.t.Fatalf("no mail to %s with a link under %s; outbox: %v", addr, path, h.mails())
	}
	re := regexp.MustCompile(regexp.QuoteMeta(h.base+path) + `[^\s]+`)
	l := re.FindString(ms[len(ms)-1].Body)
	if l == "" {
		h.t.Fatalf("no link under %s in %q", path, ms[len(ms)-1].Body)
	}
	return l
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn walks the staff sign-in by email link and returns the CSRF token.
func (h *harness) signIn(addr string) string {
	h.t.Helper()
	res := h.post("/admin/login", url.Values{"email": {addr}})
	if res.Status != http.StatusSeeOther {
		h.t.Fatalf("login: %d %s", res.Status, res.Body)
	}
	h.completeSignIn(h.link(addr, "/admin/login/"), nil)
	res = h.get("/admin/requests")
	m := csrfRe.FindStringSubmatch(res.Body)
	if res.Status != http.StatusOK || m == nil {
		h.t.Fatalf("queue after sign-in: %d", res.Status)
	}
	return m[1]
}

// completeSignIn opens a sign-in link, which shows a button, and posts the
// button's form with form's fields, which signs in.
func (h *harness) completeSignIn(link string, form url.Values) {
	h.t.Helper()
	res := h.get(link)
	if res.Status != http.StatusOK || !strings.Contains(res.Body, `method="post" action="`+strings.TrimPrefix(link, h.base)+`"`) {
		h.t.Fatalf("sign-in link: %d, no form posting to it:\n%s", res.Status, res.Body)
	}
	res = h.post(link, form)
	if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/admin/requests" {
		h.t.Fatalf("signing in with the link: %d %v", res.Status, res.Header)
	}
}

var (
	ndaVersionRe = regexp.MustCompile(`name="nda_version" value="([^"]+)"`)
	ndaHashRe    = regexp.MustCompile(`name="nda_sha256" value="([0-9a-f]{64})"`)
)

// requestForm returns a valid form for docs, with the NDA version the form
// page shows.
func (h *harness) requestForm(name, addr string, docs ...string) url.Values {
	h.t.Helper()
	res := h.get("/access-requests/new")
	m, sum := ndaVersionRe.FindStringSubmatch(res.Body), ndaHashRe.FindStringSubmatch(res.Body)
	if res.Status != http.StatusOK || m == nil || sum == nil {
		h.t.Fatalf("form: %d", res.Status)
	}
	return url.Values{
		"name": {name}, "email": {addr}, "company": {"Example Buyer Ltd"}, "reason": {"Vendor review"},
		"document": docs, "nda_version": {m[1]}, "nda_sha256": {sum[1]}, "nda_mode": {"accept"}, "nda_accept": {"yes"}, "nda_signature": {name},
	}
}

var requestIDRe = regexp.MustCompile(`/admin/requests/(req_[A-Za-z0-9_-]+)`)

// submitAndConfirm files a request and confirms its email; it returns the
// request id from the approvers' mail.
func (h *harness) submitAndConfirm(name, addr string, docs ...string) string {
	h.t.Helper()
	res := h.post("/access-requests", h.requestForm(name, addr, docs...))
	if res.Status != http.StatusSeeOther {
		h.t.Fatalf("submit: %d %s", res.Status, res.Body)
	}
	res = h.get(h.link(addr, "/access-requests/confirm/"))
	if res.Status != http.StatusOK {
		h.t.Fatalf("confirm: %d %s", res.Status, res.Body)
	}
	for _, m := range h.mails() {
		if strings.Contains(m.Body, addr) {
			if id := requestIDRe.FindStringSubmatch(m.Body); id != nil {
				return id[1]
			}
		}
	}
	h.t.Fatalf("no approver mail for %s", addr)
	return ""
}

// grant is an approved request as its requester and its approver hold it.
type grant struct {
	id, csrf         string // the request, and the approver's CSRF token
	access, download string // the emailed access page, its first download link
}

// approve files, confirms and approves a request for days, signed in as
// admin@trust.localhost, and follows the approval mail.
func (h *harness) approve(name, addr string, days int, docs ...string) grant {
	h.t.Helper()
	g := grant{id: h.submitAndConfirm(name, addr, docs...), csrf: h.signIn("admin@trust.localhost")}
	res := h.post("/admin/requests/"+g.id+"/approve", url.Values{"days": {strconv.Itoa(days)}, "csrf": {g.csrf}})
	if res.Status != http.StatusSeeOther {
		h.t.Fatalf("approve: %d", res.Status)
	}
	g.access = h.link(addr, "/access/")
	g.download = downloadRe.FindString(h.get(g.access).Body)
	if g.download == "" {
		h.t.Fatal("the access page has no download link")
	}
	return g
}

// keys is the server's signing keyring, as it keeps it in its data folder.
func (h *harness) keys() *token.Keyring {
	h.t.Helper()
	data, err := os.ReadFile(filepath.Join(h.local.Config.DataDir, "keys.json"))
	if err != nil {
		h.t.Fatal(err)
	}
	keys, err := token.ParseKeyring(data)
	if err != nil {
		h.t.Fatal(err)
	}
	return keys
}

// readMail reads a mail as a client shows it: its text and HTML
// (multipart/alternative, which every mail must have), and its
// attachments by file name when the alternative comes inside
// multipart/mixed.
func readMail(t *testing.T, msg *mail.Message) (text, html string, files map[string][]byte) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	body := io.Reader(msg.Body)
	if mt == "multipart/mixed" {
		files = map[string][]byte{}
		r := multipart.NewReader(msg.Body, params["boundary"])
		var content *multipart.Part
		for {
			p, err := r.NextRawPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			raw, err := io.ReadAll(p)
			if err != nil {
				t.Fatal(err)
			}
			if name := p.FileName(); name != "" {
				data, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(raw)))
				if err != nil {
					t.Fatalf("attachment %s: %v", name, err)
				}
				files[name] = data
				continue
			}
			if content != nil {
				t.Fatal("a mail with two content parts")
			}
			content = p
			body = bytes.NewReader(raw)
			if mt, params, err = mime.ParseMediaType(p.Header.Get("Content-Type")); err != nil {
				t.Fatal(err)
			}
		}
	}
	if mt != "multipart/alternative" {
		t.Fatalf("content of type %q, want multipart/alternative", mt)
	}
	r := multipart.NewReader(body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(p) // multipart undoes the quoted-printable
		if err != nil {
			t.Fatal(err)
		}
		part := strings.ReplaceAll(string(b), "\r\n", "\n")
		switch p.Header.Get("Content-Type") {
		case "text/plain; charset=utf-8":
			text = part
		case "text/html; charset=utf-8":
			html = part
		default:
			t.Fatalf("part of type %q", p.Header.Get("Content-Type"))
		}
	}
	if text == "" || html == "" {
		t.Fatal("a mail without both a text and an HTML part")
	}
	return text, html, files
}

// MaxLinkLength is what a link in a mail may be: a person reads, quotes
// and pastes it.
const MaxLinkLength = 200

var (
	linkPattern = regexp.MustCompile(`https?://[^\s"<>]+`)
	// longestLink is the longest link any mail of this test run carried.
	longestLink struct {
		sync.Mutex
		link string
	}
)

// checkLinks holds every link of every mail any test reads to
// MaxLinkLength, the HTML part's (href and text) as well as the text's,
// and each HTML link to one the text part carries too.
func checkLinks(t *testing.T, name, text, html string) {
	t.Helper()
	textLinks := linkPattern.FindAllString(text, -1)
	for _, l := range append(textLinks, linkPattern.FindAllString(strings.ReplaceAll(html, "&amp;", "&"), -1)...) {
		if len(l) > MaxLinkLength {
			t.Errorf("%s: a link of %d characters (at most %d): %s", name, len(l), MaxLinkLength, l)
		}
		if !slices.Contains(textLinks, l) {
			t.Errorf("%s: the HTML part links to %s, which the text does not carry", name, l)
		}
		longestLink.Lock()
		if len(l) > len(longestLink.link) {
			longestLink.link = l
		}
		longestLink.Unlock()
	}
}
