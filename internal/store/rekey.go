package store

import "fmt"

// SubKeyFunc derives a key for one purpose from a master key.
type SubKeyFunc func(purpose string) ([]byte, error)

// Rekey moves the store to newKey in one transaction: every sealed record is
// opened with the current key and sealed again with the new one, and the key
// check is replaced. carry then runs in the same transaction, told how many
// records were re-sealed; there the Tx already seals and derives with the new
// key and oldSubKey still derives from the old one, so that whatever is bound
// to the old key (the audit chain) can be carried across. Any error, including a record that does not open, rolls
// everything back: the store stays as it was, under the old key. No other
// transaction on s may run meanwhile: s changes keys when Rekey returns.
func (s *Store) Rekey(newKey []byte, carry func(tx *Tx, oldSubKey SubKeyFunc, resealed int) error) (resealed int, err error) {
	newKeys, err := newKeyring(newKey)
	if err != nil {
		return 0, err
	}
	old := s.keys
	err = s.Update(func(tx *Tx) error {
		resealed = 0
		type record struct {
			bucket, name string
			sealed       []byte
		}
		// Collected first: bbolt forbids writing a bucket while iterating it.
		var records []record
		err := tx.eachSealed(func(bucket string, name, sealed []byte) error {
			plain, err := old.open(bucket, string(name), sealed)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrCorruptRecord, recordName(bucket, name))
			}
			resealedValue, err := newKeys.seal(bucket, string(name), plain)
			records = append(records, record{bucket, string(name), resealedValue})
			return err
		})
		if err != nil {
			return err
		}
		for _, r := range records {
			if err := tx.btx.Bucket([]byte(r.bucket)).Put([]byte(r.name), r.sealed); err != nil {
				return err
			}
		}
		resealed = len(records)
		check, err := newKeys.seal(metaBucket, keyKeyCheck, []byte(keyCheckPlain))
		if err != nil {
			return err
		}
		if err := tx.btx.Bucket([]byte(metaBucket)).Put([]byte(keyKeyCheck), check); err != nil {
			return err
		}
		tx.keys = newKeys
		if carry != nil {
			return carry(tx, old.subKey, resealed)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.keys = newKeys
	return resealed, nil
}
