package localapp_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"trustcenter/shared/app"
	"trustcenter/shared/local/boltstore"
	"trustcenter/shared/local/localapp"
	"trustcenter/shared/testkit/childproc"
	"trustcenter/shared/testkit/modroot"
	"trustcenter/shared/trust"
)

// Crash test figures: the local server (functions/local, a child process)
// is killed with SIGKILL crashKills times, each time once its clients have
// had crashEvery answers from it, so kills land wherever the load happens
// to be: inside a commit, between a mail's file and its "sent" mark, in the
// middle of a file.
const (
	crashKills   = 25
	crashEvery   = 12
	crashClients = 6
)

// crashServer is one run of the server binary.
type crashServer struct {
	cmd     *exec.Cmd
	out     *childproc.Output
	answers atomic.Int64  // answers its clients got
	full    chan struct{} // closed at the crashEvery-th answer
	dead    chan struct{}
}

// answered counts one answer of s.
func (s *crashServer) answered() {
	if s.answers.Add(1) == crashEvery {
		close(s.full)
	}
}

// TestCrashUnderLoadLosesNothing: clients submit and confirm access
// requests while the server is killed again and again. Afterwards (one
// last delivery of whatever was left waiting, as the next scheduled drain
// would do it) every submission the server accepted is stored, every
// confirmation it accepted is approved (the buyer's domain is
// auto-approved), every such requester has exactly one confirmation mail
// and one approval mail, and the outbox holds only whole .eml files.
func TestCrashUnderLoadLosesNothing(t *testing.T) {
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "trustcenter")
	build := exec.Command("go", "build", "-o", bin, "./functions/local")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	base := "http://127.0.0.1:" + port
	data := t.TempDir()
	env := map[string]string{
		"TRUST_DATA_DIR": data, "PORT": port, "TRUST_BASE_URL": base,
		"TRUST_STAFF": "admin@trust.localhost", "TRUST_AUTO_APPROVE": "buyer.example",
	}
	environ := os.Environ()
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}

	var (
		mu  sync.Mutex
		cur *crashServer
		// up is closed when the server after cur listens; a client cut
		// off by a kill waits on it rather than knocking on a closed port.
		up = make(chan struct{})
	)
	// cutOff waits, after a failed call to s, for the next server.
	cutOff := func(s *crashServer, stop <-chan struct{}) {
		mu.Lock()
		wait := up
		same := cur == s
		mu.Unlock()
		if same {
			select {
			case <-wait:
			case <-stop:
			}
		}
	}
	start := func() *crashServer {
		t.Helper()
		s := &crashServer{cmd: exec.Command(bin), out: &childproc.Output{}, full: make(chan struct{}), dead: make(chan struct{})}
		s.cmd.Env = environ
		s.cmd.Stderr = s.out
		childproc.DieWithParent(s.cmd)
		stdout, err := s.cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Ready when it says where it listens: it prints that after the
		// listener is open.
		ready := make(chan bool, 1)
		go func() {
			sc := bufio.NewScanner(stdout)
			said := false
			for sc.Scan() {
				if !said && strings.HasPrefix(sc.Text(), "Trust center: ") {
					said = true
					ready <- true
				}
			}
			if !said {
				ready <- false
			}
			io.Copy(io.Discard, stdout)
		}()
		go func() { s.cmd.Wait(); close(s.dead) }()
		if !<-ready {
			<-s.dead
			t.Fatalf("the server ended before listening:\n%s", s.out)
		}
		return s
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if cur != nil {
			cur.cmd.Process.Kill()
			<-cur.dead
		}
	})

	cur = start()
	// The form's NDA version is the same for every run of the server.
	res, err := http.Get(base + "/access-requests/new")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="nda_version" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no NDA version on the form:\n%s", page)
	}
	ndaVersion := string(m[1])
	h := regexp.MustCompile(`name="nda_sha256" value="([0-9a-f]{64})"`).FindSubmatch(page)
	if h == nil {
		t.Fatalf("no NDA hash on the form:\n%s", page)
	}
	ndaHash := string(h[1])

	var (
		outcomes   sync.Mutex
		submitted  = map[string]bool{} // addresses whose submission was answered 303
		confirmed  = map[string]bool{} // addresses whose confirmation was answered 200
		confirming = map[string]bool{} // confirmation links opened (any answer)
		kills      atomic.Int64
		unknown    atomic.Int64 // requests the kill cut off: outcome not known
	)
	stop := make(chan struct{})
	var clients sync.WaitGroup
	for c := range crashClients {
		clients.Add(1)
		go func() {
			defer clients.Done()
			n := 0
			for {
				select {
				case <-stop:
					return
				default:
				}
				n++
				addr := fmt.Sprintf("c%d-%d@buyer.example", c, n)
				// Limits count submissions per client address: each
				// client speaks from addresses of its own on the
				// loopback network, a new one every ten submissions.
				client := crashClient(fmt.Sprintf("127.0.%d.%d", 10+c, 1+n/10))
				mu.Lock()
				s := cur
				mu.Unlock()
				form := url.Values{
					"name": {"Crash " + addr}, "email": {addr}, "company": {"Buyer"}, "reason": {"Vendor review"},
					"document": {"soc2-type2-2026"}, "nda_version": {ndaVersion}, "nda_sha256": {ndaHash}, "nda_mode": {"accept"}, "nda_accept": {"yes"}, "nda_signature": {"Crash " + addr},
				}
				res, err := client.PostForm(base+"/access-requests", form)
				if err != nil {
					unknown.Add(1)
					cutOff(s, stop)
					continue
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				s.answered()
				switch res.StatusCode {
				case http.StatusSeeOther:
					outcomes.Lock()
					submitted[addr] = true
					outcomes.Unlock()
				case http.StatusServiceUnavailable:
				default:
					t.Errorf("submission of %s: %d\n%s", addr, res.StatusCode, body)
					return
				}
				// Confirm whatever confirmation mail has arrived so far
				// for this client's accepted submissions.
				for to, link := range confirmationLinks(t, filepath.Join(data, "outbox"), base, fmt.Sprintf("c%d-", c)) {
					outcomes.Lock()
					done := confirmed[to]
					outcomes.Unlock()
					if done {
						continue
					}
					res, err := client.Get(link)
					if err != nil {
						unknown.Add(1)
						cutOff(s, stop)
						break
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					s.answered()
					outcomes.Lock()
					confirming[to] = true
					if res.StatusCode == http.StatusOK {
						confirmed[to] = true
					}
					outcomes.Unlock()
				}
			}
		}()
	}

	// The killer: once the running server has answered crashEvery times,
	// SIGKILL it and start the next.
	for kills.Load() < crashKills {
		mu.Lock()
		s := cur
		mu.Unlock()
		select {
		case <-s.full:
		case <-s.dead:
			t.Fatalf("the server died on its own:\n%s", s.out)
		}
		s.cmd.Process.Kill()
		<-s.dead
		kills.Add(1)
		next := start()
		mu.Lock()
		cur = next
		close(up)
		up = make(chan struct{})
		mu.Unlock()
	}
	close(stop)
	clients.Wait()
	mu.Lock()
	cur.cmd.Process.Kill()
	<-cur.dead
	cur = nil
	mu.Unlock()

	// What the next scheduled drains would do: every mail left waiting,
	// its backoff passed, is delivered.
	later := trust.Clock(func() time.Time { return time.Now().Add(3 * time.Hour) })
	for k, v := range env {
		t.Setenv(k, v)
	}
	cfg, err := app.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	l, err := localapp.Open(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), later)
	if err != nil {
		t.Fatal(err)
	}
	for {
		r, err := l.Service.DrainMail(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if r.Sent == 0 && r.Retrying == 0 {
			if r.OldestPending != 0 || r.Failed != 0 {
				t.Fatalf("after the last drain: %+v", r)
			}
			break
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	store, err := boltstore.Open(filepath.Join(data, "trust.db"), later)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	reqs, err := store.RequestsSince(context.Background(), time.Time{}, 100000)
	if err != nil {
		t.Fatal(err)
	}
	byEmail := map[string][]trust.Request{}
	for _, r := range reqs {
		byEmail[r.Email] = append(byEmail[r.Email], r)
	}
	mails := outboxMails(t, filepath.Join(data, "outbox"), base)
	for addr := range submitted {
		if len(byEmail[addr]) != 1 {
			t.Errorf("%s: submission accepted, %d requests stored", addr, len(byEmail[addr]))
		}
		if got := mails[addr]["confirm"]; got != 1 {
			t.Errorf("%s: %d confirmation mails, want 1", addr, got)
		}
	}
	for addr := range confirmed {
		if rs := byEmail[addr]; len(rs) != 1 || rs[0].Status != trust.Approved {
			t.Errorf("%s: confirmation accepted, requests %+v", addr, rs)
		}
		if got := mails[addr]["access"]; got != 1 {
			t.Errorf("%s: %d approval mails, want 1", addr, got)
		}
	}
	for addr, kinds := range mails {
		for kind, n := range kinds {
			if n > 1 {
				t.Errorf("%s: %d %s mails, want at most one", addr, n, kind)
			}
		}
	}
	approved := 0
	for _, r := range reqs {
		if r.Status == trust.Approved {
			approved++
		}
	}
	t.Logf("%d kills; %d submissions accepted, %d confirmations accepted (%d links opened), %d requests cut off by a kill; %d requests stored, %d approved",
		kills.Load(), len(submitted), len(confirmed), len(confirming), unknown.Load(), len(reqs), approved)
	if len(submitted) < crashKills || len(confirmed) < crashKills/2 {
		t.Errorf("too little load to mean anything: %d submissions, %d confirmations accepted", len(submitted), len(confirmed))
	}
}

// crashClient speaks from local address ip, follows no redirect, and
// gives up on a server that stopped answering without ending the
// connection (a kill closes it, so this bounds only a bug).
func crashClient(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{
		Transport:     &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}
}

var confirmLinkRe = regexp.MustCompile(`/access-requests/confirm/[^\s]+`)

// confirmationLinks are the confirmation links in the outbox's whole mails
// to addresses starting with prefix, by address. A file being written is
// read as what it holds so far; its link is whole or absent.
func confirmationLinks(t *testing.T, dir, base, prefix string) map[string]string {
	links := map[string]string{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".eml") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		msg, err := mail.ReadMessage(strings.NewReader(string(b)))
		if err != nil || !strings.HasPrefix(msg.Header.Get("To"), prefix) {
			continue
		}
		body := decodedBody(msg)
		if l := confirmLinkRe.FindString(body); l != "" && strings.Contains(body, base+l) {
			links[msg.Header.Get("To")] = base + l
		}
	}
	return links
}

// outboxMails counts the outbox's mails by recipient and kind (confirm:
// a confirmation link; access: the access page link of an approval). A
// file that is not a whole mail fails the test.
func outboxMails(t *testing.T, dir, base string) map[string]map[string]int {
	t.Helper()
	out := map[string]map[string]int{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".eml") {
			t.Errorf("outbox holds %s, not a mail", e.Name())
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(strings.NewReader(string(b)))
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		to, body := msg.Header.Get("To"), decodedBody(msg)
		if out[to] == nil {
			out[to] = map[string]int{}
		}
		switch {
		case strings.Contains(body, base+"/access-requests/confirm/"):
			out[to]["confirm"]++
		case strings.Contains(body, base+"/access/"):
			out[to]["access"]++
		default:
			out[to]["other"]++
		}
	}
	return out
}

// decodedBody is a mail's text, quoted-printable decoded; what a file cut
// short holds so far.
func decodedBody(msg *mail.Message) string {
	b, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
	return string(b)
}
