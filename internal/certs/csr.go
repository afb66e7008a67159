package certs

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"unicode"
)

// MaxSANs bounds the names one request may carry. Public CAs allow about 100
// per certificate; a CAREWare server needs a handful.
const MaxSANs = 100

// Upper bounds from RFC 5280 Appendix A (ub-common-name and friends). A CA
// rejects a CSR that exceeds them, so catch it before the request is made.
const (
	maxCNLen       = 64
	maxOrgLen      = 64
	maxOULen       = 64
	maxLocalityLen = 128
	maxStateLen    = 128
)

// RequestSpec is what `cert request` was asked for.
type RequestSpec struct {
	CommonName         string   `json:"common_name"`
	DNSNames           []string `json:"dns_names"`
	IPs                []net.IP `json:"ip_addresses"`
	Organization       string   `json:"organization,omitempty"`
	OrganizationalUnit string   `json:"organizational_unit,omitempty"`
	Locality           string   `json:"locality,omitempty"`
	State              string   `json:"state,omitempty"`
	Country            string   `json:"country,omitempty"`
	KeyType            KeyType  `json:"key_type"`
}

// Normalize validates the spec and returns it in the form that goes into the
// CSR: names normalised, the CN first among the DNS SANs (browsers ignore the
// CN, so a CN that is not also a SAN is a name silently lost), duplicates
// removed with order kept, the country upper-cased, the key type defaulted.
func (s RequestSpec) Normalize() (RequestSpec, error) {
	var out RequestSpec
	cn, err := NormalizeDNSName(s.CommonName)
	if err != nil {
		// Keep the name check's own kind and advice ("give IP addresses
		// with --ip"): it says more than a generic hint would.
		var ce *Error
		if errors.As(err, &ce) && ce.Advice != "" {
			return out, newError(ce.Kind, "the common name (--cn) must be a DNS name: "+ce.Detail, ce.Advice)
		}
		return out, requestError("the common name (--cn) must be a DNS name: " + err.Error())
	}
	if len(cn) > maxCNLen {
		return out, requestError(fmt.Sprintf("the common name %q is %d characters long; certificates allow %d", cn, len(cn), maxCNLen),
			"use a shorter name as --cn and give the long one with --san")
	}
	out.CommonName = cn
	if out.DNSNames, err = normalizeNames(append([]string{cn}, s.DNSNames...)); err != nil {
		return RequestSpec{}, err
	}
	out.IPs = dedupeIPs(s.IPs)
	if n := len(out.DNSNames) + len(out.IPs); n > MaxSANs {
		return RequestSpec{}, requestError(fmt.Sprintf("%d subject alternative names requested; the limit is %d", n, MaxSANs))
	}
	if out.KeyType, err = ParseKeyType(string(s.KeyType)); err != nil {
		return RequestSpec{}, err
	}
	if err := out.setSubjectFields(s); err != nil {
		return RequestSpec{}, err
	}
	return out, nil
}

func (out *RequestSpec) setSubjectFields(s RequestSpec) error {
	fields := []struct {
		flag  string
		in    string
		dst   *string
		limit int
	}{
		{"--org", s.Organization, &out.Organization, maxOrgLen},
		{"--ou", s.OrganizationalUnit, &out.OrganizationalUnit, maxOULen},
		{"--locality", s.Locality, &out.Locality, maxLocalityLen},
		{"--state", s.State, &out.State, maxStateLen},
	}
	for _, f := range fields {
		v := strings.TrimSpace(f.in)
		if err := checkSubjectText(f.flag, v, f.limit); err != nil {
			return err
		}
		*f.dst = v
	}
	c := strings.ToUpper(strings.TrimSpace(s.Country))
	if c != "" && (len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z') {
		return requestError(fmt.Sprintf("country %q must be a two-letter ISO 3166 code", s.Country), "for example --country US")
	}
	out.Country = c
	return nil
}

