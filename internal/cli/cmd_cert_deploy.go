package cli

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/cwsec/cwsec/internal/audit"
	"github.com/cwsec/cwsec/internal/certs"
	"github.com/cwsec/cwsec/internal/fileio"
	"github.com/cwsec/cwsec/internal/store"
)

// deployFlags bound a deployment in time. They are flags rather than config
// keys so that a slow server can be given more time for one run.
type deployFlags struct {
	reloadTimeout time.Duration
	verifyTimeout time.Duration
}

func addDeployFlags(cmd *cobra.Command, d *deployFlags) {
	cmd.Flags().DurationVar(&d.reloadTimeout, "reload-timeout", certs.DefaultReloadTimeout, "how long a target's reload command may run before it is stopped")
	cmd.Flags().DurationVar(&d.verifyTimeout, "verify-timeout", certs.DefaultVerifyTimeout, "how long to wait for a target's verify_endpoint to serve the new certificate")
}

const deployHelp = `Each target in tls.deploy receives the certificate in its format:

  pem  cert_path: the certificate followed by the intermediates (only the
       certificate when chain_path is set; and the key too when key_path is
       not set: one combined file, as HAProxy wants); key_path: the private
       key (PKCS#8, 0600); chain_path: the intermediates.
  pfx  path: a PKCS#12 file (0600) with the key, certificate and chain,
       protected by the password in password_file and built for pfx_profile
       (modern: Windows Server 2019 and later; legacy: 2016 and earlier).

Relative paths in the config are relative to the config file's directory. Each
file is written to a temporary file in the same directory, synced and renamed
over the old one, and the directory is synced; the old contents are kept beside
it as FILE.previous, and an existing file keeps its mode and owner (a key file
never becomes readable by other accounts). Then the target's reload command
runs (sh -c on Unix, cmd /C on Windows, in the config file's directory, at most
--reload-timeout; CWSEC_DEPLOY_TARGET and CWSEC_CERT_SHA256 are set for it).
Where the target has verify_endpoint, cwsec connects to it until it serves the
new certificate (compared by SHA-256 fingerprint) or --verify-timeout passes.

If writing, the reload or the endpoint check fails, the previous files are put
back, the reload command runs again, and cwsec exits 1 saying what happened.`

func (a *app) newCertDeployCmd() *cobra.Command {
	var target string
	var d deployFlags
	cmd := &cobra.Command{
		Use:   "deploy [--target NAME]",
		Short: "Write the active certificate to the configured targets and reload them",
		Long: `Deploy the active certificate to every target in tls.deploy, or to the one
named by --target.

` + deployHelp + `

Every deployment, successful or not, is recorded in the audit trail.

` + exitCodesHelp,
		Example: `  cwsec cert deploy
  cwsec cert deploy --target careware --reload-timeout 5m -o json`,
		Args: usageArgs(cobra.NoArgs),
		RunE: certRunE(func(*cobra.Command, []string) error { return a.runDeploy(target, d) }),
	}
	cmd.Flags().StringVar(&target, "target", "", "deploy only to this target (a name in tls.deploy)")
	addDeployFlags(cmd, &d)
	return cmd
}

type deployReport struct {
	ID      string               `json:"id"`
	Targets []certs.DeployResult `json:"targets"`
}

func (a *app) runDeploy(name string, d deployFlags) error {
	targets, err := a.selectTargets(name)
	if err != nil {
		return err
	}
	var active certs.Record
	err = a.view(func(tx *store.Tx) error {
		var found bool
		var err error
		active, found, err = certs.RecordInState(tx, certs.StateActive)
		if err == nil && !found {
			err = failf("install one first: cwsec cert install CERT", "there is no active certificate to deploy")
		}
		return err
	})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	results, err := a.deployRecord(ctx, active.ID, targets, d)
	rep := deployReport{ID: active.ID, Targets: results}
	text := func(w io.Writer) { printDeployResults(w, results) }
	if err != nil {
		return a.refuse(rep, err, text)
	}
	return a.emit(rep, text)
}

func (a *app) selectTargets(name string) ([]DeployTarget, error) {
	all := a.cfg.TLS.Deploy
	if len(all) == 0 {
		return nil, failf("add a target under tls.deploy in the config file ('cwsec cert deploy --help' shows the keys)", "no deploy targets are configured")
	}
	if name == "" {
		return all, nil
	}
	var names []string
	for _, t := range all {
		if t.Name == name {
			return []DeployTarget{t}, nil
		}
		names = append(names, t.Name)
	}
	return nil, failf("the configured targets are: "+strings.Join(names, ", "), "no deploy target is named %q", name)
}

