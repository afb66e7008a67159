package certs

import "errors"

// Sentinel errors. Every error this package returns for bad input wraps one of
// these, so callers can branch with errors.Is and map them to exit codes
// without parsing messages.
var (
	ErrEmptyInput       = errors.New("empty input")
	ErrInputTooLarge    = errors.New("input too large")
	ErrTruncatedPEM     = errors.New("truncated PEM block")
	ErrCorruptPEM       = errors.New("corrupt PEM block")
	ErrTrailingData     = errors.New("trailing data after the last PEM block")
	ErrUnknownPEMType   = errors.New("unsupported PEM block type")
	ErrNotRecognized    = errors.New("not a certificate, CSR, or PKCS#12 file")
	ErrMalformed        = errors.New("malformed certificate material")
	ErrWrongPassword    = errors.New("wrong PKCS#12 password")
	ErrPasswordRequired = errors.New("PKCS#12 password required")
	ErrPKCS12TooCostly  = errors.New("PKCS#12 key derivation too costly")
	ErrEncryptedKey     = errors.New("encrypted private key")
	ErrMultipleKeys     = errors.New("more than one private key")
	ErrNoCertificate    = errors.New("no certificate")
	ErrCSRNotCert       = errors.New("certificate signing request where a certificate was expected")
	ErrNoPrivateKey     = errors.New("no private key")
	ErrUnsupportedKey   = errors.New("unsupported key")
	ErrUnknownKeyType   = errors.New("unknown key type")
	ErrInvalidName      = errors.New("invalid DNS name")
	ErrIPAsDNSName      = errors.New("IP address given as a DNS name")
	ErrInvalidIP        = errors.New("invalid IP address")
	ErrInvalidRequest   = errors.New("invalid certificate request")
	ErrKeyMismatch      = errors.New("private key does not match the certificate")
	ErrEmptyPassword    = errors.New("empty password")
	ErrUnknownProfile   = errors.New("unknown PKCS#12 profile")
	ErrPFXRoundTrip     = errors.New("PKCS#12 file does not read back")
)

// Error is the concrete error type for refusals: a sentinel for errors.Is, the
// message about this particular input, and advice for the administrator.
type Error struct {
	Kind   error  // one of the Err* sentinels above
	Detail string // what is wrong with this input, as a lower-case sentence fragment
	Advice string // what the administrator can do about it; may be empty
}

func (e *Error) Error() string { return e.Detail }

// Unwrap lets errors.Is(err, ErrTruncatedPEM) and friends work.
func (e *Error) Unwrap() error { return e.Kind }

// Hint returns the advice; the CLI prints it on a "hint:" line.
func (e *Error) Hint() string { return e.Advice }

// HintOf returns the advice carried by err, or "" when it carries none.
func HintOf(err error) string {
	var h interface{ Hint() string }
	if errors.As(err, &h) {
		return h.Hint()
	}
	return ""
}

func newError(kind error, detail, advice string) *Error {
	return &Error{Kind: kind, Detail: detail, Advice: advice}
}