func checkSubjectText(flag, v string, limit int) error {
	if len(v) > limit {
		return requestError(fmt.Sprintf("%s is %d characters long; certificates allow %d", flag, len(v), limit))
	}
	for _, r := range v {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return requestError(fmt.Sprintf("%s contains a control or invalid character", flag))
		}
	}
	return nil
}

func requestError(detail string, advice ...string) error {
	a := "check the values given to cwsec cert request"
	if len(advice) > 0 {
		a = advice[0]
	}
	return newError(ErrInvalidRequest, detail, a)
}

func normalizeNames(names []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, n := range names {
		norm, err := NormalizeDNSName(n)
		if err != nil {
			return nil, err
		}
		if !seen[norm] {
			seen[norm] = true
			out = append(out, norm)
		}
	}
	return out, nil
}

func dedupeIPs(ips []net.IP) []net.IP {
	var out []net.IP
	seen := map[string]bool{}
	for _, ip := range ips {
		if ip == nil {
			continue
		}
		if v4 := ip.To4(); v4 != nil {
			ip = v4
		}
		if !seen[ip.String()] {
			seen[ip.String()] = true
			out = append(out, ip)
		}
	}
	return out
}

// Subject returns the distinguished name the spec describes.
func (s RequestSpec) Subject() pkix.Name {
	var n pkix.Name
	n.CommonName = s.CommonName
	add := func(dst *[]string, v string) {
		if v != "" {
			*dst = append(*dst, v)
		}
	}
	add(&n.Organization, s.Organization)
	add(&n.OrganizationalUnit, s.OrganizationalUnit)
	add(&n.Locality, s.Locality)
	add(&n.Province, s.State)
	add(&n.Country, s.Country)
	return n
}

// CreateCSR normalises spec and returns a DER certificate request signed by
// key. The signature uses the hash that matches the key's strength: SHA-256
// for P-256 and RSA, SHA-384 for P-384 (SHA-512 for P-521). When spec names a
// key type, the key must be of that type.
func CreateCSR(r io.Reader, spec RequestSpec, key crypto.Signer) ([]byte, error) {
	if key == nil {
		return nil, newError(ErrNoPrivateKey, "no key to sign the request with", "")
	}
	want := spec.KeyType
	norm, err := spec.Normalize()
	if err != nil {
		return nil, err
	}
	if got := KeyTypeOf(key.Public()); want != "" && got != want {
		name, _ := DescribeKey(key.Public())
		return nil, requestError(fmt.Sprintf("the key is %s but the request asks for %s", name, want))
	}
	alg, err := signatureAlgorithmFor(key.Public())
	if err != nil {
		return nil, err
	}
	tmpl := &x509.CertificateRequest{
		Subject:            norm.Subject(),
		DNSNames:           norm.DNSNames,
		IPAddresses:        norm.IPs,
		SignatureAlgorithm: alg,
	}
	der, err := x509.CreateCertificateRequest(r, tmpl, key)
	if err != nil {
		return nil, requestError("cannot create the request: " + err.Error())
	}
	return der, nil
}

// signatureAlgorithmFor chooses the signature algorithm for a key: a hash of
// the same strength as the key, never SHA-1.
func signatureAlgorithmFor(pub crypto.PublicKey) (x509.SignatureAlgorithm, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return x509.SHA256WithRSA, nil
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return x509.ECDSAWithSHA256, nil
		case elliptic.P384():
			return x509.ECDSAWithSHA384, nil
		case elliptic.P521():
			return x509.ECDSAWithSHA512, nil
		}
	}
	name, _ := DescribeKey(pub)
	return 0, newError(ErrUnsupportedKey, "cannot sign with a "+name+" key",
		"use one of ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072, rsa-4096")
}

// CSRPEM wraps a DER request as a PEM "CERTIFICATE REQUEST" block.
func CSRPEM(der []byte) []byte {
	return encodeBlocks("CERTIFICATE REQUEST", der)
}