// deployRecord deploys record id to targets one after the other (a failure
// at one does not stop the others) and records each outcome in the record
// and the audit trail. The store is not held while files are written and
// reload commands run: 2fa verify must not wait for a server restart. A
// lock file beside the store keeps two deploys (a scheduled one and one by
// hand, say) from writing the same files and restarting the same server at
// once; the record must still be the active one once the lock is taken.
func (a *app) deployRecord(ctx context.Context, id string, targets []DeployTarget, d deployFlags) ([]certs.DeployResult, error) {
	release, err := fileio.Lock(a.cfg.Store+".deploy.lock", a.cfg.LockTimeout)
	if err != nil {
		return nil, err
	}
	defer release()
	var m certs.Material
	err = a.view(func(tx *store.Tx) error {
		rec, found, err := certs.LoadRecord(tx, id)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("%s: %w", id, certs.ErrNoRecord)
		}
		if rec.State != certs.StateActive {
			return failf("run 'cwsec cert deploy' to deploy the certificate that is active now",
				"certificate %s is no longer the active one: another cwsec command installed or rolled back a certificate meanwhile", id)
		}
		m, err = certs.LoadMaterial(tx, rec)
		return err
	})
	if err != nil {
		return nil, err
	}
	fp := certs.Fingerprint(m.Leaf.Raw)
	results := make([]certs.DeployResult, 0, len(targets))
	var failed []string
	for _, t := range targets {
		ct, err := a.certsTarget(t, m.Leaf)
		var res certs.DeployResult
		if err != nil {
			res = certs.DeployResult{Target: t.Name, Files: []string{}, PreviousFiles: []string{}, Error: err.Error(), Restored: true}
		} else {
			res, err = certs.Deploy(ctx, ct, m, certs.DeployOptions{
				ReloadTimeout: d.reloadTimeout, VerifyTimeout: d.verifyTimeout, Random: a.random,
				Env: []string{"CWSEC_DEPLOY_TARGET=" + t.Name, "CWSEC_CERT_SHA256=" + fp},
			})
		}
		if err != nil {
			failed = append(failed, err.Error())
		}
		results = append(results, res)
	}
	if err := a.recordDeployments(id, fp, results); err != nil {
		return results, err
	}
	if len(failed) > 0 {
		return results, &exitError{code: ExitFailed, err: errors.New(strings.Join(failed, "; ")),
			hint: "see the reload output above; fix the target (or the certificate) and run 'cwsec cert deploy' again"}
	}
	return results, nil
}

// certsTarget turns a configured target into the domain's, reading its
// password file.
func (a *app) certsTarget(t DeployTarget, leaf *x509.Certificate) (certs.DeployTarget, error) {
	ct := certs.DeployTarget{
		Name: t.Name, Format: t.Format, Path: a.configPath(t.Path),
		CertPath: a.configPath(t.CertPath), KeyPath: a.configPath(t.KeyPath), ChainPath: a.configPath(t.ChainPath),
		Reload: t.Reload, VerifyEndpoint: t.VerifyEndpoint, ServerName: a.sniFor(leaf),
	}
	ct.Dir = a.configPath(".")
	if _, err := os.Stat(ct.Dir); err != nil {
		ct.Dir = ""
	}
	if t.Format == certs.DeployPFX {
		if t.PasswordFile == "" {
			return ct, fmt.Errorf("deploy target %q: a pfx target needs password_file (cwsec has no default password); nothing was changed", t.Name)
		}
		pw, err := a.readPasswordFile(a.configPath(t.PasswordFile))
		if err == nil && pw == "" {
			err = errors.New("the password file is empty")
		}
		if err != nil {
			return ct, fmt.Errorf("deploy target %q: %v; nothing was changed", t.Name, err)
		}
		ct.Password = pw
		if ct.PFXProfile, err = certs.ParsePFXProfile(t.PFXProfile); err != nil {
			return ct, err
		}
	}
	return ct, nil
}

// sniFor chooses the server name sent when verifying an endpoint: the first
// configured server name, else the certificate's first DNS name.
func (a *app) sniFor(leaf *x509.Certificate) string {
	for _, n := range append(append([]string{}, a.cfg.TLS.ServerNames...), leaf.DNSNames...) {
		if !strings.HasPrefix(n, "*.") && n != "" {
			return n
		}
	}
	return ""
}

