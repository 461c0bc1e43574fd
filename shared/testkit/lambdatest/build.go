package lambdatest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"trustcenter/shared/content"
	"trustcenter/shared/local/contentfile"
	"trustcenter/shared/testkit/modroot"
)

// BuildFlags are what `make build` passes to go build for every function.
var BuildFlags = []string{"-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w"}

// Build compiles the named functions (folders under functions/) for goos
// and goarch with CGO off, in one go command, into a new folder laid out as
// `make build` leaves build/: <name>/bootstrap with the example company's
// compiled content.json beside it. The caller removes the folder.
func Build(goos, goarch string, names ...string) (string, error) {
	root, err := modroot.Find()
	if err != nil {
		return "", err
	}
	// go test puts its own GOROOT/bin first on PATH, so this is the
	// toolchain running the tests.
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("find the go command: %w", err)
	}
	dir, err := os.MkdirTemp("", "trustcenter-functions-")
	if err != nil {
		return "", err
	}
	site, err := contentfile.Example()
	if err != nil {
		return "", err
	}
	data, err := content.Compile(site)
	if err != nil {
		return "", err
	}
	// go build -o dir/ writes every main as dir/<name>; each then moves
	// into its own folder, as Lambda's asset.
	out := filepath.Join(dir, ".out")
	args := append([]string{"build"}, BuildFlags...)
	args = append(args, "-o", out+string(filepath.Separator))
	for _, n := range names {
		args = append(args, "./functions/"+n)
	}
	cmd := exec.Command(goCmd, args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	for _, n := range names {
		fd := filepath.Join(dir, n)
		if err := os.MkdirAll(fd, 0o755); err != nil {
			return "", err
		}
		if err := os.Rename(filepath.Join(out, n), filepath.Join(fd, "bootstrap")); err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(fd, "content.json"), data, 0o644); err != nil {
			return "", err
		}
	}
	os.Remove(out)
	return dir, nil
}
