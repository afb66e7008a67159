package certs

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testNow is the pinned "now" of every test: no assertion reads the clock.
var testNow = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func nDays(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

var serial atomic.Int64

// Keys are expensive (RSA especially); tests share them by name.
var (
	keyMu    sync.Mutex
	keyCache = map[string]crypto.Signer{}
)

func testKey(t testing.TB, kind string) crypto.Signer {
	t.Helper()
	keyMu.Lock()
	defer keyMu.Unlock()
	if k, ok := keyCache[kind]; ok {
		return k
	}
	var k crypto.Signer
	var err error
	switch kind {
	case "p256", "p256-b", "p256-c", "p256-d", "p256-e", "p256-f":
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "p384":
		k, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "p224":
		k, err = ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	case "rsa1024":
		k, err = rsa.GenerateKey(rand.Reader, 1024)
	case "rsa2048", "rsa2048-b":
		k, err = rsa.GenerateKey(rand.Reader, 2048)
	default:
		t.Fatalf("unknown test key %q", kind)
	}
	if err != nil {
		t.Fatalf("generate %s: %v", kind, err)
	}
	keyCache[kind] = k
	return k
}

// testCA is a CA certificate and its key.
type testCA struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func newRoot(t testing.TB, cn string, key crypto.Signer) *testCA {
	t.Helper()
	tmpl := caTemplate(cn, day(2020, 1, 1), day(2040, 1, 1))
	return &testCA{cert: sign(t, tmpl, tmpl, key.Public(), key, 0), key: key}
}

func caTemplate(cn string, from, to time.Time) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber:          big.NewInt(serial.Add(1)),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"cwsec test"}},
		NotBefore:             from,
		NotAfter:              to,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
}

// intermediate issues a CA certificate under ca.
func (ca *testCA) intermediate(t testing.TB, cn string, key crypto.Signer, mod ...func(*x509.Certificate)) *testCA {
	t.Helper()
	tmpl := caTemplate(cn, day(2024, 1, 1), day(2034, 1, 1))
	tmpl.IssuingCertificateURL = []string{"http://ca.test/" + ca.cert.Subject.CommonName + ".crt"}
	for _, m := range mod {
		m(tmpl)
	}
	return &testCA{cert: ca.issue(t, tmpl, key.Public()), key: key}
}

func (ca *testCA) issue(t testing.TB, tmpl *x509.Certificate, pub crypto.PublicKey) *x509.Certificate {
	t.Helper()
	return sign(t, tmpl, ca.cert, pub, ca.key, tmpl.SignatureAlgorithm)
}

func sign(t testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, key crypto.Signer, alg x509.SignatureAlgorithm) *x509.Certificate {
	t.Helper()
	tmpl.SignatureAlgorithm = alg
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		t.Fatalf("create certificate %q: %v", tmpl.Subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// leafTemplate is a correct TLS server certificate for name, valid for
// lifetime from notBefore; tests change one thing to make each defect.
func leafTemplate(name string, notBefore time.Time, lifetime time.Duration) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber:          big.NewInt(serial.Add(1)),
		Subject:               pkix.Name{CommonName: name},
		DNSNames:              []string{name},
		IPAddresses:           []net.IP{net.ParseIP("192.0.2.10").To4()},
		NotBefore:             notBefore,
		NotAfter:              notBefore.Add(lifetime - time.Second),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IssuingCertificateURL: []string{"http://ca.test/intermediate.crt"},
		OCSPServer:            []string{"http://ocsp.ca.test"},
		CRLDistributionPoints: []string{"http://crl.ca.test/int.crl"},
	}
}

// pki is the standard test hierarchy: root -> intermediate -> leaves.
type pki struct {
	root, inter *testCA
	leafKey     crypto.Signer
	leaf        *x509.Certificate
	roots       *x509.CertPool
}

func newPKI(t testing.TB) *pki {
	t.Helper()
	p := &pki{root: newRoot(t, "cwsec Test Root", testKey(t, "p384"))}
	p.inter = p.root.intermediate(t, "cwsec Test Intermediate", testKey(t, "p256-b"))
	p.leafKey = testKey(t, "p256")
	p.leaf = p.inter.issue(t, leafTemplate("careware.example.org", day(2026, 11, 20), nDays(90)), p.leafKey.Public())
	p.roots = x509.NewCertPool()
	p.roots.AddCert(p.root.cert)
	return p
}

// leafWith issues a leaf from the standard intermediate after mod changes the
// template.
func (p *pki) leafWith(t testing.TB, mod func(*x509.Certificate)) *x509.Certificate {
	t.Helper()
	tmpl := leafTemplate("careware.example.org", day(2026, 11, 20), nDays(90))
	mod(tmpl)
	return p.inter.issue(t, tmpl, p.leafKey.Public())
}

// md5Signed re-signs cert's TBS with MD5 by hand, since Go refuses to: the
// sha256WithRSA OID in the TBS is swapped for md5WithRSA (same length: only
// the last arc differs), and the certificate is reassembled.
func md5Signed(t testing.TB, cert *x509.Certificate, issuerKey *rsa.PrivateKey) *x509.Certificate {
	t.Helper()
	if cert.SignatureAlgorithm != x509.SHA256WithRSA {
		t.Fatal("md5Signed needs a SHA256-RSA certificate")
	}
	sha256OID := []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b}
	tbs := append([]byte{}, cert.RawTBSCertificate...)
	i := indexOf(tbs, sha256OID)
	if i < 0 {
		t.Fatal("OID not found in TBS")
	}
	tbs[i+len(sha256OID)-1] = 0x04 // md5WithRSAEncryption 1.2.840.113549.1.1.4
	h := md5Sum(tbs)
	sig, err := rsa.SignPKCS1v15(nil, issuerKey, crypto.MD5, h)
	if err != nil {
		t.Fatal(err)
	}
	der, err := asn1.Marshal(struct {
		TBS asn1.RawValue
		Alg pkix.AlgorithmIdentifier
		Sig asn1.BitString
	}{
		TBS: asn1.RawValue{FullBytes: tbs},
		Alg: pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 4}, Parameters: asn1.NullRawValue},
		Sig: asn1.BitString{Bytes: sig, BitLength: len(sig) * 8},
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("parse MD5 certificate: %v", err)
	}
	return out
}

func indexOf(b, sub []byte) int {
	for i := 0; i+len(sub) <= len(b); i++ {
		if string(b[i:i+len(sub)]) == string(sub) {
			return i
		}
	}
	return -1
}

func pool(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

func md5Sum(b []byte) []byte {
	s := md5.Sum(b)
	return s[:]
}
