package cli

import (
	"crypto/x509"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cwsec/cwsec/internal/certs"
	"github.com/cwsec/cwsec/internal/store"
)

// certSummary is one row of `cert list`, and the head of `cert show`.
type certSummary struct {
	ID          string                      `json:"id"`
	State       certs.State                 `json:"state"`
	Names       []string                    `json:"names"`
	KeyType     string                      `json:"key_type"`
	KeySource   string                      `json:"key_source"`
	CreatedAt   time.Time                   `json:"created_at"`
	InstalledAt *time.Time                  `json:"installed_at,omitempty"`
	NotBefore   *time.Time                  `json:"not_before,omitempty"`
	NotAfter    *time.Time                  `json:"not_after,omitempty"`
	DaysLeft    *int                        `json:"days_left,omitempty"`
	Issuer      string                      `json:"issuer,omitempty"`
	Fingerprint string                      `json:"sha256_fingerprint,omitempty"`
	Deployments map[string]certs.Deployment `json:"deployments,omitempty"`
}

func (a *app) summarize(r certs.Record) (certSummary, error) {
	s := certSummary{ID: r.ID, State: r.State, Names: nonNilStrings(r.Names()), KeyType: r.KeyType, KeySource: r.KeySource,
		CreatedAt: r.CreatedAt.UTC(), InstalledAt: optionalTime(r.InstalledAt), Deployments: r.Deployments}
	if !r.HasCertificate() {
		return s, nil
	}
	leaf, err := r.Leaf()
	if err != nil {
		return s, err
	}
	s.Names = certNames(leaf)
	s.NotBefore, s.NotAfter = optionalTime(leaf.NotBefore), optionalTime(leaf.NotAfter)
	days := certs.DaysLeft(leaf, a.now())
	s.DaysLeft = &days
	s.Issuer = leaf.Issuer.String()
	s.Fingerprint = certs.Fingerprint(leaf.Raw)
	return s, nil
}

// certNames are a certificate's DNS and IP SANs.
func certNames(c *x509.Certificate) []string {
	names := append([]string{}, c.DNSNames...)
	return append(names, ipStrings(c.IPAddresses)...)
}

func (a *app) newCertListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List pending requests and certificates",
		Long: `List pending requests and installed certificates: ID, state (pending, active,
previous, superseded), names, key type, expiry and days left.

` + exitCodesHelp,
		Example: "  cwsec cert list\n  cwsec cert list -o json",
		Args:    usageArgs(cobra.NoArgs),
		RunE: certRunE(func(*cobra.Command, []string) error {
			list := []certSummary{}
			err := a.view(func(tx *store.Tx) error {
				recs, err := certs.Records(tx)
				if err != nil {
					return err
				}
				for _, r := range recs {
					s, err := a.summarize(r)
					if err != nil {
						return err
					}
					list = append(list, s)
				}
				return nil
			})
			if err != nil {
				return err
			}
			sort.SliceStable(list, func(i, j int) bool { return stateRank(list[i].State) < stateRank(list[j].State) })
			return a.emit(map[string]any{"certificates": list}, func(w io.Writer) { printCertTable(w, list) })
		}),
	}
}

func stateRank(s certs.State) int {
	return map[certs.State]int{certs.StateActive: 0, certs.StatePending: 1, certs.StatePrevious: 2, certs.StateSuperseded: 3}[s]
}

func printCertTable(w io.Writer, list []certSummary) {
	if len(list) == 0 {
		fmt.Fprintln(w, "No requests or certificates. Start with: cwsec cert request --cn NAME")
		return
	}
	fmt.Fprintf(w, "%-8s  %-10s  %-10s  %-22s  %s\n", "ID", "STATE", "KEY", "EXPIRES", "NAMES")
	for _, s := range list {
		expires := "-"
		if s.NotAfter != nil {
			expires = s.NotAfter.Format("2006-01-02") + fmt.Sprintf(" (%dd)", *s.DaysLeft)
			if *s.DaysLeft < 0 {
				expires = s.NotAfter.Format("2006-01-02") + " expired"
			}
		}
		fmt.Fprintf(w, "%-8s  %-10s  %-10s  %-22s  %s\n", s.ID, s.State, s.KeyType, expires, strings.Join(s.Names, ", "))
	}
}

type certShow struct {
	certSummary
	Request     *certs.RequestSpec `json:"request,omitempty"`
	CSR         *certs.CSRInfo     `json:"csr,omitempty"`
	Certificate *certs.CertInfo    `json:"certificate,omitempty"`
	Chain       []certs.CertInfo   `json:"chain"`
	PEM         string             `json:"pem,omitempty"`
}

