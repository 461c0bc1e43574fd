// Package modroot finds the module's root folder from a test, whose working
// directory is its package's folder: tests use it to reach tools/ (npm
// packages) and to build the function mains.
package modroot

import (
	"errors"
	"os"
	"path/filepath"
)

// Find walks up from the working directory to the folder holding go.mod.
func Find() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
