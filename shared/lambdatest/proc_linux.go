package lambdatest

import (
	"os/exec"
	"syscall"
)

// setParentDeathSignal makes the kernel kill the function if the test binary
// dies without its cleanup (a panic, a `go test -timeout`), so no orphan
// keeps polling a Runtime API that is gone. The signal follows the thread
// that forked, and the Go runtime only ends threads that a goroutine left
// locked, which nothing here does.
func setParentDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
