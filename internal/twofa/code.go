package twofa

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"fmt"
	"hash"
	"strings"
	"time"
)

const (
	// Digits is the code length the common authenticator apps display.
	Digits = 6
	// Period is the TOTP time step. Apps ignore any other period.
	Period = periodSeconds * time.Second

	periodSeconds = 30
	// maxCodeInput bounds what NormalizeCode reads, so a pasted page of text
	// costs nothing and never reaches an error message.
	maxCodeInput = 64
)

// Algorithm is the HMAC hash of an OTP key. Only SHA1 is ever enrolled:
// Google Authenticator, Microsoft Authenticator and WinAuth ignore the
// algorithm parameter or handle it inconsistently. SHA256 and SHA512 exist so
// the RFC 6238 test vectors can be checked.
type Algorithm int

// The RFC 6238 hash functions.
const (
	SHA1 Algorithm = iota
	SHA256
	SHA512
)

func (a Algorithm) String() string {
	switch a {
	case SHA1:
		return "SHA1"
	case SHA256:
		return "SHA256"
	case SHA512:
		return "SHA512"
	}
	return fmt.Sprintf("Algorithm(%d)", int(a))
}

func (a Algorithm) newHash() func() hash.Hash {
	switch a {
	case SHA1:
		return sha1.New
	case SHA256:
		return sha256.New
	case SHA512:
		return sha512.New
	}
	panic("twofa: unknown algorithm " + a.String())
}

// Step returns the RFC 6238 time step containing now: Unix seconds / 30.
func Step(now time.Time) int64 { return now.Unix() / periodSeconds }

// CodeAt returns the 6-digit SHA-1 code for a time step, the only kind of
// code cwsec enrolls.
func CodeAt(secret []byte, step int64) string {
	return GenerateCode(secret, step, SHA1, Digits)
}

// GenerateCode returns the RFC 4226 HOTP value of secret at counter step,
// truncated to digits decimal digits (6 to 8; RFC 4226 allows no fewer, and
// more than 9 cannot come from a 31-bit value without bias). It panics on an
// unknown algorithm or digit count: both are constants in every caller.
func GenerateCode(secret []byte, step int64, alg Algorithm, digits int) string {
	var buf [8]byte
	return string(appendCode(buf[:0], secret, step, alg, digits))
}

// appendCode is GenerateCode without the string allocation, so Match can
// compare byte slices.
func appendCode(dst, secret []byte, step int64, alg Algorithm, digits int) []byte {
	if digits < 6 || digits > 8 {
		panic(fmt.Sprintf("twofa: %d digits requested; RFC 4226 codes have 6 to 8", digits))
	}
	value := truncate(hotpMAC(secret, step, alg))
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	value %= mod
	start := len(dst)
	for range digits {
		dst = append(dst, '0')
	}
	for i := len(dst) - 1; i >= start; i-- {
		dst[i] = byte('0' + value%10)
		value /= 10
	}
	return dst
}

// hotpMAC is HMAC(secret, counter) with the counter as 8 big-endian bytes.
func hotpMAC(secret []byte, counter int64, alg Algorithm) []byte {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(counter))
	mac := hmac.New(alg.newHash(), secret)
	mac.Write(msg[:])
	return mac.Sum(nil)
}

// truncate is RFC 4226 dynamic truncation: 31 bits read at the offset given
// by the low nibble of the last byte.
func truncate(sum []byte) uint32 {
	offset := sum[len(sum)-1] & 0x0f
	return binary.BigEndian.Uint32(sum[offset:offset+4]) & 0x7fffffff
}

// NormalizeCode turns what a person typed into a 6-digit code: surrounding
// whitespace is trimmed and spaces inside ("123 456", as many apps display
// it) are removed; anything else that is not an ASCII digit is refused. The
// error unwraps to ErrMalformedCode, says why in plain words, and never
// repeats the input.
func NormalizeCode(s string) (string, error) {
	if len(s) > maxCodeInput {
		return "", malformedCode("it is %d characters long; a code has %d digits", len(s), Digits)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", malformedCode("it is empty")
	}
	var code [Digits]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			continue
		case '0' <= c && c <= '9':
			if n < Digits {
				code[n] = c
			}
			n++
		default:
			return "", malformedCode("it contains a character that is not a digit; a code has %d digits", Digits)
		}
	}
	if n != Digits {
		return "", malformedCode("it has %d digits; a code has exactly %d", n, Digits)
	}
	return string(code[:]), nil
}

func malformedCode(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformedCode, fmt.Sprintf(format, args...))
}
