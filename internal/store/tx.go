package store

import (
	"context"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// Tx is a store transaction: bbolt's, plus the keys to seal and open secrets.
type Tx struct {
	btx  *bolt.Tx
	keys *keyring
	ctx  context.Context
}

// Context is the store's Options.Context.
func (tx *Tx) Context() context.Context { return tx.ctx }

// OnCommit runs fn after the transaction commits; never if it rolls back.
func (tx *Tx) OnCommit(fn func()) { tx.btx.OnCommit(fn) }

// Writable reports whether the transaction may change the store.
func (tx *Tx) Writable() bool { return tx.btx.Writable() }

// Bucket returns the named top-level bucket. In a writable transaction it is
// created when missing; in a read-only one a missing bucket is nil, which
// callers read as "nothing recorded yet".
func (tx *Tx) Bucket(name string) (*bolt.Bucket, error) {
	if tx.btx.Writable() {
		return tx.btx.CreateBucketIfNotExists([]byte(name))
	}
	return tx.btx.Bucket([]byte(name)), nil
}

// PutSecret seals plaintext for bucket/name and stores it there, and records
// that bucket holds sealed values.
func (tx *Tx) PutSecret(bucket, name string, plaintext []byte) error {
	b, err := tx.Bucket(bucket)
	if err != nil {
		return err
	}
	if err := tx.markSealed(bucket); err != nil {
		return err
	}
	sealed, err := tx.keys.seal(bucket, name, plaintext)
	if err != nil {
		return err
	}
	return b.Put([]byte(name), sealed)
}

// Secret opens the sealed value at bucket/name. A missing record returns
// (nil, nil); one that does not open returns ErrCorruptRecord.
func (tx *Tx) Secret(bucket, name string) ([]byte, error) {
	b, err := tx.Bucket(bucket)
	if err != nil || b == nil {
		return nil, err
	}
	sealed := b.Get([]byte(name))
	if sealed == nil {
		return nil, nil
	}
	plain, err := tx.keys.open(bucket, name, sealed)
	if err != nil {
		return nil, fmt.Errorf("%w: %s/%s", ErrCorruptRecord, bucket, name)
	}
	return plain, nil
}

// SubKey derives a key for one purpose from the master key, e.g. the audit
// trail's MAC key. Distinct purposes give independent keys.
func (tx *Tx) SubKey(purpose string) ([]byte, error) { return tx.keys.subKey(purpose) }

func (tx *Tx) initMeta() error {
	meta, err := tx.Bucket(metaBucket)
	if err != nil {
		return err
	}
	check, err := tx.keys.seal(metaBucket, keyKeyCheck, []byte(keyCheckPlain))
	if err != nil {
		return err
	}
	if err := meta.Put([]byte(keyMagic), []byte(magicValue)); err != nil {
		return err
	}
	if err := meta.Put([]byte(keyKeyCheck), check); err != nil {
		return err
	}
	return tx.setSchema(CurrentSchema())
}

// Schema is the schema version recorded in the store.
func (tx *Tx) Schema() (int, error) {
	meta := tx.btx.Bucket([]byte(metaBucket))
	if meta == nil {
		return 0, ErrNotStore
	}
	v, err := strconv.Atoi(string(meta.Get([]byte(keySchema))))
	if err != nil || v < 1 {
		return 0, fmt.Errorf("%w: unreadable schema version", ErrNotStore)
	}
	return v, nil
}

func (tx *Tx) setSchema(v int) error {
	meta, err := tx.Bucket(metaBucket)
	if err != nil {
		return err
	}
	return meta.Put([]byte(keySchema), []byte(strconv.Itoa(v)))
}
