// Package childproc holds what the tests need to run a real program beside
// them (DynamoDB Local, a Lambda function binary): its output kept safely
// while it runs, and its end tied to the test's.
package childproc

import (
	"bytes"
	"sync"
)

// maxOutput bounds what is kept of a program's output: a chatty program
// must not grow the test's memory without limit, and the start is what
// explains a failure.
const maxOutput = 256 << 10

// Output collects what a program prints. exec copies into it from its own
// goroutine while the test reads it, hence the lock.
type Output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if room := maxOutput - o.buf.Len(); room > 0 {
		o.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}
