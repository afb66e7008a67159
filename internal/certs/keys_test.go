package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"testing"
)

func TestParseKeyType(t *testing.T) {
	for in, want := range map[string]KeyType{
		"": KeyECDSAP256, "ecdsa-p256": KeyECDSAP256, "ECDSA-P384": KeyECDSAP384,
		" rsa-2048 ": KeyRSA2048, "rsa-3072": KeyRSA3072, "rsa-4096": KeyRSA4096,
	} {
		got, err := ParseKeyType(in)
		if err != nil || got != want {
			t.Errorf("ParseKeyType(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"rsa-1024", "ed25519", "p256", "rsa"} {
		if _, err := ParseKeyType(bad); !errors.Is(err, ErrUnknownKeyType) || HintOf(err) == "" {
			t.Errorf("ParseKeyType(%q) error = %v, want ErrUnknownKeyType with a hint", bad, err)
		}
	}
}

func TestGenerateKeyEachType(t *testing.T) {
	for _, kt := range KeyTypes() {
		t.Run(string(kt), func(t *testing.T) {
			key, err := GenerateKey(rand.Reader, kt)
			if err != nil {
				t.Fatal(err)
			}
			if got := KeyTypeOf(key.Public()); got != kt {
				t.Fatalf("generated %q, want %q", got, kt)
			}
			pemBytes, err := MarshalPrivateKeyPEM(key)
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := pem.Decode(pemBytes); b == nil || b.Type != "PRIVATE KEY" {
				t.Fatalf("not a PKCS#8 PEM block: %q", pemBytes)
			}
			back, err := ParsePrivateKeyPEM(pemBytes)
			if err != nil {
				t.Fatal(err)
			}
			if !PublicKeysEqual(back.Public(), key.Public()) {
				t.Fatal("key changed in a PEM round trip")
			}
		})
	}
	if _, err := GenerateKey(rand.Reader, "dsa-1024"); !errors.Is(err, ErrUnknownKeyType) {
		t.Fatalf("GenerateKey(dsa-1024) error = %v", err)
	}
}

func TestDescribeKey(t *testing.T) {
	cases := map[string]string{"p256": "ecdsa-p256", "p384": "ecdsa-p384", "p224": "ecdsa-p224", "rsa1024": "rsa-1024", "rsa2048": "rsa-2048"}
	for kind, want := range cases {
		if got, _ := DescribeKey(testKey(t, kind).Public()); got != want {
			t.Errorf("DescribeKey(%s) = %q, want %q", kind, got, want)
		}
	}
	if got, bits := DescribeKey(nil); got != "unknown" || bits != 0 {
		t.Errorf("DescribeKey(nil) = %q, %d", got, bits)
	}
}

func TestParsePrivateKeyPEMFormats(t *testing.T) {
	ec := testKey(t, "p256").(*ecdsa.PrivateKey)
	rk := testKey(t, "rsa2048").(*rsa.PrivateKey)
	sec1, err := x509.MarshalECPrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	// `openssl ecparam -genkey` writes the curve first; it must be skipped.
	ecParams := pem.EncodeToMemory(&pem.Block{Type: "EC PARAMETERS", Bytes: []byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}})
	cases := []struct {
		name string
		data []byte
		want any
	}{
		{"sec1", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1}), ec.Public()},
		{"sec1 after params", append(ecParams, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1})...), ec.Public()},
		{"pkcs1", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rk)}), rk.Public()},
	}
	for _, c := range cases {
		key, err := ParsePrivateKeyPEM(c.data)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !PublicKeysEqual(key.Public(), c.want) {
			t.Errorf("%s: wrong key", c.name)
		}
	}

	p8, _ := MarshalPrivateKeyPEM(ec)
	bad := []struct {
		name string
		data []byte
		want error
	}{
		{"encrypted pkcs8", pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1}}), ErrEncryptedKey},
		{"legacy encrypted", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00"}, Bytes: []byte{1}}), ErrEncryptedKey},
		{"two keys", append(append([]byte{}, p8...), p8...), ErrMultipleKeys},
		{"no key", CertificatesPEM(newPKI(t).leaf), ErrNoPrivateKey},
		{"garbage key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("nope")}), ErrMalformed},
		{"empty", nil, ErrNoPrivateKey},
	}
	for _, c := range bad {
		if _, err := ParsePrivateKeyPEM(c.data); !errors.Is(err, c.want) {
			t.Errorf("%s: error = %v, want %v", c.name, err, c.want)
		}
	}
}

func TestPublicKeysEqual(t *testing.T) {
	a, b := testKey(t, "p256"), testKey(t, "p256-b")
	var nilRSA *rsa.PublicKey
	var nilEC *ecdsa.PublicKey
	switch {
	case !PublicKeysEqual(a.Public(), a.Public()):
		t.Error("a key is not equal to itself")
	case PublicKeysEqual(a.Public(), b.Public()):
		t.Error("different keys compare equal")
	case PublicKeysEqual(a.Public(), testKey(t, "rsa2048").Public()):
		t.Error("EC equals RSA")
	case PublicKeysEqual(nil, a.Public()), PublicKeysEqual(a.Public(), nil):
		t.Error("nil key matched")
	case PublicKeysEqual(nilRSA, testKey(t, "rsa2048").Public()), PublicKeysEqual(nilEC, a.Public()):
		t.Error("typed nil key matched")
	}
	// Same curve point through a different value still matches.
	raw, err := a.Public().(*ecdsa.PublicKey).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	cp, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
	if err != nil {
		t.Fatal(err)
	}
	if !PublicKeysEqual(cp, a.Public()) {
		t.Error("copy of a key does not match")
	}
}
