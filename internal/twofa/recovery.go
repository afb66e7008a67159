package twofa

import (
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
)

const (
	// recoveryAlphabet is Crockford's base32 in lower case: no i, l, o or u,
	// so nothing on the printed sheet can be mistaken for something else, and
	// 32 symbols give exactly 5 bits each with no modulo bias.
	recoveryAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"
	recoveryGroups   = 3
	recoveryGroupLen = 4
	recoveryLen      = recoveryGroups * recoveryGroupLen

	// RecoveryCodeBits is the entropy of one recovery code: 12 symbols of 5
	// bits. Below NIST's 112 bits, so codes are stored salted and hashed
	// with a key-derivation function and never in plain text.
	RecoveryCodeBits = recoveryLen * 5

	// MaxRecoveryCodes bounds one batch. Verification may hash against every
	// unused code, so the batch size multiplies the cost of a wrong guess.
	MaxRecoveryCodes = 20
	// DefaultRecoveryCodes is the batch size when the admin asks for none in
	// particular.
	DefaultRecoveryCodes = 10

	// maxRecoveryInput bounds what normalizeRecoveryCode will look at.
	maxRecoveryInput = 64
)

// Argon2id parameters for recovery-code hashes.
//
// A recovery code already carries 60 random bits, so the KDF is not what
// stops a brute-force search of the code space (2^60 guesses is out of reach
// even at a microsecond each); it is there so the stored hashes are salted,
// slow-ish and memory-hard, as NIST asks for secrets under 112 bits, instead
// of plain text or a fast hash. Verification hashes the candidate against
// each unused code's salt, so one wrong guess costs up to MaxRecoveryCodes
// derivations on a login path. One pass over 2 MiB with one lane costs about
// 2 ms on a 2-core server (see BenchmarkRecoveryHash), so a full batch of 10
// stays near 20 ms. Raising these later is safe: each hash records the
// parameters it was made with.
const (
	recoveryTime      = 1
	recoveryMemoryKiB = 2 * 1024
	recoveryThreads   = 1
	recoveryKeyLen    = 32
	recoverySaltLen   = 16

	// Limits on parameters read back from the store, so a damaged record
	// cannot make one login allocate gigabytes or spin for minutes.
	maxRecoveryTime      = 10
	maxRecoveryMemoryKiB = 256 * 1024
)

// RecoveryHash is one recovery code as stored: the argon2id hash of its
// canonical form (12 lower-case symbols, no dashes), the salt and parameters
// it was made with, and when it was used, if it was.
type RecoveryHash struct {
	Salt      []byte     `json:"salt"`
	Hash      []byte     `json:"hash"`
	Time      uint32     `json:"argon2_time"`
	MemoryKiB uint32     `json:"argon2_memory_kib"`
	Threads   uint8      `json:"argon2_threads"`
	UsedAt    *time.Time `json:"used_at,omitempty"`
}

// NewRecoveryCodes returns n codes formatted "xxxx-xxxx-xxxx", each with 60
// bits read from r. They are shown to the user once; store only their
// hashes (HashRecoveryCodes).
func NewRecoveryCodes(r io.Reader, n int) ([]string, error) {
	if n < 1 || n > MaxRecoveryCodes {
		return nil, fmt.Errorf("%w: asked for %d recovery codes; choose 1 to %d", ErrRecoveryCode, n, MaxRecoveryCodes)
	}
	if r == nil {
		return nil, errors.New("no random source for recovery codes")
	}
	codes := make([]string, 0, n)
	seen := make(map[string]bool, n)
	for len(codes) < n {
		var raw [8]byte
		if _, err := io.ReadFull(r, raw[:]); err != nil {
			return nil, fmt.Errorf("reading random bytes for recovery codes: %w", err)
		}
		code := formatRecoveryCode(binary.BigEndian.Uint64(raw[:]))
		// A repeat is a 2^-60 event with a good source; skipping it keeps
		// "each code works once" true even with a bad one.
		if seen[code] {
			continue
		}
		seen[code] = true
		codes = append(codes, code)
	}
	return codes, nil
}

// formatRecoveryCode spells the low 60 bits of v as three dash-separated
// groups of four symbols.
func formatRecoveryCode(v uint64) string {
	var b [recoveryLen + recoveryGroups - 1]byte
	j := len(b) - 1
	for i := 0; i < recoveryLen; i++ {
		if i > 0 && i%recoveryGroupLen == 0 {
			b[j] = '-'
			j--
		}
		b[j] = recoveryAlphabet[v&31]
		v >>= 5
		j--
	}
	return string(b[:])
}

