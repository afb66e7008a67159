// Package certs is cwsec's certificate domain: it makes keys and certificate
// signing requests, reads whatever certificate material an administrator hands
// over (PEM, DER, PKCS#7, PKCS#12), builds and orders chains, judges a server
// certificate against one policy shared by `cert install` and `cert check`,
// and writes PEM and PKCS#12 files that the server's platform can import.
//
// The core is deliberately pure. It never reads the clock (every judgement
// takes a `now time.Time`), never draws randomness it was not given (an
// io.Reader parameter), never touches the network (AIA fetching goes through
// the Fetcher interface the caller supplies), and never prints. The effects
// live in their own files, each behind a plain function the CLI calls:
// records.go keeps requests and certificates in the store (keys sealed with
// PutSecret), fetch.go is the HTTP Fetcher, probe.go reads the certificate an
// endpoint serves, and deploy.go writes a target's files atomically, runs its
// reload command and puts the former files back on failure. Results are
// plain structs with stable snake_case JSON names so the CLI can render them
// as text or JSON without translating; failures are *Error values that wrap a
// sentinel (errors.Is works) and carry a hint the administrator can act on.
//
// All outside input is bounded: see MaxInputSize and ReadBounded.
package certs
