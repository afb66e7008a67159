package certs

import (
	"crypto/rand"
	"testing"
)

// BenchmarkKeyAndCSR is the cost of `cert request` without the store: a new
// key and a signed CSR. bench/certreq.sh sets it beside openssl req.
func BenchmarkKeyAndCSR(b *testing.B) {
	spec := RequestSpec{CommonName: "careware.example.org"}
	for _, kt := range []KeyType{KeyECDSAP256, KeyRSA2048} {
		b.Run(string(kt), func(b *testing.B) {
			s := spec
			s.KeyType = kt
			for b.Loop() {
				key, err := GenerateKey(rand.Reader, kt)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := CreateCSR(rand.Reader, s, key); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