// recordDeployments notes each outcome in the record and audits it.
func (a *app) recordDeployments(id, fp string, results []certs.DeployResult) error {
	return a.update(func(tx *store.Tx) error {
		rec, found, err := certs.LoadRecord(tx, id)
		if err != nil {
			return err
		}
		if found && rec.Deployments == nil {
			rec.Deployments = map[string]certs.Deployment{}
		}
		for _, r := range results {
			outcome, msg := audit.OutcomeOK, ""
			if !r.OK {
				outcome, msg = audit.OutcomeFailed, r.Error
			}
			if found {
				rec.Deployments[r.Target] = certs.Deployment{At: a.now().UTC(), OK: r.OK, Message: msg}
			}
			ev := a.event("cert.deploy", r.Target, outcome)
			ev.Reason = msg
			ev.Details = map[string]string{"certificate": id, "sha256_fingerprint": fp, "files": strings.Join(r.Files, " ")}
			if r.Endpoint != "" {
				ev.Details["endpoint"] = r.Endpoint
				ev.Details["verified"] = fmt.Sprint(r.Verified)
			}
			if !r.OK {
				ev.Details["restored"] = fmt.Sprint(r.Restored)
			}
			if err := a.record(tx, ev); err != nil {
				return err
			}
		}
		if found {
			return certs.SaveRecord(tx, rec)
		}
		return nil
	})
}

func printDeployResults(w io.Writer, results []certs.DeployResult) {
	for _, r := range results {
		if r.OK {
			fmt.Fprintf(w, "Deployed to %s: wrote %s", r.Target, strings.Join(r.Files, ", "))
			if len(r.PreviousFiles) > 0 {
				fmt.Fprintf(w, " (former files kept as %s)", strings.Join(r.PreviousFiles, ", "))
			}
			if r.Reload != nil {
				fmt.Fprint(w, "; reloaded")
			}
			if r.Verified {
				fmt.Fprintf(w, "; %s serves it", r.Endpoint)
			}
			fmt.Fprintln(w, ".")
			continue
		}
		fmt.Fprintf(w, "Deploying to %s FAILED: %s\n", r.Target, r.Error)
		printCommand(w, "reload", r.Reload)
		if r.Restored {
			if len(r.Files) > 0 {
				fmt.Fprintln(w, "  the former files were put back")
			} else {
				fmt.Fprintln(w, "  nothing was changed")
			}
		} else {
			fmt.Fprintf(w, "  putting the former files back FAILED: %s\n", r.RestoreError)
		}
		printCommand(w, "reload after putting the files back", r.RestoreReload)
	}
}

func printCommand(w io.Writer, what string, c *certs.CommandResult) {
	if c == nil {
		return
	}
	status := "ok"
	switch {
	case c.TimedOut:
		status = "timed out and was stopped"
	case c.Error != "":
		status = "could not run: " + c.Error
	case c.ExitCode != 0:
		status = fmt.Sprintf("exit status %d", c.ExitCode)
	}
	fmt.Fprintf(w, "  %s (%s): %s\n", what, c.Command, status)
	if c.Output != "" && !c.OK() {
		for _, line := range strings.Split(c.Output, "\n") {
			fmt.Fprintf(w, "    | %s\n", line)
		}
	}
}

// --- rollback ---------------------------------------------------------------

type rollbackReport struct {
	Active     string               `json:"active"`
	Previous   string               `json:"previous,omitempty"`
	Findings   []certs.Finding      `json:"findings"`
	Failures   []certs.Finding      `json:"failures"`
	Deploy     []certs.DeployResult `json:"deploy"`
	DeployNote string               `json:"deploy_note,omitempty"`
}

func (a *app) newCertRollbackCmd() *cobra.Command {
	var noDeploy, force bool
	var roots string
	var d deployFlags
	cmd := &cobra.Command{
		Use:   "rollback [--no-deploy] [--force]",
		Short: "Make the previous certificate active again and deploy it",
		Long: `Make the previous certificate (the one the active certificate replaced) active
again, and deploy it. The two swap places: the certificate that was active
becomes previous, so a second rollback undoes the first.

The previous certificate is checked first, as 'cwsec cert install' would check
it (offline, with its stored chain); if a check fails, for instance because it
has expired, nothing changes unless --force.

` + deployHelp + `

` + exitCodesHelp,
		Example: `  cwsec cert rollback
  cwsec cert rollback --no-deploy`,
		Args: usageArgs(cobra.NoArgs),
		RunE: certRunE(func(*cobra.Command, []string) error { return a.runRollback(noDeploy, force, roots, d) }),
	}
	cmd.Flags().BoolVar(&noDeploy, "no-deploy", false, "switch in the store only; run 'cwsec cert deploy' later")
	cmd.Flags().BoolVar(&force, "force", false, "roll back even if the previous certificate fails a check")
	cmd.Flags().StringVar(&roots, "roots", "", "extra trusted root certificates (PEM)")
	addDeployFlags(cmd, &d)
	return cmd
}

