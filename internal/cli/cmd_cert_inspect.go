package cli

import (
	"crypto/x509"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cwsec/cwsec/internal/certs"
)

type inspectedCert struct {
	Role string `json:"role"` // leaf, intermediate, root
	certs.CertInfo
}

type inspectedKey struct {
	KeyType string `json:"key_type"`
	Bits    int    `json:"bits"`
	// MatchesLeaf says whether the key belongs to the file's leaf certificate.
	MatchesLeaf *bool `json:"matches_leaf,omitempty"`
}

type inspectResult struct {
	File         string          `json:"file"`
	Format       string          `json:"format"`
	Certificates []inspectedCert `json:"certificates"`
	CSRs         []certs.CSRInfo `json:"csrs"`
	PrivateKey   *inspectedKey   `json:"private_key,omitempty"`
	At           time.Time       `json:"at"`
}

func (a *app) newCertInspectCmd() *cobra.Command {
	var passwordFile string
	cmd := &cobra.Command{
		Use:   "inspect FILE|- [--password-file FILE]",
		Short: "Show what a certificate, chain, CSR or PKCS#12 file holds",
		Long: `Show what is in a certificate file, in any format: PEM or DER certificates and
chains, CSRs, PKCS#7 (.p7b) bundles and PKCS#12 (.pfx/.p12) files. For each
certificate: subject, SANs, issuer, validity and days left, key type and size,
signature algorithm, key usage and extended key usage, SHA-256 fingerprints of
the certificate and its public key, and the CA issuer, OCSP and CRL URLs.
Private keys are never printed; cwsec says only their type and whether they
match the certificate.

inspect reads only the file: it does not need 'cwsec init' and does not touch
the store. A PKCS#12 password comes from --password-file (- for stdin) or, on a
terminal, from a prompt. Files over 1 MiB are refused without being read.

` + exitCodesHelp,
		Example: `  cwsec cert inspect careware.crt
  cwsec cert inspect careware.pfx --password-file pfx.pass
  openssl s_client -connect careware.example.org:443 -showcerts </dev/null | cwsec cert inspect -
  cwsec cert inspect careware.csr -o json`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: certRunE(func(_ *cobra.Command, args []string) error {
			if args[0] == "-" && passwordFile == "-" {
				return &usageError{err: fmt.Errorf("stdin cannot hold both the file and its password; use --password-file FILE")}
			}
			return a.runInspect(args[0], passwordFile)
		}),
	}
	cmd.Flags().StringVar(&passwordFile, "password-file", "", "file holding the PKCS#12 password (- for stdin)")
	return cmd
}

func (a *app) runInspect(path, passwordFile string) error {
	b, err := a.parseInput(path, passwordFile)
	if err != nil {
		return err
	}
	now := a.now()
	res := inspectResult{File: displayName(path), Format: b.Format, Certificates: []inspectedCert{}, CSRs: []certs.CSRInfo{}, At: now.UTC()}
	leaf := b.Leaf()
	for _, c := range b.Certificates {
		res.Certificates = append(res.Certificates, inspectedCert{Role: certRole(c, leaf), CertInfo: certs.Describe(c, now)})
	}
	for _, csr := range b.CSRs {
		res.CSRs = append(res.CSRs, certs.DescribeCSR(csr))
	}
	if b.PrivateKey != nil {
		name, bits := certs.DescribeKey(b.PrivateKey.Public())
		res.PrivateKey = &inspectedKey{KeyType: name, Bits: bits}
		if leaf != nil {
			m := certs.PublicKeysEqual(leaf.PublicKey, b.PrivateKey.Public())
			res.PrivateKey.MatchesLeaf = &m
		}
	}
	return a.emit(res, func(w io.Writer) { printInspect(w, res) })
}

func certRole(c, leaf *x509.Certificate) string {
	switch {
	case c == leaf:
		return "leaf"
	case c.BasicConstraintsValid && c.IsCA && string(c.RawSubject) == string(c.RawIssuer) && c.CheckSignatureFrom(c) == nil:
		return "root"
	case c.BasicConstraintsValid && c.IsCA:
		return "intermediate"
	}
	return "certificate"
}

