package dynamolocal_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"trustcenter/shared/testkit/dynamolocal"
)

func TestStartAnswersAndStops(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := dynamolocal.Launch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	client := dynamolocal.Client(srv.Endpoint, func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
	if _, err := client.ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil {
		t.Fatalf("ListTables on a started server: %v", err)
	}
	srv.Stop()
	srv.Stop() // idempotent

	short, cancel2 := context.WithTimeout(ctx, 5*time.Second)
	defer cancel2()
	if _, err := client.ListTables(short, &dynamodb.ListTablesInput{}); err == nil {
		t.Fatal("ListTables succeeded after Stop; the process is still running")
	}
}

// TestSharedStartsOnceAndStops: the first Endpoint starts a fresh server,
// later calls get the same one, and Stop ends it.
func TestSharedStartsOnceAndStops(t *testing.T) {
	var sh dynamolocal.Shared
	t.Cleanup(sh.Stop)
	endpoint := sh.Endpoint(t)
	client := dynamolocal.Client(endpoint, func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
	out, err := client.ListTables(t.Context(), &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatalf("ListTables on the shared server: %v", err)
	}
	if len(out.TableNames) != 0 {
		t.Fatalf("a fresh in-memory server has tables: %v", out.TableNames)
	}
	if again := sh.Endpoint(t); again != endpoint {
		t.Fatalf("second Endpoint = %q, first %q: the server was started twice", again, endpoint)
	}

	sh.Stop()
	sh.Stop() // idempotent
	short, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if _, err := client.ListTables(short, &dynamodb.ListTablesInput{}); err == nil {
		t.Fatal("ListTables succeeded after Stop; the process is still running")
	}
}

func TestDirMissingSaysHowToInstall(t *testing.T) {
	t.Setenv(dynamolocal.EnvDir, filepath.Join(t.TempDir(), "nowhere"))
	_, err := dynamolocal.Dir()
	if err == nil {
		t.Fatal("Dir found DynamoDB Local in an empty directory")
	}
	if !strings.Contains(err.Error(), "make test-deps") {
		t.Fatalf("error does not say how to install: %v", err)
	}
	if _, err := dynamolocal.Launch(context.Background()); err == nil || !strings.Contains(err.Error(), "make test-deps") {
		t.Fatalf("Launch without a jar: %v", err)
	}
}

func TestDirFindsTheNpmInstallFromASubdirectory(t *testing.T) {
	t.Setenv(dynamolocal.EnvDir, "")
	// go test runs in the package directory, two levels below go.mod.
	dir, err := dynamolocal.Dir()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "DynamoDBLocal.jar")); err != nil {
		t.Fatal(err)
	}
}

func TestSharedStoppedBeforeUseFails(t *testing.T) {
	var sh dynamolocal.Shared
	sh.Stop()
	ft := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sh.Endpoint(ft)
	}()
	<-done
	if !ft.failed {
		t.Fatal("Endpoint on a stopped Shared did not fail")
	}
}

// fatalRecorder records Fatal instead of failing the real test; Fatal ends
// the goroutine as testing.T's does.
type fatalRecorder struct {
	testing.TB
	failed bool
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatal(args ...any) {
	f.failed = true
	runtime.Goexit()
}