// normalizeRecoveryCode returns the canonical form of a recovery code as a
// person may type it: any case, with or without dashes or spaces, and with
// the look-alikes Crockford's alphabet leaves out (o for 0, i and l for 1)
// read as what they resemble. ok is false for anything else.
func normalizeRecoveryCode(s string) (canon string, ok bool) {
	if len(s) > maxRecoveryInput {
		return "", false
	}
	var b [recoveryLen]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		switch c {
		case '-', ' ', '\t', '\n', '\r':
			continue
		case 'o':
			c = '0'
		case 'i', 'l':
			c = '1'
		}
		if strings.IndexByte(recoveryAlphabet, c) < 0 || n == recoveryLen {
			return "", false
		}
		b[n] = c
		n++
	}
	if n != recoveryLen {
		return "", false
	}
	return string(b[:]), true
}

// HashRecoveryCode returns the stored form of one recovery code, salted with
// bytes read from r.
func HashRecoveryCode(r io.Reader, code string) (RecoveryHash, error) {
	canon, ok := normalizeRecoveryCode(code)
	if !ok {
		return RecoveryHash{}, fmt.Errorf("%w: expected 12 letters and digits like xxxx-xxxx-xxxx", ErrRecoveryCode)
	}
	if r == nil {
		return RecoveryHash{}, errors.New("no random source for recovery code salts")
	}
	salt := make([]byte, recoverySaltLen)
	if _, err := io.ReadFull(r, salt); err != nil {
		return RecoveryHash{}, fmt.Errorf("reading random bytes for a recovery code salt: %w", err)
	}
	h := RecoveryHash{
		Salt:      salt,
		Time:      recoveryTime,
		MemoryKiB: recoveryMemoryKiB,
		Threads:   recoveryThreads,
	}
	h.Hash = h.derive(canon, recoveryKeyLen)
	return h, nil
}

// HashRecoveryCodes hashes a batch from NewRecoveryCodes, ready to replace
// User.RecoveryHashes.
func HashRecoveryCodes(r io.Reader, codes []string) ([]RecoveryHash, error) {
	hashes := make([]RecoveryHash, 0, len(codes))
	for _, code := range codes {
		h, err := HashRecoveryCode(r, code)
		if err != nil {
			return nil, err
		}
		hashes = append(hashes, h)
	}
	return hashes, nil
}

func (h RecoveryHash) derive(canon string, keyLen uint32) []byte {
	return argon2.IDKey([]byte(canon), h.Salt, h.Time, h.MemoryKiB, h.Threads, keyLen)
}

// usable reports whether h can be checked at all: unused, and with
// parameters argon2 accepts (it panics on zero time or threads) and that are
// not absurd. A damaged record simply never matches.
func (h RecoveryHash) usable() bool {
	return h.UsedAt == nil &&
		len(h.Salt) >= 8 && len(h.Hash) >= 16 && len(h.Hash) <= 64 &&
		h.Time >= 1 && h.Time <= maxRecoveryTime &&
		h.Threads >= 1 &&
		h.MemoryKiB <= maxRecoveryMemoryKiB
}

// matches reports whether canon is the code h was made from.
func (h RecoveryHash) matches(canon string) bool {
	if !h.usable() {
		return false
	}
	return subtle.ConstantTimeCompare(h.derive(canon, uint32(len(h.Hash))), h.Hash) == 1
}

// findRecoveryCode returns the index of the unused hash that canon matches,
// or -1. It stops at the first match: where the code sat in the list says
// nothing about any other code.
func findRecoveryCode(hashes []RecoveryHash, canon string) int {
	for i, h := range hashes {
		if h.matches(canon) {
			return i
		}
	}
	return -1
}

// Remaining returns how many of u's recovery codes are still unused.
func Remaining(u User) int {
	n := 0
	for _, h := range u.RecoveryHashes {
		if h.UsedAt == nil {
			n++
		}
	}
	return n
}

// spendRecoveryCode marks hash i used at now. It copies the slice first:
// u came in by value, but its slice still shares an array with the caller's.
func spendRecoveryCode(u User, i int, now time.Time) User {
	hashes := make([]RecoveryHash, len(u.RecoveryHashes))
	copy(hashes, u.RecoveryHashes)
	used := now
	hashes[i].UsedAt = &used
	u.RecoveryHashes = hashes
	return u
}
