package store

import "errors"

// Errors a caller maps to exit codes and hints. Each wraps the path it is about.
var (
	// ErrNotInitialized: no store file where one was expected.
	ErrNotInitialized = errors.New("store not found")
	// ErrNoMasterKey: no master key file where one was expected.
	ErrNoMasterKey = errors.New("master key not found")
	// ErrBadMasterKey: the key file exists but does not hold a key.
	ErrBadMasterKey = errors.New("not a master key")
	// ErrWrongKey: the master key does not open this store.
	ErrWrongKey = errors.New("the master key does not open this store")
	// ErrLocked: another process held the store past the lock timeout.
	ErrLocked = errors.New("another cwsec process holds the store")
	// ErrNotStore: the file is not a cwsec store (empty, damaged, foreign).
	ErrNotStore = errors.New("not a cwsec store")
	// ErrNewerSchema: the store was written by a newer cwsec.
	ErrNewerSchema = errors.New("the store was written by a newer cwsec")
	// ErrNeedsUpgrade: the store has an older schema and was opened read-only.
	ErrNeedsUpgrade = errors.New("the store has an older schema and must be upgraded")
	// ErrExists: Create found a store already there.
	ErrExists = errors.New("a store already exists")
	// ErrCorruptRecord: a sealed record does not open although the key is right.
	ErrCorruptRecord = errors.New("a sealed record does not open")
)
