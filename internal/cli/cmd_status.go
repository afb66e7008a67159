package cli

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cwsec/cwsec/internal/audit"
	"github.com/cwsec/cwsec/internal/certs"
	"github.com/cwsec/cwsec/internal/store"
	"github.com/cwsec/cwsec/internal/twofa"
)

// Verdicts of a monitoring check, worst last.
const (
	verdictOK       = "OK"
	verdictWarning  = "WARNING"
	verdictUnknown  = "UNKNOWN"
	verdictCritical = "CRITICAL"
)

type fileStatus struct {
	Path     string   `json:"path"`
	Size     int64    `json:"size"`
	Mode     string   `json:"mode"`
	Problems []string `json:"problems,omitempty"`
}

type auditStatus struct {
	Length  uint64       `json:"length"`
	Intact  bool         `json:"intact"`
	BadSeq  uint64       `json:"bad_seq,omitempty"`
	Problem string       `json:"problem,omitempty"`
	Last    *audit.Event `json:"last,omitempty"`
	// latest is the newest event of each action status checks state against.
	latest map[string]audit.Event
}

type sectionStatus struct {
	Configured bool   `json:"configured"`
	Summary    string `json:"summary"`
	// Finding is a problem the section adds to the verdict (a WARNING).
	Finding string `json:"finding,omitempty"`
}

func summarizeTwoFA(s twofaSummary) sectionStatus {
	if !s.Enabled && s.Users == (twofa.Counts{}) {
		return sectionStatus{Summary: "not configured"}
	}
	sec := sectionStatus{Configured: true, Summary: describeTwoFA(s)}
	if s.Enabled && s.Users.Active == 0 {
		sec.Finding = "2FA is on but no user has an active key"
	}
	return sec
}

type statusReport struct {
	Verdict   string        `json:"verdict"`
	Findings  []string      `json:"findings"`
	Store     fileStatus    `json:"store"`
	Schema    int           `json:"schema"`
	MasterKey fileStatus    `json:"master_key"`
	Audit     auditStatus   `json:"audit"`
	TLS       tlsStatus     `json:"tls"`
	TwoFA     sectionStatus `json:"twofa"`
}

func (a *app) newStatusCmd() *cobra.Command {
	var check bool
	cmd := &cobra.Command{
		Use:   "status [--check]",
		Short: "Summarise the store, the audit trail, TLS and 2FA",
		Long: `Summarise cwsec's posture: the store (path, size, permissions, schema), the
master key file, the audit trail (length, last event, whether the chain is
intact), and the TLS and 2FA sections.

With --check it is a monitoring check: one verdict, and the exit code a
monitoring system reads. An altered audit trail is CRITICAL; a store or key
file that others can read is a WARNING.

` + checkExitCodesHelp,
		Example: `  cwsec status
  cwsec status --check        # for cron or Nagios
  cwsec status -o json`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error { return a.runStatus(check) },
	}
	cmd.Flags().BoolVar(&check, "check", false, "act as a monitoring check: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN")
	return cmd
}

func (a *app) runStatus(check bool) error {
	r := statusReport{Verdict: verdictOK, Findings: []string{}}
	r.Store = describeFile(a.cfg.Store)
	r.MasterKey = describeFile(a.cfg.MasterKeyFile)
	var switchProblem string
	err := a.withStore(true, func(st *store.Store) error {
		return st.View(func(tx *store.Tx) error {
			var err error
			if r.Schema, err = tx.Schema(); err != nil {
				return err
			}
			if r.Audit, err = readAuditStatus(tx); err != nil {
				return err
			}
			if r.TLS, err = a.readTLSStatus(tx); err != nil {
				return err
			}
			twofaState, err := a.readTwoFASummary(tx)
			r.TwoFA = summarizeTwoFA(twofaState)
			if r.Audit.Intact { // a broken trail is CRITICAL already, and says nothing
				switchProblem = twofaSwitchProblem(twofaState.Enabled, r.Audit.latest)
			}
			return err
		})
	})
	if err != nil {
		return err
	}
	r.judge(check)
	if switchProblem != "" {
		r.raise(verdictCritical, switchProblem)
	}
	if check {
		if err := a.foldCertChecks(&r); err != nil {
			return err
		}
		a.exitCode = verdictExitCode(r.Verdict)
	}
	return a.emit(r, func(w io.Writer) { a.printStatus(w, r, check) })
}

// foldCertChecks runs what `cert check` runs with no targets (the installed
// certificate and tls.endpoints) and folds each verdict into the report, so
// that one monitoring check covers TLS, 2FA and the audit trail.
func (a *app) foldCertChecks(r *statusReport) error {
	opts, err := a.checkOptions(defaultCheckFlags())
	if err != nil {
		return err
	}
	todo, bad, err := a.defaultTargets("")
	if err != nil {
		return err
	}
	for _, res := range append(a.runChecks(todo, opts, defaultCheckFlags().concurrency), bad...) {
		if res.Status == certs.SeverityOK {
			continue
		}
		r.raise(strings.ToUpper(res.Status.String()), targetLabel(res)+": "+targetSummary(res))
	}
	return nil
}

