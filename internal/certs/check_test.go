package certs

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cwsec/cwsec/internal/testsupport/peer"
)

func TestParseEndpoint(t *testing.T) {
	for in, want := range map[string]string{
		"careware.example.org":      "careware.example.org:443",
		"careware.example.org:8443": "careware.example.org:8443",
		"127.0.0.1":                 "127.0.0.1:443",
		"[::1]":                     "[::1]:443",
		"[2001:db8::1]:443":         "[2001:db8::1]:443",
		" host:1 ":                  "host:1",
	} {
		if got, err := ParseEndpoint(in); err != nil || got != want {
			t.Errorf("ParseEndpoint(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", ":443", "host:0", "host:70000", "host:https", "2001:db8::1", "a b:1", "http://x/"} {
		if got, err := ParseEndpoint(bad); err == nil {
			t.Errorf("ParseEndpoint(%q) = %q, want an error", bad, got)
		}
	}
}

func TestParseTargetLine(t *testing.T) {
	cases := []struct {
		line string
		want Target
		ok   bool
		err  bool
	}{
		{"# a comment", Target{}, false, false},
		{"   ", Target{}, false, false},
		{"careware.example.org", Target{Kind: TargetEndpoint, Name: "careware.example.org:443"}, true, false},
		{"10.0.0.5:8443 careware.example.org", Target{Kind: TargetEndpoint, Name: "10.0.0.5:8443", ServerName: "careware.example.org"}, true, false},
		{"file:/etc/ssl/careware.pem", Target{Kind: TargetFile, Name: "/etc/ssl/careware.pem"}, true, false},
		{"a b c", Target{}, false, true},
		{"host:99999", Target{}, false, true},
	}
	for _, c := range cases {
		got, ok, err := ParseTargetLine(c.line)
		if got != c.want || ok != c.ok || (err != nil) != c.err {
			t.Errorf("ParseTargetLine(%q) = %+v, %v, %v", c.line, got, ok, err)
		}
	}
}

func TestCheckFileUnreadableIsUnknown(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("not a certificate"), []byte("-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n")} {
		res := CheckFile(Target{Kind: TargetFile, Name: "x"}, data, CheckOptions{Now: testNow})
		if res.Status != SeverityUnknown || res.Findings[0].Code != CodeUnreadable {
			t.Errorf("%q: %+v", data, res)
		}
	}
}

func pemOf(certs ...*x509.Certificate) string {
	var b strings.Builder
	for _, c := range certs {
		pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.String()
}

// sClientVerifyCode is what `openssl s_client` concludes about the served
// chain at testNow, trusting root: its "Verify return code".
func sClientVerifyCode(t *testing.T, addr, rootPEM, hostname string) int {
	t.Helper()
	openssl := peer.Require(t, "openssl")
	caFile := filepath.Join(t.TempDir(), "root.pem")
	os.WriteFile(caFile, []byte(rootPEM), 0o600)
	args := []string{"s_client", "-connect", addr, "-CAfile", caFile, "-attime", fmt.Sprint(testNow.Unix()), "-servername", hostname}
	if hostname != "" {
		args = append(args, "-verify_hostname", hostname)
	}
	cmd := exec.Command(openssl, args...)
	cmd.Stdin = strings.NewReader("")
	out, _ := cmd.CombinedOutput()
	m := regexp.MustCompile(`Verify return code: (\d+)`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("no verify code from s_client:\n%s", out)
	}
	var code int
	fmt.Sscan(m[1], &code)
	return code
}

// TestCheckEndpointChainsAgreeWithOpenSSL: for a good chain, an incomplete
// chain, an expired certificate, a wrong name and a self-signed certificate,
// cwsec's verdict matches what openssl s_client concludes.
func TestCheckEndpointChainsAgreeWithOpenSSL(t *testing.T) {
	p := newPKI(t)
	keyPEM, err := MarshalPrivateKeyPEM(p.leafKey)
	if err != nil {
		t.Fatal(err)
	}
	expired := p.leafWith(t, func(c *x509.Certificate) { c.NotBefore, c.NotAfter = day(2026, 8, 1), day(2026, 11, 1) })
	selfSigned := sign(t, leafTemplate("careware.example.org", day(2026, 11, 20), nDays(90)), leafTemplate("careware.example.org", day(2026, 11, 20), nDays(90)), p.leafKey.Public(), p.leafKey, 0)
	cases := []struct {
		name       string
		served     []*x509.Certificate
		serverName string
		wantCode   string // the critical finding, "" for none
		wantSSL    int    // openssl's verify return code
	}{
		{"good chain", []*x509.Certificate{p.leaf, p.inter.cert}, "careware.example.org", "", 0},
		{"incomplete chain", []*x509.Certificate{p.leaf}, "careware.example.org", CodeIncompleteChain, 21}, // unable to verify the first certificate
		{"expired", []*x509.Certificate{expired, p.inter.cert}, "careware.example.org", CodeExpired, 10},
		{"wrong name", []*x509.Certificate{p.leaf, p.inter.cert}, "other.example.org", CodeNameNotCovered, 62},
		{"self-signed", []*x509.Certificate{selfSigned}, "careware.example.org", CodeUntrustedRoot, 18},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := []string{}
			if len(c.served) > 1 {
				chainFile := filepath.Join(t.TempDir(), "chain.pem")
				os.WriteFile(chainFile, []byte(pemOf(c.served[1:]...)), 0o600)
				args = append(args, "-cert_chain", chainFile)
			}
			addr := sServer(t, pemOf(c.served[0]), string(keyPEM), args...)
			res := CheckEndpoint(context.Background(), Target{Kind: TargetEndpoint, Name: addr, ServerName: c.serverName},
				CheckOptions{Now: testNow, Trust: fixedTrust(p.roots), Timeout: 5 * time.Second})
			var critical []string
			for _, f := range res.Findings {
				if f.Severity == SeverityCritical {
					critical = append(critical, f.Code)
				}
			}
			if c.wantCode == "" && len(critical) > 0 || c.wantCode != "" && !slices.Contains(critical, c.wantCode) {
				t.Errorf("critical findings %v, want %q", critical, c.wantCode)
			}
			if got := sClientVerifyCode(t, addr, pemOf(p.root.cert), c.serverName); got != c.wantSSL {
				t.Errorf("openssl s_client verify code %d, want %d", got, c.wantSSL)
			}
			if (res.Status == SeverityCritical) != (c.wantSSL != 0) {
				t.Errorf("cwsec status %v while openssl's verify code is %d", res.Status, c.wantSSL)
			}
		})
	}
}

func TestCheckEndpointUnreachableIsUnknown(t *testing.T) {
	res := CheckEndpoint(context.Background(), Target{Kind: TargetEndpoint, Name: "127.0.0.1:1"}, CheckOptions{Now: testNow, Timeout: time.Second})
	if res.Status != SeverityUnknown || res.Findings[0].Code != CodeUnreachable || !strings.Contains(res.Findings[0].Hint, "nothing listens") {
		t.Fatalf("%+v", res)
	}
}

// fixedTrust is a CheckOptions.Trust of roots already built, none public.
func fixedTrust(roots *x509.CertPool) func() (*x509.CertPool, *x509.CertPool) {
	return func() (*x509.CertPool, *x509.CertPool) { return roots, nil }
}