func printInspect(w io.Writer, r inspectResult) {
	fmt.Fprintf(w, "%s: %s\n", r.File, describeFormat(r))
	for i, c := range r.Certificates {
		fmt.Fprintf(w, "\nCertificate %d of %d (%s)\n", i+1, len(r.Certificates), c.Role)
		printCertInfo(w, c.CertInfo)
	}
	for i, c := range r.CSRs {
		fmt.Fprintf(w, "\nCertificate signing request %d of %d\n", i+1, len(r.CSRs))
		row(w, "Subject", c.Subject)
		row(w, "SANs", formatSANs(c.SANs))
		row(w, "Key", fmt.Sprintf("%s (%d bits)", c.KeyType, c.KeyBits))
		row(w, "Signature", c.SignatureAlgorithm+map[bool]string{true: " (valid)", false: " (INVALID)"}[c.SignatureValid])
		row(w, "SPKI SHA-256", c.SPKISHA256)
	}
	if k := r.PrivateKey; k != nil {
		fmt.Fprintln(w, "\nPrivate key")
		row(w, "Key", fmt.Sprintf("%s (%d bits)", k.KeyType, k.Bits))
		if k.MatchesLeaf != nil {
			row(w, "Matches leaf", yesNo(*k.MatchesLeaf))
		}
	}
}

func describeFormat(r inspectResult) string {
	var parts []string
	count := func(n int, one, many string) {
		switch {
		case n == 1:
			parts = append(parts, "1 "+one)
		case n > 1:
			parts = append(parts, fmt.Sprintf("%d %s", n, many))
		}
	}
	count(len(r.Certificates), "certificate", "certificates")
	count(len(r.CSRs), "CSR", "CSRs")
	if r.PrivateKey != nil {
		parts = append(parts, "a private key")
	}
	return fmt.Sprintf("%s, %s", strings.ToUpper(r.Format), strings.Join(parts, ", "))
}

func printCertInfo(w io.Writer, c certs.CertInfo) {
	row(w, "Subject", c.Subject)
	row(w, "SANs", formatSANs(c.SANs))
	row(w, "Issuer", c.Issuer)
	row(w, "Valid", fmt.Sprintf("%s to %s (%s; lifetime %d days)", utcTime(c.NotBefore), utcTime(c.NotAfter), daysLeftText(c.DaysLeft), c.LifetimeDays))
	row(w, "Key", fmt.Sprintf("%s (%d bits)", c.KeyType, c.KeyBits))
	row(w, "Signature", c.SignatureAlgorithm)
	row(w, "Key usage", listOrNone(c.KeyUsage))
	row(w, "Ext. key usage", listOrNone(c.ExtKeyUsage))
	row(w, "CA", yesNo(c.IsCA)+map[bool]string{true: " (self-signed)", false: ""}[c.SelfSigned])
	row(w, "Serial", c.Serial)
	row(w, "SHA-256", c.SHA256Fingerprint)
	row(w, "SPKI SHA-256", c.SPKISHA256)
	if len(c.IssuerURLs) > 0 {
		row(w, "CA issuers", strings.Join(c.IssuerURLs, ", "))
	}
	if len(c.OCSPURLs) > 0 {
		row(w, "OCSP", strings.Join(c.OCSPURLs, ", "))
	}
	if len(c.CRLURLs) > 0 {
		row(w, "CRL", strings.Join(c.CRLURLs, ", "))
	}
}

func row(w io.Writer, label, value string) { fmt.Fprintf(w, "  %-15s %s\n", label, value) }

func formatSANs(s certs.SANs) string {
	var out []string
	for _, n := range s.DNS {
		out = append(out, "DNS:"+n)
	}
	for _, n := range s.IP {
		out = append(out, "IP:"+n)
	}
	for _, n := range s.Email {
		out = append(out, "email:"+n)
	}
	for _, n := range s.URI {
		out = append(out, "URI:"+n)
	}
	return listOrNone(out)
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "(none)"
	}
	return strings.Join(l, ", ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// utcTime shows a certificate date the way CAs and openssl do: UTC.
func utcTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

func daysLeftText(days int) string {
	if days < 0 {
		return fmt.Sprintf("EXPIRED %d days ago", -days)
	}
	return fmt.Sprintf("%d days left", days)
}
