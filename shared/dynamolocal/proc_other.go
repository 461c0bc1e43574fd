//go:build !linux

package dynamolocal

import "os/exec"

// setParentDeathSignal has no portable equivalent outside Linux; there the
// test's cleanup is the only thing that stops the JVM.
func setParentDeathSignal(*exec.Cmd) {}
