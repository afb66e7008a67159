package cli

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/cwsec/cwsec/internal/audit"
	"github.com/cwsec/cwsec/internal/store"
	"github.com/cwsec/cwsec/internal/twofa"
)

// codeResult is the reply to confirm and verify: whether the code was
// accepted, and why not, or which time step matched.
type codeResult struct {
	User string `json:"user"`
	twofa.Outcome
	Drift string      `json:"drift,omitempty"`
	State twofa.State `json:"state"`
}

func (a *app) newTwoFAConfirmCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "confirm USER [CODE|-]",
		Short: "Activate a pending key with a code from the user's app",
		Long: `Activate USER's pending key with the 6-digit code their app shows. The code
comes from the argument, from stdin with "-" or when stdin is not a terminal,
or from a prompt.

` + exitCodesHelp,
		Example:           "  cwsec 2fa confirm alice 492039\n  echo 492039 | cwsec 2fa confirm alice -",
		Args:              usageArgs(cobra.RangeArgs(1, 2)),
		ValidArgsFunction: a.completeUsers(twofa.StatePending),
		RunE: func(_ *cobra.Command, args []string) error {
			code, err := a.codeArgument(args[1:], "Code from the app: ")
			if err != nil {
				return err
			}
			return a.runCode(args[0], code, "2fa.confirm", twofa.Confirm, false)
		},
	}
}

func (a *app) newTwoFAVerifyCmd() *cobra.Command {
	var verbose bool
	cmd := &cobra.Command{
		Use:   "verify USER [CODE|-]",
		Short: "Check a user's code: exit 0 accepted, 1 rejected, 3 could not decide",
		Long: `Check a 6-digit code, or one of the user's recovery codes, for USER. For login
scripts and integrations: the exit code is the answer.

A code is accepted within twofa.skew time steps of now, and never twice: once
a code is accepted, it and every earlier code are refused. After
twofa.max_failures consecutive failures the user is locked for twofa.lockout,
even against correct codes. Every attempt is recorded in the audit trail
(never the code). If the store cannot be opened in time, verify fails closed
with exit 3.

With -v (or -o json) the reply says which time step matched ("the device's
clock is about 30 s behind") or why the code was refused: wrong, reused,
locked, pending, expired, not_enrolled or malformed.

EXIT CODES
  0   accepted
  1   rejected
  3   could not decide: store locked or unreadable, wrong master key
  64  usage error`,
		Example: `  cwsec 2fa verify alice 492039
  printf '%s\n' "$CODE" | cwsec 2fa verify alice - -o json`,
		Args:              usageArgs(cobra.RangeArgs(1, 2)),
		ValidArgsFunction: a.completeUsers(),
		RunE: func(_ *cobra.Command, args []string) error {
			code, err := a.codeArgument(args[1:], "Code: ")
			if err != nil {
				return err
			}
			return a.runCode(args[0], code, "2fa.verify", twofa.Verify, verbose)
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "say which time step matched, or why the code was refused")
	return cmd
}

type codeCheck func(u twofa.User, secret []byte, code string, now time.Time, p twofa.Policy) (twofa.User, twofa.Outcome)

// runCode checks a code against the stored key and records the attempt and
// the user's new counters in one transaction.
func (a *app) runCode(name, code, action string, check codeCheck, verbose bool) error {
	var res codeResult
	err := a.update(func(tx *store.Tx) error {
		u, secret, found, err := twofa.LoadUser(tx, name)
		if err != nil {
			return err
		}
		updated, out := check(u, secret, code, a.now(), a.policy())
		if found {
			if err := twofa.SaveUser(tx, updated, secret); err != nil {
				return err
			}
		}
		res = codeResult{User: name, Outcome: out, State: updated.StateAt(a.now())}
		if out.Accepted && out.Method == twofa.MethodTOTP {
			res.Drift = twofa.DriftDescription(out.Offset)
		}
		return a.record(tx, codeEvent(a.event(action, name, ""), out))
	})
	if err != nil {
		return err
	}
	a.exitCode = codeExitCode(res.Outcome)
	return a.emit(res, func(w io.Writer) { printCodeResult(w, res, action, verbose) })
}

func codeEvent(ev audit.Event, out twofa.Outcome) audit.Event {
	ev.Outcome = audit.OutcomeRejected
	if out.Accepted {
		ev.Outcome = audit.OutcomeAccepted
	}
	ev.Reason = string(out.Reason)
	ev.Details = map[string]string{"failures": strconv.Itoa(out.Failures)}
	if out.Method != "" {
		ev.Details["method"] = string(out.Method)
	}
	if out.Accepted && out.Method == twofa.MethodTOTP {
		ev.Details["offset"] = strconv.Itoa(out.Offset)
	}
	if !out.LockedUntil.IsZero() {
		ev.Details["locked_until"] = out.LockedUntil.UTC().Format(time.RFC3339)
	}
	return ev
}

// codeExitCode: a refused code is 1; a key that cannot be used is a store
// problem the caller cannot fix by retyping, so 3.
func codeExitCode(out twofa.Outcome) int {
	switch {
	case out.Accepted:
		return ExitOK
	case out.Reason == twofa.ReasonInvalidKey:
		return ExitUnknown
	}
	return ExitFailed
}

func printCodeResult(w io.Writer, res codeResult, action string, verbose bool) {
	if res.Accepted {
		if action == "2fa.confirm" {
			fmt.Fprintf(w, "Accepted: %s's key is now active.\n", res.User)
		} else {
			fmt.Fprintln(w, "accepted")
		}
		if verbose || action == "2fa.confirm" {
			if res.Method == twofa.MethodRecovery {
				fmt.Fprintf(w, "  a recovery code was used; %d left\n", res.RecoveryRemaining)
			} else {
				fmt.Fprintf(w, "  matched time step %d (%+d): %s\n", res.Step, res.Offset, res.Drift)
			}
		}
		return
	}
	fmt.Fprintf(w, "rejected: %s\n", res.Reason)
	if verbose || action == "2fa.confirm" {
		if res.Detail != "" {
			fmt.Fprintf(w, "  %s\n", res.Detail)
		}
	}
}
