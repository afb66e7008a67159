package certs

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestDescribe(t *testing.T) {
	p := newPKI(t)
	info := Describe(p.leaf, testNow)
	sum := sha256.Sum256(p.leaf.Raw)
	checks := []struct {
		name      string
		got, want any
	}{
		{"subject", info.Subject, "CN=careware.example.org"},
		{"cn", info.SubjectParts.CommonName, "careware.example.org"},
		{"issuer cn", info.IssuerParts.CommonName, "cwsec Test Intermediate"},
		{"dns", info.SANs.DNS, []string{"careware.example.org"}},
		{"ip", info.SANs.IP, []string{"192.0.2.10"}},
		{"email", info.SANs.Email, []string{}},
		{"not before", info.NotBefore, day(2026, 11, 20)},
		{"not after", info.NotAfter, day(2026, 11, 20).Add(nDays(90) - time.Second)},
		{"days left", info.DaysLeft, 76},
		{"lifetime", info.LifetimeDays, 90},
		{"key type", info.KeyType, "ecdsa-p256"},
		{"key bits", info.KeyBits, 256},
		{"sig alg", info.SignatureAlgorithm, "ECDSA-SHA256"},
		{"ku", info.KeyUsage, []string{"digitalSignature"}},
		{"eku", info.ExtKeyUsage, []string{"serverAuth"}},
		{"is ca", info.IsCA, false},
		{"self signed", info.SelfSigned, false},
		{"fingerprint", info.SHA256Fingerprint, colonHex(sum[:])},
		{"aia", info.IssuerURLs, []string{"http://ca.test/intermediate.crt"}},
		{"ocsp", info.OCSPURLs, []string{"http://ocsp.ca.test"}},
		{"crl", info.CRLURLs, []string{"http://crl.ca.test/int.crl"}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
	if !regexp.MustCompile(`^([0-9A-F]{2}:){31}[0-9A-F]{2}$`).MatchString(info.SHA256Fingerprint) {
		t.Errorf("fingerprint %q is not colon-separated upper-case hex", info.SHA256Fingerprint)
	}
	if !regexp.MustCompile(`^([0-9A-F]{2}:)*[0-9A-F]{2}$`).MatchString(info.Serial) {
		t.Errorf("serial %q", info.Serial)
	}
	root := Describe(p.root.cert, testNow)
	if !root.IsCA || !root.SelfSigned || root.KeyType != "ecdsa-p384" ||
		!reflect.DeepEqual(root.KeyUsage, []string{"digitalSignature", "keyCertSign", "cRLSign"}) {
		t.Errorf("root info %+v", root)
	}
}

func TestDescribeDaysLeft(t *testing.T) {
	p := newPKI(t)
	expired := p.leafWith(t, func(c *x509.Certificate) {
		c.NotBefore = day(2026, 8, 1)
		c.NotAfter = day(2026, 10, 30)
	})
	if d := Describe(expired, testNow).DaysLeft; d != -35 {
		t.Errorf("days_left of a certificate expired on 2026-10-30 = %d, want -35", d)
	}
	justExpired := p.leafWith(t, func(c *x509.Certificate) { c.NotAfter = testNow.Add(-time.Hour) })
	if d := DaysLeft(justExpired, testNow); d != -1 {
		t.Errorf("an hour after expiry days_left = %d, want -1", d)
	}
}

func TestDescribeJSONNames(t *testing.T) {
	p := newPKI(t)
	b, err := json.Marshal(Describe(p.leaf, testNow))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"subject", "subject_parts", "sans", "serial", "not_before", "not_after", "days_left",
		"lifetime_days", "key_type", "key_bits", "signature_algorithm", "key_usage", "ext_key_usage", "is_ca",
		"self_signed", "sha256_fingerprint", "spki_sha256", "issuer_urls", "ocsp_urls", "crl_urls"} {
		if !strings.Contains(string(b), fmt.Sprintf("%q:", key)) {
			t.Errorf("JSON lacks %q: %s", key, b)
		}
	}
	if !strings.Contains(string(b), `"not_after":"2027-02-17T23:59:59Z"`) {
		t.Errorf("not_after not in UTC RFC 3339: %s", b)
	}
}
