// Command slimverify is a measurement, not a product: the store work of
// `cwsec 2fa verify` (open with the master key, one sealed read, the TOTP
// check, one sealed write, one audit record, commit) in a program that links
// only the store, twofa and audit packages, with no command line library,
// no config resolution and none of the certificate code (crypto/tls, x509,
// net/http). Timed beside minbolt and cwsec (bench/verify.sh), it shows how
// much of verify's time is its own work and how much is what the full
// binary links. Defaults, no config file, no syslog forwarding.
//
//	slimverify HOME USER CODE
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/cwsec/cwsec/internal/audit"
	"github.com/cwsec/cwsec/internal/store"
	"github.com/cwsec/cwsec/internal/twofa"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: slimverify HOME USER CODE")
		os.Exit(64)
	}
	home, name, code := os.Args[1], os.Args[2], os.Args[3]
	key, err := store.LoadMasterKey(filepath.Join(home, "master.key"))
	if err != nil {
		fail(err)
	}
	st, err := store.Open(store.Options{Path: filepath.Join(home, "cwsec.db"), MasterKey: key, LockTimeout: store.DefaultLockTimeout})
	if err != nil {
		fail(err)
	}
	now := time.Now()
	var out twofa.Outcome
	err = st.Update(func(tx *store.Tx) error {
		u, secret, found, err := twofa.LoadUser(tx, name)
		if err != nil {
			return err
		}
		var updated twofa.User
		updated, out = twofa.Verify(u, secret, code, now, twofa.DefaultPolicy())
		if found {
			if err := twofa.SaveUser(tx, updated, secret); err != nil {
				return err
			}
		}
		// The same record cwsec writes (internal/cli codeEvent).
		ev := audit.Event{Time: now, Actor: audit.LocalActor(), Action: "2fa.verify", Target: name,
			Outcome: audit.OutcomeRejected, Reason: string(out.Reason),
			Details: map[string]string{"failures": strconv.Itoa(out.Failures)}}
		if out.Method != "" {
			ev.Details["method"] = string(out.Method)
		}
		if out.Accepted {
			ev.Outcome = audit.OutcomeAccepted
			ev.Details["offset"] = strconv.Itoa(out.Offset)
		}
		_, err = audit.Append(tx, ev)
		return err
	})
	if closeErr := st.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		fail(err)
	}
	if !out.Accepted {
		fmt.Println("rejected:", out.Reason)
		os.Exit(1)
	}
	fmt.Println("accepted")
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "slimverify:", err)
	os.Exit(3)
}
