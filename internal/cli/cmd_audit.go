package cli

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cwsec/cwsec/internal/audit"
	"github.com/cwsec/cwsec/internal/store"
)

func (a *app) newAuditCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Read, verify, checkpoint and export the audit trail",
		Long: `The audit trail records every change of state and every 2FA verification
attempt, in the same store transaction as the change: who (OS account, sudo
account, host), when, what, on what, with what outcome and why. Never a
secret, key or code.

Each record carries an HMAC-SHA256, keyed from the master key, over its content
and the previous record's MAC, so that a record changed, removed, inserted or
moved is found by 'cwsec audit verify'. A checkpoint kept off the machine
('cwsec audit checkpoint') also proves that the trail was not cut short.

` + groupExitCodesHelp,
		Args: usageArgs(cobra.NoArgs),
		RunE: groupRunE,
	}
	cmd.AddCommand(a.newAuditLogCmd(), a.newAuditVerifyCmd(), a.newAuditCheckpointCmd(), a.newAuditExportCmd())
	return cmd
}

// auditFilterFlags are the selection flags of log and export.
type auditFilterFlags struct {
	since, until string
	actions      []string
	user, target string
}

func (f *auditFilterFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.since, "since", "", "events at or after `T`: RFC 3339, a date (2026-12-01) or a duration before now (24h, 7d)")
	fs.StringVar(&f.until, "until", "", "events at or before `T`, as for --since")
	fs.StringSliceVar(&f.actions, "action", nil, "events with this `ACTION` (2fa.reset) or family (2fa); repeatable")
	fs.StringVar(&f.user, "user", "", "events by the OS account `USER`, directly or through sudo")
	fs.StringVar(&f.target, "target", "", "events about `TARGET` (a 2FA user, a certificate ID, a file)")
}

func (f auditFilterFlags) filter(now time.Time) (audit.Filter, error) {
	out := audit.Filter{Actions: f.actions, User: f.user, Target: f.target}
	var err error
	if f.since != "" {
		if out.Since, err = parseWhen("--since", f.since, now); err != nil {
			return out, err
		}
	}
	if f.until != "" {
		if out.Until, err = parseWhen("--until", f.until, now); err != nil {
			return out, err
		}
	}
	return out, nil
}

// parseWhen reads a --since or --until value: an RFC 3339 time, a date
// (midnight, local time), or a duration before now with d for days.
func parseWhen(flag, s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, time.Local); err == nil {
		return t, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 {
			return now.Add(-time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, &usageError{err: fmt.Errorf("%s %q: want an RFC 3339 time (2026-12-01T08:00:00Z), a date (2026-12-01) or a duration before now (90m, 24h, 7d)", flag, s)}
}

type auditLog struct {
	Events []audit.Event `json:"events"`
}

func (a *app) newAuditLogCmd() *cobra.Command {
	var f auditFilterFlags
	var limit int
	cmd := &cobra.Command{
		Use:   "log [--since T] [--until T] [--action A] [--user U] [--target T] [--limit N]",
		Short: "Show audit events, newest last",
		Long: `Show the audit events that match every given filter, oldest first and newest
last, so that the end of the output is the latest. Times are local in text and
UTC in JSON. --limit N shows only the newest N matches; reading the end of a
long trail stays fast.

--action takes an action (2fa.reset) or a family (2fa: every 2fa.* action).
--user is the OS account that acted, whether directly or through sudo.

The events are shown as stored; 'cwsec audit verify' proves them unaltered.

` + exitCodesHelp,
		Example: `  cwsec audit log --limit 20
  cwsec audit log --since 24h --action 2fa
  cwsec audit log --since 2026-12-01 --until 2026-12-02 --user alice -o json`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			if limit < 0 {
				return &usageError{err: fmt.Errorf("--limit %d: want 0 (no limit) or more", limit)}
			}
			filter, err := f.filter(a.now())
			if err != nil {
				return err
			}
			res := auditLog{Events: []audit.Event{}}
			err = a.view(func(tx *store.Tx) error {
				events, err := audit.Tail(tx, filter, limit)
				res.Events = append(res.Events, events...)
				return err
			})
			if err != nil {
				return auditReadError(err)
			}
			return a.emit(res, func(w io.Writer) {
				if len(res.Events) == 0 {
					fmt.Fprintln(w, "No events.")
				}
				for _, ev := range res.Events {
					writeEvent(w, ev)
				}
			})
		},
	}
	f.register(cmd.Flags())
	cmd.Flags().IntVarP(&limit, "limit", "n", 0, "show only the newest `N` matching events (0: all)")
	return cmd
}

// auditReadError says what to do when a record cannot be read at all.
func auditReadError(err error) error {
	if errors.Is(err, audit.ErrUnreadable) {
		return &exitError{code: ExitUnknown, err: err, hint: "run 'cwsec audit verify' to see what was changed"}
	}
	return err
}

// writeEvent prints one event on a line: when, number, what, outcome, on
// what, by whom, why, and the details.
func writeEvent(w io.Writer, ev audit.Event) {
	fmt.Fprintf(w, "%s  %d  %s  %s", localTime(ev.Time), ev.Seq, auditText(ev.Action), auditText(ev.Outcome))
	if ev.Target != "" {
		fmt.Fprintf(w, "  %s", auditText(ev.Target))
	}
	fmt.Fprintf(w, "  by %s", auditText(ev.Actor.User))
	if ev.Actor.SudoUser != "" {
		fmt.Fprintf(w, " (sudo from %s)", auditText(ev.Actor.SudoUser))
	}
	fmt.Fprintf(w, " on %s", auditText(ev.Actor.Host))
	if ev.Reason != "" {
		fmt.Fprintf(w, "  reason: %s", strconv.QuoteToGraphic(ev.Reason))
	}
	for _, k := range slices.Sorted(maps.Keys(ev.Details)) {
		fmt.Fprintf(w, "  %s=%s", auditText(k), auditText(ev.Details[k]))
	}
	fmt.Fprintln(w)
}

// auditText shows text from the trail as itself unless it holds spaces,
// control characters or invalid UTF-8, which are quoted: a hostile value must
// neither reach the terminal as an escape sequence nor pass for two fields.
func auditText(s string) string {
	if q := strconv.QuoteToGraphic(s); q != `"`+s+`"` || strings.ContainsRune(s, ' ') {
		return q
	}
	return s
}
