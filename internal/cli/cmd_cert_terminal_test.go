package cli_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cwsec/cwsec/internal/certs"
	"github.com/cwsec/cwsec/internal/testsupport/peer"
)

// TestCertPasswordPromptOnATerminal: on a terminal, with no --password-file,
// export asks for the PKCS#12 password twice (without echo, through
// golang.org/x/term) and inspect asks once; a mistyped confirmation writes
// nothing.
func TestCertPasswordPromptOnATerminal(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("script(1) is Unix")
	}
	script := peer.Require(t, "script")
	dir := t.TempDir()
	bin := cwsecBinary(t)
	home := filepath.Join(dir, "home")
	run := func(args ...string) []byte {
		t.Helper()
		out, err := exec.Command(bin, append([]string{"--home", home}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("cwsec %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	run("init")
	var req struct{ CSR string }
	if err := json.Unmarshal(run("cert", "request", "--cn", "careware.example.org", "-o", "json"), &req); err != nil {
		t.Fatal(err)
	}
	leaf, root := signCSR(t, req.CSR)
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	run("cert", "install", write("leaf.pem", leaf), "--roots", write("root.pem", root))

	onTTY := func(stdin, command string) string {
		t.Helper()
		cmd := exec.Command(script, "-q", "-e", "-c", bin+" --home "+home+" "+command, "/dev/null")
		cmd.Stdin = strings.NewReader(stdin)
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	pfx := filepath.Join(dir, "typed.pfx")
	screen := onTTY("typed pw\ntyped pw\n", "cert export --format pfx --out "+pfx)
	if !strings.Contains(screen, "Password for the PKCS#12 file: ") || !strings.Contains(screen, "Again: ") {
		t.Errorf("no password prompts on the terminal:\n%s", screen)
	}
	data, err := os.ReadFile(pfx)
	if err != nil {
		t.Fatalf("export with a typed password wrote nothing: %v\n%s", err, screen)
	}
	if _, err := certs.ParseBundle(data, []byte("typed pw")); err != nil {
		t.Errorf("the PKCS#12 file does not open with the typed password: %v", err)
	}

	screen = onTTY("typed pw\n", "cert inspect "+pfx)
	if !strings.Contains(screen, "Password for "+pfx+": ") || !strings.Contains(screen, "Matches leaf    yes") {
		t.Errorf("inspect did not ask for the password, or did not open the file:\n%s", screen)
	}

	other := filepath.Join(dir, "mistyped.pfx")
	screen = onTTY("one\ntwo\n", "cert export --format pfx --out "+other)
	if !strings.Contains(screen, "the passwords do not match") {
		t.Errorf("a mistyped confirmation was not refused:\n%s", screen)
	}
	if _, err := os.Stat(other); err == nil {
		t.Error("a mistyped confirmation still wrote the file")
	}
}

// signCSR issues a certificate for a PEM CSR from a throw-away root, valid
// around the real time (the copied binary reads the real clock).
func signCSR(t *testing.T, csrPEM string) (leafPEM, rootPEM []byte) {
	t.Helper()
	block, _ := pem.Decode([]byte(csrPEM))
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	rootTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "prompt test root"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	rootDER, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := x509.ParseCertificate(rootDER)
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: csr.Subject, DNSNames: csr.DNSNames,
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(90 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, root, csr.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER}), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rootDER})
}
