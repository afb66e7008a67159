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
	"github.com/cwsec/cwsec/internal/store"
)

// aiaBudget bounds all AIA fetching of one install; each request is bounded
// by certs.DefaultFetchTimeout as well.
const aiaBudget = 30 * time.Second

type installOptions struct {
	chains       []string
	key          string
	roots        string
	passwordFile string
	dryRun       bool
	noDeploy     bool
	offline      bool
	deploy       deployFlags
}

type installReport struct {
	Installed bool `json:"installed"`
	DryRun    bool `json:"dry_run"`
	// Changed is false when the certificate was already the active one.
	Changed     bool                 `json:"changed"`
	ID          string               `json:"id,omitempty"`
	Request     string               `json:"request,omitempty"`  // the pending request this fulfils
	Previous    string               `json:"previous,omitempty"` // the certificate that became previous
	KeySource   string               `json:"key_source,omitempty"`
	Certificate certs.CertInfo       `json:"certificate"`
	Chain       []certs.ChainLink    `json:"chain"`
	PublicRoot  bool                 `json:"public_root"`
	Fetched     []string             `json:"fetched"`
	Names       []string             `json:"names_checked"`
	Findings    []certs.Finding      `json:"findings"`
	Failures    []certs.Finding      `json:"failures"`
	Warnings    []certs.Finding      `json:"warnings"`
	Deploy      []certs.DeployResult `json:"deploy"`
	DeployNote  string               `json:"deploy_note,omitempty"`
}

func (a *app) newCertInstallCmd() *cobra.Command {
	var o installOptions
	cmd := &cobra.Command{
		Use:   "install CERT [--chain FILE]... [--key FILE] [--roots FILE] [--dry-run] [--no-deploy] [--offline]",
		Short: "Check a certificate from your CA and make it the active one",
		Long: `Install the certificate your CA issued: check it, make it the active
certificate, and deploy it to the targets in tls.deploy.

CERT and --chain may hold the certificate and its chain in any format 'cwsec
cert inspect' reads, in one file or several, in any order; a root included by
the CA is left out (clients have their own). The certificate is matched to its
pending request by public key, or to --key FILE for a key made elsewhere (a
PKCS#12 CERT brings its own key; --password-file opens it). A missing
intermediate is fetched from the URL the certificate names (AIA), bounded in
size and time, unless --offline.

Every check is run, and every failure listed with its reason and what to do:
the key matches; the chain leads to a trusted root (the system roots, --roots
and tls.roots) and is complete; the names of the request and tls.server_names
are covered; the certificate is within its validity and not about to expire;
serverAuth is allowed; key usage fits a TLS server and it is not a CA; the key
is strong (RSA >= 2048, EC P-256/384/521); no SHA-1 or MD5 signature; the
lifetime is within the CA/Browser Forum cap for its issuance date (a failure on
a chain to a public root, a warning for a private root, as browsers do).

If any check fails, nothing changes, in the store or on disk. Warnings are shown
and the installation goes ahead. --dry-run reports without changing anything.
On success the certificate is active, the one it replaces is previous (what
'cwsec cert rollback' returns to), the request is fulfilled, all audited; then
it is deployed unless --no-deploy.

` + exitCodesHelp,
		Example: `  cwsec cert install careware.crt --chain ca-bundle.crt
  cwsec cert install fullchain.pem --dry-run
  cwsec cert install careware.crt --key careware.key --roots clinic-root-ca.pem
  cwsec cert install careware.pfx --password-file pfx.pass --no-deploy`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: certRunE(func(_ *cobra.Command, args []string) error { return a.runInstall(args[0], o) }),
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.chains, "chain", nil, "file with the intermediate certificate(s) (repeatable)")
	f.StringVar(&o.key, "key", "", "the private key (PEM or DER), for a certificate not requested with cwsec")
	f.StringVar(&o.roots, "roots", "", "extra trusted root certificates (PEM), e.g. your organisation's private CA")
	f.StringVar(&o.passwordFile, "password-file", "", "file holding the password of a PKCS#12 CERT (- for stdin)")
	f.BoolVar(&o.dryRun, "dry-run", false, "check and report, change nothing")
	f.BoolVar(&o.noDeploy, "no-deploy", false, "install without deploying; run 'cwsec cert deploy' later")
	f.BoolVar(&o.offline, "offline", false, "never fetch a missing intermediate from the network")
	addDeployFlags(cmd, &o.deploy)
	return cmd
}