func readAuditStatus(tx *store.Tx) (auditStatus, error) {
	rep, err := audit.Verify(tx, actionTwoFAEnable, actionTwoFADisable)
	if err != nil {
		return auditStatus{}, err
	}
	s := auditStatus{Length: rep.Length, Intact: rep.Intact, BadSeq: rep.BadSeq, Problem: rep.Problem, latest: rep.Latest}
	last, ok, err := audit.Last(tx)
	if err != nil {
		return auditStatus{}, err
	}
	if ok {
		s.Last = &last
	}
	return s, nil
}

// judge folds the sections into one verdict, the worst finding winning. A
// check (status --check) leaves the active certificate's expiry to the
// certificate check it folds in, which reports it with the rest of that
// certificate's verdict.
func (r *statusReport) judge(check bool) {
	raise := r.raise
	if !r.Audit.Intact {
		raise(verdictCritical, fmt.Sprintf("audit trail broken at record %d: %s", r.Audit.BadSeq, r.Audit.Problem))
	}
	for _, f := range r.TLS.findings {
		if !(check && f.expiry) {
			raise(f.verdict, f.text)
		}
	}
	if r.TwoFA.Finding != "" {
		raise(verdictWarning, r.TwoFA.Finding)
	}
	for _, f := range []fileStatus{r.Store, r.MasterKey} {
		for _, p := range f.Problems {
			raise(verdictWarning, p)
		}
	}
}

// verdictRank orders verdicts as monitoring does: CRITICAL > UNKNOWN >
// WARNING > OK.
func (r *statusReport) raise(verdict, finding string) {
	r.Findings = append(r.Findings, finding)
	if verdictRank(verdict) > verdictRank(r.Verdict) {
		r.Verdict = verdict
	}
}

func verdictRank(v string) int {
	return map[string]int{verdictOK: 0, verdictWarning: 1, verdictUnknown: 2, verdictCritical: 3}[v]
}

func verdictExitCode(v string) int {
	return map[string]int{verdictOK: ExitOK, verdictWarning: ExitFailed, verdictUnknown: ExitUnknown, verdictCritical: ExitCritical}[v]
}

// describeFile reports a file's size and mode, and flags permissions that let
// other accounts read it: the store and the master key are for one account.
func describeFile(path string) fileStatus {
	s := fileStatus{Path: path}
	info, err := os.Stat(path)
	if err != nil {
		s.Problems = append(s.Problems, err.Error())
		return s
	}
	s.Size, s.Mode = info.Size(), info.Mode().Perm().String()
	if runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 {
		s.Problems = append(s.Problems, fmt.Sprintf("%s is accessible to other accounts (%s); run: chmod 600 %s", path, s.Mode, path))
	}
	return s
}

func (a *app) printStatus(w io.Writer, r statusReport, check bool) {
	if check {
		fmt.Fprintf(w, "CWSEC %s", r.Verdict)
		if len(r.Findings) > 0 {
			fmt.Fprintf(w, " - %s", strings.Join(r.Findings, "; "))
		}
		fmt.Fprintln(w)
		return
	}
	fmt.Fprintf(w, "%-12s %s (%s, %s, schema %d)\n", "Store", r.Store.Path, humanSize(r.Store.Size), r.Store.Mode, r.Schema)
	fmt.Fprintf(w, "%-12s %s (%s)\n", "Master key", r.MasterKey.Path, r.MasterKey.Mode)
	fmt.Fprintf(w, "%-12s %s\n", "Audit trail", a.describeAudit(r.Audit))
	fmt.Fprintf(w, "%-12s %s\n", "TLS", r.TLS.Summary)
	fmt.Fprintf(w, "%-12s %s\n", "2FA", r.TwoFA.Summary)
	for _, f := range r.Findings {
		fmt.Fprintf(w, "%s %s\n", a.io.paint(ansiYellow, "!"), f)
	}
}

func (a *app) describeAudit(s auditStatus) string {
	events := fmt.Sprintf("%d event", s.Length)
	if s.Length != 1 {
		events += "s"
	}
	integrity := a.io.paint(ansiGreen, "chain intact")
	if !s.Intact {
		integrity = a.io.paint(ansiRed, fmt.Sprintf("BROKEN at record %d", s.BadSeq))
	}
	text := events + ", " + integrity
	if s.Last != nil {
		text += fmt.Sprintf("; last: %s %s by %s", localTime(s.Last.Time), s.Last.Action, s.Last.Actor.User)
	}
	return text
}

// localTime shows a time for people: the machine's zone, to the second.
func localTime(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05 MST") }

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
