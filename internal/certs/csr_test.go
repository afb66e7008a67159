package certs

import (
	"crypto/rand"
	"crypto/x509"
	"errors"
	"net"
	"reflect"
	"testing"
)

func TestRequestSpecNormalize(t *testing.T) {
	spec := RequestSpec{
		CommonName:   "CareWare.Example.org.",
		DNSNames:     []string{"www.example.org", "careware.example.org", "WWW.example.org", "*.apps.example.org"},
		IPs:          []net.IP{net.ParseIP("192.0.2.10"), net.ParseIP("192.0.2.10").To4(), net.ParseIP("2001:db8::1")},
		Organization: " Example Clinic ",
		Country:      "us",
	}
	got, err := spec.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	wantNames := []string{"careware.example.org", "www.example.org", "*.apps.example.org"}
	if !reflect.DeepEqual(got.DNSNames, wantNames) {
		t.Errorf("DNSNames = %q, want %q (CN first, duplicates removed, order kept)", got.DNSNames, wantNames)
	}
	if len(got.IPs) != 2 || len(got.IPs[0]) != 4 {
		t.Errorf("IPs = %v, want two, IPv4 in 4-byte form", got.IPs)
	}
	if got.CommonName != "careware.example.org" || got.Country != "US" || got.Organization != "Example Clinic" || got.KeyType != KeyECDSAP256 {
		t.Errorf("normalised spec = %+v", got)
	}
}

func TestRequestSpecNormalizeRefuses(t *testing.T) {
	long := "a123456789012345678901234567890.b123456789012345678901234567890.example.org" // 77 > 64
	cases := map[string]RequestSpec{
		"no CN":          {},
		"IP as CN":       {CommonName: "192.0.2.10"},
		"bad SAN":        {CommonName: "a.example.org", DNSNames: []string{"bad_name.example.org"}},
		"CN over 64":     {CommonName: long},
		"country 3":      {CommonName: "a.example.org", Country: "USA"},
		"country digits": {CommonName: "a.example.org", Country: "U1"},
		"key type":       {CommonName: "a.example.org", KeyType: "rsa-1024"},
		"control char":   {CommonName: "a.example.org", Organization: "Evil\nCorp"},
		"org too long":   {CommonName: "a.example.org", Organization: string(make([]byte, 65))},
	}
	for name, spec := range cases {
		if _, err := spec.Normalize(); err == nil {
			t.Errorf("%s: accepted", name)
		} else if HintOf(err) == "" {
			t.Errorf("%s: error %q has no hint", name, err)
		}
	}
	many := RequestSpec{CommonName: "a.example.org"}
	for i := 0; i < MaxSANs; i++ {
		many.IPs = append(many.IPs, net.IPv4(10, 0, byte(i/256), byte(i%256)))
	}
	if _, err := many.Normalize(); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("%d SANs accepted: %v", MaxSANs+1, err)
	}
}

func TestCreateCSR(t *testing.T) {
	cases := []struct {
		kind string
		kt   KeyType
		alg  x509.SignatureAlgorithm
	}{
		{"p256", KeyECDSAP256, x509.ECDSAWithSHA256},
		{"p384", KeyECDSAP384, x509.ECDSAWithSHA384},
		{"rsa2048", KeyRSA2048, x509.SHA256WithRSA},
	}
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			key := testKey(t, c.kind)
			spec := RequestSpec{CommonName: "careware.example.org", DNSNames: []string{"cw.example.org"},
				IPs: []net.IP{net.ParseIP("192.0.2.10")}, Organization: "Clinic", Country: "us", KeyType: c.kt}
			der, err := CreateCSR(rand.Reader, spec, key)
			if err != nil {
				t.Fatal(err)
			}
			b, err := ParseBundle(CSRPEM(der), nil)
			if err != nil || len(b.CSRs) != 1 {
				t.Fatalf("own CSR does not parse: %v", err)
			}
			csr := b.CSRs[0]
			info := DescribeCSR(csr)
			switch {
			case csr.SignatureAlgorithm != c.alg:
				t.Errorf("signature algorithm %v, want %v", csr.SignatureAlgorithm, c.alg)
			case !info.SignatureValid:
				t.Error("signature does not verify")
			case !reflect.DeepEqual(info.SANs.DNS, []string{"careware.example.org", "cw.example.org"}):
				t.Errorf("DNS SANs %q", info.SANs.DNS)
			case !reflect.DeepEqual(info.SANs.IP, []string{"192.0.2.10"}):
				t.Errorf("IP SANs %q", info.SANs.IP)
			case info.SubjectParts.CommonName != "careware.example.org" || info.SubjectParts.Country[0] != "US":
				t.Errorf("subject %+v", info.SubjectParts)
			case info.KeyType != string(c.kt):
				t.Errorf("key type %q", info.KeyType)
			}
		})
	}
}

func TestCreateCSRKeyTypeMismatch(t *testing.T) {
	_, err := CreateCSR(rand.Reader, RequestSpec{CommonName: "a.example.org", KeyType: KeyRSA2048}, testKey(t, "p256"))
	if !errors.Is(err, ErrInvalidRequest) {
		t.Fatalf("mismatched key accepted: %v", err)
	}
	if _, err := CreateCSR(rand.Reader, RequestSpec{CommonName: "a.example.org"}, testKey(t, "p224")); !errors.Is(err, ErrUnsupportedKey) {
		t.Fatalf("P-224 key accepted: %v", err)
	}
}