func (a *app) runRollback(noDeploy, force bool, roots string, d deployFlags) error {
	var prev certs.Record
	var leaf *x509.Certificate
	var chain []*x509.Certificate
	var pub crypto.PublicKey
	err := a.view(func(tx *store.Tx) error {
		var found bool
		var err error
		if prev, found, err = certs.RecordInState(tx, certs.StatePrevious); err != nil {
			return err
		}
		if !found {
			return failf("'cwsec cert list' shows every certificate; 'cwsec cert install' makes one active",
				"there is no previous certificate to roll back to")
		}
		m, err := certs.LoadMaterial(tx, prev)
		if err != nil {
			return err
		}
		leaf, chain, pub = m.Leaf, m.Chain, m.Key.Public()
		return nil
	})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	v, err := a.judgeCertificate(ctx, leaf, append([]*x509.Certificate{leaf}, chain...), pub, a.requiredNames(&prev), roots, true)
	if err != nil {
		return err
	}
	rep := rollbackReport{Active: prev.ID, Findings: v.findings, Failures: []certs.Finding{}, Deploy: []certs.DeployResult{}}
	for _, f := range v.findings {
		if blocks(f) {
			rep.Failures = append(rep.Failures, f)
		}
	}
	if len(rep.Failures) > 0 && !force {
		return a.refuse(rep, failf("install a new certificate instead (cwsec cert request, then cwsec cert install), or use --force",
			"the previous certificate %s was not made active again: %s", prev.ID, countChecks(len(rep.Failures))),
			func(w io.Writer) {
				fmt.Fprintf(w, "Checks of the previous certificate %s\n", prev.ID)
				printFindings(w, v.findings)
			})
	}
	err = a.update(func(tx *store.Tx) error {
		active, previous, err := certs.Rollback(tx)
		if err != nil {
			return err
		}
		if active.ID != prev.ID {
			return failf("run the command again", "the certificates changed while the rollback was being checked")
		}
		rep.Previous = previous.ID
		ev := a.event("cert.rollback", active.ID, audit.OutcomeOK)
		ev.Details = map[string]string{"sha256_fingerprint": certs.Fingerprint(leaf.Raw), "not_after": leaf.NotAfter.UTC().Format(time.RFC3339)}
		if previous.ID != "" {
			ev.Details["previous"] = previous.ID
		}
		if force && len(rep.Failures) > 0 {
			ev.Details["forced_past"] = findingCodes(rep.Failures)
		}
		return a.record(tx, ev)
	})
	if err != nil {
		return err
	}
	var deployErr error
	switch {
	case noDeploy:
		rep.DeployNote = "not deployed (--no-deploy); run 'cwsec cert deploy'"
	case len(a.cfg.TLS.Deploy) == 0:
		rep.DeployNote = "not deployed: no targets in tls.deploy"
	default:
		rep.Deploy, deployErr = a.deployRecord(ctx, prev.ID, a.cfg.TLS.Deploy, d)
	}
	text := func(w io.Writer) {
		fmt.Fprintf(w, "Certificate %s is active again (expires %s)", prev.ID, utcTime(leaf.NotAfter))
		if rep.Previous != "" {
			fmt.Fprintf(w, "; %s is now previous", rep.Previous)
		}
		fmt.Fprintln(w, ".")
		printDeployResults(w, rep.Deploy)
		if rep.DeployNote != "" {
			fmt.Fprintf(w, "%s.\n", upperFirst(rep.DeployNote))
		}
	}
	if deployErr != nil {
		return a.refuse(rep, &exitError{code: ExitFailed,
			err:  fmt.Errorf("certificate %s is active again in the store, but %w", prev.ID, deployErr),
			hint: "fix the target and run 'cwsec cert deploy'"}, text)
	}
	return a.emit(rep, text)
}
