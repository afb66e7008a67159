package certs

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/cwsec/cwsec/internal/fileio"
)

// Deployment: writing a certificate where a server reads it, making the
// server load it, and confirming that it serves it. This file touches the
// file system, runs the target's reload command and connects to its
// endpoint; the rest of the package stays pure.
//
// Each file is replaced atomically (temporary file in the same directory,
// fsync, rename, directory fsync), and what was there before is kept beside
// it as FILE.previous. If writing, the reload or the endpoint check fails, the
// old contents are put back and the reload runs again, so the server is left
// as it was found.

// Deployment formats.
const (
	DeployPEM = "pem"
	DeployPFX = "pfx"
)

// PreviousSuffix names the copy of a deployed file's former contents.
const PreviousSuffix = ".previous"

// Defaults for DeployOptions.
const (
	DefaultReloadTimeout = 2 * time.Minute
	DefaultVerifyTimeout = 30 * time.Second
)

// maxOutputKept is how much of a reload command's output a result keeps: the
// end, where the error usually is.
const maxOutputKept = 2048

// DeployTarget is one place the certificate goes. Paths are absolute or
// relative to the process's working directory; the caller resolves them.
type DeployTarget struct {
	Name   string
	Format string // DeployPEM or DeployPFX
	// PFX: the file, its password and profile.
	Path       string
	Password   string
	PFXProfile PFXProfile
	// PEM: the certificate (followed by the intermediates unless ChainPath is
	// set, and by the key unless KeyPath is set), the key, the intermediates.
	CertPath, KeyPath, ChainPath string
	// Reload is a shell command (sh -c on Unix, cmd /C on Windows) run in Dir
	// after the files are written and again after they are put back.
	Reload string
	Dir    string
	// VerifyEndpoint, when set, is a host:port that must serve the new
	// certificate once the reload has run. ServerName is sent as SNI.
	VerifyEndpoint string
	ServerName     string
}

// Material is what gets deployed: the key, the leaf and its intermediates.
type Material struct {
	Key   crypto.Signer
	Leaf  *x509.Certificate
	Chain []*x509.Certificate
}

// DeployOptions bound the deployment in time and supply randomness.
type DeployOptions struct {
	ReloadTimeout time.Duration // zero: DefaultReloadTimeout
	VerifyTimeout time.Duration // zero: DefaultVerifyTimeout
	Random        io.Reader     // for PKCS#12 salts; nil: crypto/rand
	// Env is added to the reload command's environment.
	Env []string
}

// CommandResult is how a reload command ended.
type CommandResult struct {
	Command  string `json:"command"`
	ExitCode int    `json:"exit_code"`
	TimedOut bool   `json:"timed_out,omitempty"`
	Output   string `json:"output,omitempty"` // the last 2 KiB of stdout and stderr
	Error    string `json:"error,omitempty"`
}

// OK reports whether the command ran and exited 0 in time.
func (c *CommandResult) OK() bool { return c != nil && c.Error == "" && c.ExitCode == 0 && !c.TimedOut }

func (c *CommandResult) failure() string {
	switch {
	case c.TimedOut:
		return fmt.Sprintf("the reload command %q did not finish in time and was stopped", c.Command)
	case c.Error != "":
		return fmt.Sprintf("the reload command %q could not run: %s", c.Command, c.Error)
	}
	return fmt.Sprintf("the reload command %q exited with status %d", c.Command, c.ExitCode)
}

// DeployResult is what happened at one target.
type DeployResult struct {
	Target string `json:"target"`
	OK     bool   `json:"ok"`
	// Files are the files written; PreviousFiles the copies of what they held.
	Files         []string       `json:"files"`
	PreviousFiles []string       `json:"previous_files"`
	Reload        *CommandResult `json:"reload,omitempty"`
	// Verified: the endpoint served the new certificate.
	Verified          bool   `json:"verified"`
	Endpoint          string `json:"endpoint,omitempty"`
	ServedFingerprint string `json:"served_sha256_fingerprint,omitempty"`
	Error             string `json:"error,omitempty"`
	// On failure: whether the former files were put back, and how the
	// reload that followed went.
	Restored      bool           `json:"restored"`
	RestoreReload *CommandResult `json:"restore_reload,omitempty"`
	RestoreError  string         `json:"restore_error,omitempty"`
}

// deployFile is one file a target receives.
type deployFile struct {
	path string
	data []byte
	perm fs.FileMode
	key  bool // holds a private key: never readable by others
}

// snapshot is a file as it was before deployment.
type snapshot struct {
	exists bool
	data   []byte
	info   fs.FileInfo
}