// installPlan is what install found before changing anything.
type installPlan struct {
	leaf     *x509.Certificate
	supplied []*x509.Certificate
	key      crypto.Signer  // the private key the certificate goes with
	keyFile  bool           // it came from --key or the CERT file
	match    *certs.Record  // the record whose key it is
	existing *certs.Record  // the record that already holds exactly this certificate
	mismatch *certs.Finding // no key matches
	names    []string
}

func (a *app) runInstall(certFile string, o installOptions) error {
	if certFile == "-" && o.passwordFile == "-" {
		return &usageError{err: errors.New("stdin cannot hold both the certificate and its password; use --password-file FILE")}
	}
	plan, err := a.planInstall(certFile, o)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var keyPub crypto.PublicKey
	if plan.key != nil {
		keyPub = plan.key.Public()
	}
	v, err := a.judgeCertificate(ctx, plan.leaf, plan.supplied, keyPub, plan.names, o.roots, o.offline)
	if err != nil {
		return err
	}
	if plan.mismatch != nil {
		v.findings = append([]certs.Finding{*plan.mismatch}, v.findings...)
	}
	rep := installReport{DryRun: o.dryRun, Names: nonNilStrings(plan.names), Deploy: []certs.DeployResult{}}
	v.fill(&rep, a.now())
	if len(rep.Failures) > 0 {
		return a.refuse(rep, failf("fix what is listed and install again; nothing was changed",
			"the certificate was not installed: %s", countChecks(len(rep.Failures))), func(w io.Writer) { printInstall(w, rep) })
	}
	if o.dryRun {
		return a.emit(rep, func(w io.Writer) {
			printInstall(w, rep)
			fmt.Fprintln(w, "\nDry run: every check passed; nothing was changed. Run again without --dry-run to install.")
		})
	}
	if err := a.commitInstall(plan, v, &rep); err != nil {
		return err
	}
	if !rep.Changed {
		return a.emit(rep, func(w io.Writer) {
			printInstall(w, rep)
			fmt.Fprintf(w, "\nCertificate %s is already the active certificate; nothing changed. 'cwsec cert deploy' deploys it again.\n", rep.ID)
		})
	}
	var deployErr error
	switch {
	case o.noDeploy:
		rep.DeployNote = "not deployed (--no-deploy); run 'cwsec cert deploy'"
	case len(a.cfg.TLS.Deploy) == 0:
		rep.DeployNote = "not deployed: no targets in tls.deploy"
	default:
		rep.Deploy, deployErr = a.deployRecord(ctx, rep.ID, a.cfg.TLS.Deploy, o.deploy)
	}
	text := func(w io.Writer) {
		printInstall(w, rep)
		fmt.Fprintf(w, "\nInstalled certificate %s as the active certificate", rep.ID)
		if rep.Previous != "" {
			fmt.Fprintf(w, "; %s is now previous ('cwsec cert rollback' returns to it)", rep.Previous)
		}
		fmt.Fprintln(w, ".")
		printDeployResults(w, rep.Deploy)
		if rep.DeployNote != "" {
			fmt.Fprintf(w, "%s.\n", upperFirst(rep.DeployNote))
		}
	}
	if deployErr != nil {
		return a.refuse(rep, &exitError{code: ExitFailed,
			err:  fmt.Errorf("certificate %s is installed and active, but %w", rep.ID, deployErr),
			hint: "fix the target and run 'cwsec cert deploy', or 'cwsec cert rollback' to make the previous certificate active again"}, text)
	}
	return a.emit(rep, text)
}

