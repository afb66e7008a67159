package certs

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// KeyType names a key algorithm and size the way the CLI's --key-type flag
// spells it. The same spelling describes existing keys (DescribeKey), so a
// value read from a certificate can be compared with one the user asked for.
type KeyType string

// Key types cwsec generates. ECDSA P-256 is the default: it is accepted by
// every TLS client CAREWare's users have, and it is small and fast.
const (
	KeyECDSAP256 KeyType = "ecdsa-p256"
	KeyECDSAP384 KeyType = "ecdsa-p384"
	KeyRSA2048   KeyType = "rsa-2048"
	KeyRSA3072   KeyType = "rsa-3072"
	KeyRSA4096   KeyType = "rsa-4096"

	DefaultKeyType = KeyECDSAP256
)

// KeyTypes lists the generatable key types in the order help text shows them.
func KeyTypes() []KeyType {
	return []KeyType{KeyECDSAP256, KeyECDSAP384, KeyRSA2048, KeyRSA3072, KeyRSA4096}
}

// ParseKeyType accepts a --key-type value, case-insensitively; "" means the
// default.
func ParseKeyType(s string) (KeyType, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return DefaultKeyType, nil
	}
	for _, kt := range KeyTypes() {
		if string(kt) == s {
			return kt, nil
		}
	}
	return "", newError(ErrUnknownKeyType,
		fmt.Sprintf("unknown key type %q", s),
		"use one of ecdsa-p256 (default), ecdsa-p384, rsa-2048, rsa-3072, rsa-4096")
}

// GenerateKey makes a new private key of type kt. The reader is handed to the
// standard library; note that since Go 1.26 crypto/ecdsa and crypto/rsa draw
// from the system CSPRNG regardless, unless GODEBUG=cryptocustomrand=1.
func GenerateKey(r io.Reader, kt KeyType) (crypto.Signer, error) {
	switch kt {
	case "", KeyECDSAP256:
		return ecdsa.GenerateKey(elliptic.P256(), r)
	case KeyECDSAP384:
		return ecdsa.GenerateKey(elliptic.P384(), r)
	case KeyRSA2048:
		return rsa.GenerateKey(r, 2048)
	case KeyRSA3072:
		return rsa.GenerateKey(r, 3072)
	case KeyRSA4096:
		return rsa.GenerateKey(r, 4096)
	}
	_, err := ParseKeyType(string(kt))
	return nil, err
}

// DescribeKey names a public key the way KeyType does ("ecdsa-p256",
// "rsa-2048"), also for sizes cwsec would not generate ("rsa-1024",
// "ecdsa-p224", "ed25519"), and returns its size in bits.
func DescribeKey(pub crypto.PublicKey) (name string, bits int) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k == nil || k.N == nil {
			return "unknown", 0
		}
		return fmt.Sprintf("rsa-%d", k.N.BitLen()), k.N.BitLen()
	case *ecdsa.PublicKey:
		if k == nil || k.Curve == nil {
			return "unknown", 0
		}
		p := k.Curve.Params()
		return "ecdsa-" + strings.ToLower(strings.ReplaceAll(p.Name, "-", "")), p.BitSize
	case ed25519.PublicKey:
		return "ed25519", 256
	}
	return "unknown", 0
}

// KeyTypeOf returns the KeyType of a public key, or "" when the key is not one
// cwsec generates.
func KeyTypeOf(pub crypto.PublicKey) KeyType {
	name, _ := DescribeKey(pub)
	for _, kt := range KeyTypes() {
		if string(kt) == name {
			return kt
		}
	}
	return ""
}

// PublicKeysEqual reports whether a and b are the same public key. Nil keys,
// typed or untyped, are never equal to anything: a missing key must not match.
func PublicKeysEqual(a, b crypto.PublicKey) bool {
	if isNilKey(a) || isNilKey(b) {
		return false
	}
	eq, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && eq.Equal(b)
}

func isNilKey(k crypto.PublicKey) bool {
	if k == nil {
		return true
	}
	v := reflect.ValueOf(k)
	switch v.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Interface, reflect.Map:
		return v.IsNil()
	}
	return false
}

// MarshalPrivateKeyPEM encodes a key as PKCS#8 ("PRIVATE KEY"), the one form
// every consumer (OpenSSL 1.0+, Java, Windows via PKCS#12) reads.
func MarshalPrivateKeyPEM(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, newError(ErrUnsupportedKey, "cannot encode private key: "+err.Error(), "")
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ParsePrivateKeyPEM reads the one private key in a PEM file: PKCS#8
// ("PRIVATE KEY"), PKCS#1 ("RSA PRIVATE KEY") or SEC1 ("EC PRIVATE KEY",
// optionally after the "EC PARAMETERS" block `openssl ecparam` writes).
// Certificates in the same file are ignored, so a combined key+cert PEM works.
// Encrypted keys are refused with a hint to decrypt them first.
func ParsePrivateKeyPEM(data []byte) (crypto.Signer, error) {
	if len(data) > MaxInputSize {
		return nil, tooLarge(MaxInputSize)
	}
	blocks, err := decodePEM(data)
	if err != nil {
		return nil, err
	}
	var found crypto.Signer
	for i, b := range blocks {
		if !isKeyBlock(b.Type) {
			continue
		}
		key, err := parseKeyBlock(b, i+1)
		if err != nil {
			return nil, err
		}
		if found != nil {
			return nil, multipleKeys()
		}
		found = key
	}
	if found == nil {
		return nil, newError(ErrNoPrivateKey, "no private key found in the PEM input",
			`a key file starts with "-----BEGIN PRIVATE KEY-----" (or RSA/EC PRIVATE KEY)`)
	}
	return found, nil
}

func multipleKeys() error {
	return newError(ErrMultipleKeys, "the input holds more than one private key",
		"give one key per file; a certificate's key is the one whose public key it carries")
}

// parsePrivateKeyDER tries the three key encodings in the order they are most
// often met.
func parsePrivateKeyDER(der []byte) (crypto.Signer, error) {
	var key any
	var err error
	if key, err = x509.ParsePKCS8PrivateKey(der); err != nil {
		if k, err1 := x509.ParsePKCS1PrivateKey(der); err1 == nil {
			key, err = k, nil
		} else if k, err2 := x509.ParseECPrivateKey(der); err2 == nil {
			key, err = k, nil
		}
	}
	if err != nil {
		return nil, err
	}
	return asSigner(key)
}

func asSigner(key any) (crypto.Signer, error) {
	s, ok := key.(crypto.Signer)
	if !ok {
		return nil, newError(ErrUnsupportedKey, fmt.Sprintf("unsupported private key type %T", key),
			"use an RSA or ECDSA key")
	}
	return s, nil
}
