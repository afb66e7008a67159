package certs

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math"
	"math/big"
	"net"
	"net/url"
	"strings"
	"time"
)

// NameParts is a distinguished name split into the attributes admins look at.
type NameParts struct {
	CommonName         string   `json:"common_name,omitempty"`
	Organization       []string `json:"organization,omitempty"`
	OrganizationalUnit []string `json:"organizational_unit,omitempty"`
	Locality           []string `json:"locality,omitempty"`
	State              []string `json:"state,omitempty"`
	Country            []string `json:"country,omitempty"`
	SerialNumber       string   `json:"serial_number,omitempty"`
}

// SANs are a certificate's or request's subject alternative names.
type SANs struct {
	DNS   []string `json:"dns"`
	IP    []string `json:"ip"`
	Email []string `json:"email"`
	URI   []string `json:"uri"`
}

// CertInfo is what `cert inspect` shows about one certificate.
type CertInfo struct {
	Subject            string    `json:"subject"`
	SubjectParts       NameParts `json:"subject_parts"`
	Issuer             string    `json:"issuer"`
	IssuerParts        NameParts `json:"issuer_parts"`
	SANs               SANs      `json:"sans"`
	Serial             string    `json:"serial"`
	NotBefore          time.Time `json:"not_before"`
	NotAfter           time.Time `json:"not_after"`
	DaysLeft           int       `json:"days_left"`
	LifetimeDays       int       `json:"lifetime_days"`
	KeyType            string    `json:"key_type"`
	KeyBits            int       `json:"key_bits"`
	SignatureAlgorithm string    `json:"signature_algorithm"`
	KeyUsage           []string  `json:"key_usage"`
	ExtKeyUsage        []string  `json:"ext_key_usage"`
	IsCA               bool      `json:"is_ca"`
	SelfSigned         bool      `json:"self_signed"`
	SHA256Fingerprint  string    `json:"sha256_fingerprint"`
	SPKISHA256         string    `json:"spki_sha256"`
	IssuerURLs         []string  `json:"issuer_urls"`
	OCSPURLs           []string  `json:"ocsp_urls"`
	CRLURLs            []string  `json:"crl_urls"`
}

// CSRInfo is what `cert inspect` shows about a certificate request.
type CSRInfo struct {
	Subject            string    `json:"subject"`
	SubjectParts       NameParts `json:"subject_parts"`
	SANs               SANs      `json:"sans"`
	KeyType            string    `json:"key_type"`
	KeyBits            int       `json:"key_bits"`
	SignatureAlgorithm string    `json:"signature_algorithm"`
	SignatureValid     bool      `json:"signature_valid"`
	SPKISHA256         string    `json:"spki_sha256"`
}

// Describe summarises cert as of now. Times are UTC; DaysLeft counts whole
// days to notAfter and is negative once the certificate has expired.
func Describe(cert *x509.Certificate, now time.Time) CertInfo {
	keyType, bits := DescribeKey(cert.PublicKey)
	return CertInfo{
		Subject:            cert.Subject.String(),
		SubjectParts:       nameParts(cert.Subject),
		Issuer:             cert.Issuer.String(),
		IssuerParts:        nameParts(cert.Issuer),
		SANs:               sansOf(cert.DNSNames, cert.IPAddresses, cert.EmailAddresses, cert.URIs),
		Serial:             serialHex(cert),
		NotBefore:          cert.NotBefore.UTC(),
		NotAfter:           cert.NotAfter.UTC(),
		DaysLeft:           DaysLeft(cert, now),
		LifetimeDays:       LifetimeDays(cert),
		KeyType:            keyType,
		KeyBits:            bits,
		SignatureAlgorithm: cert.SignatureAlgorithm.String(),
		KeyUsage:           keyUsageNames(cert.KeyUsage),
		ExtKeyUsage:        extKeyUsageNames(cert),
		IsCA:               cert.BasicConstraintsValid && cert.IsCA,
		SelfSigned:         isSelfSigned(cert),
		SHA256Fingerprint:  Fingerprint(cert.Raw),
		SPKISHA256:         SPKIHash(cert.RawSubjectPublicKeyInfo),
		IssuerURLs:         nonNil(cert.IssuingCertificateURL),
		OCSPURLs:           nonNil(cert.OCSPServer),
		CRLURLs:            nonNil(cert.CRLDistributionPoints),
	}
}

// DescribeCSR summarises a certificate request.
func DescribeCSR(csr *x509.CertificateRequest) CSRInfo {
	keyType, bits := DescribeKey(csr.PublicKey)
	return CSRInfo{
		Subject:            csr.Subject.String(),
		SubjectParts:       nameParts(csr.Subject),
		SANs:               sansOf(csr.DNSNames, csr.IPAddresses, csr.EmailAddresses, csr.URIs),
		KeyType:            keyType,
		KeyBits:            bits,
		SignatureAlgorithm: csr.SignatureAlgorithm.String(),
		SignatureValid:     csr.CheckSignature() == nil,
		SPKISHA256:         SPKIHash(csr.RawSubjectPublicKeyInfo),
	}
}

// DaysLeft is the number of whole days from now to notAfter, rounded down, so
// it turns negative as soon as the certificate has expired.
func DaysLeft(cert *x509.Certificate, now time.Time) int {
	return int(math.Floor(cert.NotAfter.Sub(now).Hours() / 24))
}