func countChecks(n int) string {
	if n == 1 {
		return "1 check failed"
	}
	return fmt.Sprintf("%d checks failed", n)
}

// refuse reports a result that is also a failure: the report as this run's
// output (the one JSON document with -o json), the error on stderr, exit 1.
func (a *app) refuse(doc any, err error, text func(io.Writer)) error {
	if a.cfg.Output != "json" {
		text(a.io.Out)
		return err
	}
	if e := a.emit(doc, nil); e != nil {
		return e
	}
	a.exitCode = reportError(a.io, err, false, false)
	return nil
}

// planInstall reads the files and finds the key and the record the
// certificate belongs to, reading the store only.
func (a *app) planInstall(certFile string, o installOptions) (*installPlan, error) {
	b, err := a.parseInput(certFile, o.passwordFile)
	if err != nil {
		return nil, err
	}
	all, err := b.RequireCertificates()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", displayName(certFile), err)
	}
	all = append([]*x509.Certificate{}, all...)
	for _, path := range o.chains {
		cb, err := a.parseInput(path, "")
		if err != nil {
			return nil, err
		}
		cc, err := cb.RequireCertificates()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		all = append(all, cc...)
	}
	plan := &installPlan{supplied: all}
	var fileKey crypto.Signer = b.PrivateKey
	if o.key != "" {
		if fileKey != nil {
			return nil, &usageError{err: fmt.Errorf("%s already holds a private key; leave out --key", certFile)}
		}
		kb, err := a.parseInput(o.key, "")
		if err != nil {
			return nil, err
		}
		if kb.PrivateKey == nil {
			return nil, failf(`a key file starts with "-----BEGIN PRIVATE KEY-----" (or RSA/EC PRIVATE KEY)`, "%s holds no private key", o.key)
		}
		fileKey = kb.PrivateKey
	}
	err = a.view(func(tx *store.Tx) error {
		recs, err := certs.Records(tx)
		if err != nil {
			return err
		}
		return plan.resolve(tx, recs, fileKey)
	})
	if err != nil {
		return nil, err
	}
	plan.names = a.requiredNames(plan.match)
	return plan, nil
}

// resolve picks the leaf and its key: the file's key if one was given, else a
// record's key (pending requests first) for one of the certificates.
func (p *installPlan) resolve(tx *store.Tx, recs []certs.Record, fileKey crypto.Signer) error {
	if fileKey != nil {
		p.key, p.keyFile = fileKey, true
		p.leaf = certs.FindLeaf(p.supplied, fileKey.Public())
		if byKey := certs.FindByKey(recs, fileKey.Public()); len(byKey) > 0 {
			p.match = &byKey[0]
		}
	} else {
		for _, c := range p.supplied {
			if c.BasicConstraintsValid && c.IsCA {
				continue
			}
			if byKey := certs.FindByKey(recs, c.PublicKey); len(byKey) > 0 {
				p.leaf, p.match = c, &byKey[0]
				break
			}
		}
		if p.leaf == nil {
			p.leaf = certs.FindLeaf(p.supplied, nil)
			p.mismatch = noMatchingKey(recs)
		}
	}
	if rec, ok := certs.FindByFingerprint(recs, p.leaf.Raw); ok {
		p.existing = &rec
	}
	if p.match != nil && !p.keyFile {
		key, err := certs.LoadKey(tx, p.match.ID)
		if err != nil {
			return err
		}
		p.key = key
	}
	return nil
}

func noMatchingKey(recs []certs.Record) *certs.Finding {
	var pending []string
	for _, r := range recs {
		if r.State == certs.StatePending {
			pending = append(pending, fmt.Sprintf("%s (%s)", r.ID, strings.Join(r.Names(), ", ")))
		}
	}
	msg := "the certificate's public key matches no request in the store: there is no pending request"
	if len(pending) > 0 {
		msg = "the certificate's public key matches none of the pending requests: " + strings.Join(pending, "; ")
	}
	return &certs.Finding{Check: certs.CheckKey, Code: certs.CodeKeyMismatch, Severity: certs.SeverityCritical, Message: msg,
		Hint: "install the certificate the CA issued for a CSR from 'cwsec cert request' (cwsec cert list shows them), or give its private key with --key"}
}

