package certs

// Tests against the real peer, OpenSSL: it verifies our CSRs, signs them as a
// CA, reads our PKCS#12 files, and writes the formats we must read. They skip
// when openssl is missing, except under CI (CI=true), where they fail.

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cwsec/cwsec/internal/testsupport/peer"
)

func needOpenSSL(t *testing.T) { peer.Require(t, "openssl") }

// ossl runs openssl in dir and returns its combined output, failing the test
// when it exits non-zero.
func ossl(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := osslTry(dir, args...)
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func osslTry(dir string, args ...string) (string, error) {
	cmd := exec.Command("openssl", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "RANDFILE="+filepath.Join(dir, ".rnd"))
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func readFile(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testSpec(kt KeyType) RequestSpec {
	return RequestSpec{
		CommonName:   "careware.example.org",
		DNSNames:     []string{"cw.example.org", "*.apps.example.org"},
		IPs:          []net.IP{net.ParseIP("192.0.2.10"), net.ParseIP("2001:db8::1")},
		Organization: "Example Clinic", Locality: "Springfield", State: "IL", Country: "us",
		KeyType: kt,
	}
}

// testCSR makes a key of type kt and a CSR for testSpec(kt) with it.
func testCSR(t *testing.T, kt KeyType) (crypto.Signer, []byte) {
	t.Helper()
	key, err := GenerateKey(rand.Reader, kt)
	if err != nil {
		t.Fatal(err)
	}
	der, err := CreateCSR(rand.Reader, testSpec(kt), key)
	if err != nil {
		t.Fatal(err)
	}
	return key, der
}

func TestOpenSSLVerifiesOurCSR(t *testing.T) {
	needOpenSSL(t)
	sigName := map[KeyType]string{
		KeyECDSAP256: "ecdsa-with-SHA256", KeyECDSAP384: "ecdsa-with-SHA384",
		KeyRSA2048: "sha256WithRSAEncryption", KeyRSA3072: "sha256WithRSAEncryption", KeyRSA4096: "sha256WithRSAEncryption",
	}
	for _, kt := range KeyTypes() {
		t.Run(string(kt), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			_, der := testCSR(t, kt)
			writeFile(t, dir, "req.pem", CSRPEM(der))
			if out := ossl(t, dir, "req", "-verify", "-noout", "-in", "req.pem"); !strings.Contains(out, "verify OK") {
				t.Fatalf("openssl req -verify: %s", out)
			}
			text := ossl(t, dir, "req", "-text", "-noout", "-in", "req.pem")
			for _, want := range []string{
				"DNS:careware.example.org", "DNS:cw.example.org", "DNS:*.apps.example.org",
				"IP Address:192.0.2.10", "IP Address:2001:DB8:0:0:0:0:0:1",
				"CN = careware.example.org", "C = US", "O = Example Clinic",
				"Signature Algorithm: " + sigName[kt],
			} {
				if !strings.Contains(text, want) {
					t.Errorf("openssl req -text lacks %q:\n%s", want, text)
				}
			}
		})
	}
}

// opensslCA makes a root and an intermediate with the openssl CLI in dir.
func opensslCA(t *testing.T, dir string) {
	t.Helper()
	ossl(t, dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-nodes",
		"-keyout", "root.key", "-out", "root.pem", "-subj", "/O=OpenSSL Test/CN=OpenSSL Test Root", "-days", "3650",
		"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
	ossl(t, dir, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", "int.key", "-out", "int.csr", "-subj", "/O=OpenSSL Test/CN=OpenSSL Test Intermediate")
	writeFile(t, dir, "int.ext", []byte(`basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
`))
	ossl(t, dir, "x509", "-req", "-in", "int.csr", "-CA", "root.pem", "-CAkey", "root.key", "-set_serial", "0x1001",
		"-days", "1825", "-extfile", "int.ext", "-out", "int.pem")
}

func TestOpenSSLSignsOurCSR(t *testing.T) {
	needOpenSSL(t)
	dir := t.TempDir()
	opensslCA(t, dir)
	rootBundle, err := ParseBundle(readFile(t, dir, "root.pem"), nil)
	if err != nil {
		t.Fatal(err)
	}
	roots := pool(rootBundle.Certificates...)

	for i, kt := range []KeyType{KeyECDSAP256, KeyECDSAP384, KeyRSA2048} {
		t.Run(string(kt), func(t *testing.T) {
			key, der := testCSR(t, kt)
			name := string(kt)
			writeFile(t, dir, name+".csr", CSRPEM(der))
			ku := "digitalSignature"
			if strings.HasPrefix(name, "rsa") {
				ku = "digitalSignature,keyEncipherment"
			}
			writeFile(t, dir, name+".ext", []byte(`basicConstraints=critical,CA:FALSE
keyUsage=critical,`+ku+`
extendedKeyUsage=serverAuth
subjectAltName=DNS:careware.example.org,DNS:cw.example.org,DNS:*.apps.example.org,IP:192.0.2.10,IP:2001:db8::1
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
`))
			ossl(t, dir, "x509", "-req", "-in", name+".csr", "-CA", "int.pem", "-CAkey", "int.key",
				"-set_serial", "0x20"+string(rune('0'+i)), "-days", "30", "-extfile", name+".ext", "-out", name+".pem")

			// The admin pastes everything into one file, in the wrong order.
			var mixed []byte
			mixed = append(mixed, readFile(t, dir, "root.pem")...)
			mixed = append(mixed, readFile(t, dir, name+".pem")...)
			mixed = append(mixed, readFile(t, dir, "int.pem")...)
			b, err := ParseBundle(mixed, nil)
			if err != nil {
				t.Fatal(err)
			}
			leaf := FindLeaf(b.Certificates, key.Public())
			now := leaf.NotBefore.Add(time.Hour) // judged just after issuance, not by the wall clock
			chain := BuildChain(nil, b.Certificates, roots, now)
			if !chain.Verified || len(chain.Chain) != 2 || chain.Chain[0] != leaf {
				t.Fatalf("chain: verified %v, %d certs, problems %v, %s", chain.Verified, len(chain.Chain), problemCodes(chain), chain.VerifyError)
			}
			fs := Evaluate(PolicyInput{Leaf: leaf, Built: &chain, Key: key.Public(), Now: now,
				Names: []string{"careware.example.org", "cw.example.org", "x.apps.example.org", "192.0.2.10", "2001:db8::1"}})
			if Worst(fs) != SeverityOK {
				t.Fatalf("policy on an OpenSSL-signed certificate:\n%s", dump(fs))
			}
			// What openssl prints as the fingerprint is what we print.
			fp := ossl(t, dir, "x509", "-noout", "-fingerprint", "-sha256", "-in", name+".pem")
			if got := Describe(leaf, now).SHA256Fingerprint; !strings.Contains(fp, "="+got) {
				t.Errorf("fingerprint %s, openssl says %s", got, fp)
			}
		})
	}
}

func TestOpenSSLReadsOurPFX(t *testing.T) {
	needOpenSSL(t)
	p := newPKI(t)
	cases := []struct {
		profile PFXProfile
		info    []string
		flags   [][]string // openssl invocations that must open the file
	}{
		{PFXModern, []string{"PBES2", "AES-256-CBC", "MAC: sha256"}, [][]string{{}}},
		{PFXLegacy, []string{"pbeWithSHA1And3-KeyTripleDES-CBC", "MAC: sha1"}, [][]string{{}, {"-legacy"}}},
	}
	for _, c := range cases {
		t.Run(string(c.profile), func(t *testing.T) {
			dir := t.TempDir()
			pfx, err := EncodePFX(rand.Reader, p.leafKey, p.leaf, []*x509.Certificate{p.inter.cert}, "correct horse", c.profile)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, dir, "out.pfx", pfx)
			writeFile(t, dir, "pw", []byte("correct horse\n"))
			writeFile(t, dir, "badpw", []byte("wrong\n"))
			for _, extra := range c.flags {
				args := append(append([]string{"pkcs12"}, extra...), "-in", "out.pfx", "-passin", "file:pw", "-nodes", "-out", "all.pem")
				ossl(t, dir, args...)
				b, err := ParseBundle(readFile(t, dir, "all.pem"), nil)
				if err != nil || len(b.Certificates) != 2 || b.PrivateKey == nil {
					t.Fatalf("openssl %v output: %v", extra, err)
				}
			}
			info := ossl(t, dir, "pkcs12", "-in", "out.pfx", "-passin", "file:pw", "-info", "-noout")
			for _, want := range c.info {
				if !strings.Contains(info, want) {
					t.Errorf("openssl pkcs12 -info lacks %q:\n%s", want, info)
				}
			}
			if out, err := osslTry(dir, "pkcs12", "-in", "out.pfx", "-passin", "file:badpw", "-nodes"); err == nil {
				t.Errorf("openssl opened the file with a wrong password:\n%s", out)
			}

			// The key openssl extracts matches the certificate openssl extracts.
			ossl(t, dir, "pkcs12", "-in", "out.pfx", "-passin", "file:pw", "-nocerts", "-nodes", "-out", "key.pem")
			ossl(t, dir, "pkcs12", "-in", "out.pfx", "-passin", "file:pw", "-clcerts", "-nokeys", "-out", "cert.pem")
			keyPub := ossl(t, dir, "pkey", "-in", "key.pem", "-pubout")
			certPub := ossl(t, dir, "x509", "-in", "cert.pem", "-pubkey", "-noout")
			if keyPub != certPub || !strings.Contains(keyPub, "BEGIN PUBLIC KEY") {
				t.Fatalf("key and certificate differ:\n%s\n%s", keyPub, certPub)
			}
			cb, err := ParseBundle(readFile(t, dir, "cert.pem"), nil)
			if err != nil || !bytes.Equal(cb.Certificates[0].Raw, p.leaf.Raw) {
				t.Fatalf("openssl's client certificate is not our leaf: %v", err)
			}
			ossl(t, dir, "pkcs12", "-in", "out.pfx", "-passin", "file:pw", "-cacerts", "-nokeys", "-out", "ca.pem")
			ca, err := ParseBundle(readFile(t, dir, "ca.pem"), nil)
			if err != nil || len(ca.Certificates) != 1 || !bytes.Equal(ca.Certificates[0].Raw, p.inter.cert.Raw) {
				t.Fatalf("openssl's CA certificates: %v", err)
			}
		})
	}
}

func TestOpenSSLWrittenFilesParse(t *testing.T) {
	needOpenSSL(t)
	dir := t.TempDir()
	opensslCA(t, dir)
	ossl(t, dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "pkcs8.pem")
	ossl(t, dir, "ecparam", "-name", "prime256v1", "-genkey", "-out", "sec1.pem")
	ossl(t, dir, "genrsa", "-traditional", "-out", "pkcs1.pem", "2048")
	ossl(t, dir, "ec", "-in", "sec1.pem", "-outform", "DER", "-out", "sec1.der")
	for _, f := range []string{"pkcs8.pem", "sec1.pem", "pkcs1.pem"} {
		key, err := ParsePrivateKeyPEM(readFile(t, dir, f))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		ossl(t, dir, "pkey", "-in", f, "-pubout", "-outform", "DER", "-out", f+".pub")
		spki, _ := x509.MarshalPKIXPublicKey(key.Public())
		if !bytes.Equal(spki, readFile(t, dir, f+".pub")) {
			t.Errorf("%s: our public key differs from openssl's", f)
		}
	}
	if b, err := ParseBundle(readFile(t, dir, "sec1.der"), nil); err != nil || b.Format != FormatDERKey {
		t.Errorf("DER SEC1 key: %v", err)
	}

	// PKCS#12 written by openssl: its default (AES) and Windows-2016-style 3DES.
	ossl(t, dir, "req", "-new", "-key", "pkcs8.pem", "-subj", "/CN=careware.example.org", "-out", "leaf.csr")
	writeFile(t, dir, "leaf.ext", []byte("subjectAltName=DNS:careware.example.org\nextendedKeyUsage=serverAuth\n"))
	ossl(t, dir, "x509", "-req", "-in", "leaf.csr", "-CA", "int.pem", "-CAkey", "int.key", "-set_serial", "7",
		"-days", "30", "-extfile", "leaf.ext", "-out", "leaf.pem")
	writeFile(t, dir, "pw", []byte("s3cret\n"))
	exports := map[string][]string{
		"default.pfx": nil,
		"3des.pfx":    {"-certpbe", "PBE-SHA1-3DES", "-keypbe", "PBE-SHA1-3DES", "-macalg", "sha1"},
	}
	for name, extra := range exports {
		args := append([]string{"pkcs12", "-export", "-inkey", "pkcs8.pem", "-in", "leaf.pem", "-certfile", "int.pem",
			"-passout", "file:pw", "-out", name}, extra...)
		ossl(t, dir, args...)
		b, err := ParseBundle(readFile(t, dir, name), []byte("s3cret"))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(b.Certificates) != 2 || b.Leaf() == nil || b.Leaf().Subject.CommonName != "careware.example.org" {
			t.Errorf("%s: %d certificates, leaf %v", name, len(b.Certificates), b.Leaf())
		}
		if _, err := ParseBundle(readFile(t, dir, name), []byte("wrong")); !errors.Is(err, ErrWrongPassword) {
			t.Errorf("%s with a wrong password: %v", name, err)
		}
	}

	// PKCS#7 bundles, PEM and DER, as `openssl crl2pkcs7` writes them.
	chain := append(readFile(t, dir, "leaf.pem"), readFile(t, dir, "int.pem")...)
	writeFile(t, dir, "chain.pem", chain)
	ossl(t, dir, "crl2pkcs7", "-nocrl", "-certfile", "chain.pem", "-out", "chain.p7b")
	ossl(t, dir, "crl2pkcs7", "-nocrl", "-certfile", "chain.pem", "-outform", "DER", "-out", "chain.p7b.der")
	for _, f := range []string{"chain.p7b", "chain.p7b.der"} {
		if b, err := ParseBundle(readFile(t, dir, f), nil); err != nil || len(b.Certificates) != 2 {
			t.Errorf("%s: %v", f, err)
		}
	}

	// A DER certificate and CSR.
	ossl(t, dir, "x509", "-in", "leaf.pem", "-outform", "DER", "-out", "leaf.der")
	ossl(t, dir, "req", "-in", "leaf.csr", "-outform", "DER", "-out", "leaf.csr.der")
	if b, err := ParseBundle(readFile(t, dir, "leaf.der"), nil); err != nil || b.Format != FormatDERCert {
		t.Errorf("DER certificate: %v", err)
	}
	if b, err := ParseBundle(readFile(t, dir, "leaf.csr.der"), nil); err != nil || b.Format != FormatDERCSR {
		t.Errorf("DER CSR: %v", err)
	}
}
