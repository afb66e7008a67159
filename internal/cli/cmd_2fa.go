package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/cwsec/cwsec/internal/audit"
	"github.com/cwsec/cwsec/internal/store"
	"github.com/cwsec/cwsec/internal/twofa"
)

const twofaTarget = "server"

func (a *app) newTwoFACmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "2fa",
		Short: "Two-factor authentication: the server switch and each user's TOTP key",
		Long: `Manage CAREWare two-factor authentication: the server-level switch, and for
each user an RFC 6238 key (SHA-1, 6 digits, 30 s) enrolled on Google
Authenticator, Microsoft Authenticator or WinAuth from a QR code.

A user's key goes from pending (enrolled, waiting for a first code) to active
(confirmed). Codes are accepted once; after twofa.max_failures consecutive
failures the user is locked for twofa.lockout.

` + groupExitCodesHelp,
		Args: usageArgs(cobra.NoArgs),
		RunE: groupRunE,
	}
	cmd.AddCommand(
		a.newTwoFASwitchCmd(true), a.newTwoFASwitchCmd(false),
		a.newTwoFAStatusCmd(), a.newTwoFAEnrollCmd(), a.newTwoFAConfirmCmd(),
		a.newTwoFAVerifyCmd(), a.newTwoFAResetCmd(), a.newTwoFAUnlockCmd(),
		a.newTwoFAListCmd(), a.newTwoFARecoveryCmd(),
	)
	return cmd
}

func (a *app) policy() twofa.Policy {
	c := a.cfg.TwoFA
	return twofa.Policy{Skew: c.Skew, MaxFailures: c.MaxFailures, Lockout: c.Lockout, PendingTTL: c.PendingTTL}
}

// update opens the store for writing and runs fn in one transaction, so a
// change and its audit record commit together or not at all.
func (a *app) update(fn func(tx *store.Tx) error) error {
	return a.withStore(false, func(st *store.Store) error { return st.Update(fn) })
}

// view opens the store read-only and runs fn over a consistent snapshot.
func (a *app) view(fn func(tx *store.Tx) error) error {
	return a.withStore(true, func(st *store.Store) error { return st.View(fn) })
}

func (a *app) record(tx *store.Tx, ev audit.Event) error {
	_, err := audit.Append(tx, ev)
	return err
}

// --- enable / disable -----------------------------------------------------

type switchResult struct {
	Enabled bool         `json:"enabled"`
	Changed bool         `json:"changed"`
	Users   twofa.Counts `json:"users"`
	Warning string       `json:"warning,omitempty"`
}

func (a *app) newTwoFASwitchCmd(on bool) *cobra.Command {
	var reason string
	var yes bool
	use, short, action := "enable", "Turn two-factor authentication on for the server", actionTwoFAEnable
	long := `Turn the server-level two-factor switch on. Users with an active key are then
asked for a code at login. If no user has an active key yet, cwsec warns:
nobody could complete a login with 2FA until users enroll.`
	if !on {
		use, short, action = "disable", "Turn two-factor authentication off for the server", actionTwoFADisable
		long = `Turn the server-level two-factor switch off. Logins then need only a password.
cwsec asks for confirmation on a terminal; scripts pass --yes.`
	}
	cmd := &cobra.Command{
		Use:     use + " [--reason TEXT]",
		Short:   short,
		Long:    long + "\n\n" + exitCodesHelp,
		Example: fmt.Sprintf("  cwsec 2fa %s --reason \"HIPAA risk assessment 2026\"", use),
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			if !on {
				if err := a.confirm("Turn two-factor authentication off for every user?", yes); err != nil {
					return err
				}
			}
			return a.runSwitch(on, action, reason)
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the audit trail")
	if !on {
		cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	}
	return cmd
}

func (a *app) runSwitch(on bool, action, reason string) error {
	res := switchResult{Enabled: on}
	err := a.update(func(tx *store.Tx) error {
		sw, err := twofa.LoadSwitch(tx)
		if err != nil {
			return err
		}
		if res.Users, err = twofa.CountUsers(tx, a.now()); err != nil {
			return err
		}
		if sw.Enabled == on {
			return nil
		}
		res.Changed = true
		if err := twofa.SaveSwitch(tx, twofa.Switch{Enabled: on, ChangedAt: a.now().UTC()}); err != nil {
			return err
		}
		ev := a.event(action, twofaTarget, audit.OutcomeOK)
		ev.Reason = reason
		return a.record(tx, ev)
	})
	if err != nil {
		return err
	}
	if on && res.Users.Active == 0 {
		res.Warning = "no user has an active key yet: nobody could complete a login with 2FA until users enroll ('cwsec 2fa enroll USER')"
		fmt.Fprintln(a.io.ErrOut, "warning: "+res.Warning)
	}
	return a.emit(res, func(w io.Writer) {
		state := onOff(on)
		if res.Changed {
			fmt.Fprintf(w, "Two-factor authentication is now %s.\n", state)
		} else {
			fmt.Fprintf(w, "Two-factor authentication was already %s; nothing changed.\n", state)
		}
	})
}

// --- status -----------------------------------------------------------------

type twofaSummary struct {
	Enabled   bool         `json:"enabled"`
	ChangedAt *time.Time   `json:"changed_at,omitempty"`
	Users     twofa.Counts `json:"users"`
}

type userStatus struct {
	User              string      `json:"user"`
	State             twofa.State `json:"state"`
	CreatedAt         *time.Time  `json:"created_at,omitempty"`
	ConfirmedAt       *time.Time  `json:"confirmed_at,omitempty"`
	LastUsedAt        *time.Time  `json:"last_used_at,omitempty"`
	PendingExpires    *time.Time  `json:"pending_expires,omitempty"`
	LockedUntil       *time.Time  `json:"locked_until,omitempty"`
	Failures          int         `json:"failures"`
	RecoveryRemaining int         `json:"recovery_codes_remaining"`
}

func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func (a *app) newTwoFAStatusCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "status [USER]",
		Short: "Show whether 2FA is on and users by state, or one user's state",
		Long: `Without USER: whether the server switch is on, and how many users are pending,
active and locked. With USER: that user's state (none, pending, active,
locked), last use, failures and recovery codes left.

` + exitCodesHelp,
		Example:           "  cwsec 2fa status\n  cwsec 2fa status alice -o json",
		Args:              usageArgs(cobra.MaximumNArgs(1)),
		ValidArgsFunction: a.completeUsers(),
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 1 {
				return a.runUserStatus(args[0])
			}
			var s twofaSummary
			if err := a.view(func(tx *store.Tx) (err error) { s, err = a.readTwoFASummary(tx); return err }); err != nil {
				return err
			}
			return a.emit(s, func(w io.Writer) { fmt.Fprintln(w, describeTwoFA(s)) })
		},
	}
}

