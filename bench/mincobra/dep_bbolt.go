//go:build dep_bbolt

package main

// Linked only with -tags dep_bbolt (bench/depcost.sh measures what it adds to
// a cobra program's size and start-up). In cwsec: the store.
import (
	_ "go.etcd.io/bbolt"
)
