package lambdatest

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"trustcenter/shared/testkit/childproc"
)

// Process is a function binary running against a Runtime: one execution
// environment, from cold start to kill.
type Process struct {
	// Started is taken just before the process is forked, so cold-start
	// figures include the exec and the Go runtime's start-up, as Lambda's
	// init duration does.
	Started time.Time

	rt     *Runtime
	cmd    *exec.Cmd
	stdout *childproc.Output
	stderr *childproc.Output

	exited   chan struct{} // closed once the process has been reaped
	exitErr  error         // set before exited closes
	killOnce sync.Once
}

// Start runs the binary at path against rt. env is the whole environment the
// process sees (nothing of the caller's is inherited, as in Lambda, where
// only the function's configuration and the runtime's variables are set);
// AWS_LAMBDA_RUNTIME_API is added. The working directory is the binary's,
// as /var/task is in Lambda. Kill the process when done.
func Start(rt *Runtime, path string, env []string) (*Process, error) {
	cmd := exec.Command(path)
	cmd.Dir = filepath.Dir(path)
	cmd.Env = append(append([]string(nil), env...), "AWS_LAMBDA_RUNTIME_API="+rt.Addr())
	p := &Process{
		rt:     rt,
		cmd:    cmd,
		stdout: &childproc.Output{},
		stderr: &childproc.Output{},
		exited: make(chan struct{}),
	}
	cmd.Stdout = p.stdout
	cmd.Stderr = p.stderr
	childproc.DieWithParent(cmd)
	p.Started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("lambdatest: start %s: %w", path, err)
	}
	go func() {
		p.exitErr = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// Invoke is rt.Invoke, except that it fails as soon as the process exits
// instead of waiting for ctx.
func (p *Process) Invoke(ctx context.Context, event []byte) ([]byte, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		select {
		case <-p.exited:
			cancel(p.exitError())
		case <-ctx.Done():
		}
	}()
	return p.rt.Invoke(ctx, event)
}

// Exited is closed once the process has exited and been reaped.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// ExitErr is the process's exit status (nil for exit code 0); valid once
// Exited is closed.
func (p *Process) ExitErr() error {
	<-p.exited
	return p.exitErr
}

// ExitCode is the process's exit code once Exited is closed, -1 if a signal
// ended it.
func (p *Process) ExitCode() int {
	<-p.exited
	return p.cmd.ProcessState.ExitCode()
}

// Stdout and Stderr are what the process has written so far (the first
// 256 KiB of each).
func (p *Process) Stdout() string { return p.stdout.String() }
func (p *Process) Stderr() string { return p.stderr.String() }

// ColdStart is the time from Started to the first complete answer the
// Runtime received, and false if there has been none yet.
func (p *Process) ColdStart() (time.Duration, bool) {
	at := p.rt.FirstResponseAt()
	if at.IsZero() {
		return 0, false
	}
	return at.Sub(p.Started), true
}

// Init is the time from Started to the first /next call, and false if the
// process has not asked for work yet.
func (p *Process) Init() (time.Duration, bool) {
	at := p.rt.InitFinishedAt()
	if at.IsZero() {
		return 0, false
	}
	return at.Sub(p.Started), true
}

// Kill ends the process, as Lambda does to an environment it retires, and
// waits for it to be reaped. Safe to call more than once.
func (p *Process) Kill() {
	p.killOnce.Do(func() {
		select {
		case <-p.exited:
		default:
			// An error here means it has exited on its own meanwhile.
			_ = p.cmd.Process.Kill()
		}
		<-p.exited
	})
}

func (p *Process) exitError() error {
	msg := strings.TrimSpace(p.stderr.String())
	if msg == "" {
		msg = "(no stderr)"
	}
	err := p.exitErr
	if err == nil {
		err = errors.New("exit status 0")
	}
	return fmt.Errorf("lambdatest: function process exited (%v); stderr:\n%s", err, msg)
}
