package certs

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"encoding/xml"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cwsec/cwsec/internal/testsupport/peer"
)

// sServer starts `openssl s_server` on a free loopback port with the given
// extra arguments and returns its address once it accepts connections.
func sServer(t *testing.T, certPEM, keyPEM string, args ...string) string {
	t.Helper()
	openssl := peer.Require(t, "openssl")
	dir := t.TempDir()
	cert := filepath.Join(dir, "cert.pem")
	key := filepath.Join(dir, "key.pem")
	os.WriteFile(cert, []byte(certPEM), 0o600)
	os.WriteFile(key, []byte(keyPEM), 0o600)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(openssl, append([]string{"s_server", "-accept", addr, "-cert", cert, "-key", key, "-www", "-quiet"}, args...)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
	}
	t.Fatalf("s_server %v did not start", args)
	return ""
}

// sslscanResult is what sslscan reports: offered protocol versions and the
// accepted TLS 1.2 suites, by IANA name.
type sslscanResult struct {
	protocols map[string]bool
	suites12  []string
}

func sslscan(t *testing.T, addr string) sslscanResult {
	t.Helper()
	bin := peer.Require(t, "sslscan")
	out, err := exec.Command(bin, "--no-colour", "--xml=-", addr).Output()
	if err != nil {
		t.Fatalf("sslscan: %v", err)
	}
	var doc struct {
		Protocols []struct {
			Type    string `xml:"type,attr"`
			Version string `xml:"version,attr"`
			Enabled string `xml:"enabled,attr"`
		} `xml:"ssltest>protocol"`
		Ciphers []struct {
			Version string `xml:"sslversion,attr"`
			ID      string `xml:"id,attr"`
		} `xml:"ssltest>cipher"`
	}
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("sslscan XML: %v", err)
	}
	res := sslscanResult{protocols: map[string]bool{}}
	for _, p := range doc.Protocols {
		if p.Type == "tls" {
			res.protocols["TLS "+p.Version] = p.Enabled == "1"
		}
	}
	// Only the suites Go can offer are comparable: sslscan also finds
	// suites (DHE, CCM, ARIA) that no Go client can ask for.
	offerable := allSuiteIDs(tls.VersionTLS12)
	for _, c := range doc.Ciphers {
		var id uint16
		if _, err := fmt.Sscanf(c.ID, "0x%x", &id); err == nil && c.Version == "TLSv1.2" && slices.Contains(offerable, id) {
			res.suites12 = append(res.suites12, tls.CipherSuiteName(id))
		}
	}
	return res
}

// sClientAccepts reports whether `openssl s_client` completes a handshake
// with the given version flag (-tls1, -tls1_1, -tls1_2, -tls1_3).
func sClientAccepts(t *testing.T, addr, flag string) bool {
	t.Helper()
	openssl := peer.Require(t, "openssl")
	cmd := exec.Command(openssl, "s_client", "-connect", addr, flag, "-cipher", "ALL:@SECLEVEL=0")
	cmd.Stdin = strings.NewReader("")
	out, _ := cmd.CombinedOutput()
	return strings.Contains(string(out), "Cipher is ") && !strings.Contains(string(out), "Cipher is (NONE)")
}

// selfSignedPEM makes a self-signed server certificate for localhost.
func selfSignedPEM(t *testing.T, kt KeyType) (certPEM, keyPEM string) {
	t.Helper()
	key, err := GenerateKey(rand.Reader, kt)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	keyBytes, err := MarshalPrivateKeyPEM(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), string(keyBytes)
}

func findingCodes(fs []Finding) []string {
	var codes []string
	for _, f := range fs {
		if f.Severity > SeverityOK {
			codes = append(codes, f.Code+":"+f.Severity.String())
		}
	}
	slices.Sort(codes)
	return codes
}

