// Package store keeps cwsec's state in one bbolt file. It opens the file with a
// lock timeout (a second process fails plainly instead of hanging), recognises
// files that are not cwsec stores, checks the master key before anything else
// is read, upgrades the schema, and seals secrets with AES-256-GCM bound to the
// record they belong to. It knows nothing of certificates, 2FA or the CLI.
package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// DefaultLockTimeout is how long Open waits for another process to let go.
const DefaultLockTimeout = 5 * time.Second

const (
	metaBucket  = "meta"
	keyMagic    = "magic"
	keySchema   = "schema"
	keyKeyCheck = "keycheck"
	magicValue  = "cwsec store"
	// keyCheckPlain is sealed at creation; opening it proves the master key
	// before any secret is touched, so a wrong key is one plain error.
	keyCheckPlain = "cwsec master key check v1"
)

// Options says which store to open and how.
type Options struct {
	Path        string
	MasterKey   []byte
	ReadOnly    bool
	LockTimeout time.Duration
	// OnUpgrade runs inside the upgrade transaction, so the caller can audit
	// the schema change together with it.
	OnUpgrade func(tx *Tx, from, to int) error
	// Context carries values for the layers above the store through every
	// transaction (the audit trail finds its event forwarder there).
	Context context.Context
}

// Store is an open cwsec store.
type Store struct {
	db   *bolt.DB
	keys *keyring
	path string
	ctx  context.Context
}

// Open opens an existing store, checks that it is a cwsec store of a schema
// this build knows, and that the master key opens it.
func Open(opts Options) (s *Store, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverCorruption(opts.Path, &err)
	if err := checkStoreFile(opts.Path); err != nil {
		return nil, err
	}
	keys, err := newKeyring(opts.MasterKey)
	if err != nil {
		return nil, err
	}
	db, err := openBolt(opts.Path, opts.ReadOnly, opts.LockTimeout)
	if err != nil {
		return nil, err
	}
	s = &Store{db: db, keys: keys, path: opts.Path, ctx: contextOrBackground(opts.Context)}
	if err := s.checkIdentity(opts); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Create makes a new store at opts.Path and runs first inside the transaction
// that initialises it (cwsec records its first audit event there). The store
// is built in a temporary file and linked into place, so a crash leaves either
// no store or a complete one, and an existing store is never replaced.
func Create(opts Options, first func(*Tx) error) (err error) {
	if _, err := os.Lstat(opts.Path); err == nil {
		return fmt.Errorf("%s: %w", opts.Path, ErrExists)
	}
	keys, err := newKeyring(opts.MasterKey)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(opts.Path), "."+filepath.Base(opts.Path)+".new*")
	if err != nil {
		return err
	}
	tmpPath := tmp.Name()
	tmp.Close()
	defer os.Remove(tmpPath)
	// bbolt initialises a zero-length file as a new database.
	db, err := openBolt(tmpPath, false, opts.LockTimeout)
	if err != nil {
		return err
	}
	s := &Store{db: db, keys: keys, path: tmpPath, ctx: contextOrBackground(opts.Context)}
	err = s.Update(func(tx *Tx) error {
		if err := tx.initMeta(); err != nil {
			return err
		}
		if first != nil {
			return first(tx)
		}
		return nil
	})
	if closeErr := db.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return err
	}
	if err := os.Chmod(tmpPath, 0o600); err != nil && !isWindows() {
		return err
	}
	if err := os.Link(tmpPath, opts.Path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s: %w", opts.Path, ErrExists)
		}
		return err
	}
	return nil
}

// Close releases the file and its lock.
func (s *Store) Close() error { return s.db.Close() }

// Path is the store file's path.
func (s *Store) Path() string { return s.path }

// Update runs fn in a read-write transaction: everything fn writes, including
// audit records, commits together or not at all.
func (s *Store) Update(fn func(*Tx) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverCorruption(s.path, &err)
	return s.db.Update(func(btx *bolt.Tx) error { return fn(&Tx{btx: btx, keys: s.keys, ctx: s.ctx}) })
}

// View runs fn in a read-only transaction over a consistent snapshot.
func (s *Store) View(fn func(*Tx) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverCorruption(s.path, &err)
	return s.db.View(func(btx *bolt.Tx) error { return fn(&Tx{btx: btx, keys: s.keys, ctx: s.ctx}) })
}

func contextOrBackground(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}

// Schema reads the schema version recorded in the store.
func (s *Store) Schema() (version int, err error) {
	err = s.View(func(tx *Tx) error {
		version, err = tx.Schema()
		return err
	})
	return version, err
}

// checkStoreFile refuses what bbolt would otherwise silently turn into a new
// database (an empty file) or cannot open (a directory).
func checkStoreFile(path string) error {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", path, ErrNotInitialized)
	}
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s: %w: not a regular file", path, ErrNotStore)
	}
	if info.Size() == 0 {
		return fmt.Errorf("%s: %w: the file is empty", path, ErrNotStore)
	}
	return nil
}

func openBolt(path string, readOnly bool, timeout time.Duration) (*bolt.DB, error) {
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout, ReadOnly: readOnly})
	switch {
	case err == nil:
		return db, nil
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("%s: %w (waited %s)", path, ErrLocked, timeout)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch),
		errors.Is(err, berrors.ErrChecksum):
		return nil, fmt.Errorf("%s: %w: %v", path, ErrNotStore, err)
	case errors.Is(err, fs.ErrPermission), errors.Is(err, fs.ErrNotExist):
		return nil, err
	default:
		// bbolt reports damage in many shapes (short files, bad page sizes);
		// none of them is a store we can use.
		return nil, fmt.Errorf("%s: %w: %v", path, ErrNotStore, err)
	}
}

// checkIdentity proves the file is a cwsec store, the key opens it and the
// schema is one this build can use, upgrading an older one when writable.
func (s *Store) checkIdentity(opts Options) error {
	var schema int
	err := s.View(func(tx *Tx) error {
		meta := tx.btx.Bucket([]byte(metaBucket))
		if meta == nil || string(meta.Get([]byte(keyMagic))) != magicValue {
			return fmt.Errorf("%s: %w: it is a bbolt file without cwsec's records", s.path, ErrNotStore)
		}
		if _, err := s.keys.open(metaBucket, keyKeyCheck, meta.Get([]byte(keyKeyCheck))); err != nil {
			return fmt.Errorf("%s: %w", s.path, ErrWrongKey)
		}
		var err error
		schema, err = tx.Schema()
		return err
	})
	if err != nil {
		return err
	}
	switch {
	case schema > CurrentSchema():
		return fmt.Errorf("%s: %w (schema %d; this cwsec knows up to %d)", s.path, ErrNewerSchema, schema, CurrentSchema())
	case schema < CurrentSchema() && opts.ReadOnly:
		return fmt.Errorf("%s: %w (schema %d, current %d)", s.path, ErrNeedsUpgrade, schema, CurrentSchema())
	case schema < CurrentSchema():
		return s.upgrade(schema, opts.OnUpgrade)
	}
	return nil
}

// recoverCorruption turns a panic inside bbolt, which a damaged file can still
// provoke, into ErrNotStore; bbolt rolls the transaction back first. Callers
// also set SetPanicOnFault, so a memory fault on a truncated mapping arrives
// here as a panic instead of crashing the process.
func recoverCorruption(path string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s: %w: the file is damaged (%v)", path, ErrNotStore, r)
	}
}
