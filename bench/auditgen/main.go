// Command auditgen makes a cwsec home whose audit trail holds N events, for
// timing `cwsec audit verify` and `cwsec audit log` on a long trail (see
// bench/audit.sh). Events go through the audit package, a hundred thousand
// per transaction, as cwsec itself would write them one at a time.
package main

import (
	"crypto/rand"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/cwsec/cwsec/internal/audit"
	"github.com/cwsec/cwsec/internal/store"
)

const perTx = 100_000

func main() {
	home := flag.String("home", "", "the cwsec home to create (must not exist)")
	n := flag.Int("n", 1_000_000, "how many events")
	flag.Parse()
	if *home == "" {
		fmt.Fprintln(os.Stderr, "usage: auditgen -home DIR [-n EVENTS]")
		os.Exit(64)
	}
	if err := generate(*home, *n); err != nil {
		fmt.Fprintln(os.Stderr, "auditgen:", err)
		os.Exit(1)
	}
}

func generate(home string, n int) error {
	if err := os.Mkdir(home, 0o700); err != nil {
		return err
	}
	key, err := store.CreateMasterKey(filepath.Join(home, "master.key"), rand.Reader)
	if err != nil {
		return err
	}
	opts := store.Options{Path: filepath.Join(home, "cwsec.db"), MasterKey: key}
	if err := store.Create(opts, nil); err != nil {
		return err
	}
	s, err := store.Open(opts)
	if err != nil {
		return err
	}
	defer s.Close()
	// A busy server: an event every 30 seconds, mostly 2FA checks, the last
	// just before 2026-12-03T12:00:00Z.
	const every = 30 * time.Second
	start := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC).Add(-time.Duration(n) * every)
	actor := audit.Actor{User: "root", SudoUser: "admin", Host: "careware-01"}
	for done := 0; done < n; {
		batch := min(perTx, n-done)
		err := s.Update(func(tx *store.Tx) error {
			for i := done; i < done+batch; i++ {
				ev := audit.Event{Time: start.Add(time.Duration(i) * every), Actor: actor,
					Action: "2fa.verify", Target: "user" + strconv.Itoa(i%5000), Outcome: audit.OutcomeAccepted,
					Details: map[string]string{"drift": "0"}}
				if i%100 == 0 {
					ev.Action, ev.Outcome, ev.Reason = "2fa.reset", audit.OutcomeOK, "phone replaced, ticket "+strconv.Itoa(i)
				}
				if _, err := audit.Append(tx, ev); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		done += batch
	}
	return nil
}
