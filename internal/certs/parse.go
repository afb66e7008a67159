package certs

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Input formats ParseBundle recognises, as reported in Bundle.Format.
const (
	FormatPEM     = "pem"
	FormatDERCert = "der-cert"
	FormatDERCSR  = "der-csr"
	FormatDERKey  = "der-key"
	FormatPKCS7   = "pkcs7"
	FormatPKCS12  = "pkcs12"
)

// Bundle is everything found in one input file.
type Bundle struct {
	Format       string                     `json:"format"`
	Certificates []*x509.Certificate        `json:"-"` // in file order
	CSRs         []*x509.CertificateRequest `json:"-"`
	PrivateKey   crypto.Signer              `json:"-"`
}

// Leaf picks the end-entity certificate: the one matching the bundle's key
// when there is a key, otherwise the one no other certificate was issued by.
func (b *Bundle) Leaf() *x509.Certificate {
	var pub crypto.PublicKey
	if b.PrivateKey != nil {
		pub = b.PrivateKey.Public()
	}
	return FindLeaf(b.Certificates, pub)
}

// RequireCertificates returns the certificates, or an error that says what
// the file is instead. The common mistake it catches is handing `cert install`
// the CSR that was sent to the CA rather than the certificate that came back.
func (b *Bundle) RequireCertificates() ([]*x509.Certificate, error) {
	switch {
	case len(b.Certificates) > 0:
		return b.Certificates, nil
	case len(b.CSRs) > 0:
		return nil, newError(ErrCSRNotCert,
			"this is a certificate signing request (CSR), not a certificate",
			"send the CSR to your certificate authority and install the certificate it returns")
	case b.PrivateKey != nil:
		return nil, newError(ErrNoCertificate, "this file holds only a private key, no certificate",
			"give the certificate file here; a key goes to --key")
	}
	return nil, newError(ErrNoCertificate, "no certificate found", "")
}

// ParseBundle reads any certificate material an administrator is likely to
// have: PEM with any number of certificate, CSR and key blocks; a DER
// certificate, CSR or key; a PKCS#7 certificate bundle (.p7b, PEM or DER);
// or a PKCS#12 file (.pfx/.p12) opened with password. The password is used
// exactly as given (a password file's trailing newline is the caller's to
// strip); an empty one opens PKCS#12 files exported without a password and
// otherwise yields ErrPasswordRequired. Input above MaxInputSize is refused.
// Every failure is an *Error wrapping a sentinel.
func ParseBundle(data []byte, password []byte) (*Bundle, error) {
	if len(data) > MaxInputSize {
		return nil, tooLarge(MaxInputSize)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, newError(ErrEmptyInput, "the input is empty", "check the file name; an empty file often means a failed download or copy")
	}
	if bytes.Contains(data, pemBegin) {
		return parsePEMBundle(data)
	}
	return parseDER(data, password)
}

func parsePEMBundle(data []byte) (*Bundle, error) {
	blocks, err := decodePEM(data)
	if err != nil {
		return nil, err
	}
	b := &Bundle{Format: FormatPEM}
	for i, block := range blocks {
		if err := b.addPEMBlock(block, i+1); err != nil {
			return nil, err
		}
	}
	if len(b.Certificates) == 0 && len(b.CSRs) == 0 && b.PrivateKey == nil {
		return nil, notRecognized()
	}
	return b, nil
}

func (b *Bundle) addPEMBlock(block *pem.Block, n int) error {
	where := fmt.Sprintf("PEM block %d (%q)", n, block.Type)
	switch block.Type {
	case "CERTIFICATE", "X509 CERTIFICATE":
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return malformed(where+" does not hold a valid certificate", err)
		}
		b.Certificates = append(b.Certificates, cert)
	case "TRUSTED CERTIFICATE":
		// OpenSSL's trusted form appends trust settings after the certificate.
		cert, err := parseFirstCertificate(block.Bytes)
		if err != nil {
			return malformed(where+" does not hold a valid certificate", err)
		}
		b.Certificates = append(b.Certificates, cert)
	case "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST":
		csr, err := x509.ParseCertificateRequest(block.Bytes)
		if err != nil {
			return malformed(where+" does not hold a valid certificate request", err)
		}
		b.CSRs = append(b.CSRs, csr)
	case "PKCS7":
		certs, isP7, err := parsePKCS7(block.Bytes)
		if !isP7 && err == nil {
			err = fmt.Errorf("not PKCS#7 signed data")
		}
		if err != nil {
			return malformed(where+" does not hold a PKCS#7 certificate bundle", err)
		}
		b.Certificates = append(b.Certificates, certs...)
	case "EC PARAMETERS":
		// Written by `openssl ecparam -genkey` before the key; carries no key.
	default:
		if !isKeyBlock(block.Type) {
			return unknownPEMType(where)
		}
		key, err := parseKeyBlock(block, n)
		if err != nil {
			return err
		}
		if b.PrivateKey != nil {
			return multipleKeys()
		}
		b.PrivateKey = key
	}
	return nil
}

func unknownPEMType(where string) error {
	return newError(ErrUnknownPEMType, where+" is not a type cwsec reads",
		"cwsec reads CERTIFICATE, CERTIFICATE REQUEST, PRIVATE KEY (PKCS#8, RSA, EC) and PKCS7 blocks")
}

func isKeyBlock(typ string) bool {
	switch typ {
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
		return true
	}
	return false
}

