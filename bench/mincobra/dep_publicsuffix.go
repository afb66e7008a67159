//go:build dep_publicsuffix

package main

// Linked only with -tags dep_publicsuffix (bench/depcost.sh measures what it
// adds to a cobra program's size and start-up). In cwsec: the wildcard-over-
// public-suffix check (cert conformance); it imports net/http/cookiejar and so
// all of net/http.
import (
	_ "golang.org/x/net/publicsuffix"
)
