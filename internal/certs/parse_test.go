package certs

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"io"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

func TestParseBundleFormats(t *testing.T) {
	p := newPKI(t)
	keyPEM, _ := MarshalPrivateKeyPEM(p.leafKey)
	csrDER, err := CreateCSR(rand.Reader, RequestSpec{CommonName: "careware.example.org"}, p.leafKey)
	if err != nil {
		t.Fatal(err)
	}
	pfx, err := EncodePFX(rand.Reader, p.leafKey, p.leaf, []*x509.Certificate{p.inter.cert}, "s3cret", PFXModern)
	if err != nil {
		t.Fatal(err)
	}
	// OpenSSL's `pkcs12 -nodes` output: attribute text before each block.
	withText := []byte("Bag Attributes\n    localKeyID: 01 02\nsubject=CN = careware.example.org\n\n")
	withText = append(withText, CertificatesPEM(p.leaf)...)
	withText = append(withText, []byte("subject=CN = cwsec Test Intermediate\n")...)
	withText = append(withText, CertificatesPEM(p.inter.cert)...)
	withText = append(withText, keyPEM...)
	crlf := bytes.ReplaceAll(FullChainPEM(p.leaf, []*x509.Certificate{p.inter.cert}), []byte("\n"), []byte("\r\n"))

	cases := []struct {
		name        string
		data        []byte
		format      string
		certs, csrs int
		key         bool
	}{
		{"pem chain", FullChainPEM(p.leaf, []*x509.Certificate{p.inter.cert}), FormatPEM, 2, 0, false},
		{"pem crlf", crlf, FormatPEM, 2, 0, false},
		{"pem with text and key", withText, FormatPEM, 2, 0, true},
		{"pem key only", keyPEM, FormatPEM, 0, 0, true},
		{"pem csr", CSRPEM(csrDER), FormatPEM, 0, 1, false},
		{"pem new csr", pem.EncodeToMemory(&pem.Block{Type: "NEW CERTIFICATE REQUEST", Bytes: csrDER}), FormatPEM, 0, 1, false},
		{"pem trusted cert", pem.EncodeToMemory(&pem.Block{Type: "TRUSTED CERTIFICATE", Bytes: append(append([]byte{}, p.root.cert.Raw...), 0x30, 0x00)}), FormatPEM, 1, 0, false},
		{"pem pkcs7", pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: buildP7(t, p.leaf, p.inter.cert)}), FormatPEM, 2, 0, false},
		{"der cert", p.leaf.Raw, FormatDERCert, 1, 0, false},
		{"der csr", csrDER, FormatDERCSR, 0, 1, false},
		{"der pkcs7", buildP7(t, p.leaf, p.inter.cert, p.root.cert), FormatPKCS7, 3, 0, false},
		{"der key", mustPKCS8(t, p), FormatDERKey, 0, 0, true},
		{"pkcs12", pfx, FormatPKCS12, 2, 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pw := []byte(nil)
			if c.format == FormatPKCS12 {
				pw = []byte("s3cret")
			}
			b, err := ParseBundle(c.data, pw)
			if err != nil {
				t.Fatal(err)
			}
			if b.Format != c.format || len(b.Certificates) != c.certs || len(b.CSRs) != c.csrs || (b.PrivateKey != nil) != c.key {
				t.Fatalf("got format %s, %d certs, %d CSRs, key %v", b.Format, len(b.Certificates), len(b.CSRs), b.PrivateKey != nil)
			}
			if c.key && c.certs > 0 && b.Leaf() != p.leaf && !bytes.Equal(b.Leaf().Raw, p.leaf.Raw) {
				t.Fatal("Leaf() did not pick the certificate matching the key")
			}
		})
	}
}

