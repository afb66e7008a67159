package cli

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/cwsec/cwsec/internal/certs"
	"github.com/cwsec/cwsec/internal/fileio"
)

// The rules every cert command follows:
//   - outside input (certificate files, chains, keys, password files, stdin)
//     is read bounded: certs.MaxInputSize, refused beyond it without reading
//     the rest;
//   - passwords come from --password-file FILE, from stdin (-) or from a
//     terminal prompt without echo, never from a flag value or the
//     environment, and there is no default password;
//   - files holding a private key are written 0600 with fileio.WriteNew and
//     never over an existing file;
//   - every change of state, and every export of a key, is audited in the
//     transaction that makes it.

func (a *app) newCertCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cert",
		Short: "TLS certificates: request, inspect, install, export, deploy, roll back",
		Long: `Take a CAREWare server from "no certificate" to "the server serves a valid,
complete chain" without openssl:

  cwsec cert request --cn careware.example.org > careware.csr
  # send careware.csr to your certificate authority; it returns a certificate
  cwsec cert install careware.crt --chain ca-bundle.crt
  cwsec cert list

'request' keeps the new private key sealed in the store as a pending request.
'install' matches the certificate to that request by its public key, builds and
orders the chain, checks everything a client will check, and only then makes it
the active certificate and deploys it to the targets in tls.deploy. 'rollback'
returns to the certificate that was active before.

Certificates and requests are named by an 8-digit ID ('cwsec cert list').
States: pending (a request waiting for its certificate), active, previous (the
one 'rollback' returns to), superseded.

` + groupExitCodesHelp,
		Args: usageArgs(cobra.NoArgs),
		RunE: groupRunE,
	}
	cmd.AddCommand(
		a.newCertRequestCmd(), a.newCertInspectCmd(), a.newCertInstallCmd(),
		a.newCertListCmd(), a.newCertShowCmd(), a.newCertExportCmd(),
		a.newCertDeployCmd(), a.newCertRollbackCmd(), a.newCertCheckCmd(),
	)
	return cmd
}

// certRunE maps the certificate domain's refusals to exit 1 with their hint;
// every other error keeps its class (store errors exit 3, and so on).
func certRunE(fn func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		return certError(fn(cmd, args))
	}
}

func certError(err error) error {
	var ce *certs.Error
	var exit *exitError
	var usage *usageError
	if err == nil || errors.As(err, &exit) || errors.As(err, &usage) || !errors.As(err, &ce) {
		return err
	}
	return &exitError{code: ExitFailed, err: err, hint: ce.Hint()}
}

// readInput reads a certificate, chain, key or PKCS#12 file ("-" is stdin),
// never more than certs.MaxInputSize. A path must name a regular file, opened
// without blocking (the house rule of fileio.ReadRegular), and one that is
// larger is refused by its size without being read; stdin, which may be a
// pipe, is read one byte past the limit at most.
func (a *app) readInput(path string) ([]byte, error) {
	if path == "-" {
		data, err := certs.ReadBounded(a.io.In, certs.MaxInputSize)
		if err != nil {
			return nil, fmt.Errorf("stdin: %w", err)
		}
		return data, nil
	}
	data, err := fileio.ReadRegular(path, certs.MaxInputSize)
	switch {
	case err == nil:
		return data, nil
	case errors.Is(err, fileio.ErrTooLarge):
		size := "more"
		if info, serr := os.Stat(path); serr == nil {
			size = humanSize(info.Size())
		}
		return nil, &exitError{code: ExitFailed,
			err:  fmt.Errorf("%s is %s, larger than the %d bytes a certificate file may have: %w", path, size, certs.MaxInputSize, certs.ErrInputTooLarge),
			hint: "certificate files are a few kilobytes; check that the path names a certificate, chain, key or PKCS#12 file"}
	case errors.Is(err, fileio.ErrNotRegular):
		return nil, failf("give a certificate, chain, CSR, key or PKCS#12 file; to read from a pipe, give - and use stdin", "cannot read %v", err)
	}
	return nil, failf("check the file name", "cannot read %s: %v", path, unwrapPathError(err))
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// parseInput reads and parses path. password is used for PKCS#12 files; when
// one needs a password and none was given, a terminal is asked.
func (a *app) parseInput(path, passwordFile string) (*certs.Bundle, error) {
	data, err := a.readInput(path)
	if err != nil {
		return nil, err
	}
	var password []byte
	if passwordFile != "" {
		pw, err := a.readPasswordFile(passwordFile)
		if err != nil {
			return nil, err
		}
		password = []byte(pw)
	}
	b, err := certs.ParseBundle(data, password)
	if errors.Is(err, certs.ErrPasswordRequired) && passwordFile == "" && path != "-" && a.canPrompt() {
		pw, perr := a.promptPassword(fmt.Sprintf("Password for %s: ", path), false)
		if perr != nil {
			return nil, perr
		}
		b, err = certs.ParseBundle(data, []byte(pw))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", displayName(path), err)
	}
	return b, nil
}

func displayName(path string) string {
	if path == "-" {
		return "stdin"
	}
	return path
}

// maxPasswordInput bounds a password file: a password is a line.
const maxPasswordInput = 4096

// readPasswordFile reads a password from FILE, or from stdin for "-", and
// strips one trailing line ending: `echo secret > file` must mean "secret".
func (a *app) readPasswordFile(path string) (string, error) {
	var data []byte
	var err error
	if path == "-" {
		if data, err = io.ReadAll(io.LimitReader(a.io.In, maxPasswordInput+1)); err == nil && len(data) > maxPasswordInput {
			err = fileio.ErrTooLarge
		}
	} else {
		data, err = fileio.ReadRegular(path, maxPasswordInput)
		if info, serr := os.Stat(path); err == nil && serr == nil && runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 {
			fmt.Fprintf(a.io.ErrOut, "warning: the password file %s is readable by other accounts (%s); run: chmod 600 %s\n", path, info.Mode().Perm(), path)
		}
	}
	if err != nil {
		return "", failf("give the file that holds the password (one line), or - to read it from stdin",
			"cannot read the password file %s: %v", displayName(path), unwrapPathError(err))
	}
	data = bytes.TrimSuffix(data, []byte("\n"))
	data = bytes.TrimSuffix(data, []byte("\r"))
	return string(data), nil
}

// canPrompt reports whether a password can be asked for without echo.
func (a *app) canPrompt() bool {
	f, ok := a.io.In.(*os.File)
	return ok && a.io.InTTY && term.IsTerminal(int(f.Fd()))
}

// promptPassword asks on the terminal, without echo; with confirm, twice.
func (a *app) promptPassword(prompt string, confirm bool) (string, error) {
	f, ok := a.io.In.(*os.File)
	if !ok || !a.canPrompt() {
		return "", needPasswordFile()
	}
	read := func(p string) (string, error) {
		fmt.Fprint(a.io.ErrOut, p)
		pw, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.io.ErrOut)
		return string(pw), err
	}
	pw, err := read(prompt)
	if err != nil {
		return "", err
	}
	if confirm {
		again, err := read("Again: ")
		if err != nil {
			return "", err
		}
		if again != pw {
			return "", failf("type the same password twice", "the passwords do not match")
		}
	}
	return pw, nil
}