// TestScanAgreesWithOpenSSLAndSslscan: for servers in several configurations,
// cwsec's protocol and suite findings match what openssl s_client and
// sslscan see.
func TestScanAgreesWithOpenSSLAndSslscan(t *testing.T) {
	ecCert, ecKey := selfSignedPEM(t, KeyECDSAP256)
	rsaCert, rsaKey := selfSignedPEM(t, KeyRSA2048)
	cases := []struct {
		name       string
		cert, key  string
		args       []string
		wantCodes  []string
		wantSuites []string // nil: not compared beyond sslscan
	}{
		{"modern defaults", ecCert, ecKey, nil,
			[]string{"suite_not_nist:warning"}, nil},
		{"TLS 1.0 enabled", ecCert, ecKey, []string{"-min_protocol", "TLSv1", "-cipher", "DEFAULT:@SECLEVEL=0"},
			[]string{"old_protocol:critical", "old_protocol:critical", "suite_not_nist:warning"}, nil},
		{"TLS 1.3 only", ecCert, ecKey, []string{"-tls1_3"},
			[]string{"no_tls12:warning"}, []string{}},
		{"one CBC-SHA suite", ecCert, ecKey, []string{"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA"},
			[]string{"no_tls13:warning"}, []string{"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"}},
		// Debian's OpenSSL 3 serves no 3DES or RC4 even at SECLEVEL=0; those
		// verdicts are covered by TestNISTSuiteVerdicts.
		{"RSA key transport", rsaCert, rsaKey, []string{"-tls1_2", "-cipher", "AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0"},
			[]string{"no_tls13:warning", "suite_not_nist:warning"},
			[]string{"TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			addr := sServer(t, c.cert, c.key, c.args...)
			scan, err := ScanEndpoint(context.Background(), addr, "localhost", 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if got := findingCodes(EvaluateEndpoint(scan)); !slices.Equal(got, c.wantCodes) {
				t.Errorf("findings %v, want %v", got, c.wantCodes)
			}
			ss := sslscan(t, addr)
			for _, p := range scan.Protocols {
				if ss.protocols[p.Version] != p.Offered {
					t.Errorf("%s: cwsec says offered=%v, sslscan %v", p.Version, p.Offered, ss.protocols[p.Version])
				}
			}
			for flag, version := range map[string]string{"-tls1": "TLS 1.0", "-tls1_1": "TLS 1.1", "-tls1_2": "TLS 1.2", "-tls1_3": "TLS 1.3"} {
				for _, p := range scan.Protocols {
					if p.Version == version && sClientAccepts(t, addr, flag) != p.Offered {
						t.Errorf("%s: cwsec says offered=%v, openssl s_client %s disagrees", version, p.Offered, flag)
					}
				}
			}
			got, want := slices.Sorted(slices.Values(scan.Suites12)), slices.Sorted(slices.Values(ss.suites12))
			if !slices.Equal(got, want) {
				t.Errorf("TLS 1.2 suites: cwsec %v, sslscan %v", got, want)
			}
			if c.wantSuites != nil && !slices.Equal(got, slices.Sorted(slices.Values(c.wantSuites))) {
				t.Errorf("TLS 1.2 suites %v, want %v", got, c.wantSuites)
			}
			if len(scan.Chain) == 0 {
				t.Error("no served chain")
			}
		})
	}
}

func TestScanUnreachable(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close() // nothing listens here now
	if _, err := ScanEndpoint(context.Background(), addr, "", time.Second); err == nil {
		t.Fatal("scan of a closed port succeeded")
	}
	// A port that accepts TCP but never speaks TLS: bounded by the timeout.
	silent, _ := net.Listen("tcp", "127.0.0.1:0")
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	if _, err := ScanEndpoint(context.Background(), silent.Addr().String(), "", 300*time.Millisecond); err == nil || !strings.Contains(err.Error(), "no TLS handshake within") {
		t.Fatalf("silent port: %v", err)
	}
}

func TestNISTSuiteVerdicts(t *testing.T) {
	for name, want := range map[string]Severity{
		"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256":      SeverityOK,
		"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384":        SeverityOK,
		"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA":           SeverityOK,
		"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256":      SeverityOK,
		"TLS_DHE_RSA_WITH_AES_128_CCM":                 SeverityOK,
		"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256":  SeverityWarning,
		"TLS_RSA_WITH_AES_128_GCM_SHA256":              SeverityWarning,
		"TLS_RSA_WITH_AES_128_CBC_SHA":                 SeverityWarning,
		"TLS_RSA_WITH_3DES_EDE_CBC_SHA":                SeverityCritical,
		"TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA":          SeverityCritical,
		"TLS_ECDHE_RSA_WITH_RC4_128_SHA":               SeverityCritical,
		"TLS_RSA_WITH_NULL_SHA256":                     SeverityCritical,
		"TLS_RSA_EXPORT_WITH_RC4_40_MD5":               SeverityCritical,
		"TLS_DH_anon_WITH_AES_128_CBC_SHA":             SeverityCritical,
		"TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256":     SeverityWarning,
		"TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256": SeverityWarning,
	} {
		if got := nistSuiteVerdict(name); got != want {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
}

// goTLSServer serves one self-signed certificate, preferring groups, and
// records the key-share groups each ClientHello offered.
func goTLSServer(t *testing.T, groups []tls.CurveID) (addr string, offered func() [][]tls.CurveID) {
	t.Helper()
	certPEM, keyPEM := selfSignedPEM(t, KeyECDSAP256)
	pair, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen [][]tls.CurveID
	cfg := &tls.Config{
		Certificates:     []tls.Certificate{pair},
		CurvePreferences: groups,
		GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			mu.Lock()
			seen = append(seen, slices.Clone(hello.SupportedCurves))
			mu.Unlock()
			return nil, nil
		},
	}
	return serveTLS(t, cfg), func() [][]tls.CurveID {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

// ReadEndpoint offers classical groups first (cheap), and still reaches a
// server that takes only the hybrid post-quantum group, through its fallback.
func TestReadEndpointGroups(t *testing.T) {
	addr, offered := goTLSServer(t, nil)
	if _, err := ReadEndpoint(context.Background(), addr, "localhost", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := offered(); len(got) != 1 || slices.Contains(got[0], tls.X25519MLKEM768) {
		t.Errorf("ClientHellos offered %v, want one without X25519MLKEM768", got)
	}

	pqOnly, offered := goTLSServer(t, []tls.CurveID{tls.X25519MLKEM768})
	scan, err := ReadEndpoint(context.Background(), pqOnly, "localhost", 5*time.Second)
	if err != nil {
		t.Fatalf("post-quantum-only server: %v", err)
	}
	if scan.NegotiatedVersion != "TLS 1.3" || len(scan.Chain) != 1 {
		t.Errorf("post-quantum-only server: %s, %d certificates", scan.NegotiatedVersion, len(scan.Chain))
	}
	if got := offered(); len(got) != 2 || !slices.Contains(got[1], tls.X25519MLKEM768) {
		t.Errorf("ClientHellos offered %v, want a second one with X25519MLKEM768", got)
	}
}