// Deploy writes m to t, reloads and verifies, restoring the former files on
// any failure. The returned result says what happened; err is set exactly
// when the deployment failed, and is then a summary of the result.
func Deploy(ctx context.Context, t DeployTarget, m Material, opts DeployOptions) (DeployResult, error) {
	res := DeployResult{Target: t.Name, Files: []string{}, PreviousFiles: []string{}, Endpoint: t.VerifyEndpoint}
	files, err := renderTarget(t, m, opts.Random)
	if err != nil {
		res.Error = err.Error()
		return res, err
	}
	olds := make([]snapshot, len(files))
	for i, f := range files {
		if olds[i], err = takeSnapshot(f.path); err != nil {
			res.Error = err.Error()
			return res, err
		}
	}
	fail := func(err error, written int) (DeployResult, error) {
		res.Error = err.Error()
		res.Restored, res.RestoreError = true, ""
		if rerr := restoreFiles(files[:written], olds[:written]); rerr != nil {
			res.Restored, res.RestoreError = false, rerr.Error()
		}
		if t.Reload != "" && written > 0 {
			// Even when the deployment was interrupted, the server must be
			// told about the files put back.
			res.RestoreReload = runReload(context.WithoutCancel(ctx), t, opts)
		}
		return res, errors.New(res.summary())
	}
	for i, f := range files {
		if olds[i].exists {
			prev := f.path + PreviousSuffix
			if err := fileio.Replace(prev, olds[i].data, keptPerm(olds[i].info.Mode().Perm(), f.key)); err != nil {
				return fail(fmt.Errorf("keeping the former %s: %w", f.path, err), i)
			}
			res.PreviousFiles = append(res.PreviousFiles, prev)
		}
		perm := f.perm
		if olds[i].exists {
			perm = keptPerm(olds[i].info.Mode().Perm(), f.key)
		}
		if err := fileio.Replace(f.path, f.data, perm); err != nil {
			return fail(fmt.Errorf("writing %s: %w", f.path, err), i)
		}
		if olds[i].exists {
			preserveOwner(f.path, olds[i].info)
		}
		res.Files = append(res.Files, f.path)
	}
	if t.Reload != "" {
		res.Reload = runReload(ctx, t, opts)
		if !res.Reload.OK() {
			return fail(errors.New(res.Reload.failure()), len(files))
		}
	}
	if t.VerifyEndpoint != "" {
		served, err := awaitServed(ctx, t, m.Leaf, opts.VerifyTimeout)
		res.ServedFingerprint = served
		if err != nil {
			return fail(err, len(files))
		}
		res.Verified = true
	}
	res.OK = true
	return res, nil
}

// summary is one sentence on a failed deployment: what failed and what
// state the target was left in.
func (r DeployResult) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "deploying to %s failed: %s", r.Target, r.Error)
	switch {
	case !r.Restored:
		fmt.Fprintf(&b, "; putting the former files back ALSO FAILED (%s): check the target's files by hand (copies end in %s)", r.RestoreError, PreviousSuffix)
	case len(r.Files) == 0 && r.RestoreReload == nil:
		b.WriteString("; nothing was changed")
	default:
		b.WriteString("; the former files were put back")
		if r.RestoreReload != nil {
			if r.RestoreReload.OK() {
				b.WriteString(" and the reload command ran again")
			} else {
				b.WriteString(", but " + r.RestoreReload.failure() + " again: check that the server is running")
			}
		}
	}
	return b.String()
}

// renderTarget checks t and produces the files it receives.
func renderTarget(t DeployTarget, m Material, random io.Reader) ([]deployFile, error) {
	if m.Key == nil || m.Leaf == nil {
		return nil, errors.New("nothing to deploy: the certificate or its key is missing")
	}
	if !PublicKeysEqual(m.Key.Public(), m.Leaf.PublicKey) {
		return nil, newError(ErrKeyMismatch, "the stored key does not match the certificate", "")
	}
	var files []deployFile
	switch t.Format {
	case DeployPFX:
		if t.Path == "" {
			return nil, targetError(t, "a pfx target needs path")
		}
		pfx, err := EncodePFX(random, m.Key, m.Leaf, m.Chain, t.Password, t.PFXProfile)
		if err != nil {
			return nil, fmt.Errorf("target %s: %w", t.Name, err)
		}
		files = append(files, deployFile{path: t.Path, data: pfx, perm: 0o600, key: true})
	case DeployPEM:
		if t.CertPath == "" {
			return nil, targetError(t, "a pem target needs cert_path")
		}
		keyPEM, err := MarshalPrivateKeyPEM(m.Key)
		if err != nil {
			return nil, err
		}
		cert := FullChainPEM(m.Leaf, m.Chain)
		if t.ChainPath != "" {
			cert = CertificatesPEM(m.Leaf)
		}
		if t.KeyPath == "" {
			files = append(files, deployFile{path: t.CertPath, data: append(cert, keyPEM...), perm: 0o600, key: true})
		} else {
			files = append(files, deployFile{path: t.CertPath, data: cert, perm: 0o644},
				deployFile{path: t.KeyPath, data: keyPEM, perm: 0o600, key: true})
		}
		if t.ChainPath != "" {
			files = append(files, deployFile{path: t.ChainPath, data: CertificatesPEM(m.Chain...), perm: 0o644})
		}
	default:
		return nil, targetError(t, fmt.Sprintf("unknown format %q (pem or pfx)", t.Format))
	}
	seen := map[string]bool{}
	for _, f := range files {
		abs, _ := filepath.Abs(f.path)
		if seen[abs] {
			return nil, targetError(t, "two of its paths name the same file "+f.path)
		}
		seen[abs] = true
		if info, err := os.Stat(filepath.Dir(f.path)); err != nil || !info.IsDir() {
			return nil, targetError(t, "the directory of "+f.path+" does not exist")
		}
	}
	return files, nil
}

