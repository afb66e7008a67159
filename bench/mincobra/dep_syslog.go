//go:build dep_syslog

package main

// Linked only with -tags dep_syslog (bench/depcost.sh measures what it adds to
// a cobra program's size and start-up). In cwsec: audit.syslog forwarding and
// the audit actor (os/user).
import (
	_ "log/syslog"
	_ "os/user"
)
