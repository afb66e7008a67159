package fileio

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gofrs/flock"
)

// ErrBusy is returned when another process held a lock file past the wait.
var ErrBusy = errors.New("another cwsec process holds the lock")

// lockRetry is how often a waiting process tries the lock again.
const lockRetry = 25 * time.Millisecond

// Lock takes an exclusive advisory lock on path (created 0600 if missing),
// waiting up to wait for another process to let go, and returns the function
// that releases it. The lock goes with the process: a crash releases it.
// It is flock(2) on Unix and LockFileEx on Windows, as bbolt's own lock is.
func Lock(path string, wait time.Duration) (release func() error, err error) {
	l := flock.New(path, flock.SetPermissions(0o600))
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	ok, err := l.TryLockContext(ctx, lockRetry)
	if ok {
		return l.Unlock, nil
	}
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		return nil, fmt.Errorf("%s: %w (waited %s)", path, ErrBusy, wait)
	}
	return nil, fmt.Errorf("locking %s: %w", path, err)
}
