package certs

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"testing"
)

func TestEncodePFX(t *testing.T) {
	p := newPKI(t)
	chain := []*x509.Certificate{p.inter.cert}
	for _, profile := range []PFXProfile{PFXModern, PFXLegacy} {
		t.Run(string(profile), func(t *testing.T) {
			pfx, err := EncodePFX(rand.Reader, p.leafKey, p.leaf, chain, "pässwörd", profile)
			if err != nil {
				t.Fatal(err)
			}
			b, err := ParseBundle(pfx, []byte("pässwörd"))
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Certificates) != 2 || !bytes.Equal(b.Certificates[0].Raw, p.leaf.Raw) ||
				!bytes.Equal(b.Certificates[1].Raw, p.inter.cert.Raw) || !PublicKeysEqual(b.PrivateKey.Public(), p.leafKey.Public()) {
				t.Fatal("PKCS#12 content differs")
			}
		})
	}
}

func TestEncodePFXRefuses(t *testing.T) {
	p := newPKI(t)
	if _, err := EncodePFX(rand.Reader, p.leafKey, p.leaf, nil, "", PFXModern); !errors.Is(err, ErrEmptyPassword) || HintOf(err) == "" {
		t.Errorf("empty password: %v", err)
	}
	if _, err := EncodePFX(rand.Reader, testKey(t, "p256-b"), p.leaf, nil, "pw", PFXModern); !errors.Is(err, ErrKeyMismatch) {
		t.Errorf("wrong key: %v", err)
	}
	if _, err := EncodePFX(rand.Reader, p.leafKey, p.leaf, nil, "pw", "rc2"); !errors.Is(err, ErrUnknownProfile) {
		t.Errorf("unknown profile: %v", err)
	}
	if _, err := EncodePFX(rand.Reader, nil, p.leaf, nil, "pw", PFXModern); !errors.Is(err, ErrNoPrivateKey) {
		t.Errorf("no key: %v", err)
	}
}

func TestParsePFXProfile(t *testing.T) {
	for in, want := range map[string]PFXProfile{"": PFXModern, "modern": PFXModern, "LEGACY": PFXLegacy} {
		if got, err := ParsePFXProfile(in); err != nil || got != want {
			t.Errorf("ParsePFXProfile(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParsePFXProfile("rc2-40"); !errors.Is(err, ErrUnknownProfile) {
		t.Error("rc2-40 accepted")
	}
}

func TestFullChainPEM(t *testing.T) {
	p := newPKI(t)
	out := FullChainPEM(p.leaf, []*x509.Certificate{p.leaf, p.inter.cert})
	b, err := ParseBundle(out, nil)
	if err != nil || len(b.Certificates) != 2 || !bytes.Equal(b.Certificates[0].Raw, p.leaf.Raw) {
		t.Fatalf("full chain: %v, %d certs", err, len(b.Certificates))
	}
}