// verdict is the policy's judgement of one certificate.
type verdict struct {
	built      certs.ChainResult
	findings   []certs.Finding
	publicRoot bool
	leaf       *x509.Certificate
}

// judgeCertificate builds the chain (fetching a missing intermediate unless
// offline) and runs the one policy `cert check` runs too.
func (a *app) judgeCertificate(ctx context.Context, leaf *x509.Certificate, supplied []*x509.Certificate, key crypto.PublicKey, names []string, rootsFlag string, offline bool) (verdict, error) {
	anchors, err := a.trustAnchors(rootsFlag)
	if err != nil {
		return verdict{}, err
	}
	pool, system := anchors()
	var fetcher certs.Fetcher
	if !offline {
		fetcher = &certs.HTTPFetcher{}
	}
	fctx, cancel := context.WithTimeout(ctx, aiaBudget)
	defer cancel()
	now := a.now()
	built := certs.BuildChainFetching(fctx, fetcher, leaf, supplied, pool, now)
	if offline && built.HasProblem(certs.ProblemMissingIntermediate) {
		for i, p := range built.Problems {
			if p.Code == certs.ProblemMissingIntermediate && len(p.URLs) > 0 {
				built.Problems[i].Message += " (not fetched from " + strings.Join(p.URLs, ", ") + ": --offline)"
			}
		}
	}
	v := verdict{built: built, leaf: built.Leaf, publicRoot: certs.InPool(built.Root, system)}
	v.findings = certs.Evaluate(certs.PolicyInput{
		Leaf: built.Leaf, Chain: supplied, Built: &built, Roots: pool, PublicRoot: v.publicRoot,
		Key: key, Names: names, Now: now, WarnDays: a.cfg.TLS.WarnDays, CritDays: a.cfg.TLS.CritDays,
	})
	return v, nil
}

// blocks reports whether a finding stops an installation: critical ones and
// those that could not be decided do; warnings do not.
func blocks(f certs.Finding) bool { return f.Severity >= certs.SeverityUnknown }

