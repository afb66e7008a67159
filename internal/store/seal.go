package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// sealVersion is the first byte of every sealed value. It names the cipher and
// the key derivation, so a later cwsec can rotate either and still read what an
// earlier one wrote.
const sealVersion byte = 1

const nonceSize = 12

// errUnseal is deliberately vague: whether the key is wrong, the value was
// edited or it was copied from another record, the caller learns only that it
// does not open, and no detail of the plaintext leaks.
var errUnseal = errors.New("sealed value does not open")

// keyring holds the keys derived from the master key. The master key itself is
// used only as HKDF input, so a leak of one derived key exposes nothing else.
type keyring struct {
	master []byte
	aead   cipher.AEAD
}

func newKeyring(master []byte) (*keyring, error) {
	if len(master) != MasterKeySize {
		return nil, fmt.Errorf("%w: %d bytes", ErrBadMasterKey, len(master))
	}
	k := &keyring{master: master}
	sealKey, err := k.subKey("seal")
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(sealKey)
	if err != nil {
		return nil, err
	}
	if k.aead, err = cipher.NewGCM(block); err != nil {
		return nil, err
	}
	return k, nil
}

// subKey derives a 32-byte key for one purpose (sealing, audit MACs, audit
// signatures) from the master key.
func (k *keyring) subKey(purpose string) ([]byte, error) {
	return hkdf.Key(sha256.New, k.master, nil, "cwsec/v1/"+purpose, 32)
}

// associatedData binds a ciphertext to the bucket and record it was written
// for: a sealed value copied onto another record fails to open.
func associatedData(bucket, name string) []byte {
	return []byte("cwsec-seal-v1\x00" + bucket + "\x00" + name)
}

func (k *keyring) seal(bucket, name string, plaintext []byte) ([]byte, error) {
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plaintext)+k.aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1 : 1+nonceSize]); err != nil {
		return nil, err
	}
	return k.aead.Seal(out, out[1:1+nonceSize], plaintext, associatedData(bucket, name)), nil
}

func (k *keyring) open(bucket, name string, sealed []byte) ([]byte, error) {
	if len(sealed) < 1+nonceSize+k.aead.Overhead() || sealed[0] != sealVersion {
		return nil, errUnseal
	}
	plain, err := k.aead.Open(nil, sealed[1:1+nonceSize], sealed[1+nonceSize:], associatedData(bucket, name))
	if err != nil {
		return nil, errUnseal
	}
	return plain, nil
}
