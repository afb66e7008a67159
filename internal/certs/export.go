package certs

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"io"
	"strings"

	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// PFXProfile chooses the PKCS#12 algorithms, by the Windows versions that
// must import the file.
type PFXProfile string

const (
	// PFXModern: AES-256-CBC with PBKDF2-SHA-256 and an HMAC-SHA-256 MAC
	// (OpenSSL 3's default). Windows Server 2019 and later.
	PFXModern PFXProfile = "modern"
	// PFXLegacy: 3DES with a SHA-1 MAC. Opens on Windows Server 2016 and
	// earlier, and on OpenSSL 3 with or without -legacy. (RC2-40, the other
	// "legacy" choice, fails on OpenSSL 3 without -legacy.)
	PFXLegacy PFXProfile = "legacy"
)

// ParsePFXProfile reads a --pfx-profile value; "" means modern.
func ParsePFXProfile(s string) (PFXProfile, error) {
	switch PFXProfile(strings.ToLower(strings.TrimSpace(s))) {
	case "", PFXModern:
		return PFXModern, nil
	case PFXLegacy:
		return PFXLegacy, nil
	}
	return "", newError(ErrUnknownProfile, fmt.Sprintf("unknown PKCS#12 profile %q", s),
		"use modern (Windows Server 2019 and later) or legacy (Windows Server 2016 and earlier)")
}

func (p PFXProfile) encoder() (*pkcs12.Encoder, error) {
	switch p {
	case "", PFXModern:
		return pkcs12.Modern2023, nil
	case PFXLegacy:
		return pkcs12.LegacyDES, nil
	}
	_, err := ParsePFXProfile(string(p))
	return nil, err
}

// EncodePFX writes key, leaf and chain (intermediates, leaf-to-root) as a
// password-protected PKCS#12 file. There is no default password: peers that
// default to "changeit" leave keys protected by a password everyone knows. The
// key must match the leaf. Before returning, the file is decoded again with
// the same password and compared, so a file that would not open is never
// handed to a deploy step. A nil r means crypto/rand.
func EncodePFX(r io.Reader, key crypto.Signer, leaf *x509.Certificate, chain []*x509.Certificate, password string, profile PFXProfile) ([]byte, error) {
	if password == "" {
		return nil, newError(ErrEmptyPassword, "a PKCS#12 file needs a password",
			"give one with --password-file FILE (or - for stdin); cwsec has no default password")
	}
	if key == nil || leaf == nil {
		return nil, newError(ErrNoPrivateKey, "a PKCS#12 file needs both the key and the certificate", "")
	}
	if !PublicKeysEqual(key.Public(), leaf.PublicKey) {
		return nil, newError(ErrKeyMismatch, "the private key does not match the certificate",
			"export the certificate together with the key it was requested with")
	}
	enc, err := profile.encoder()
	if err != nil {
		return nil, err
	}
	if r == nil {
		r = rand.Reader
	}
	pfx, err := enc.WithRand(r).Encode(key, leaf, chain, password)
	if err != nil {
		return nil, newError(ErrUnsupportedKey, "cannot write the PKCS#12 file: "+err.Error(),
			"PKCS#12 passwords must be characters from the Basic Multilingual Plane")
	}
	if err := checkPFXRoundTrip(pfx, password, key, leaf, chain); err != nil {
		return nil, err
	}
	return pfx, nil
}

func checkPFXRoundTrip(pfx []byte, password string, key crypto.Signer, leaf *x509.Certificate, chain []*x509.Certificate) error {
	gotKey, gotLeaf, gotChain, err := decodePKCS12(pfx, password)
	bad := func(why string) error {
		return newError(ErrPFXRoundTrip, "the PKCS#12 file just written does not read back: "+why, "")
	}
	switch {
	case err != nil:
		return bad(err.Error())
	case !bytes.Equal(gotLeaf.Raw, leaf.Raw):
		return bad("the certificate differs")
	case len(gotChain) != len(chain):
		return bad("the chain differs")
	}
	signer, ok := gotKey.(crypto.Signer)
	if !ok || !PublicKeysEqual(signer.Public(), key.Public()) {
		return bad("the key differs")
	}
	for i := range chain {
		if !bytes.Equal(gotChain[i].Raw, chain[i].Raw) {
			return bad("the chain differs")
		}
	}
	return nil
}

// CertificatesPEM encodes certificates as consecutive "CERTIFICATE" blocks.
func CertificatesPEM(certs ...*x509.Certificate) []byte {
	ders := make([][]byte, 0, len(certs))
	for _, c := range certs {
		ders = append(ders, c.Raw)
	}
	return encodeBlocks("CERTIFICATE", ders...)
}

// FullChainPEM is the leaf followed by its intermediates, the "fullchain.pem"
// most servers want. Roots are not included: clients must have their own.
func FullChainPEM(leaf *x509.Certificate, chain []*x509.Certificate) []byte {
	return CertificatesPEM(uniqueCerts(append([]*x509.Certificate{leaf}, chain...))...)
}
