package store

import "fmt"

// migration upgrades the store by one schema version inside one transaction.
type migration func(tx *Tx) error

// migrations[i] upgrades schema i+1 to i+2. Schema 1 is the first layout; a
// release that changes the layout appends one step here, and the current
// schema follows from the length of the list.
var migrations []migration

// CurrentSchema is the layout this build reads and writes.
func CurrentSchema() int { return len(migrations) + 1 }

// upgrade brings an older store to the current schema in one transaction:
// either every step and its audit record commit, or the store stays as it was.
func (s *Store) upgrade(from int, onUpgrade func(*Tx, int, int) error) error {
	to := CurrentSchema()
	return s.Update(func(tx *Tx) error {
		for v := from; v < to; v++ {
			if err := migrations[v-1](tx); err != nil {
				return fmt.Errorf("upgrading the store from schema %d: %w", v, err)
			}
		}
		if err := tx.setSchema(to); err != nil {
			return err
		}
		if onUpgrade != nil {
			return onUpgrade(tx, from, to)
		}
		return nil
	})
}
