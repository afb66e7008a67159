package certs

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// MaxPKCS12Iterations bounds the key-derivation iteration counts a PKCS#12
// file may ask for. The counts are chosen by whoever wrote the file and are
// spent before the password is known to be right, so an unbounded count lets
// a hostile file hang `cert inspect`. Real tools use 2048 (OpenSSL, Go),
// 2000 to 10000 (Windows) and 10000 (Java); 2^20 is far above all of them.
const MaxPKCS12Iterations = 1 << 20

// looksLikePFX reports whether der starts like a PKCS#12 PFX:
// SEQUENCE { INTEGER 3, SEQUENCE { OID data|signedData, ... }, ... }.
func looksLikePFX(der []byte) bool {
	s := cryptobyte.String(der)
	var pfx, authSafe cryptobyte.String
	var version int64
	if !s.ReadASN1(&pfx, cbasn1.SEQUENCE) || !pfx.ReadASN1Integer(&version) || version != 3 ||
		!pfx.ReadASN1(&authSafe, cbasn1.SEQUENCE) {
		return false
	}
	var oid asn1.ObjectIdentifier
	if !authSafe.ReadASN1ObjectIdentifier(&oid) {
		return false
	}
	return oid.Equal(oidPKCS7Data) || oid.Equal(oidPKCS7SignedData)
}

// checkPKCS12Cost walks every DER structure in the file, including the ones
// nested in OCTET STRINGs, and refuses iteration counts above
// MaxPKCS12Iterations. All three places PKCS#12 keeps a count (MacData,
// PBE parameters, PBKDF2 parameters) put it as an INTEGER right after the
// salt OCTET STRING, so that is the pattern looked for.
func checkPKCS12Cost(der []byte) error {
	if n, ok := maxIterationCount(cryptobyte.String(der), 0); !ok || n > MaxPKCS12Iterations {
		return newError(ErrPKCS12TooCostly,
			fmt.Sprintf("the PKCS#12 file asks for more than %d key-derivation iterations", MaxPKCS12Iterations),
			"re-export the file with default settings (e.g. openssl pkcs12 -export)")
	}
	return nil
}

const maxDERDepth = 24

// maxIterationCount returns the largest salt-following INTEGER in s; ok is
// false when one is too big to represent.
func maxIterationCount(s cryptobyte.String, depth int) (highest int64, ok bool) {
	if depth > maxDERDepth {
		return 0, true
	}
	afterOctets := false
	for !s.Empty() {
		var body cryptobyte.String
		var tag cbasn1.Tag
		if !s.ReadAnyASN1(&body, &tag) {
			return highest, true // not DER from here on: nothing more to inspect
		}
		var n int64
		switch {
		case tag == cbasn1.INTEGER && afterOctets:
			if len(body) > 4 {
				return 0, false
			}
			for _, c := range body {
				n = n<<8 | int64(c)
			}
		case tag == cbasn1.OCTET_STRING || tag&0x20 != 0: // 0x20: constructed
			var good bool
			if n, good = maxIterationCount(body, depth+1); !good {
				return 0, false
			}
		}
		if n > highest {
			highest = n
		}
		afterOctets = tag == cbasn1.OCTET_STRING
	}
	return highest, true
}

// parsePKCS12 opens a PFX with go-pkcs12. A wrong password and a missing one
// are told apart so the CLI can say "add --password-file".
func parsePKCS12(data, password []byte) (*Bundle, error) {
	if err := checkPKCS12Cost(data); err != nil {
		return nil, err
	}
	key, cert, cas, err := decodePKCS12(data, string(password))
	if err != nil {
		return nil, pkcs12Error(err, len(password) == 0)
	}
	signer, err := asSigner(key)
	if err != nil {
		return nil, err
	}
	certs := append([]*x509.Certificate{cert}, cas...)
	return &Bundle{Format: FormatPKCS12, Certificates: certs, PrivateKey: signer}, nil
}

// decodePKCS12 shields callers from a panic in the third-party decoder: the
// contract is that no input makes cwsec print a stack trace.
func decodePKCS12(data []byte, password string) (key any, cert *x509.Certificate, cas []*x509.Certificate, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("pkcs12 decoder failed: %v", r)
		}
	}()
	return pkcs12.DecodeChain(data, password)
}

func pkcs12Error(err error, noPassword bool) error {
	switch {
	case errors.Is(err, pkcs12.ErrIncorrectPassword), errors.Is(err, pkcs12.ErrDecryption):
		if noPassword {
			return newError(ErrPasswordRequired, "the PKCS#12 file is password-protected",
				"give its password with --password-file FILE (or - for stdin)")
		}
		return newError(ErrWrongPassword, "wrong password for the PKCS#12 file",
			"check the password file: it must hold exactly the export password")
	case strings.Contains(err.Error(), "private key missing"):
		return newError(ErrNoPrivateKey, "the PKCS#12 file holds no private key",
			"export the certificate with its private key, or give the certificates as PEM")
	}
	return malformed("the PKCS#12 file cannot be read", err)
}
