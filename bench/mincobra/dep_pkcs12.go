//go:build dep_pkcs12

package main

// Linked only with -tags dep_pkcs12 (bench/depcost.sh measures what it adds to
// a cobra program's size and start-up). In cwsec: cert export --format pfx and
// PFX input.
import (
	_ "software.sslmate.com/src/go-pkcs12"
)
