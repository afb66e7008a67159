//go:build !windows

package fileio

import "os"

// syncDir makes a rename or link durable: on Unix the directory entry lives in
// the directory, which must be synced itself.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func isUnsupported(error) bool { return false }
