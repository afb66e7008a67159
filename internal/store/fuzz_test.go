package store

import (
	"bytes"
	"testing"
)

// FuzzOpenSealed: a sealed value opens only as what was sealed, for the record
// it was sealed for; anything else is refused without a panic.
func FuzzOpenSealed(f *testing.F) {
	k, err := newKeyring(bytes.Repeat([]byte{7}, MasterKeySize))
	if err != nil {
		f.Fatal(err)
	}
	good, _ := k.seal("twofa_users", "alice", []byte("secret"))
	f.Add(good, "twofa_users", "alice")
	f.Add([]byte{1}, "b", "n")
	f.Add([]byte{}, "", "")
	f.Add(append([]byte{2}, good[1:]...), "twofa_users", "alice")
	f.Fuzz(func(t *testing.T, sealed []byte, bucket, name string) {
		plain, err := k.open(bucket, name, sealed)
		if err != nil {
			return
		}
		// Each fuzz worker seals its own seed with a fresh nonce, so compare
		// what opened, not the ciphertext.
		if bucket != "twofa_users" || name != "alice" || string(plain) != "secret" {
			t.Fatalf("opened a value that was never sealed for %s/%s", bucket, name)
		}
	})
}
