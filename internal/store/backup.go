package store

import (
	"io"

	"github.com/cwsec/cwsec/internal/fileio"
)

// Backup writes a consistent copy of the store to path, which must not exist.
// The copy is one read transaction's snapshot, so writers in this process
// carry on meanwhile; it is written to a temporary file beside path, synced
// and linked into place, so path holds a whole store or nothing. The copy
// opens with the same master key.
func (s *Store) Backup(path string) (size int64, err error) {
	err = s.View(func(tx *Tx) error {
		return fileio.WriteNewFrom(path, 0o600, func(w io.Writer) error {
			size, err = tx.btx.WriteTo(w)
			return err
		})
	})
	return size, err
}
