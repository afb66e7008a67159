// Package twofa is the pure domain of cwsec's second factor: RFC 6238 TOTP
// keys as the common authenticator apps read them (SHA-1, 6 digits, 30 s),
// their otpauth URIs and QR codes, code verification with replay protection
// and a clock-drift report, per-user enrollment and lockout state, and
// single-use recovery codes stored only as argon2id hashes.
//
// The package holds no state and reads neither the clock nor a random source
// of its own: every function that depends on time takes now, and every
// function that needs randomness takes an io.Reader (callers pass
// crypto/rand.Reader; tests pass fixed bytes). State transitions take a User
// by value and return the new User with an Outcome, so the storage layer can
// persist the result and its audit record in one transaction, and so tests
// can pin every moment. The TOTP secret is never part of User: it travels as
// a separate []byte so the store can seal it on its own.
//
// Errors are sentinels (or typed errors that unwrap to one) so the CLI layer
// can map them to exit codes with errors.Is.
package twofa
