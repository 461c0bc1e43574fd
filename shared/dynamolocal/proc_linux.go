package dynamolocal

import (
	"os/exec"
	"syscall"
)

// setParentDeathSignal makes the kernel kill the JVM if the test binary dies
// without running its cleanup (a panic, a `go test -timeout`), so no orphaned
// DynamoDB Local keeps a port and its heap. The signal follows the thread
// that forked, and the Go runtime only ends threads that a goroutine left
// locked, which nothing here does.
func setParentDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
