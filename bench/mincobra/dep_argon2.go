//go:build dep_argon2

package main

// Linked only with -tags dep_argon2 (bench/depcost.sh measures what it adds to
// a cobra program's size and start-up). In cwsec: recovery codes (2fa
// recovery-codes, verify with a recovery code).
import (
	_ "golang.org/x/crypto/argon2"
)
