package twofa

import (
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"strings"
)

const (
	// SecretBytes is the size of a new key: 160 bits, the length RFC 4226
	// recommends and the size of a SHA-1 block's worth of HMAC key material.
	SecretBytes = 20
	// MinSecretBytes is the shortest key this package will verify against or
	// publish: RFC 4226 requires at least 128 bits. It also guards against a
	// store that hands back an empty key, since HMAC with an empty key yields
	// codes anyone can compute.
	MinSecretBytes = 16
	// MaxSecretBytes is the longest key DecodeSecret returns: the SHA-512
	// block size, beyond which HMAC hashes the key down anyway. The RFC 6238
	// seeds are 20, 32 and 64 bytes.
	MaxSecretBytes = 128
	// maxSecretText bounds the text DecodeSecret will look at: room for a
	// MaxSecretBytes key (205 characters) with generous whitespace.
	maxSecretText = 4096
)

// secretEncoding is the base32 form authenticator apps expect in URIs and
// for manual entry: RFC 4648 alphabet, upper case, no padding.
var secretEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewSecret returns a new 160-bit key read from r (crypto/rand.Reader in
// production). It fails rather than return a short key if r runs dry.
func NewSecret(r io.Reader) ([]byte, error) {
	if r == nil {
		return nil, errors.New("no random source for a new key")
	}
	secret := make([]byte, SecretBytes)
	if _, err := io.ReadFull(r, secret); err != nil {
		return nil, fmt.Errorf("reading random bytes for a new key: %w", err)
	}
	return secret, nil
}

// EncodeSecret returns the key as unpadded upper-case base32, the form used
// in otpauth URIs and shown for manual entry.
func EncodeSecret(secret []byte) string {
	return secretEncoding.EncodeToString(secret)
}

// DecodeSecret parses a base32 key as people copy it: spaces and tabs
// anywhere, lower case, and trailing '=' padding are all accepted. The error
// unwraps to ErrInvalidSecret and never repeats the input, which is secret.
func DecodeSecret(s string) ([]byte, error) {
	if len(s) > maxSecretText {
		return nil, fmt.Errorf("%w: the key text is %d bytes long; a key is at most %d bytes (%d base32 characters)", ErrInvalidSecret, len(s), MaxSecretBytes, secretEncoding.EncodedLen(MaxSecretBytes))
	}
	canon := canonicalSecretText(s)
	if canon == "" {
		return nil, fmt.Errorf("%w: the key is empty", ErrInvalidSecret)
	}
	// Unpadded base32 comes in lengths of 0, 2, 4, 5 or 7 modulo 8; Go's
	// decoder quietly drops a lone trailing character instead of refusing.
	switch len(canon) % 8 {
	case 1, 3, 6:
		return nil, fmt.Errorf("%w: the key has %d characters, which no whole number of bytes encodes to; a character is missing or extra", ErrInvalidSecret, len(canon))
	}
	if n := secretEncoding.DecodedLen(len(canon)); n > MaxSecretBytes {
		return nil, fmt.Errorf("%w: the key is %d bytes; at most %d are supported", ErrInvalidSecret, n, MaxSecretBytes)
	}
	// Trailing bits beyond the last whole byte are ignored, not refused:
	// some issuers generate keys as random base32 characters rather than
	// random bytes, and authenticator apps accept those.
	secret, err := secretEncoding.DecodeString(canon)
	if err != nil {
		var pos base32.CorruptInputError
		if errors.As(err, &pos) {
			return nil, fmt.Errorf("%w: the key is not valid base32 (letters A-Z and digits 2-7) at character %d, not counting spaces", ErrInvalidSecret, int64(pos)+1)
		}
		return nil, fmt.Errorf("%w: the key is not valid base32", ErrInvalidSecret)
	}
	return secret, nil
}

// canonicalSecretText drops whitespace, upper-cases ASCII letters and trims
// trailing padding. Only ASCII is upper-cased: unicode.ToUpper would turn
// look-alikes such as 'ı' (dotless i) into 'I' and accept them silently.
func canonicalSecretText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			continue
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return strings.TrimRight(b.String(), "=")
}

// GroupForManualEntry splits s into groups of four characters separated by
// single spaces ("JBSW Y3DP EHPK 3PXP"), which is how people can read a key
// aloud or type it without losing their place. Existing spaces are dropped
// first so the result is the same whether or not s was already grouped.
func GroupForManualEntry(s string) string {
	runes := []rune(strings.Join(strings.Fields(s), ""))
	var b strings.Builder
	b.Grow(len(runes) + len(runes)/4)
	for i, r := range runes {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