func (a *app) newCertShowCmd() *cobra.Command {
	var withPEM bool
	cmd := &cobra.Command{
		Use:   "show [ID] [--pem]",
		Short: "Show one request or certificate, the active one by default",
		Long: `Show a pending request or a certificate in detail: the active certificate when
no ID is given. --pem prints it as PEM instead (the certificate and its
intermediates, or a request's CSR); private keys are never shown ('cwsec cert
export' writes them to a file).

` + exitCodesHelp,
		Example:           "  cwsec cert show\n  cwsec cert show 1a2b3c4d --pem > careware-fullchain.pem",
		Args:              usageArgs(cobra.MaximumNArgs(1)),
		ValidArgsFunction: a.completeCertIDs(false),
		RunE: certRunE(func(_ *cobra.Command, args []string) error {
			id := ""
			if len(args) == 1 {
				id = args[0]
			}
			return a.runShow(id, withPEM)
		}),
	}
	cmd.Flags().BoolVar(&withPEM, "pem", false, "print the certificate and chain (or the CSR) as PEM")
	return cmd
}

// loadRecord finds record id, or the active one for "".
func loadRecord(tx *store.Tx, id string) (certs.Record, error) {
	if id == "" {
		rec, found, err := certs.RecordInState(tx, certs.StateActive)
		if err == nil && !found {
			err = failf("'cwsec cert list' shows requests and certificates; name one by its ID", "there is no active certificate")
		}
		return rec, err
	}
	rec, found, err := certs.LoadRecord(tx, certs.NormalizeID(id))
	if err == nil && !found {
		err = failf("'cwsec cert list' shows the IDs", "no request or certificate has the ID %q", id)
	}
	return rec, err
}

func (a *app) runShow(id string, withPEM bool) error {
	var out certShow
	err := a.view(func(tx *store.Tx) error {
		rec, err := loadRecord(tx, id)
		if err != nil {
			return err
		}
		if out.certSummary, err = a.summarize(rec); err != nil {
			return err
		}
		out.Request, out.Chain = rec.Request, []certs.CertInfo{}
		if len(rec.CSR) > 0 && !rec.HasCertificate() {
			if b, err := certs.ParseBundle(rec.CSR, nil); err == nil && len(b.CSRs) == 1 {
				info := certs.DescribeCSR(b.CSRs[0])
				out.CSR = &info
			}
			out.PEM = string(certs.CSRPEM(rec.CSR))
		}
		if rec.HasCertificate() {
			leaf, err := rec.Leaf()
			if err != nil {
				return err
			}
			chain, err := rec.Intermediates()
			if err != nil {
				return err
			}
			info := certs.Describe(leaf, a.now())
			out.Certificate = &info
			for _, c := range chain {
				out.Chain = append(out.Chain, certs.Describe(c, a.now()))
			}
			out.PEM = string(certs.FullChainPEM(leaf, chain))
		}
		return nil
	})
	if err != nil {
		return err
	}
	if withPEM && a.cfg.Output != "json" {
		_, err := io.WriteString(a.io.Out, out.PEM)
		return err
	}
	if !withPEM {
		out.PEM = ""
	}
	return a.emit(out, func(w io.Writer) { printShow(w, out) })
}

func printShow(w io.Writer, s certShow) {
	what := "Certificate"
	if s.Certificate == nil {
		what = "Request"
	}
	fmt.Fprintf(w, "%s %s (%s)\n", what, s.ID, s.State)
	row(w, "Key from", keySourceText(s.KeySource))
	row(w, "Created", utcTime(s.CreatedAt))
	if s.InstalledAt != nil {
		row(w, "Installed", utcTime(*s.InstalledAt))
	}
	if s.Certificate != nil {
		printCertInfo(w, *s.Certificate)
		for i, c := range s.Chain {
			fmt.Fprintf(w, "Intermediate %d\n", i+1)
			row(w, "Subject", c.Subject)
			row(w, "Issuer", c.Issuer)
			row(w, "Valid until", utcTime(c.NotAfter))
			row(w, "SHA-256", c.SHA256Fingerprint)
		}
	} else if s.CSR != nil {
		row(w, "Subject", s.CSR.Subject)
		row(w, "SANs", formatSANs(s.CSR.SANs))
		row(w, "SPKI SHA-256", s.CSR.SPKISHA256)
		fmt.Fprintf(w, "Waiting for its certificate; 'cwsec cert show %s --pem' prints the CSR again.\n", s.ID)
	}
	if len(s.Deployments) > 0 {
		fmt.Fprintln(w, "Deployments")
		names := make([]string, 0, len(s.Deployments))
		for n := range s.Deployments {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			d := s.Deployments[n]
			state := "ok"
			if !d.OK {
				state = "FAILED: " + d.Message
			}
			row(w, n, utcTime(d.At)+" "+state)
		}
	}
}

func keySourceText(src string) string {
	if src == certs.KeySourceFile {
		return "a key file given to cert install"
	}
	return "cwsec cert request"
}