func mustPKCS8(t *testing.T, p *pki) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(p.leafKey)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// buildP7 makes a certs-only PKCS#7 SignedData, as `openssl crl2pkcs7
// -nocrl` and Windows CAs write.
func buildP7(t testing.TB, certs ...*x509.Certificate) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidPKCS7SignedData)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SET, func(*cryptobyte.Builder) {})
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidPKCS7Data) })
				b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					for _, c := range certs {
						b.AddBytes(c.Raw)
					}
				})
				b.AddASN1(cbasn1.SET, func(*cryptobyte.Builder) {})
			})
		})
	})
	der, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestParseBundleRefuses(t *testing.T) {
	p := newPKI(t)
	chain := FullChainPEM(p.leaf, []*x509.Certificate{p.inter.cert})
	first := CertificatesPEM(p.leaf)
	second := CertificatesPEM(p.inter.cert)
	cut := func(b []byte, n int) []byte { return append([]byte{}, b[:len(b)-n]...) }
	random := make([]byte, 512)
	for i := range random {
		random[i] = byte(i*131 + 7)
	}
	corrupt := bytes.Replace(append([]byte{}, first...), []byte("MII"), []byte("M!I"), 1)

	cases := []struct {
		name    string
		data    []byte
		want    error
		message string
	}{
		{"empty", nil, ErrEmptyInput, "empty"},
		{"blank", []byte(" \n\t\r\n"), ErrEmptyInput, "empty"},
		{"truncated", cut(first, 40), ErrTruncatedPEM, `PEM block 1 ("CERTIFICATE", line 1) is truncated`},
		{"truncated first of two", append(cut(first, 30), second...), ErrTruncatedPEM, "PEM block 1"},
		{"truncated second", append(append([]byte{}, first...), cut(second, 200)...), ErrTruncatedPEM, "PEM block 2"},
		{"trailing garbage", append(append([]byte{}, chain...), []byte("MIIBkTCCATegAwIBAgIUQ\n")...), ErrTrailingData, "after the last PEM block"},
		{"corrupt base64", corrupt, ErrCorruptPEM, "is corrupt"},
		{"mismatched END", bytes.Replace(append([]byte{}, first...), []byte("END CERTIFICATE"), []byte("END CERTIFICATE REQUEST"), 1), ErrCorruptPEM, "corrupt"},
		{"random bytes", random, ErrNotRecognized, "not a certificate, CSR, or PKCS#12 file"},
		{"text", []byte("hello, this is not a certificate\n"), ErrNotRecognized, "not a certificate"},
		{"unknown PEM type", pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: []byte{0x30, 0}}), ErrUnknownPEMType, `"X509 CRL"`},
		{"public key", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: p.leaf.RawSubjectPublicKeyInfo}), ErrUnknownPEMType, "PUBLIC KEY"},
		{"bad cert in PEM", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30, 0x03, 0x02, 0x01, 0x01}}), ErrMalformed, "does not hold a valid certificate"},
		{"DER cert with tail", append(append([]byte{}, p.leaf.Raw...), 0, 0), ErrNotRecognized, ""},
		{"damaged DER cert", damagedDER(p.leaf.Raw), ErrMalformed, "looks like a DER certificate"},
		{"bad pkcs7", pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: []byte{0x30, 0}}), ErrMalformed, "PKCS#7"},
		{"only EC PARAMETERS", pem.EncodeToMemory(&pem.Block{Type: "EC PARAMETERS", Bytes: []byte{6, 1, 1}}), ErrNotRecognized, ""},
		{"too large", make([]byte, MaxInputSize+1), ErrInputTooLarge, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := ParseBundle(c.data, nil)
			if !errors.Is(err, c.want) {
				t.Fatalf("ParseBundle = %v, %v; want %v", b, err, c.want)
			}
			if !strings.Contains(err.Error(), c.message) {
				t.Errorf("message %q does not contain %q", err, c.message)
			}
			if HintOf(err) == "" {
				t.Errorf("error %q has no hint", err)
			}
		})
	}
}

// damagedDER keeps the certificate's outer shape but breaks the inside.
func damagedDER(der []byte) []byte {
	c, _ := x509.ParseCertificate(der)
	tbs := append([]byte{}, c.RawTBSCertificate...)
	tbs[len(tbs)/2] ^= 0xff
	tbs[4] = 0x05 // version tag byte -> something else
	out, _ := asn1.Marshal(struct {
		TBS asn1.RawValue
		Alg pkix.AlgorithmIdentifier
		Sig asn1.BitString
	}{asn1.RawValue{FullBytes: tbs}, pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}}, asn1.BitString{Bytes: c.Signature, BitLength: 8 * len(c.Signature)}})
	return out
}

