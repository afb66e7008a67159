package twofa

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// MaxAccountLen and MaxIssuerLen (in characters) keep names readable on
	// a phone's list of accounts and keep the QR code small enough to scan
	// from a terminal.
	MaxAccountLen = 64
	MaxIssuerLen  = 64
)

// NameError says why an issuer or account name was refused. It unwraps to
// ErrInvalidName.
type NameError struct {
	Field  string // "account" or "issuer"
	Reason string // plain words, e.g. "it contains a colon, ..."
}

func (e *NameError) Error() string {
	return fmt.Sprintf("invalid %s name: %s", e.Field, e.Reason)
}

func (e *NameError) Unwrap() error { return ErrInvalidName }

// ValidateAccount checks a user (account) name before it goes into a key URI.
func ValidateAccount(name string) error { return validateName("account", name, MaxAccountLen) }

// ValidateIssuer checks an issuer name before it goes into a key URI.
func ValidateIssuer(name string) error { return validateName("issuer", name, MaxIssuerLen) }

// validateName refuses what would make an authenticator app show the wrong
// name or split the label in the wrong place. The order matters only for
// which reason is reported first; every check runs before the name is used.
func validateName(field, name string, max int) error {
	refuse := func(format string, args ...any) error {
		return &NameError{Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	if name == "" {
		return refuse("it is empty")
	}
	if !utf8.ValidString(name) {
		return refuse("it is not valid UTF-8 text")
	}
	for _, r := range name {
		switch {
		case r == ':':
			// The label is "ISSUER:ACCOUNT"; apps split it at the first colon.
			return refuse("it contains a colon, which authenticator apps read as the separator between issuer and account")
		case unicode.IsControl(r):
			return refuse("it contains a control character (%U)", r)
		case unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029':
			// Invisible formatting (bidi overrides, zero-width characters,
			// line separators) lets two different names look the same.
			return refuse("it contains an invisible formatting character (%U)", r)
		}
	}
	if first, _ := utf8.DecodeRuneInString(name); unicode.IsSpace(first) {
		return refuse("it begins with a space")
	}
	if last, _ := utf8.DecodeLastRuneInString(name); unicode.IsSpace(last) {
		return refuse("it ends with a space")
	}
	if n := utf8.RuneCountInString(name); n > max {
		return refuse("it is %d characters long; the limit is %d", n, max)
	}
	return nil
}

// KeyURI returns the otpauth URI that authenticator apps scan:
//
//	otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
//
// The issuer appears both in the label and as a parameter, as Google's Key
// URI format asks, so old apps that read only the label and new apps that
// read only the parameter show the same name. The algorithm, digits and period
// are written out even though they are the defaults, because some apps
// mishandle anything else and being explicit costs nothing.
func KeyURI(issuer, account string, secret []byte) (string, error) {
	if err := ValidateIssuer(issuer); err != nil {
		return "", err
	}
	if err := ValidateAccount(account); err != nil {
		return "", err
	}
	if len(secret) < MinSecretBytes {
		return "", fmt.Errorf("%w: the key is %d bits; at least %d are required", ErrInvalidSecret, len(secret)*8, MinSecretBytes*8)
	}
	var b strings.Builder
	b.WriteString("otpauth://totp/")
	b.WriteString(uriEscape(issuer))
	b.WriteByte(':')
	b.WriteString(uriEscape(account))
	b.WriteString("?secret=")
	b.WriteString(EncodeSecret(secret))
	b.WriteString("&issuer=")
	b.WriteString(uriEscape(issuer))
	fmt.Fprintf(&b, "&algorithm=SHA1&digits=%d&period=%d", Digits, periodSeconds)
	return b.String(), nil
}

// uriEscape percent-encodes every byte except RFC 3986 unreserved characters
// and '@' (common in account names, and legal in both path and query).
// net/url's escapers are not used because QueryEscape turns spaces into '+',
// which several apps show literally, and PathEscape leaves '&', '=' and '+'
// alone, which some apps' hand-written parsers then misread.
func uriEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) * 3)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) || c == '@' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0x0f])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}
