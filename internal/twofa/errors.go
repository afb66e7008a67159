package twofa

import "errors"

// Sentinel errors. Messages are lower-case fragments; callers wrap them with
// context and a hint. All of them mean "refused" (exit code 1 in the CLI)
// except ErrInvalidSecret, which means the stored key is unusable and the
// caller could not decide (exit code 3).
var (
	ErrWrongCode     = errors.New("wrong code")
	ErrReused        = errors.New("code already used")
	ErrMalformedCode = errors.New("malformed code")
	ErrLocked        = errors.New("user is locked out")
	ErrPending       = errors.New("key not yet confirmed")
	ErrExpired       = errors.New("pending key expired")
	ErrNotEnrolled   = errors.New("no key enrolled")
	ErrAlreadyActive = errors.New("key already confirmed")
	ErrInvalidSecret = errors.New("invalid key")
	ErrInvalidName   = errors.New("invalid name")
	ErrInvalidPolicy = errors.New("invalid two-factor policy")
	ErrInvalidQR     = errors.New("cannot draw QR code")
	ErrRecoveryCode  = errors.New("invalid recovery code")
)
