package cli

import (
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/cwsec/cwsec/internal/audit"
	"github.com/cwsec/cwsec/internal/store"
	"github.com/cwsec/cwsec/internal/twofa"
)

func (a *app) newTwoFAResetCmd() *cobra.Command {
	var reason string
	var yes bool
	cmd := &cobra.Command{
		Use:   "reset USER [--reason TEXT] [--yes]",
		Short: "Remove a user's key (lost or replaced phone); they enroll again",
		Long: `Remove USER's key, state and recovery codes, as CAREWare's "Reset User 2
Factor Key" does. The user then enrolls again. cwsec asks for confirmation on a
terminal; scripts pass --yes.

` + exitCodesHelp,
		Example:           `  cwsec 2fa reset alice --reason "phone lost, ticket 4711"`,
		Args:              usageArgs(cobra.ExactArgs(1)),
		ValidArgsFunction: a.completeUsers(),
		RunE: func(_ *cobra.Command, args []string) error {
			user := args[0]
			if err := a.confirm(fmt.Sprintf("Remove %s's two-factor key?", user), yes); err != nil {
				return err
			}
			err := a.update(func(tx *store.Tx) error {
				deleted, err := twofa.DeleteUser(tx, user)
				if err != nil {
					return err
				}
				if !deleted {
					return failf("'cwsec 2fa list' shows who is enrolled", "%s has no key to reset", user)
				}
				ev := a.event("2fa.reset", user, audit.OutcomeOK)
				ev.Reason = reason
				return a.record(tx, ev)
			})
			if err != nil {
				return err
			}
			return a.emit(map[string]any{"user": user, "state": twofa.StateNone}, func(w io.Writer) {
				fmt.Fprintf(w, "%s's key was removed. They enroll again: cwsec 2fa enroll %s\n", user, user)
			})
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the audit trail")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

func (a *app) newTwoFAUnlockCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "unlock USER",
		Short: "End a user's lockout and clear their failure count",
		Long:  "End USER's lockout after too many failed codes and clear the failure count.\n\n" + exitCodesHelp,
		Example: `  cwsec 2fa status alice        # locked until ...
  cwsec 2fa unlock alice`,
		Args:              usageArgs(cobra.ExactArgs(1)),
		ValidArgsFunction: a.completeUsers(),
		RunE: func(_ *cobra.Command, args []string) error {
			user := args[0]
			var st userStatus
			err := a.update(func(tx *store.Tx) error {
				u, secret, found, err := twofa.LoadUser(tx, user)
				if err != nil {
					return err
				}
				if !found {
					return failf("'cwsec 2fa list' shows who is enrolled", "%s has no key", user)
				}
				ev := a.event("2fa.unlock", user, audit.OutcomeOK)
				ev.Details = map[string]string{"failures": strconv.Itoa(u.Failures)}
				u = twofa.Unlock(u)
				st = a.describeUser(u)
				if err := twofa.SaveUser(tx, u, secret); err != nil {
					return err
				}
				return a.record(tx, ev)
			})
			if err != nil {
				return err
			}
			return a.emit(st, func(w io.Writer) { fmt.Fprintf(w, "%s is unlocked (%s).\n", user, st.State) })
		},
	}
}

func (a *app) newTwoFAListCmd() *cobra.Command {
	var state string
	cmd := &cobra.Command{
		Use:   "list [--state none|pending|active|locked]",
		Short: "List enrolled users and their states",
		Long:  "List enrolled users with their state, last use and recovery codes left.\n\n" + exitCodesHelp,
		Example: `  cwsec 2fa list
  cwsec 2fa list --state locked -o json`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			switch twofa.State(state) {
			case "", twofa.StateNone, twofa.StatePending, twofa.StateActive, twofa.StateLocked:
			default:
				return &usageError{err: fmt.Errorf("--state must be none, pending, active or locked, not %q", state)}
			}
			users := []userStatus{}
			err := a.view(func(tx *store.Tx) error {
				return twofa.EachUser(tx, func(u twofa.User) error {
					if s := a.describeUser(u); state == "" || string(s.State) == state {
						users = append(users, s)
					}
					return nil
				})
			})
			if err != nil {
				return err
			}
			return a.emit(map[string]any{"users": users}, func(w io.Writer) { printUserTable(w, users) })
		},
	}
	cmd.Flags().StringVar(&state, "state", "", "only users in this state")
	_ = cmd.RegisterFlagCompletionFunc("state", cobra.FixedCompletions([]string{"none", "pending", "active", "locked"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func printUserTable(w io.Writer, users []userStatus) {
	if len(users) == 0 {
		fmt.Fprintln(w, "No users.")
		return
	}
	fmt.Fprintf(w, "%-24s %-8s %-23s %s\n", "USER", "STATE", "LAST USED", "RECOVERY CODES")
	for _, u := range users {
		last := "never"
		if u.LastUsedAt != nil {
			last = localTime(*u.LastUsedAt)
		}
		fmt.Fprintf(w, "%-24s %-8s %-23s %d\n", u.User, u.State, last, u.RecoveryRemaining)
	}
}

func (a *app) newTwoFARecoveryCmd() *cobra.Command {
	var count int
	cmd := &cobra.Command{
		Use:   "recovery-codes USER [--count N]",
		Short: "Make new one-time recovery codes for a user (printed once)",
		Long: `Make N new one-time recovery codes for USER and print them once. Each is
accepted by 'cwsec 2fa verify' in place of a TOTP code, once. They are stored
salted and hashed with argon2id, never in plain text, and replace any earlier
set. 'cwsec 2fa status USER' shows how many remain.

` + exitCodesHelp,
		Example:           "  cwsec 2fa recovery-codes alice --count 10",
		Args:              usageArgs(cobra.ExactArgs(1)),
		ValidArgsFunction: a.completeUsers(twofa.StateActive, twofa.StateLocked),
		RunE: func(_ *cobra.Command, args []string) error {
			if count < 1 || count > twofa.MaxRecoveryCodes {
				return &usageError{err: fmt.Errorf("--count must be between 1 and %d", twofa.MaxRecoveryCodes)}
			}
			return a.runRecoveryCodes(args[0], count)
		},
	}
	cmd.Flags().IntVar(&count, "count", twofa.DefaultRecoveryCodes, "how many codes")
	return cmd
}

func (a *app) runRecoveryCodes(user string, count int) error {
	codes, err := twofa.NewRecoveryCodes(a.random, count)
	if err != nil {
		return err
	}
	hashes, err := twofa.HashRecoveryCodes(a.random, codes)
	if err != nil {
		return err
	}
	err = a.update(func(tx *store.Tx) error {
		u, secret, found, err := twofa.LoadUser(tx, user)
		if err != nil {
			return err
		}
		if !found || u.State == twofa.StatePending {
			return failf("enroll and confirm the user's key first", "%s has no active key", user)
		}
		u.RecoveryHashes = hashes
		if err := twofa.SaveUser(tx, u, secret); err != nil {
			return err
		}
		ev := a.event("2fa.recovery_codes", user, audit.OutcomeOK)
		ev.Details = map[string]string{"count": strconv.Itoa(count)}
		return a.record(tx, ev)
	})
	if err != nil {
		return err
	}
	return a.emit(map[string]any{"user": user, "codes": codes}, func(w io.Writer) {
		fmt.Fprintf(w, "Recovery codes for %s. Each works once; they are shown only now:\n\n", user)
		for _, c := range codes {
			fmt.Fprintf(w, "  %s\n", c)
		}
		fmt.Fprintln(w, "\nAny earlier recovery codes no longer work.")
	})
}
