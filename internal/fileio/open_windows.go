//go:build windows

package fileio

// openNonBlock: Windows has no FIFOs in the file system namespace.
const openNonBlock = 0