// Lifetime is the validity period as the CA/Browser Forum measures it:
// notBefore through notAfter inclusive, so one second more than the
// difference.
func Lifetime(cert *x509.Certificate) time.Duration {
	return cert.NotAfter.Sub(cert.NotBefore) + time.Second
}

// LifetimeDays is Lifetime in days, where any part of a day counts as a day
// (the Baseline Requirements' rule).
func LifetimeDays(cert *x509.Certificate) int {
	return int(math.Ceil(Lifetime(cert).Hours() / 24))
}

// Fingerprint is the SHA-256 of der in the colon-separated upper-case hex
// `openssl x509 -fingerprint -sha256` prints, so admins can compare by eye.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return colonHex(sum[:])
}

// SPKIHash is the base64 SHA-256 of a SubjectPublicKeyInfo: the form curl's
// --pinnedpubkey "sha256//..." and HPKP-style pins use. It stays the same
// across renewals that keep the key.
func SPKIHash(spki []byte) string {
	sum := sha256.Sum256(spki)
	return base64.StdEncoding.EncodeToString(sum[:])
}

func colonHex(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02X", c)
	}
	return strings.Join(parts, ":")
}

func serialHex(cert *x509.Certificate) string {
	if cert.SerialNumber == nil {
		return ""
	}
	if cert.SerialNumber.Sign() < 0 {
		return "-" + colonHex(new(big.Int).Neg(cert.SerialNumber).Bytes())
	}
	b := cert.SerialNumber.Bytes()
	if len(b) == 0 {
		b = []byte{0}
	}
	return colonHex(b)
}

func nameParts(n pkix.Name) NameParts {
	return NameParts{
		CommonName:         n.CommonName,
		Organization:       n.Organization,
		OrganizationalUnit: n.OrganizationalUnit,
		Locality:           n.Locality,
		State:              n.Province,
		Country:            n.Country,
		SerialNumber:       n.SerialNumber,
	}
}

func sansOf(dns []string, ips []net.IP, emails []string, uris []*url.URL) SANs {
	s := SANs{DNS: nonNil(dns), IP: []string{}, Email: nonNil(emails), URI: []string{}}
	for _, ip := range ips {
		s.IP = append(s.IP, ip.String())
	}
	for _, u := range uris {
		s.URI = append(s.URI, u.String())
	}
	return s
}

// nonNil makes empty lists encode as [] rather than null, so JSON consumers
// can iterate without a null check.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

var keyUsageBits = []struct {
	bit  x509.KeyUsage
	name string
}{
	{x509.KeyUsageDigitalSignature, "digitalSignature"},
	{x509.KeyUsageContentCommitment, "contentCommitment"},
	{x509.KeyUsageKeyEncipherment, "keyEncipherment"},
	{x509.KeyUsageDataEncipherment, "dataEncipherment"},
	{x509.KeyUsageKeyAgreement, "keyAgreement"},
	{x509.KeyUsageCertSign, "keyCertSign"},
	{x509.KeyUsageCRLSign, "cRLSign"},
	{x509.KeyUsageEncipherOnly, "encipherOnly"},
	{x509.KeyUsageDecipherOnly, "decipherOnly"},
}

// keyUsageNames uses the RFC 5280 identifiers: readable, and stable across
// OpenSSL versions in a way OpenSSL's display strings are not.
func keyUsageNames(ku x509.KeyUsage) []string {
	names := []string{}
	for _, b := range keyUsageBits {
		if ku&b.bit != 0 {
			names = append(names, b.name)
		}
	}
	return names
}

var extKeyUsageNameOf = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageAny:                            "any",
	x509.ExtKeyUsageServerAuth:                     "serverAuth",
	x509.ExtKeyUsageClientAuth:                     "clientAuth",
	x509.ExtKeyUsageCodeSigning:                    "codeSigning",
	x509.ExtKeyUsageEmailProtection:                "emailProtection",
	x509.ExtKeyUsageIPSECEndSystem:                 "ipsecEndSystem",
	x509.ExtKeyUsageIPSECTunnel:                    "ipsecTunnel",
	x509.ExtKeyUsageIPSECUser:                      "ipsecUser",
	x509.ExtKeyUsageTimeStamping:                   "timeStamping",
	x509.ExtKeyUsageOCSPSigning:                    "OCSPSigning",
	x509.ExtKeyUsageMicrosoftServerGatedCrypto:     "msSGC",
	x509.ExtKeyUsageNetscapeServerGatedCrypto:      "nsSGC",
	x509.ExtKeyUsageMicrosoftCommercialCodeSigning: "msCodeCom",
	x509.ExtKeyUsageMicrosoftKernelCodeSigning:     "msKernelCodeSigning",
}

func extKeyUsageNames(cert *x509.Certificate) []string {
	names := []string{}
	for _, u := range cert.ExtKeyUsage {
		if n, ok := extKeyUsageNameOf[u]; ok {
			names = append(names, n)
		} else {
			names = append(names, fmt.Sprintf("eku-%d", u))
		}
	}
	for _, oid := range cert.UnknownExtKeyUsage {
		names = append(names, oid.String())
	}
	return names
}

// isSelfSigned reports whether cert names itself as issuer and its own key
// verifies its signature. CheckSignature (unlike CheckSignatureFrom) accepts
// SHA-1, so old SHA-1 roots are still recognised as roots.
func isSelfSigned(cert *x509.Certificate) bool {
	return bytes.Equal(cert.RawSubject, cert.RawIssuer) &&
		issuedBy(cert, cert)
}
