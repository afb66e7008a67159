package cli

import (
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cwsec/cwsec/internal/certs"
	"github.com/cwsec/cwsec/internal/store"
	"github.com/cwsec/cwsec/internal/twofa"
)

// Tab completion of names kept in the store: 2FA users and certificate IDs.
// A completion runs on every Tab press, so it may cost little and must never
// get in the way: it opens the store read-only, waits at most
// completionLockTimeout for a writer, and on any error at all (no store, no
// key or not allowed to read it, locked, damaged, a bad config) offers
// nothing rather than complaining. It changes nothing and records nothing.

const completionLockTimeout = 200 * time.Millisecond

// completionView runs fn over a read-only snapshot of the store named by the
// command line being completed: its --home, --store or --master-key-file,
// not only the environment's.
func (a *app) completionView(cmd *cobra.Command, fn func(tx *store.Tx) error) {
	cfg, err := loadConfig(cmd.Flags())
	if err != nil {
		return
	}
	cfg.LockTimeout = min(cfg.LockTimeout, completionLockTimeout)
	c := *a
	c.cfg = cfg
	_ = c.view(fn)
}

// completeUsers completes a command's USER argument with the enrolled users,
// each described by its state; with states given, only users in one of them.
func (a *app) completeUsers(states ...twofa.State) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []cobra.Completion
		a.completionView(cmd, func(tx *store.Tx) error {
			now := a.now()
			return twofa.EachUser(tx, func(u twofa.User) error {
				st := u.StateAt(now)
				if strings.HasPrefix(u.Name, toComplete) && (len(states) == 0 || slices.Contains(states, st)) {
					out = append(out, cobra.CompletionWithDesc(u.Name, string(st)))
				}
				return nil
			})
		})
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeCertIDs completes a command's ID argument with the IDs of requests
// and certificates, each described by its state and names; with
// installedOnly, only records that hold a certificate.
func (a *app) completeCertIDs(installedOnly bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		prefix := certs.NormalizeID(toComplete)
		var out []cobra.Completion
		a.completionView(cmd, func(tx *store.Tx) error {
			recs, err := certs.Records(tx)
			for _, r := range recs {
				if strings.HasPrefix(r.ID, prefix) && (!installedOnly || r.HasCertificate()) {
					out = append(out, cobra.CompletionWithDesc(r.ID, describeForCompletion(r)))
				}
			}
			return err
		})
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func describeForCompletion(r certs.Record) string {
	names := r.Names()
	if len(names) == 0 {
		if leaf, err := r.Leaf(); err == nil {
			names = leaf.DNSNames
		}
	}
	if len(names) == 0 {
		return string(r.State)
	}
	return string(r.State) + ": " + strings.Join(names, ", ")
}