func targetError(t DeployTarget, msg string) error {
	return fmt.Errorf("deploy target %q: %s", t.Name, msg)
}

// maxDeployedFile bounds what is read back from a target file before it is
// replaced: certificate, key and PKCS#12 files are a few kilobytes.
const maxDeployedFile = 4 * MaxInputSize

func takeSnapshot(path string) (snapshot, error) {
	// Checked before opening, so that a FIFO in the way cannot block.
	if info, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return snapshot{}, nil
	} else if err == nil && !info.Mode().IsRegular() {
		return snapshot{}, fmt.Errorf("%s exists and is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return snapshot{}, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return snapshot{}, err
	}
	if !info.Mode().IsRegular() {
		return snapshot{}, fmt.Errorf("%s exists and is not a regular file", path)
	}
	data, err := ReadBounded(f, maxDeployedFile)
	if err != nil {
		return snapshot{}, fmt.Errorf("%s: %w", path, err)
	}
	return snapshot{exists: true, data: data, info: info}, nil
}

// keptPerm keeps the mode an administrator gave a file, except that a file
// holding a private key is never left readable by other accounts.
func keptPerm(old fs.FileMode, key bool) fs.FileMode {
	if key {
		return old &^ 0o007
	}
	return old
}

// restoreFiles puts back what files[i] held before (or removes files[i] if
// it did not exist), all of them, reporting the first failure.
func restoreFiles(files []deployFile, olds []snapshot) error {
	var first error
	for i, f := range files {
		var err error
		if olds[i].exists {
			if err = fileio.Replace(f.path, olds[i].data, keptPerm(olds[i].info.Mode().Perm(), f.key)); err == nil {
				preserveOwner(f.path, olds[i].info)
			}
		} else if err = os.Remove(f.path); errors.Is(err, fs.ErrNotExist) {
			err = nil
		}
		if err != nil && first == nil {
			first = err
		}
	}
	return first
}

// runReload runs the target's reload command with a timeout. Its output goes
// to a temporary file rather than a pipe, so a daemon the command starts in
// the background (and which inherits the output) cannot keep cwsec waiting.
func runReload(ctx context.Context, t DeployTarget, opts DeployOptions) *CommandResult {
	res := &CommandResult{Command: t.Reload}
	timeout := opts.ReloadTimeout
	if timeout <= 0 {
		timeout = DefaultReloadTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out, err := os.CreateTemp("", "cwsec-reload-*.log")
	if err != nil {
		res.Error = err.Error()
		return res
	}
	defer os.Remove(out.Name())
	defer out.Close()
	cmd := shellCommand(ctx, t.Reload)
	cmd.Dir = t.Dir
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), opts.Env...)
	cmd.WaitDelay = 5 * time.Second
	err = cmd.Run()
	res.Output = tail(out)
	var exit *exec.ExitError
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		res.TimedOut, res.ExitCode = true, -1
	case err == nil:
	case errors.As(err, &exit):
		res.ExitCode = exit.ExitCode()
	default:
		res.Error, res.ExitCode = err.Error(), -1
	}
	return res
}

func tail(f *os.File) string {
	info, err := f.Stat()
	if err != nil {
		return ""
	}
	off := max(info.Size()-maxOutputKept, 0)
	buf := make([]byte, info.Size()-off)
	n, _ := f.ReadAt(buf, off)
	return strings.TrimSpace(string(bytes.ToValidUTF8(buf[:n], []byte("?"))))
}

// awaitServed connects to the endpoint until it serves want or the timeout
// passes: a reload may return before the server has picked the files up.
// It returns the fingerprint last served.
func awaitServed(ctx context.Context, t DeployTarget, want *x509.Certificate, timeout time.Duration) (string, error) {
	if timeout <= 0 {
		timeout = DefaultVerifyTimeout
	}
	wantFP := Fingerprint(want.Raw)
	deadline := time.Now().Add(timeout)
	served, lastErr := "", error(nil)
	for {
		probeTimeout := min(time.Until(deadline), DefaultProbeTimeout)
		chain, err := ServedChain(ctx, t.VerifyEndpoint, t.ServerName, max(probeTimeout, 100*time.Millisecond))
		if err == nil {
			served, lastErr = Fingerprint(chain[0].Raw), nil
			if served == wantFP {
				return served, nil
			}
		} else {
			lastErr = err
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
	if lastErr != nil {
		return served, fmt.Errorf("the endpoint %s could not be reached within %s: %v", t.VerifyEndpoint, timeout, lastErr)
	}
	return served, fmt.Errorf("the endpoint %s still serves another certificate (SHA-256 %s) %s after the reload, not the one just deployed (%s)",
		t.VerifyEndpoint, served, timeout, wantFP)
}