func TestParseBundlePKCS12Passwords(t *testing.T) {
	p := newPKI(t)
	pfx, err := EncodePFX(rand.Reader, p.leafKey, p.leaf, nil, "right", PFXLegacy)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseBundle(pfx, []byte("wrong")); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := ParseBundle(pfx, nil); !errors.Is(err, ErrPasswordRequired) {
		t.Errorf("no password: %v", err)
	}
	b, err := ParseBundle(pfx, []byte("right"))
	if err != nil || b.Format != FormatPKCS12 || !PublicKeysEqual(b.PrivateKey.Public(), p.leafKey.Public()) {
		t.Fatalf("right password: %v", err)
	}
}

func TestParseBundlePKCS12IterationBomb(t *testing.T) {
	type digestInfo struct {
		Alg    pkix.AlgorithmIdentifier
		Digest []byte
	}
	type macData struct {
		Mac        digestInfo
		Salt       []byte
		Iterations int
	}
	type contentInfo struct {
		Type    asn1.ObjectIdentifier
		Content asn1.RawValue `asn1:"tag:0,explicit,optional"`
	}
	inner, _ := asn1.Marshal([]byte{0x30, 0x00})
	pfx, err := asn1.Marshal(struct {
		Version  int
		AuthSafe contentInfo
		Mac      macData
	}{3, contentInfo{oidPKCS7Data, asn1.RawValue{FullBytes: inner}},
		macData{digestInfo{pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}}, make([]byte, 32)}, make([]byte, 8), 1 << 30}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseBundle(pfx, []byte("x")); !errors.Is(err, ErrPKCS12TooCostly) {
		t.Fatalf("PKCS#12 with 2^30 iterations: %v", err)
	}
}

func TestRequireCertificates(t *testing.T) {
	p := newPKI(t)
	csrDER, _ := CreateCSR(rand.Reader, RequestSpec{CommonName: "careware.example.org"}, p.leafKey)
	b, err := ParseBundle(CSRPEM(csrDER), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.RequireCertificates(); !errors.Is(err, ErrCSRNotCert) || !strings.Contains(HintOf(err), "certificate authority") {
		t.Fatalf("CSR given as certificate: %v (hint %q)", err, HintOf(err))
	}
	keyPEM, _ := MarshalPrivateKeyPEM(p.leafKey)
	kb, _ := ParseBundle(keyPEM, nil)
	if _, err := kb.RequireCertificates(); !errors.Is(err, ErrNoCertificate) {
		t.Fatalf("key given as certificate: %v", err)
	}
	cb, _ := ParseBundle(CertificatesPEM(p.leaf), nil)
	if certs, err := cb.RequireCertificates(); err != nil || len(certs) != 1 {
		t.Fatalf("certificate refused: %v", err)
	}
}

func TestReadBounded(t *testing.T) {
	big := &countingReader{n: 100 << 20}
	if _, err := ReadBounded(big, MaxInputSize); !errors.Is(err, ErrInputTooLarge) {
		t.Fatalf("100 MB input: %v", err)
	}
	if big.read > MaxInputSize+1 {
		t.Fatalf("read %d bytes of a 100 MB input; should stop after %d", big.read, MaxInputSize+1)
	}
	data, err := ReadBounded(strings.NewReader("abc"), 3)
	if err != nil || string(data) != "abc" {
		t.Fatalf("exact-size input: %q, %v", data, err)
	}
	if _, err := ReadBounded(strings.NewReader("abcd"), 3); !errors.Is(err, ErrInputTooLarge) {
		t.Fatalf("one byte over: %v", err)
	}
}

type countingReader struct{ n, read int }

func (r *countingReader) Read(p []byte) (int, error) {
	if r.read >= r.n {
		return 0, io.EOF
	}
	n := min(len(p), r.n-r.read)
	r.read += n
	return n, nil
}
