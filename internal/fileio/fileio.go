// Package fileio writes files the way a security tool must: the content appears
// whole or not at all, with the permissions asked for from the first byte, and
// an existing file is never replaced unless the caller says so.
package fileio

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrExists is returned when WriteNew finds the destination already present.
var ErrExists = errors.New("file already exists")

// WriteNew writes data to path, which must not exist yet. The bytes go to a
// temporary file created with O_EXCL in the same directory, are synced, and are
// then hard-linked into place: the link fails if path appeared meanwhile, so a
// concurrent writer or an existing key file is never overwritten, and a crash
// leaves either nothing or the complete file.
func WriteNew(path string, data []byte, perm fs.FileMode) error {
	return WriteNewFrom(path, perm, writeBytes(data))
}

// WriteNewFrom is WriteNew for content too large to hold in memory (exports,
// store backups): write streams it into the temporary file.
func WriteNewFrom(path string, perm fs.FileMode, write func(io.Writer) error) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s: %w", path, ErrExists)
	}
	tmp, err := writeTemp(path, perm, write)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s: %w", path, ErrExists)
		}
		// Some filesystems (FAT, some network shares) have no hard links;
		// fall back to a rename guarded by the existence check above.
		if _, statErr := os.Lstat(path); statErr == nil {
			return fmt.Errorf("%s: %w", path, ErrExists)
		}
		if err := os.Rename(tmp, path); err != nil {
			return err
		}
	}
	return syncDir(filepath.Dir(path))
}

// Replace atomically replaces (or creates) path with data: readers see the old
// content or the new, never a mix.
func Replace(path string, data []byte, perm fs.FileMode) error {
	tmp, err := writeTemp(path, perm, writeBytes(data))
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(path))
}

func writeBytes(data []byte) func(io.Writer) error {
	return func(w io.Writer) error { _, err := w.Write(data); return err }
}

// writeTemp creates an exclusive temporary file beside path, fills it with
// write, syncs it, and returns its name. On failure nothing is left behind.
func writeTemp(path string, perm fs.FileMode, write func(io.Writer) error) (name string, err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return "", err
	}
	name = f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(name)
		}
	}()
	// CreateTemp uses 0600; chmod narrows or widens to what was asked before
	// any content is written.
	if err = f.Chmod(perm); err != nil && !isUnsupported(err) {
		return "", err
	}
	if err = write(f); err != nil {
		return "", err
	}
	if err = f.Sync(); err != nil {
		return "", err
	}
	return name, f.Close()
}
