package cli

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/cwsec/cwsec/internal/certs"
	"github.com/cwsec/cwsec/internal/fileio"
	"github.com/cwsec/cwsec/internal/store"
)

type checkFlags struct {
	installed   bool
	connect     []string
	targetsFile string
	serverName  string
	warnDays    int
	critDays    int
	roots       string
	concurrency int
	timeout     time.Duration
	policy      string
	at          string
	nagios      bool
	prometheus  string
	verbose     bool
}

// checkReport is the JSON document of `cert check`: documented in
// docs/monitoring.md; fields are added, never renamed.
type checkReport struct {
	Status    certs.Severity       `json:"status"`
	ExitCode  int                  `json:"exit_code"`
	CheckedAt time.Time            `json:"checked_at"`
	Policy    string               `json:"policy"`
	Targets   []certs.TargetResult `json:"targets"`
}

// maxTargetsFile bounds a targets file: a line per endpoint, 1 MiB is plenty.
const maxTargetsFile = 1 << 20

// defaultCheckFlags are the flag defaults, for checks run from elsewhere
// (status --check).
func defaultCheckFlags() checkFlags {
	return checkFlags{concurrency: 32, timeout: 10 * time.Second, policy: "nist"}
}

func (a *app) newCertCheckCmd() *cobra.Command {
	f := defaultCheckFlags()
	cmd := &cobra.Command{
		Use:   "check [FILE...] [--installed] [--connect HOST[:PORT]]... [--targets FILE]",
		Short: "Check certificates and live TLS endpoints, as a monitoring plugin",
		Long: `Judge certificate files, the installed certificate and live TLS endpoints with
the same policy 'cert install' applies, and report in the forms monitoring
reads. With no targets it checks the installed certificate and tls.endpoints.

For each endpoint cwsec connects (SNI from --server-name, else the host name),
reads the served chain (complete, in order, no extra root), checks trust and
names, probes TLS 1.0, 1.1, 1.2 and 1.3 one by one and every TLS 1.2 cipher
suite it can offer, and notes OCSP stapling. With --policy nist (the default)
TLS 1.0 or 1.1 accepted is CRITICAL, no TLS 1.3 a WARNING, a suite outside
NIST SP 800-52r2 a WARNING, and RC4, 3DES, NULL or export suites CRITICAL.
With --policy none only the served certificate and chain are judged, from one
handshake per endpoint, without the protocol and suite probes.

Expiry: WARNING when less than --warn-days (tls.warn_days, 30) or a third of
the lifetime is left, whichever is shorter; CRITICAL below --crit-days
(tls.crit_days, 7) or a tenth of the lifetime, or expired. --at judges as of
another time ("will this still be valid on the 1st?").

A target that cannot be judged (unreachable, not TLS, not a certificate) is
UNKNOWN with its reason; the others are still checked. The worst result wins:
CRITICAL > UNKNOWN > WARNING > OK.

A targets file has one target per line: HOST[:PORT] [SERVER_NAME], or
file:PATH; blank lines and lines starting with # are ignored.

Outputs: one line per target (details with -v); --nagios, one plugin line
with performance data; -o json, one document (docs/monitoring.md);
--prometheus FILE, metrics for node_exporter's textfile collector, written
atomically.

` + checkExitCodesHelp,
		Example: `  cwsec cert check                                  # installed certificate + tls.endpoints
  cwsec cert check --connect careware.example.org
  cwsec cert check --connect 10.0.0.5:443 --server-name careware.example.org -v
  cwsec cert check --targets /etc/cwsec/targets --nagios
  cwsec cert check --installed --at 2027-01-01T00:00:00Z
  cwsec cert check --prometheus /var/lib/node_exporter/textfile/cwsec.prom`,
		Annotations: map[string]string{annotationCheck: ""},
		Args:        usageArgs(cobra.ArbitraryArgs),
		RunE: func(_ *cobra.Command, args []string) error {
			return a.runCertCheck(args, f)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.installed, "installed", false, "check the installed (active) certificate")
	fl.StringArrayVar(&f.connect, "connect", nil, "check a live endpoint, HOST[:PORT] (port 443 by default; IPv6 in brackets); repeatable")
	fl.StringVar(&f.targetsFile, "targets", "", "read targets from FILE, one per line")
	fl.StringVar(&f.serverName, "server-name", "", "SNI to send and name the certificates must cover")
	fl.IntVar(&f.warnDays, "warn-days", 0, "WARNING below this many days left (default tls.warn_days)")
	fl.IntVar(&f.critDays, "crit-days", 0, "CRITICAL below this many days left (default tls.crit_days)")
	fl.StringVar(&f.roots, "roots", "", "extra trust anchors (PEM), e.g. a private CA's root")
	fl.IntVar(&f.concurrency, "concurrency", f.concurrency, "how many targets to check at once")
	fl.DurationVar(&f.timeout, "timeout", f.timeout, "time limit for each connection")
	fl.StringVar(&f.policy, "policy", f.policy, "endpoint protocol policy: nist or none")
	fl.StringVar(&f.at, "at", "", "judge validity as of this time (RFC 3339)")
	fl.BoolVar(&f.nagios, "nagios", false, "print one Nagios plugin line with performance data")
	fl.StringVar(&f.prometheus, "prometheus", "", "also write Prometheus textfile-collector metrics to FILE")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "show every finding with what to do")
	_ = cmd.RegisterFlagCompletionFunc("policy", cobra.FixedCompletions([]string{"nist", "none"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func (a *app) runCertCheck(files []string, f checkFlags) error {
	opts, err := a.checkOptions(f)
	if err != nil {
		return err
	}
	targets, bad, err := a.checkTargets(files, f)
	if err != nil {
		return err
	}
	results := a.runChecks(targets, opts, f.concurrency)
	results = append(results, bad...)
	if len(results) == 0 {
		results = []certs.TargetResult{certs.Unknown(certs.Target{Kind: certs.TargetInstalled, Name: "installed"}, certs.CodeNothingToDo,
			"nothing to check: no certificate is installed and tls.endpoints is empty",
			"name targets (FILE, --connect, --targets), install a certificate, or set tls.endpoints")}
	}
	rep := checkReport{Status: worstStatus(results), CheckedAt: opts.Now.UTC(), Policy: f.policy, Targets: results}
	rep.ExitCode = statusExitCode(rep.Status)
	a.exitCode = rep.ExitCode
	if f.prometheus != "" {
		if err := fileio.Replace(f.prometheus, prometheusMetrics(rep), 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", f.prometheus, err)
		}
	}
	if f.nagios && a.cfg.Output != "json" {
		fmt.Fprintln(a.io.Out, nagiosLine(rep))
		return nil
	}
	return a.emit(rep, func(w io.Writer) { a.printCheck(w, rep, f.verbose) })
}

func (a *app) checkOptions(f checkFlags) (certs.CheckOptions, error) {
	if f.policy != "nist" && f.policy != "none" {
		return certs.CheckOptions{}, &usageError{err: fmt.Errorf("--policy must be nist or none, not %q", f.policy)}
	}
	if f.concurrency < 1 || f.concurrency > 256 {
		return certs.CheckOptions{}, &usageError{err: fmt.Errorf("--concurrency must be between 1 and 256")}
	}
	if f.timeout <= 0 {
		return certs.CheckOptions{}, &usageError{err: fmt.Errorf("--timeout must be positive")}
	}
	now := a.now()
	if f.at != "" {
		at, err := time.Parse(time.RFC3339, f.at)
		if err != nil {
			return certs.CheckOptions{}, &usageError{err: fmt.Errorf("--at %q: want an RFC 3339 time such as 2027-01-01T00:00:00Z", f.at)}
		}
		now = at
	}
	anchors, err := a.trustAnchors(f.roots)
	if err != nil {
		return certs.CheckOptions{}, err
	}
	opts := certs.CheckOptions{Now: now, Trust: anchors, Timeout: f.timeout, NISTPolicy: f.policy == "nist",
		WarnDays: firstPositive(f.warnDays, a.cfg.TLS.WarnDays), CritDays: firstPositive(f.critDays, a.cfg.TLS.CritDays)}
	return opts, nil
}

func firstPositive(values ...int) int {
	for _, v := range values {
		if v > 0 {
			return v
		}
	}
	return 0
}

// pendingCheck is a target with what it needs to be checked.
type pendingCheck struct {
	target certs.Target
	run    func(ctx context.Context, opts certs.CheckOptions) certs.TargetResult
}

// checkTargets lists the targets in input order: files, the installed
// certificate, --connect endpoints, then the targets file. Malformed
// targets-file lines become UNKNOWN results of their own.
func (a *app) checkTargets(files []string, f checkFlags) ([]pendingCheck, []certs.TargetResult, error) {
	var todo []pendingCheck
	var bad []certs.TargetResult
	for _, path := range files {
		todo = append(todo, a.fileCheck(path, f.serverName))
	}
	if f.installed {
		todo = append(todo, a.installedCheck(f.serverName))
	}
	for _, c := range f.connect {
		addr, err := certs.ParseEndpoint(c)
		if err != nil {
			return nil, nil, &usageError{err: fmt.Errorf("--connect %v", err)}
		}
		todo = append(todo, endpointCheck(certs.Target{Kind: certs.TargetEndpoint, Name: addr, ServerName: f.serverName}))
	}
	if f.targetsFile != "" {
		more, malformed, err := a.readTargetsFile(f.targetsFile, f.serverName)
		if err != nil {
			return nil, nil, err
		}
		todo, bad = append(todo, more...), malformed
	}
	if len(todo) == 0 && len(bad) == 0 {
		return a.defaultTargets(f.serverName)
	}
	return todo, bad, nil
}

// defaultTargets: the installed certificate, if any, and tls.endpoints.
func (a *app) defaultTargets(serverName string) ([]pendingCheck, []certs.TargetResult, error) {
	var todo []pendingCheck
	var bad []certs.TargetResult
	hasActive := false
	err := a.view(func(tx *store.Tx) error {
		_, found, err := certs.RecordInState(tx, certs.StateActive)
		hasActive = found
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if hasActive {
		todo = append(todo, a.installedCheck(serverName))
	}
	for _, e := range a.cfg.TLS.Endpoints {
		addr, err := certs.ParseEndpoint(e)
		if err != nil {
			bad = append(bad, certs.Unknown(certs.Target{Kind: certs.TargetEndpoint, Name: e}, certs.CodeBadTargetLine,
				"tls.endpoints: "+err.Error(), "fix tls.endpoints in the config file"))
			continue
		}
		todo = append(todo, endpointCheck(certs.Target{Kind: certs.TargetEndpoint, Name: addr, ServerName: serverName}))
	}
	return todo, bad, nil
}

func (a *app) readTargetsFile(path, serverName string) ([]pendingCheck, []certs.TargetResult, error) {
	data, err := fileio.ReadRegular(path, maxTargetsFile)
	if err != nil {
		return nil, nil, failf("give a text file with one target per line", "--targets: %v", err)
	}
	var todo []pendingCheck
	var bad []certs.TargetResult
	for i, line := range strings.Split(string(data), "\n") {
		t, ok, err := certs.ParseTargetLine(line)
		switch {
		case err != nil:
			bad = append(bad, certs.Unknown(certs.Target{Kind: certs.TargetEndpoint, Name: fmt.Sprintf("%s:%d", path, i+1)},
				certs.CodeBadTargetLine, err.Error(), "one target per line: HOST[:PORT] [SERVER_NAME] or file:PATH"))
		case !ok:
		case t.Kind == certs.TargetFile:
			todo = append(todo, a.fileCheck(resolveFrom(path, t.Name), serverName))
		default:
			if t.ServerName == "" {
				t.ServerName = serverName
			}
			todo = append(todo, endpointCheck(t))
		}
	}
	return todo, bad, nil
}

func (a *app) fileCheck(path, serverName string) pendingCheck {
	t := certs.Target{Kind: certs.TargetFile, Name: path, ServerName: serverName}
	return pendingCheck{target: t, run: func(_ context.Context, opts certs.CheckOptions) certs.TargetResult {
		data, err := a.readInput(path)
		if err != nil {
			return certs.Unknown(t, certs.CodeUnreadable, err.Error(), "give a certificate file (PEM or DER)")
		}
		return certs.CheckFile(t, data, opts)
	}}
}

func endpointCheck(t certs.Target) pendingCheck {
	return pendingCheck{target: t, run: func(ctx context.Context, opts certs.CheckOptions) certs.TargetResult {
		return certs.CheckEndpoint(ctx, t, opts)
	}}
}

// installedCheck judges the active certificate with its stored chain and the
// names its request and tls.server_names require.
func (a *app) installedCheck(serverName string) pendingCheck {
	t := certs.Target{Kind: certs.TargetInstalled, Name: "installed", ServerName: serverName}
	return pendingCheck{target: t, run: func(_ context.Context, opts certs.CheckOptions) certs.TargetResult {
		var rec certs.Record
		var found bool
		err := a.view(func(tx *store.Tx) (err error) {
			rec, found, err = certs.RecordInState(tx, certs.StateActive)
			return err
		})
		if err != nil {
			return certs.Unknown(t, certs.CodeUnreadable, err.Error(), classify(err, true).hint)
		}
		if !found {
			return certs.Unknown(t, certs.CodeNothingToDo, "no certificate is installed", "install one with 'cwsec cert install'")
		}
		leaf, err := rec.Leaf()
		var chain []*x509.Certificate
		if err == nil {
			chain, err = rec.Intermediates()
		}
		if err != nil {
			return certs.Unknown(t, certs.CodeUnreadable, err.Error(), "")
		}
		t.Name = "installed " + rec.ID
		opts.Names = append(opts.Names, a.requiredNames(&rec)...)
		return certs.CheckCertificate(t, leaf, chain, opts)
	}}
}

// runChecks checks targets concurrently and returns the results in input
// order, drawing progress on a terminal when there are many.
func (a *app) runChecks(todo []pendingCheck, opts certs.CheckOptions, concurrency int) []certs.TargetResult {
	results := make([]certs.TargetResult, len(todo))
	progress := a.progress("Checking", len(todo))
	if len(todo) < 5 {
		progress.on = false
	}
	var mu sync.Mutex
	done := 0
	ctx := context.Background()
	var checks errgroup.Group
	checks.SetLimit(concurrency)
	for i, c := range todo {
		checks.Go(func() error {
			results[i] = c.run(ctx, opts)
			mu.Lock()
			done++
			progress.set(done)
			mu.Unlock()
			return nil
		})
	}
	_ = checks.Wait() // every check reports through its result
	progress.done()
	return results
}

func worstStatus(results []certs.TargetResult) certs.Severity {
	w := certs.SeverityOK
	for _, r := range results {
		w = max(w, r.Status)
	}
	return w
}

func statusExitCode(s certs.Severity) int {
	switch s {
	case certs.SeverityOK:
		return ExitOK
	case certs.SeverityWarning:
		return ExitFailed
	case certs.SeverityCritical:
		return ExitCritical
	}
	return ExitUnknown
}

func (a *app) printCheck(w io.Writer, rep checkReport, verbose bool) {
	for _, r := range rep.Targets {
		fmt.Fprintf(w, "%-8s %s: %s\n", strings.ToUpper(r.Status.String()), targetLabel(r), targetSummary(r))
		if !verbose {
			continue
		}
		for _, f := range r.Findings {
			fmt.Fprintf(w, "    %-8s %s\n", f.Severity, f.Message)
			if f.Hint != "" && f.Severity != certs.SeverityOK {
				fmt.Fprintf(w, "             what to do: %s\n", f.Hint)
			}
		}
	}
	fmt.Fprintf(w, "Overall: %s\n", strings.ToUpper(rep.Status.String()))
}

func targetLabel(r certs.TargetResult) string {
	if r.ServerName != "" && r.Kind == certs.TargetEndpoint && !strings.HasPrefix(r.Name, r.ServerName+":") {
		return r.Name + " (" + r.ServerName + ")"
	}
	return r.Name
}

// targetSummary is the one line for a target: the worst problems, or the
// days left when all is well.
func targetSummary(r certs.TargetResult) string {
	var worst []string
	for _, f := range r.Findings {
		if f.Severity == r.Status && f.Severity != certs.SeverityOK {
			worst = append(worst, f.Message)
		}
	}
	if len(worst) > 0 {
		return strings.Join(worst, "; ")
	}
	if r.DaysLeft != nil {
		return fmt.Sprintf("%d days left (until %s)", *r.DaysLeft, r.NotAfter.Format("2006-01-02"))
	}
	return "ok"
}

// nagiosLine is one plugin line: status, summary, and per target the days
// left with the warning and critical thresholds (alert below them).
func nagiosLine(rep checkReport) string {
	counts := map[certs.Severity]int{}
	var problems, perf []string
	for _, r := range rep.Targets {
		counts[r.Status]++
		if r.Status != certs.SeverityOK {
			problems = append(problems, targetLabel(r)+": "+targetSummary(r))
		}
		if r.DaysLeft != nil {
			perf = append(perf, fmt.Sprintf("'%s'=%d;%.0f:;%.0f:", strings.ReplaceAll(targetLabel(r), "'", ""), *r.DaysLeft, *r.WarnDays, *r.CritDays))
		}
	}
	summary := fmt.Sprintf("%d target(s): %d critical, %d unknown, %d warning, %d ok", len(rep.Targets),
		counts[certs.SeverityCritical], counts[certs.SeverityUnknown], counts[certs.SeverityWarning], counts[certs.SeverityOK])
	if len(problems) > 0 {
		summary += "; " + strings.Join(problems, "; ")
	}
	line := "CWSEC CERT " + strings.ToUpper(rep.Status.String()) + " - " + strings.ReplaceAll(summary, "|", "/")
	if len(perf) > 0 {
		line += " | " + strings.Join(perf, " ")
	}
	return line
}

// prometheusMetrics renders the textfile-collector format.
func prometheusMetrics(rep checkReport) []byte {
	var b strings.Builder
	metric := func(name, help string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name)
	}
	label := func(r certs.TargetResult) string {
		return fmt.Sprintf(`target="%s",kind="%s"`, promEscape(targetLabel(r)), r.Kind)
	}
	metric("cwsec_cert_check_status", "Verdict per target: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.")
	for _, r := range rep.Targets {
		fmt.Fprintf(&b, "cwsec_cert_check_status{%s} %d\n", label(r), statusExitCode(r.Status))
	}
	metric("cwsec_cert_not_after_timestamp_seconds", "The certificate's notAfter as a Unix time.")
	for _, r := range rep.Targets {
		if r.NotAfter != nil {
			fmt.Fprintf(&b, "cwsec_cert_not_after_timestamp_seconds{%s} %d\n", label(r), r.NotAfter.Unix())
		}
	}
	metric("cwsec_cert_days_left", "Whole days until the certificate expires (negative once expired).")
	for _, r := range rep.Targets {
		if r.DaysLeft != nil {
			fmt.Fprintf(&b, "cwsec_cert_days_left{%s} %d\n", label(r), *r.DaysLeft)
		}
	}
	metric("cwsec_tls_protocol_enabled", "1 when the endpoint completes a handshake at that protocol version.")
	for _, r := range rep.Targets {
		if r.Scan == nil {
			continue
		}
		for _, p := range r.Scan.Protocols {
			fmt.Fprintf(&b, "cwsec_tls_protocol_enabled{%s,version=\"%s\"} %d\n", label(r), p.Version, boolInt(p.Offered))
		}
	}
	metric("cwsec_cert_check_timestamp_seconds", "When the check ran.")
	fmt.Fprintf(&b, "cwsec_cert_check_timestamp_seconds %d\n", rep.CheckedAt.Unix())
	return []byte(b.String())
}

// promEscape escapes a label value as the Prometheus text format asks:
// backslash, double quote and newline.
var promEscape = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
