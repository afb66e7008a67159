package cli

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cwsec/cwsec/internal/audit"
	"github.com/cwsec/cwsec/internal/certs"
	"github.com/cwsec/cwsec/internal/fileio"
	"github.com/cwsec/cwsec/internal/store"
)

type requestOptions struct {
	cn, org, ou, locality, state, country, keyType string
	sans, ips                                      []string
	out, keyOut                                    string
}

type requestResult struct {
	ID          string   `json:"id"`
	State       string   `json:"state"`
	KeyType     string   `json:"key_type"`
	CommonName  string   `json:"common_name"`
	DNSNames    []string `json:"dns_names"`
	IPAddresses []string `json:"ip_addresses"`
	SPKISHA256  string   `json:"spki_sha256"`
	CSR         string   `json:"csr"`
	CSRFile     string   `json:"csr_file,omitempty"`
	KeyFile     string   `json:"key_file,omitempty"`
}

func (a *app) newCertRequestCmd() *cobra.Command {
	var o requestOptions
	cmd := &cobra.Command{
		Use:   "request --cn NAME [--san NAME]... [--ip ADDR]... [--key-type TYPE] [--out FILE] [--key-out FILE]",
		Short: "Make a private key and a certificate signing request (CSR)",
		Long: `Make a new private key and a certificate signing request (CSR) for it, to send
to a certificate authority. The key stays in the store, sealed under the master
key, as a pending request with an ID; 'cwsec cert install' later finds it by the
certificate's public key.

The common name is always also a subject alternative name (browsers look only
at SANs). Names are checked and normalised as a CA will: lower case,
internationalised names as punycode, a wildcard only as the whole leftmost
label ("*.example.org"), no empty labels, at most 63 characters a label and
253 a name. IP addresses go in with --ip.

Key types: ecdsa-p256 (default: small, fast, accepted everywhere), ecdsa-p384,
rsa-2048, rsa-3072, rsa-4096 (for clients that need RSA).

The CSR goes to stdout, or to --out FILE. --key-out FILE also writes the key
(PKCS#8 PEM, mode 0600, never over an existing file) for servers that need it
before cwsec deploys it; keep such a copy only as long as you need it.

` + exitCodesHelp,
		Example: `  cwsec cert request --cn careware.example.org > careware.csr
  cwsec cert request --cn careware.example.org --san cw.example.org --ip 192.0.2.10 \
      --org "Example Clinic" --country US --key-type rsa-2048 --out careware.csr
  cwsec cert request --cn careware.example.org -o json`,
		Args: usageArgs(cobra.NoArgs),
		RunE: certRunE(func(c *cobra.Command, _ []string) error {
			if strings.TrimSpace(o.cn) == "" {
				return &usageError{err: errors.New("--cn NAME is required: the server's main DNS name"), usage: usageLine(c)}
			}
			return a.runRequest(o)
		}),
	}
	f := cmd.Flags()
	f.StringVar(&o.cn, "cn", "", "common name: the server's main DNS name (also put in the SANs)")
	f.StringSliceVar(&o.sans, "san", nil, "another DNS name for the certificate (repeat, or separate with commas)")
	f.StringSliceVar(&o.ips, "ip", nil, "an IP address for the certificate (repeat, or separate with commas)")
	f.StringVar(&o.org, "org", "", "organization (O)")
	f.StringVar(&o.ou, "ou", "", "organizational unit (OU)")
	f.StringVar(&o.locality, "locality", "", "locality or city (L)")
	f.StringVar(&o.state, "state", "", "state or province (ST)")
	f.StringVar(&o.country, "country", "", "two-letter country code (C)")
	f.StringVar(&o.keyType, "key-type", string(certs.DefaultKeyType), "key type: ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072, rsa-4096")
	f.StringVar(&o.out, "out", "", "write the CSR to this file instead of stdout")
	f.StringVar(&o.keyOut, "key-out", "", "also write the private key to this file (0600, never over an existing file)")
	_ = cmd.RegisterFlagCompletionFunc("key-type", cobra.FixedCompletions(keyTypeNames(), cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func keyTypeNames() []string {
	var names []string
	for _, kt := range certs.KeyTypes() {
		names = append(names, string(kt))
	}
	return names
}

func (a *app) runRequest(o requestOptions) error {
	spec := certs.RequestSpec{
		CommonName: o.cn, DNSNames: o.sans, Organization: o.org, OrganizationalUnit: o.ou,
		Locality: o.locality, State: o.state, Country: o.country, KeyType: certs.KeyType(o.keyType),
	}
	for _, s := range o.ips {
		ip, err := certs.ParseIP(s)
		if err != nil {
			return err
		}
		spec.IPs = append(spec.IPs, ip)
	}
	kt, err := certs.ParseKeyType(o.keyType)
	if err != nil {
		return err
	}
	spec.KeyType = kt
	norm, err := spec.Normalize()
	if err != nil {
		return err
	}
	if err := checkNewFiles(o.out, o.keyOut); err != nil {
		return err
	}
	key, err := certs.GenerateKey(a.random, kt)
	if err != nil {
		return err
	}
	der, err := certs.CreateCSR(a.random, norm, key)
	if err != nil {
		return err
	}
	csrPEM := certs.CSRPEM(der)
	res := requestResult{
		State: string(certs.StatePending), KeyType: string(kt), CommonName: norm.CommonName,
		DNSNames: norm.DNSNames, IPAddresses: ipStrings(norm.IPs), SPKISHA256: certs.PublicKeyHash(key.Public()),
		CSR: string(csrPEM), CSRFile: o.out, KeyFile: o.keyOut,
	}
	var written []string
	err = a.update(func(tx *store.Tx) error {
		id, err := certs.NewRecordID(tx, a.random)
		if err != nil {
			return err
		}
		res.ID = id
		rec := certs.Record{
			ID: id, State: certs.StatePending, KeyType: string(kt), SPKISHA256: res.SPKISHA256,
			KeySource: certs.KeySourceRequest, CreatedAt: a.now().UTC(), Request: &norm, CSR: der,
		}
		if err := certs.SaveRecord(tx, rec); err != nil {
			return err
		}
		if err := certs.SaveKey(tx, id, key); err != nil {
			return err
		}
		ev := a.event("cert.request", id, audit.OutcomeOK)
		ev.Details = map[string]string{"names": strings.Join(append(norm.DNSNames, res.IPAddresses...), ","), "key_type": string(kt), "spki_sha256": res.SPKISHA256}
		if o.out != "" {
			ev.Details["csr_file"] = absPath(o.out)
		}
		if o.keyOut != "" {
			ev.Details["key_file"] = absPath(o.keyOut)
		}
		if err := a.record(tx, ev); err != nil {
			return err
		}
		// Written before the commit: if a file cannot be written, the
		// request is not recorded either.
		if o.out != "" {
			if err := fileio.WriteNew(o.out, csrPEM, 0o644); err != nil {
				return err
			}
			written = append(written, o.out)
		}
		if o.keyOut != "" {
			keyPEM, err := certs.MarshalPrivateKeyPEM(key)
			if err != nil {
				return err
			}
			if err := fileio.WriteNew(o.keyOut, keyPEM, 0o600); err != nil {
				return err
			}
			written = append(written, o.keyOut)
		}
		return nil
	})
	if err != nil {
		removeAll(written)
		return fileExistsError(err)
	}
	if a.cfg.Output == "json" {
		return a.emit(res, nil)
	}
	msg := a.io.ErrOut
	if o.out != "" {
		msg = a.io.Out
	} else {
		fmt.Fprint(a.io.Out, res.CSR)
	}
	names := strings.Join(append(append([]string{}, res.DNSNames...), res.IPAddresses...), ", ")
	fmt.Fprintf(msg, "Request %s: a new %s key and a CSR for %s (pending).\n", res.ID, res.KeyType, names)
	if o.out != "" {
		fmt.Fprintf(msg, "CSR written to %s.\n", o.out)
	}
	if o.keyOut != "" {
		fmt.Fprintf(msg, "Private key written to %s (0600); the store keeps its own sealed copy.\n", o.keyOut)
	}
	fmt.Fprintln(msg, "Send the CSR to your certificate authority, then: cwsec cert install CERT [--chain CHAIN]")
	return nil
}

func ipStrings(ips []net.IP) []string {
	out := []string{}
	for _, ip := range ips {
		out = append(out, ip.String())
	}
	return out
}

// checkNewFiles refuses output paths that exist already or repeat, before
// any work is done.
func checkNewFiles(paths ...string) error {
	seen := map[string]string{}
	for _, p := range paths {
		if p == "" {
			continue
		}
		if _, err := os.Lstat(p); err == nil {
			return failf("choose another file name, or move the old file away; cwsec never writes over a file", "%s already exists", p)
		}
		abs := absPath(p)
		if other, dup := seen[abs]; dup {
			return &usageError{err: fmt.Errorf("%s and %s name the same file", other, p)}
		}
		seen[abs] = p
		if info, err := os.Stat(filepath.Dir(abs)); err != nil || !info.IsDir() {
			return failf("create the directory first, or write somewhere else", "the directory of %s does not exist", p)
		}
	}
	return nil
}

// fileExistsError explains a file that appeared between the check and the write.
func fileExistsError(err error) error {
	if errors.Is(err, fileio.ErrExists) {
		return &exitError{code: ExitFailed, err: err, hint: "choose another file name, or move the old file away; cwsec never writes over a file"}
	}
	return err
}

func removeAll(paths []string) {
	for _, p := range paths {
		os.Remove(p)
	}
}

func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}
