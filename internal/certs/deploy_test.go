package certs

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func needShell(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the reload commands in these tests are sh")
	}
}

func pemTarget(dir string) DeployTarget {
	return DeployTarget{Name: "web", Format: DeployPEM, Dir: dir,
		CertPath: filepath.Join(dir, "cert.pem"), KeyPath: filepath.Join(dir, "key.pem"), ChainPath: filepath.Join(dir, "chain.pem")}
}

func readT(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

func TestDeployPEMKeepsPrevious(t *testing.T) {
	p := newPKI(t)
	dir := t.TempDir()
	tgt := pemTarget(dir)
	first := Material{Key: p.leafKey, Leaf: p.leaf, Chain: []*x509.Certificate{p.inter.cert}}
	res, err := Deploy(context.Background(), tgt, first, DeployOptions{})
	if err != nil || !res.OK || len(res.Files) != 3 || len(res.PreviousFiles) != 0 {
		t.Fatalf("first deploy: %+v, %v", res, err)
	}
	if !bytes.Equal(readT(t, tgt.CertPath), CertificatesPEM(p.leaf)) || !bytes.Equal(readT(t, tgt.ChainPath), CertificatesPEM(p.inter.cert)) {
		t.Error("cert.pem or chain.pem does not hold what was deployed")
	}
	key, err := ParsePrivateKeyPEM(readT(t, tgt.KeyPath))
	if err != nil || !PublicKeysEqual(key.Public(), p.leafKey.Public()) {
		t.Errorf("key.pem: %v", err)
	}
	if runtime.GOOS != "windows" && (mode(t, tgt.KeyPath) != 0o600 || mode(t, tgt.CertPath) != 0o644) {
		t.Errorf("modes: key %v, cert %v", mode(t, tgt.KeyPath), mode(t, tgt.CertPath))
	}
	second := first
	second.Leaf = p.leafWith(t, func(c *x509.Certificate) { c.DNSNames = append(c.DNSNames, "cw.example.org") })
	if res, err = Deploy(context.Background(), tgt, second, DeployOptions{}); err != nil || len(res.PreviousFiles) != 3 {
		t.Fatalf("second deploy: %+v, %v", res, err)
	}
	if !bytes.Equal(readT(t, tgt.CertPath+PreviousSuffix), CertificatesPEM(p.leaf)) || !bytes.Equal(readT(t, tgt.CertPath), CertificatesPEM(second.Leaf)) {
		t.Error("the former certificate is not kept as cert.pem.previous")
	}
}

// Without key_path the key goes into cert_path (one combined file, 0600);
// without chain_path the intermediates follow the certificate.
func TestDeployPEMCombined(t *testing.T) {
	p := newPKI(t)
	dir := t.TempDir()
	tgt := DeployTarget{Name: "haproxy", Format: DeployPEM, CertPath: filepath.Join(dir, "site.pem")}
	if _, err := Deploy(context.Background(), tgt, Material{Key: p.leafKey, Leaf: p.leaf, Chain: []*x509.Certificate{p.inter.cert}}, DeployOptions{}); err != nil {
		t.Fatal(err)
	}
	b, err := ParseBundle(readT(t, tgt.CertPath), nil)
	if err != nil || len(b.Certificates) != 2 || b.PrivateKey == nil {
		t.Fatalf("combined file: %v", err)
	}
	if runtime.GOOS != "windows" && mode(t, tgt.CertPath) != 0o600 {
		t.Errorf("a file holding a key has mode %v", mode(t, tgt.CertPath))
	}
}

// An existing file keeps the mode its administrator gave it, except that a
// key never stays readable by other accounts.
func TestDeployKeepsModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	p := newPKI(t)
	dir := t.TempDir()
	tgt := pemTarget(dir)
	os.WriteFile(tgt.CertPath, []byte("old"), 0o640)
	os.WriteFile(tgt.KeyPath, []byte("old"), 0o644)
	os.Chmod(tgt.KeyPath, 0o644)
	if _, err := Deploy(context.Background(), tgt, Material{Key: p.leafKey, Leaf: p.leaf}, DeployOptions{}); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, tgt.CertPath); m != 0o640 {
		t.Errorf("cert.pem mode %v, want 0640 as before", m)
	}
	if m := mode(t, tgt.KeyPath); m != 0o640 {
		t.Errorf("key.pem mode %v, want 0640 (0644 without access for others)", m)
	}
	if m := mode(t, tgt.KeyPath+PreviousSuffix); m != 0o640 {
		t.Errorf("key.pem.previous mode %v, want 0640", m)
	}
}

