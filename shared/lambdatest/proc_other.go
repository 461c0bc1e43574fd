//go:build !linux

package lambdatest

import "os/exec"

// setParentDeathSignal has no portable equivalent outside Linux. A function
// left behind by an interrupted test still exits once its /next connection
// drops; only one hung in its init phase would linger.
func setParentDeathSignal(*exec.Cmd) {}
