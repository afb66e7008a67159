//go:build !windows

package fileio

import "syscall"

// openNonBlock keeps open(2) from waiting for a writer on a FIFO; on regular
// files it changes nothing.
const openNonBlock = syscall.O_NONBLOCK