func TestDeployPFX(t *testing.T) {
	p := newPKI(t)
	dir := t.TempDir()
	tgt := DeployTarget{Name: "iis", Format: DeployPFX, Path: filepath.Join(dir, "site.pfx"), Password: "s3cret", PFXProfile: PFXLegacy}
	if _, err := Deploy(context.Background(), tgt, Material{Key: p.leafKey, Leaf: p.leaf, Chain: []*x509.Certificate{p.inter.cert}}, DeployOptions{}); err != nil {
		t.Fatal(err)
	}
	b, err := ParseBundle(readT(t, tgt.Path), []byte("s3cret"))
	if err != nil || !bytes.Equal(b.Certificates[0].Raw, p.leaf.Raw) || len(b.Certificates) != 2 {
		t.Fatalf("deployed PFX: %v", err)
	}
}

func TestDeployRefusesBadTargets(t *testing.T) {
	p := newPKI(t)
	dir := t.TempDir()
	m := Material{Key: p.leafKey, Leaf: p.leaf}
	for name, tgt := range map[string]DeployTarget{
		"pem without cert_path": {Name: "x", Format: DeployPEM, KeyPath: filepath.Join(dir, "k")},
		"missing directory":     {Name: "x", Format: DeployPEM, CertPath: filepath.Join(dir, "no", "c")},
		"same file twice":       {Name: "x", Format: DeployPEM, CertPath: filepath.Join(dir, "c"), KeyPath: filepath.Join(dir, "c")},
		"pfx without password":  {Name: "x", Format: DeployPFX, Path: filepath.Join(dir, "p")},
		"pfx without path":      {Name: "x", Format: DeployPFX, Password: "pw"},
		"unknown format":        {Name: "x", Format: "jks", Path: filepath.Join(dir, "j")},
	} {
		res, err := Deploy(context.Background(), tgt, m, DeployOptions{})
		if err == nil || res.OK || len(res.Files) != 0 {
			t.Errorf("%s: %+v, %v", name, res, err)
		}
	}
	other := Material{Key: testKey(t, "p384"), Leaf: p.leaf}
	if _, err := Deploy(context.Background(), pemTarget(dir), other, DeployOptions{}); !errors.Is(err, ErrKeyMismatch) {
		t.Errorf("a key that does not match: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("refused deployments left files: %v", entries)
	}
}

// A failing reload puts the former files back and runs the reload again.
func TestDeployRestoresOnReloadFailure(t *testing.T) {
	needShell(t)
	p := newPKI(t)
	dir := t.TempDir()
	tgt := pemTarget(dir)
	os.WriteFile(tgt.CertPath, []byte("old cert\n"), 0o644)
	tgt.Reload = `echo run >> reloads; echo "cannot load the certificate" >&2; exit 3`
	res, err := Deploy(context.Background(), tgt, Material{Key: p.leafKey, Leaf: p.leaf}, DeployOptions{})
	if err == nil || res.OK || !res.Restored {
		t.Fatalf("%+v, %v", res, err)
	}
	if res.Reload.ExitCode != 3 || !strings.Contains(res.Reload.Output, "cannot load the certificate") {
		t.Errorf("reload result %+v", res.Reload)
	}
	if got := string(readT(t, tgt.CertPath)); got != "old cert\n" {
		t.Errorf("cert.pem = %q after the failure, want the old contents", got)
	}
	for _, path := range []string{tgt.KeyPath, tgt.ChainPath} {
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s was new and should be gone again: %v", path, err)
		}
	}
	if got := string(readT(t, filepath.Join(dir, "reloads"))); got != "run\nrun\n" {
		t.Errorf("the reload ran %q, want twice (after writing and after restoring)", got)
	}
	for _, want := range []string{"exited with status 3", "former files were put back", "again"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestDeployReloadTimeout(t *testing.T) {
	needShell(t)
	p := newPKI(t)
	dir := t.TempDir()
	tgt := pemTarget(dir)
	// The background sleep keeps the output file open: it must not keep
	// cwsec waiting, and the whole process group is stopped.
	tgt.Reload = "sleep 30 & sleep 30"
	res, err := Deploy(context.Background(), tgt, Material{Key: p.leafKey, Leaf: p.leaf}, DeployOptions{ReloadTimeout: 200 * time.Millisecond})
	if err == nil || !res.Reload.TimedOut || !res.Restored || !strings.Contains(err.Error(), "did not finish in time") {
		t.Fatalf("%+v, %v", res.Reload, err)
	}
}

// serveFiles serves over TLS whatever cert.pem/key.pem hold at each
// handshake, like a server that reloads instantly.
func serveFiles(t *testing.T, certPath, keyPath string) string {
	return serveTLS(t, &tls.Config{GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
		c, err := tls.LoadX509KeyPair(certPath, keyPath)
		return &c, err
	}})
}

// serveTLS serves handshakes with cfg on a loopback port until the test
// ends, and returns the port's address.
func serveTLS(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	l, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { _ = c.(*tls.Conn).Handshake(); c.Close() }()
		}
	}()
	return l.Addr().String()
}

