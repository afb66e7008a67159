//go:build !windows

package fileio

import "os"

// RestrictDir makes dir private to its owner (mode 0700).
func RestrictDir(dir string) error { return os.Chmod(dir, 0o700) }