func needPasswordFile() error {
	return &usageError{err: errors.New("a password is needed and stdin is not a terminal; give it with --password-file FILE (or --password-file - to read it from stdin)")}
}

// password gets a password from --password-file or, failing that, from the
// terminal. An empty password is refused: there is no default.
func (a *app) password(file, prompt string, confirm bool) (string, error) {
	var pw string
	var err error
	if file != "" {
		pw, err = a.readPasswordFile(file)
	} else {
		pw, err = a.promptPassword(prompt, confirm)
	}
	if err != nil {
		return "", err
	}
	if pw == "" {
		return "", failf("put the password in the file (one line), or type one at the prompt; cwsec has no default password", "the password is empty")
	}
	return pw, nil
}

// configPath resolves a path from the config file: relative paths are
// relative to the config file's directory, so that a scheduled job finds
// the same files whatever its working directory.
func (a *app) configPath(p string) string { return resolveFrom(a.cfg.ConfigFile, p) }

// resolveFrom reads a path named inside file relative to file's directory;
// absolute paths stay as they are.
func resolveFrom(file, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(filepath.Dir(file), p)
}

// trustAnchors reads --roots and tls.roots at once, so that a bad file
// stops the command before any work, and returns the trust anchors for chain
// building (the system roots plus those) with, separately, the system roots
// alone, which decide whether a chain ends at a public root. The pools are
// built once, on first use, and that has already started in the background:
// reading the system roots takes about 12 ms on Debian (Go parses the bundle
// and then every file of /etc/ssl/certs, golang/go#38869), which a check
// then spends beside its first handshakes instead of before them.
func (a *app) trustAnchors(rootsFlag string) (func() (pool, system *x509.CertPool), error) {
	extra, err := a.extraRoots(rootsFlag)
	if err != nil {
		return nil, err
	}
	anchors := sync.OnceValues(func() (pool, system *x509.CertPool) {
		system, err := x509.SystemCertPool()
		if err != nil || system == nil {
			system = x509.NewCertPool()
		}
		pool = system.Clone()
		for _, c := range extra {
			pool.AddCert(c)
		}
		return pool, system
	})
	go anchors()
	return anchors, nil
}

// extraRoots are the roots of --roots and tls.roots (PEM in the config, or a
// file named there).
func (a *app) extraRoots(rootsFlag string) ([]*x509.Certificate, error) {
	var roots []*x509.Certificate
	add := func(what string, data []byte) error {
		b, err := certs.ParseBundle(data, nil)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if len(b.Certificates) == 0 {
			return failf("give the CA's root certificate in PEM", "%s holds no certificate", what)
		}
		roots = append(roots, b.Certificates...)
		return nil
	}
	if rootsFlag != "" {
		data, err := a.readInput(rootsFlag)
		if err != nil {
			return nil, err
		}
		if err := add(rootsFlag, data); err != nil {
			return nil, err
		}
	}
	if cfgRoots := strings.TrimSpace(a.cfg.TLS.Roots); cfgRoots != "" {
		var err error
		if strings.Contains(cfgRoots, "-----BEGIN") {
			err = add("tls.roots", []byte(cfgRoots))
		} else {
			var data []byte
			if data, err = a.readInput(a.configPath(cfgRoots)); err == nil {
				err = add("tls.roots ("+a.configPath(cfgRoots)+")", data)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return roots, nil
}

// requiredNames are the names a certificate must cover: the request's, then
// tls.server_names, without repeats.
func (a *app) requiredNames(rec *certs.Record) []string {
	var names []string
	seen := map[string]bool{}
	var from []string
	if rec != nil {
		from = rec.Names()
	}
	for _, n := range append(from, a.cfg.TLS.ServerNames...) {
		key := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(n), "."))
		if key != "" && !seen[key] {
			seen[key] = true
			names = append(names, n)
		}
	}
	return names
}
