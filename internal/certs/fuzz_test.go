package certs

import (
	"crypto/rand"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
)

// FuzzParseBundle: no input may panic, every refusal is an *Error with a
// sentinel, and whatever parses can be described, chained and judged.
func FuzzParseBundle(f *testing.F) {
	p := newPKI(f)
	chain := FullChainPEM(p.leaf, []*x509.Certificate{p.inter.cert})
	keyPEM, _ := MarshalPrivateKeyPEM(p.leafKey)
	csr, _ := CreateCSR(rand.Reader, RequestSpec{CommonName: "careware.example.org", DNSNames: []string{"a.example.org"}}, p.leafKey)
	modern, _ := EncodePFX(rand.Reader, p.leafKey, p.leaf, []*x509.Certificate{p.inter.cert}, "pw", PFXModern)
	legacy, _ := EncodePFX(rand.Reader, p.leafKey, p.leaf, nil, "pw", PFXLegacy)
	seeds := [][]byte{
		chain, append(append([]byte{}, chain...), keyPEM...), keyPEM, CSRPEM(csr), csr,
		p.leaf.Raw, p.root.cert.Raw, modern, legacy, buildP7(f, p.leaf, p.inter.cert),
		chain[:len(chain)/2], append(append([]byte{}, chain...), "junk"...),
		[]byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"),
		[]byte("-----BEGIN X-----\n"), []byte("-----BEGIN "), {0x30, 0x80}, {0x30, 0x03, 0x02, 0x01, 0x03}, {},
	}
	for _, s := range seeds {
		f.Add(s, []byte("pw"))
	}
	f.Fuzz(func(t *testing.T, data, password []byte) {
		b, err := ParseBundle(data, password)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Kind == nil {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		if b == nil || (len(b.Certificates) == 0 && len(b.CSRs) == 0 && b.PrivateKey == nil) || b.Format == "" {
			t.Fatalf("success without content: %+v", b)
		}
		for _, c := range b.Certificates {
			_ = Describe(c, testNow)
		}
		for _, c := range b.CSRs {
			_ = DescribeCSR(c)
		}
		if len(b.Certificates) > 0 {
			var pub any
			if b.PrivateKey != nil {
				pub = b.PrivateKey.Public()
			}
			_ = Evaluate(PolicyInput{Chain: b.Certificates, Roots: p.roots, Key: pub, Names: []string{"careware.example.org"}, Now: testNow})
		}
	})
}

// FuzzNormalizeDNSName: no panic; accepted names are canonical (normalising
// again changes nothing), ASCII, lower case, within DNS limits, and carry a
// wildcard only as the whole first label.
func FuzzNormalizeDNSName(f *testing.F) {
	for _, s := range []string{
		"careware.example.org", "CareWare.Example.ORG.", "*.example.org", "a*.example.org", "*.*.x", "foo.*.x", "*",
		"bücher.example", "xn--bcher-kva.example", "xn--zz.example", "192.0.2.10", "[::1]", "a..b", "-a.b", "a-.b",
		strings.Repeat("a", 64) + ".org", strings.Repeat("a.", 130) + "org", "ＡＢＣ.example", "a_b.example", " \t",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ParseIP(s)
		out, err := NormalizeDNSName(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidName) && !errors.Is(err, ErrIPAsDNSName) {
				t.Fatalf("NormalizeDNSName(%q): untyped error %v", s, err)
			}
			return
		}
		again, err := NormalizeDNSName(out)
		if err != nil || again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", s, out, again, err)
		}
		if len(out) > maxNameLen || out != strings.ToLower(out) || !isASCII(out) || strings.Contains(out, "..") {
			t.Fatalf("NormalizeDNSName(%q) = %q", s, out)
		}
		if i := strings.LastIndex(out, "*"); i > 0 || (i == 0 && !strings.HasPrefix(out, "*.")) {
			t.Fatalf("wildcard misplaced in %q", out)
		}
		for _, l := range strings.Split(strings.TrimPrefix(out, "*."), ".") {
			if l == "" || len(l) > maxLabelLen || l[0] == '-' || l[len(l)-1] == '-' {
				t.Fatalf("bad label %q in %q", l, out)
			}
		}
	})
}

// FuzzParseTargetLine: any line of a targets file is a target, a skipped
// line or a reasoned refusal; an accepted endpoint parses again unchanged.
func FuzzParseTargetLine(f *testing.F) {
	for _, s := range []string{"careware.example.org", "10.0.0.5:8443 careware.example.org", "[::1]:443",
		"file:/etc/ssl/c.pem", "# comment", "", "a b c", "host:99999", "[::1", "2001:db8::1", ":443"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		target, ok, err := ParseTargetLine(line)
		if err != nil || !ok || target.Kind != TargetEndpoint {
			return
		}
		again, err := ParseEndpoint(target.Name)
		if err != nil || again != target.Name {
			t.Fatalf("%q parsed to %q, which parses to %q, %v", line, target.Name, again, err)
		}
	})
}
