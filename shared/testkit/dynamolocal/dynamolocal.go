// Package dynamolocal runs AWS's DynamoDB Local for tests, so the DynamoDB
// engine is tested against DynamoDB's real behaviour (conditions,
// transactions, indexes, paging) rather than a fake. The jar comes from the
// npm package amplify-dynamodb-simulator, installed by `make test-deps`.
package dynamolocal

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"trustcenter/shared/aws/dynamostore"
	"trustcenter/shared/testkit/childproc"
	"trustcenter/shared/testkit/modroot"
)

// EnvDir overrides where DynamoDBLocal.jar and DynamoDBLocal_lib are.
const EnvDir = "DYNAMODB_LOCAL_DIR"

// jarDir is where npm puts the jar, relative to the module root.
var jarDir = filepath.Join("tools", "node_modules", "amplify-dynamodb-simulator", "emulator")

// startTimeout bounds the JVM's start-up; generous because the test machines
// are shared and a cold JVM on a busy core takes seconds.
const startTimeout = 90 * time.Second

// Region and credentials of every client: DynamoDB Local keeps a separate
// database per access key and region, so all clients must agree.
const (
	Region    = "us-east-1"
	accessKey = "dynamolocal"
	secretKey = "dynamolocal"
)

// Server is one running DynamoDB Local process.
type Server struct {
	Endpoint string

	cmd  *exec.Cmd
	out  *childproc.Output
	done chan struct{} // closed when the process has exited
	err  error         // the process's exit status, set before done closes
	once sync.Once
}

// Shared is one DynamoDB Local for all the tests of a package, started by
// the first test that asks for it: a JVM start costs seconds, a table
// milliseconds, so tests share the server and isolate by table. Tests that
// never ask do not pay for the JVM. The package's TestMain calls Stop after
// m.Run.
type Shared struct {
	once sync.Once
	srv  *Server
	err  error
}

// Endpoint returns the shared server's endpoint, starting it on first use,
// and fails tb if it cannot start. A missing jar or java fails the test: a
// skipped engine test would look green while testing nothing.
func (sh *Shared) Endpoint(tb testing.TB) string {
	tb.Helper()
	sh.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
		defer cancel()
		sh.srv, sh.err = Launch(ctx)
	})
	if sh.err != nil {
		tb.Fatal(sh.err)
	}
	return sh.srv.Endpoint
}

// Stop stops the server if it was started.
func (sh *Shared) Stop() {
	// A later Endpoint must not start a server nobody would stop.
	sh.once.Do(func() { sh.err = errors.New("dynamolocal: the shared server was stopped before first use") })
	if sh.srv != nil {
		sh.srv.Stop()
	}
}

// Launch starts DynamoDB Local in memory on a free port and returns once it
// answers; the caller must call Stop. Tests get their server from a Shared,
// which calls this on first use.
func Launch(ctx context.Context) (*Server, error) {
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	java, err := findJava()
	if err != nil {
		return nil, err
	}
	// The free port is found by binding and releasing it, so another
	// process can take it before the JVM binds; that shows up as an early
	// exit, and a new port is tried.
	var lastErr error
	for range 3 {
		s, err := launch(ctx, java, dir)
		if err == nil {
			return s, nil
		}
		lastErr = err
		if !errors.Is(err, errExited) || ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

var errExited = errors.New("DynamoDB Local exited during start-up")

func launch(ctx context.Context, java, dir string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("dynamolocal: find a free port: %w", err)
	}
	cmd := exec.Command(java,
		"-Djava.library.path="+filepath.Join(dir, "DynamoDBLocal_lib"),
		"-jar", filepath.Join(dir, "DynamoDBLocal.jar"),
		"-inMemory", "-disableTelemetry", "-port", strconv.Itoa(port))
	// DynamoDB Local writes nothing needed to its working directory, but
	// run it somewhere harmless in case a version does.
	cmd.Dir = os.TempDir()
	out := &childproc.Output{}
	cmd.Stdout = out
	cmd.Stderr = out
	childproc.DieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("dynamolocal: start %s: %w", java, err)
	}
	s := &Server{
		Endpoint: "http://127.0.0.1:" + strconv.Itoa(port),
		cmd:      cmd,
		out:      out,
		done:     make(chan struct{}),
	}
	go func() {
		s.err = cmd.Wait()
		close(s.done)
	}()
	if err := s.waitReady(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// waitReady polls ListTables until DynamoDB Local answers, the process dies
// or ctx ends.
func (s *Server) waitReady(ctx context.Context) error {
	client := Client(s.Endpoint, func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var lastErr error
	for {
		attempt, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := client.ListTables(attempt, &dynamodb.ListTablesInput{})
		cancel()
		if err == nil {
			return nil
		}
		lastErr = err
		select {
		case <-s.done:
			return fmt.Errorf("dynamolocal: %w (%v); output:\n%s", errExited, s.err, s.out.String())
		case <-ctx.Done():
			return fmt.Errorf("dynamolocal: DynamoDB Local at %s did not answer in time (last error: %v); output:\n%s", s.Endpoint, lastErr, s.out.String())
		case <-tick.C:
		}
	}
}

// Stop kills the process and waits for it to exit. Safe to call twice.
func (s *Server) Stop() {
	s.once.Do(func() {
		// In-memory data is thrown away anyway, so there is nothing to
		// shut down gracefully.
		_ = s.cmd.Process.Kill()
		<-s.done
	})
}

// Dir returns the directory holding DynamoDBLocal.jar: $DYNAMODB_LOCAL_DIR,
// or the npm install in tools/ under the module root.
func Dir() (string, error) {
	dir := os.Getenv(EnvDir)
	if dir == "" {
		root, err := modroot.Find()
		if err != nil {
			return "", fmt.Errorf("dynamolocal: %w; set %s to the directory holding DynamoDBLocal.jar", err, EnvDir)
		}
		dir = filepath.Join(root, jarDir)
	}
	for _, p := range []string{"DynamoDBLocal.jar", "DynamoDBLocal_lib"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			return "", fmt.Errorf("dynamolocal: DynamoDB Local is not installed (%v): run `make test-deps` (it installs the npm tools under tools/), or set %s", err, EnvDir)
		}
	}
	return dir, nil
}

// findJava prefers $JAVA_HOME, as the JDK tools do, then PATH.
func findJava() (string, error) {
	if home := os.Getenv("JAVA_HOME"); home != "" {
		p := filepath.Join(home, "bin", "java")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	p, err := exec.LookPath("java")
	if err != nil {
		return "", fmt.Errorf("dynamolocal: java is not installed (%v): DynamoDB Local needs a Java 17+ runtime; see `make test-deps`", err)
	}
	return p, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Client returns a DynamoDB client for endpoint with fixed dummy credentials
// and region, ignoring the environment and ~/.aws so a developer's real
// account can never be reached by a test.
func Client(endpoint string, optFns ...func(*dynamodb.Options)) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       Region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, secretKey, ""),
	}, optFns...)
}

var tableSeq atomic.Int64

// NewTable creates a fresh table of the trust center's schema
// (dynamostore.CreateTable) through client and deletes it when tb ends: the
// in-memory tables share the one JVM's heap.
func NewTable(tb testing.TB, client *dynamodb.Client) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := fmt.Sprintf("trust-%d", tableSeq.Add(1))
	if err := dynamostore.CreateTable(ctx, client, name); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if _, err := client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)}); err != nil {
			tb.Errorf("delete table %s: %v", name, err)
		}
	})
	return name
}