func TestDeployVerifiesEndpoint(t *testing.T) {
	p := newPKI(t)
	dir := t.TempDir()
	tgt := pemTarget(dir)
	tgt.VerifyEndpoint = serveFiles(t, tgt.CertPath, tgt.KeyPath)
	m := Material{Key: p.leafKey, Leaf: p.leaf, Chain: []*x509.Certificate{p.inter.cert}}
	res, err := Deploy(context.Background(), tgt, m, DeployOptions{VerifyTimeout: 5 * time.Second})
	if err != nil || !res.Verified || res.ServedFingerprint != Fingerprint(p.leaf.Raw) {
		t.Fatalf("%+v, %v", res, err)
	}

	// A server that keeps serving the old certificate fails the check.
	staleDir := t.TempDir()
	stale := pemTarget(staleDir)
	if _, err := Deploy(context.Background(), stale, m, DeployOptions{}); err != nil {
		t.Fatal(err)
	}
	tgt.VerifyEndpoint = serveFiles(t, stale.CertPath, stale.KeyPath)
	newer := m
	newer.Leaf = p.leafWith(t, func(c *x509.Certificate) { c.DNSNames = append(c.DNSNames, "new.example.org") })
	res, err = Deploy(context.Background(), tgt, newer, DeployOptions{VerifyTimeout: 300 * time.Millisecond})
	if err == nil || res.Verified || !res.Restored || !strings.Contains(err.Error(), "still serves another certificate") {
		t.Fatalf("%+v, %v", res, err)
	}
	if !bytes.Equal(readT(t, tgt.CertPath), CertificatesPEM(p.leaf)) {
		t.Error("the former certificate was not put back")
	}

	// Nothing listening: the check fails and says it could not connect.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	tgt.VerifyEndpoint = l.Addr().String()
	l.Close()
	if _, err := Deploy(context.Background(), tgt, newer, DeployOptions{VerifyTimeout: 300 * time.Millisecond}); err == nil || !strings.Contains(err.Error(), "could not be reached") {
		t.Fatalf("unreachable endpoint: %v", err)
	}
}