func (a *app) readTwoFASummary(tx *store.Tx) (twofaSummary, error) {
	sw, err := twofa.LoadSwitch(tx)
	if err != nil {
		return twofaSummary{}, err
	}
	counts, err := twofa.CountUsers(tx, a.now())
	return twofaSummary{Enabled: sw.Enabled, ChangedAt: optionalTime(sw.ChangedAt), Users: counts}, err
}

// The audit actions that turn the 2FA switch.
const (
	actionTwoFAEnable  = "2fa.enable"
	actionTwoFADisable = "2fa.disable"
)

// twofaSwitchProblem compares the 2FA switch with the audit trail's last change of
// it (latest: the newest event of each action, from audit.Verify). The switch
// is sealed, so an edit of the store file cannot turn it; but its record can
// be deleted (which reads as off) or replaced by an older sealed copy. The
// trail, whose records and head carry MACs, remembers the last change.
func twofaSwitchProblem(enabled bool, latest map[string]audit.Event) string {
	on, onFound := latest[actionTwoFAEnable]
	off, offFound := latest[actionTwoFADisable]
	last, found := on, onFound
	if offFound && (!onFound || off.Seq > on.Seq) {
		last, found = off, true
	}
	trailSaysOn := found && last.Action == actionTwoFAEnable
	if trailSaysOn == enabled {
		return ""
	}
	if !found {
		return fmt.Sprintf("the 2FA switch reads %s, but the audit trail records no change of it: the store file was altered", onOff(enabled))
	}
	return fmt.Sprintf("the 2FA switch reads %s, but the audit trail's last change of it (record %d, %s) turned it %s: the switch was removed or replaced in the store file",
		onOff(enabled), last.Seq, utcTime(last.Time), onOff(trailSaysOn))
}

// onOff names the switch's state.
func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

func describeTwoFA(s twofaSummary) string {
	return fmt.Sprintf("%s; users: %d active, %d pending, %d locked", onOff(s.Enabled), s.Users.Active, s.Users.Pending, s.Users.Locked)
}

func (a *app) runUserStatus(name string) error {
	var st userStatus
	err := a.view(func(tx *store.Tx) error {
		u, _, _, err := twofa.LoadUser(tx, name)
		st = a.describeUser(u)
		return err
	})
	if err != nil {
		return err
	}
	return a.emit(st, func(w io.Writer) {
		fmt.Fprintf(w, "%s: %s\n", terminalSafe(st.User), st.State)
		printTime := func(label string, t *time.Time) {
			if t != nil {
				fmt.Fprintf(w, "  %-17s %s\n", label, localTime(*t))
			}
		}
		printTime("enrolled", st.CreatedAt)
		printTime("confirmed", st.ConfirmedAt)
		printTime("last used", st.LastUsedAt)
		printTime("confirm before", st.PendingExpires)
		printTime("locked until", st.LockedUntil)
		if st.State != twofa.StateNone {
			fmt.Fprintf(w, "  %-17s %d\n  %-17s %d\n", "failures", st.Failures, "recovery codes", st.RecoveryRemaining)
		}
	})
}

func (a *app) describeUser(u twofa.User) userStatus {
	s := userStatus{
		User: u.Name, State: u.StateAt(a.now()), CreatedAt: optionalTime(u.CreatedAt),
		ConfirmedAt: optionalTime(u.ConfirmedAt), LastUsedAt: optionalTime(u.LastUsedAt),
		Failures: u.Failures, RecoveryRemaining: twofa.Remaining(u),
	}
	if s.State == twofa.StatePending {
		s.PendingExpires = optionalTime(u.PendingExpires)
	}
	if s.State == twofa.StateLocked {
		s.LockedUntil = optionalTime(u.LockedUntil)
	}
	return s
}
