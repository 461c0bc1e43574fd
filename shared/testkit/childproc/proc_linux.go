package childproc

import (
	"os/exec"
	"syscall"
)

// DieWithParent makes the kernel kill the program if the test binary dies
// without running its cleanup (a panic, a `go test -timeout`), so no orphan
// keeps a port, a heap or a poll loop. The signal follows the thread that
// forked, and the Go runtime only ends threads that a goroutine left
// locked, which nothing here does.
func DieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
