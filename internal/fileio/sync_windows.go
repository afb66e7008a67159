//go:build windows

package fileio

// syncDir is a no-op on Windows: NTFS journals directory entries and a
// directory cannot be opened for FlushFileBuffers.
func syncDir(string) error { return nil }

// isUnsupported reports errors from Chmod, which on Windows only toggles the
// read-only bit; access there is governed by the directory's ACL.
func isUnsupported(err error) bool { return err != nil }
