package store

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/cwsec/cwsec/internal/fileio"
)

// MasterKeySize is the length of the master key: 256 bits for AES-256-GCM and
// for the HKDF that derives every other key.
const MasterKeySize = 32

// maxKeyFileSize bounds what is read from a key file: a key is 32 raw bytes or
// 64 hex digits with a newline, so anything larger is not a key file.
const maxKeyFileSize = 256

// CreateMasterKey writes a new random master key to path with mode 0600. It
// never replaces an existing file: a master key that is overwritten makes every
// secret in the store unreadable.
func CreateMasterKey(path string, random io.Reader) ([]byte, error) {
	key := make([]byte, MasterKeySize)
	if _, err := io.ReadFull(random, key); err != nil {
		return nil, fmt.Errorf("reading random bytes for the master key: %w", err)
	}
	if err := fileio.WriteNew(path, key, 0o600); err != nil {
		return nil, err
	}
	return key, nil
}

// LoadMasterKey reads a master key file. It accepts the 32 raw bytes cwsec
// writes, and 64 hexadecimal digits (what `openssl rand -hex 32` prints) so an
// administrator can make a key for `store rekey` with tools at hand.
func LoadMasterKey(path string) ([]byte, error) {
	data, err := fileio.ReadRegular(path, maxKeyFileSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s: %w", path, ErrNoMasterKey)
	case errors.Is(err, fileio.ErrNotRegular), errors.Is(err, fileio.ErrTooLarge):
		return nil, fmt.Errorf("%w: %v", ErrBadMasterKey, err)
	case err != nil:
		return nil, err
	}
	key, err := decodeMasterKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

func decodeMasterKey(data []byte) ([]byte, error) {
	if len(data) == MasterKeySize {
		return data, nil
	}
	text := strings.TrimSpace(string(data))
	if len(text) == 2*MasterKeySize {
		if key, err := hex.DecodeString(text); err == nil {
			return key, nil
		}
	}
	return nil, fmt.Errorf("%w: want %d raw bytes or %d hex digits, found %d bytes",
		ErrBadMasterKey, MasterKeySize, 2*MasterKeySize, len(data))
}