func parseKeyBlock(block *pem.Block, n int) (crypto.Signer, error) {
	where := fmt.Sprintf("PEM block %d (%q)", n, block.Type)
	if block.Type == "ENCRYPTED PRIVATE KEY" || strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") {
		return nil, newError(ErrEncryptedKey, where+" is an encrypted private key",
			"decrypt it first: openssl pkey -in key.pem -out key-plain.pem (then protect that file)")
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return nil, unknownPEMType(where)
	}
	if err != nil {
		return nil, malformed(where+" does not hold a valid private key", err)
	}
	return asSigner(key)
}

func parseDER(data, password []byte) (*Bundle, error) {
	if cert, err := x509.ParseCertificate(data); err == nil {
		return &Bundle{Format: FormatDERCert, Certificates: []*x509.Certificate{cert}}, nil
	}
	if csr, err := x509.ParseCertificateRequest(data); err == nil {
		return &Bundle{Format: FormatDERCSR, CSRs: []*x509.CertificateRequest{csr}}, nil
	}
	if looksLikePFX(data) {
		return parsePKCS12(data, password)
	}
	if certs, isP7, err := parsePKCS7(data); isP7 {
		if err != nil {
			return nil, malformed("the PKCS#7 certificate bundle is damaged", err)
		}
		return &Bundle{Format: FormatPKCS7, Certificates: certs}, nil
	}
	if looksLikeSigned(data) {
		// The outer shape of a certificate or CSR: say why it failed rather
		// than pretend we have no idea what it is.
		_, err := x509.ParseCertificate(data)
		return nil, malformed("the input looks like a DER certificate or CSR but cannot be parsed", err)
	}
	if key, err := parsePrivateKeyDER(data); err == nil {
		return &Bundle{Format: FormatDERKey, PrivateKey: key}, nil
	}
	return nil, notRecognized()
}

func notRecognized() error {
	return newError(ErrNotRecognized, "not a certificate, CSR, or PKCS#12 file",
		"give a PEM or DER certificate, chain or CSR, a PKCS#7 (.p7b) bundle, or a PKCS#12 (.pfx/.p12) file")
}

func malformed(what string, err error) error {
	detail := what
	if err != nil {
		detail += ": " + err.Error()
	}
	return newError(ErrMalformed, detail, "get a fresh copy of the file from its source")
}

// parseFirstCertificate parses the first DER element of der as a certificate
// and ignores what follows it.
func parseFirstCertificate(der []byte) (*x509.Certificate, error) {
	s := cryptobyte.String(der)
	var elem cryptobyte.String
	if !s.ReadASN1Element(&elem, cbasn1.SEQUENCE) {
		return nil, fmt.Errorf("not a DER sequence")
	}
	return x509.ParseCertificate(elem)
}

// looksLikeSigned reports whether der has the outer shape shared by
// certificates and CSRs: SEQUENCE { SEQUENCE, SEQUENCE, BIT STRING }.
func looksLikeSigned(der []byte) bool {
	s := cryptobyte.String(der)
	var outer cryptobyte.String
	if !s.ReadASN1(&outer, cbasn1.SEQUENCE) || !s.Empty() {
		return false
	}
	for _, tag := range []cbasn1.Tag{cbasn1.SEQUENCE, cbasn1.SEQUENCE, cbasn1.BIT_STRING} {
		if !outer.SkipASN1(tag) {
			return false
		}
	}
	return outer.Empty()
}

var (
	oidPKCS7Data       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidPKCS7SignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
)

// parsePKCS7 reads the certificates out of a "certs-only" PKCS#7 SignedData
// (.p7b/.p7c), the form Windows CAs and some AIA URLs deliver chains in. It
// reports isP7 when the outer structure is PKCS#7 signed data, so the caller
// can say "damaged PKCS#7" rather than "unknown input".
func parsePKCS7(der []byte) (certs []*x509.Certificate, isP7 bool, err error) {
	s := cryptobyte.String(der)
	var ci cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&ci, cbasn1.SEQUENCE) || !s.Empty() ||
		!ci.ReadASN1ObjectIdentifier(&oid) || !oid.Equal(oidPKCS7SignedData) {
		return nil, false, nil
	}
	var content, sd cryptobyte.String
	var version int64
	if !ci.ReadASN1(&content, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!content.ReadASN1(&sd, cbasn1.SEQUENCE) ||
		!sd.ReadASN1Integer(&version) ||
		!sd.SkipASN1(cbasn1.SET) || // digestAlgorithms
		!sd.SkipASN1(cbasn1.SEQUENCE) { // encapContentInfo
		return nil, true, fmt.Errorf("malformed SignedData")
	}
	var set cryptobyte.String
	var present bool
	if !sd.ReadOptionalASN1(&set, &present, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, true, fmt.Errorf("malformed certificate set")
	}
	for !set.Empty() {
		var elem cryptobyte.String
		var tag cbasn1.Tag
		if !set.ReadAnyASN1Element(&elem, &tag) {
			return nil, true, fmt.Errorf("malformed certificate set")
		}
		if tag != cbasn1.SEQUENCE {
			continue // attribute certificates and the like: not ours to read
		}
		cert, err := x509.ParseCertificate(elem)
		if err != nil {
			return nil, true, err
		}
		certs = append(certs, cert)
	}
	if len(certs) == 0 {
		return nil, true, fmt.Errorf("the bundle holds no certificates")
	}
	return certs, true, nil
}
