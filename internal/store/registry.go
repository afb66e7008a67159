package store

import (
	"strconv"
	"unicode/utf8"
)

// sealedRegistry is a bucket inside meta naming every bucket that holds sealed
// values. PutSecret keeps it, so that check and rekey reach every secret
// without knowing the domains (2FA, certificates, audit) that wrote them.
const sealedRegistry = "sealed_buckets"

func (tx *Tx) markSealed(bucket string) error {
	meta := tx.btx.Bucket([]byte(metaBucket))
	if meta == nil {
		return ErrNotStore
	}
	reg, err := meta.CreateBucketIfNotExists([]byte(sealedRegistry))
	if err != nil || reg.Get([]byte(bucket)) != nil {
		return err
	}
	return reg.Put([]byte(bucket), []byte{1})
}

// sealedBuckets lists the buckets that hold sealed values, in name order.
func (tx *Tx) sealedBuckets() []string {
	meta := tx.btx.Bucket([]byte(metaBucket))
	if meta == nil {
		return nil
	}
	reg := meta.Bucket([]byte(sealedRegistry))
	if reg == nil {
		return nil
	}
	var names []string
	_ = reg.ForEach(func(k, _ []byte) error {
		names = append(names, string(k))
		return nil
	})
	return names
}

// eachSealed calls fn for every value in every sealed bucket. fn must not
// write to the bucket it is called for: bbolt forbids changes while iterating.
func (tx *Tx) eachSealed(fn func(bucket string, name, sealed []byte) error) error {
	for _, bucket := range tx.sealedBuckets() {
		b := tx.btx.Bucket([]byte(bucket))
		if b == nil {
			continue
		}
		err := b.ForEach(func(k, v []byte) error { return fn(bucket, k, v) })
		if err != nil {
			return err
		}
	}
	return nil
}

// recordName shows bucket/name for people; a name that would not print as
// itself (control characters, invalid UTF-8) is quoted, so a damaged or
// hostile store cannot send escape sequences to the terminal.
func recordName(bucket string, name []byte) string {
	s := string(name)
	if !utf8.ValidString(s) || strconv.QuoteToGraphic(s) != `"`+s+`"` {
		s = strconv.QuoteToGraphic(s)
	}
	return bucket + "/" + s
}
