package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cwsec/cwsec/internal/audit"
	"github.com/cwsec/cwsec/internal/certs"
	"github.com/cwsec/cwsec/internal/fileio"
	"github.com/cwsec/cwsec/internal/store"
)

type exportOptions struct {
	format, out, certOut, keyOut, chainOut, passwordFile, profile string
}

type exportedFile struct {
	Path     string `json:"path"`
	Contents string `json:"contents"`
	Mode     string `json:"mode"`
}

type exportResult struct {
	ID         string         `json:"id"`
	Format     string         `json:"format"`
	PFXProfile string         `json:"pfx_profile,omitempty"`
	Files      []exportedFile `json:"files"`
}

func (a *app) newCertExportCmd() *cobra.Command {
	var o exportOptions
	cmd := &cobra.Command{
		Use:   "export --format pem|pfx [ID] [--out FILE | --cert-out F --key-out F --chain-out F] [--password-file FILE] [--pfx-profile modern|legacy]",
		Short: "Write a certificate with its chain and private key to files",
		Long: `Write the active certificate (or the one named by ID) with its chain and
private key, for a server cwsec does not deploy to.

--format pem: with --out FILE, one file holding the certificate, the
intermediates and the key. Or separate files: --cert-out (the certificate
followed by the intermediates, only the certificate when --chain-out is also
given), --key-out (the key, PKCS#8) and --chain-out (the intermediates); any of
them may be left out.

--format pfx: a password-protected PKCS#12 file (--out) with the key, the
certificate and the chain, read back after writing. --pfx-profile modern uses
AES-256 and SHA-256 (Windows Server 2019 and later); legacy uses 3DES with a
SHA-1 MAC (Windows Server 2016 and earlier, which refuse the modern file as
"password incorrect"). There is no default password: it comes from
--password-file FILE (- for stdin; one trailing newline is ignored) or is asked
twice on the terminal.

Every file is written with mode 0600, never over an existing file. An export
is recorded in the audit trail: it takes a private key out of the store.

` + exitCodesHelp,
		Example: `  cwsec cert export --format pfx --out careware.pfx --password-file pfx.pass
  cwsec cert export --format pfx --pfx-profile legacy --out careware-2016.pfx
  cwsec cert export --format pem --cert-out fullchain.pem --key-out careware.key
  cwsec cert export --format pem 1a2b3c4d --out careware-combined.pem`,
		Args:              usageArgs(cobra.MaximumNArgs(1)),
		ValidArgsFunction: a.completeCertIDs(true),
		RunE: certRunE(func(c *cobra.Command, args []string) error {
			id := ""
			if len(args) == 1 {
				id = args[0]
			}
			if err := o.check(); err != nil {
				return &usageError{err: err, usage: usageLine(c)}
			}
			return a.runExport(id, o)
		}),
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "", "pem or pfx (required)")
	f.StringVar(&o.out, "out", "", "the one output file")
	f.StringVar(&o.certOut, "cert-out", "", "pem: the certificate (and intermediates unless --chain-out)")
	f.StringVar(&o.keyOut, "key-out", "", "pem: the private key")
	f.StringVar(&o.chainOut, "chain-out", "", "pem: the intermediates")
	f.StringVar(&o.passwordFile, "password-file", "", "pfx: file holding the password (- for stdin)")
	f.StringVar(&o.profile, "pfx-profile", string(certs.PFXModern), "pfx: modern or legacy")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"pem", "pfx"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("pfx-profile", cobra.FixedCompletions([]string{"modern", "legacy"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func (o exportOptions) check() error {
	split := o.certOut != "" || o.keyOut != "" || o.chainOut != ""
	switch o.format {
	case "pem":
		if o.out != "" && split {
			return errors.New("give either --out or --cert-out/--key-out/--chain-out, not both")
		}
		if o.out == "" && !split {
			return errors.New("say where to write: --out FILE, or --cert-out/--key-out/--chain-out")
		}
		if o.passwordFile != "" {
			return errors.New("--password-file is for --format pfx; PEM files are not encrypted")
		}
	case "pfx":
		if split {
			return errors.New("--cert-out, --key-out and --chain-out are for --format pem; a PKCS#12 file is one --out FILE")
		}
		if o.out == "" {
			return errors.New("--format pfx needs --out FILE")
		}
	case "":
		return errors.New("--format pem or --format pfx is required")
	default:
		return fmt.Errorf("--format must be pem or pfx, not %q", o.format)
	}
	return nil
}

func (a *app) runExport(id string, o exportOptions) error {
	profile, err := certs.ParsePFXProfile(o.profile)
	if err != nil {
		return err
	}
	if err := checkNewFiles(o.out, o.certOut, o.keyOut, o.chainOut); err != nil {
		return err
	}
	password := ""
	if o.format == "pfx" {
		if password, err = a.password(o.passwordFile, "Password for the PKCS#12 file: ", true); err != nil {
			return err
		}
	}
	res := exportResult{Format: o.format, Files: []exportedFile{}}
	if o.format == "pfx" {
		res.PFXProfile = string(profile)
	}
	var written []string
	err = a.update(func(tx *store.Tx) error {
		rec, err := loadRecord(tx, id)
		if err != nil {
			return err
		}
		if !rec.HasCertificate() {
			return failf("install its certificate first: cwsec cert install CERT", "%s is a pending request without a certificate; there is nothing to export", rec.ID)
		}
		res.ID = rec.ID
		m, err := certs.LoadMaterial(tx, rec)
		if err != nil {
			return err
		}
		leaf, chain, key := m.Leaf, m.Chain, m.Key
		type file struct {
			path, contents string
			data           []byte
		}
		var files []file
		if o.format == "pfx" {
			pfx, err := certs.EncodePFX(a.random, key, leaf, chain, password, profile)
			if err != nil {
				return err
			}
			files = append(files, file{o.out, "pkcs12", pfx})
		} else {
			keyPEM, err := certs.MarshalPrivateKeyPEM(key)
			if err != nil {
				return err
			}
			full := certs.FullChainPEM(leaf, chain)
			if o.out != "" {
				files = append(files, file{o.out, "certificate, chain and key", append(full, keyPEM...)})
			}
			if o.certOut != "" {
				if o.chainOut != "" {
					files = append(files, file{o.certOut, "certificate", certs.CertificatesPEM(leaf)})
				} else {
					files = append(files, file{o.certOut, "certificate and chain", full})
				}
			}
			if o.keyOut != "" {
				files = append(files, file{o.keyOut, "key", keyPEM})
			}
			if o.chainOut != "" {
				files = append(files, file{o.chainOut, "chain", certs.CertificatesPEM(chain...)})
			}
		}
		var paths []string
		for _, f := range files {
			if err := fileio.WriteNew(f.path, f.data, 0o600); err != nil {
				return err
			}
			written = append(written, f.path)
			paths = append(paths, absPath(f.path))
			res.Files = append(res.Files, exportedFile{Path: f.path, Contents: f.contents, Mode: "0600"})
		}
		ev := a.event("cert.export", rec.ID, audit.OutcomeOK)
		ev.Details = map[string]string{"format": o.format, "files": strings.Join(paths, " "), "sha256_fingerprint": certs.Fingerprint(leaf.Raw)}
		if o.format == "pfx" {
			ev.Details["pfx_profile"] = string(profile)
		}
		return a.record(tx, ev)
	})
	if err != nil {
		removeAll(written)
		return fileExistsError(err)
	}
	return a.emit(res, func(w io.Writer) {
		for _, f := range res.Files {
			fmt.Fprintf(w, "Wrote %s (%s, mode 0600)\n", f.Path, f.Contents)
		}
		if res.Format == "pfx" {
			fmt.Fprintf(w, "PKCS#12 profile %s: %s. It was read back with the password after writing.\n", res.PFXProfile, profileText(profile))
		}
	})
}

func profileText(p certs.PFXProfile) string {
	if p == certs.PFXLegacy {
		return "3DES with a SHA-1 MAC, for Windows Server 2016 and earlier"
	}
	return "AES-256 with SHA-256, for Windows Server 2019 and later"
}
