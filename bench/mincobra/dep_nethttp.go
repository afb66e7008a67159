//go:build dep_nethttp

package main

// Linked only with -tags dep_nethttp (bench/depcost.sh measures what it adds
// to a cobra program's size and start-up). In cwsec: AIA issuer fetch (cert
// install, inspect).
import (
	_ "net/http"
)
