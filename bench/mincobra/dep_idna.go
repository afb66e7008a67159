//go:build dep_idna

package main

// Linked only with -tags dep_idna (bench/depcost.sh measures what it adds to a
// cobra program's size and start-up). In cwsec: host name normalisation (cert
// request, install, check).
import (
	_ "golang.org/x/net/idna"
)