func (v verdict) fill(rep *installReport, now time.Time) {
	rep.Certificate = certs.Describe(v.leaf, now)
	rep.Chain = v.built.Links
	rep.PublicRoot = v.publicRoot
	rep.Fetched = nonNilStrings(v.built.Fetched)
	rep.Findings, rep.Failures, rep.Warnings = v.findings, []certs.Finding{}, []certs.Finding{}
	for _, f := range v.findings {
		switch {
		case blocks(f):
			rep.Failures = append(rep.Failures, f)
		case f.Severity == certs.SeverityWarning:
			rep.Warnings = append(rep.Warnings, f)
		}
	}
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// commitInstall makes the certificate active in one transaction with its
// audit record, after checking that the store still looks as planned.
func (a *app) commitInstall(plan *installPlan, v verdict, rep *installReport) error {
	chain := make([][]byte, 0, len(v.built.Chain))
	for _, c := range v.built.Chain[1:] {
		chain = append(chain, c.Raw)
	}
	return a.update(func(tx *store.Tx) error {
		recs, err := certs.Records(tx)
		if err != nil {
			return err
		}
		now := a.now().UTC()
		var rec certs.Record
		switch existing, ok := certs.FindByFingerprint(recs, plan.leaf.Raw); {
		case ok:
			rec = existing
			if rec.State == certs.StateActive {
				rep.ID, rep.KeySource = rec.ID, rec.KeySource
				return nil
			}
		case plan.match != nil && plan.match.State == certs.StatePending:
			current, found, err := certs.LoadRecord(tx, plan.match.ID)
			if err != nil {
				return err
			}
			if !found || current.State != certs.StatePending {
				return failf("run the command again", "request %s changed while the certificate was being checked", plan.match.ID)
			}
			rec = current
			rec.Certificate, rec.Chain, rec.InstalledAt = plan.leaf.Raw, chain, now
			rep.Request = rec.ID
		default:
			id, err := certs.NewRecordID(tx, a.random)
			if err != nil {
				return err
			}
			name, _ := certs.DescribeKey(plan.key.Public())
			rec = certs.Record{ID: id, State: certs.StatePending, KeyType: name, SPKISHA256: certs.PublicKeyHash(plan.key.Public()),
				KeySource: certs.KeySourceFile, CreatedAt: now, Certificate: plan.leaf.Raw, Chain: chain, InstalledAt: now}
			if plan.match != nil { // a new certificate for a key that already has one
				rec.KeySource, rec.KeyFrom, rec.Request = plan.match.KeySource, plan.match.ID, plan.match.Request
			}
			if err := certs.SaveKey(tx, id, plan.key); err != nil {
				return err
			}
		}
		if err := certs.SaveRecord(tx, rec); err != nil {
			return err
		}
		previous, err := certs.Activate(tx, rec.ID)
		if err != nil {
			return err
		}
		rep.Installed, rep.Changed, rep.ID, rep.Previous, rep.KeySource = true, true, rec.ID, previous, rec.KeySource
		ev := a.event("cert.install", rec.ID, audit.OutcomeOK)
		ev.Details = map[string]string{
			"sha256_fingerprint": rep.Certificate.SHA256Fingerprint,
			"subject":            rep.Certificate.Subject,
			"not_after":          rep.Certificate.NotAfter.Format(time.RFC3339),
			"key_source":         rec.KeySource,
		}
		optional := map[string]string{"request": rep.Request, "previous": previous, "key_from": rec.KeyFrom,
			"fetched": strings.Join(rep.Fetched, " "), "warnings": findingCodes(rep.Warnings)}
		for k, v := range optional {
			if v != "" {
				ev.Details[k] = v
			}
		}
		return a.record(tx, ev)
	})
}

func findingCodes(fs []certs.Finding) string {
	var codes []string
	for _, f := range fs {
		codes = append(codes, f.Code)
	}
	return strings.Join(codes, ",")
}

// printInstall lists every check: failures and warnings with their hints.
func printInstall(w io.Writer, rep installReport) {
	c := rep.Certificate
	fmt.Fprintf(w, "Certificate  %s\n", c.Subject)
	fmt.Fprintf(w, "  names      %s\n", formatSANs(c.SANs))
	fmt.Fprintf(w, "  valid      %s to %s (%s)\n", utcTime(c.NotBefore), utcTime(c.NotAfter), daysLeftText(c.DaysLeft))
	fmt.Fprintf(w, "  SHA-256    %s\n", c.SHA256Fingerprint)
	if len(rep.Chain) > 0 {
		fmt.Fprintln(w, "Chain")
		for _, l := range rep.Chain {
			fmt.Fprintf(w, "  %-12s %s\n", l.Role, l.Subject)
		}
	}
	for _, u := range rep.Fetched {
		fmt.Fprintf(w, "  (fetched from %s)\n", u)
	}
	fmt.Fprintln(w, "Checks")
	printFindings(w, rep.Findings)
}

func printFindings(w io.Writer, findings []certs.Finding) {
	for _, f := range findings {
		label := "ok"
		switch {
		case f.Severity == certs.SeverityWarning:
			label = "WARNING"
		case blocks(f):
			label = "FAILED"
		}
		fmt.Fprintf(w, "  %-8s %-18s %s\n", label, f.Check, f.Message)
		if f.Hint != "" && f.Severity != certs.SeverityOK {
			fmt.Fprintf(w, "  %-8s %-18s hint: %s\n", "", "", f.Hint)
		}
	}
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
