package twofa

import (
	"testing"
)

// BenchmarkVerify is the login path: an active user, a correct TOTP code.
func BenchmarkVerify(b *testing.B) {
	p := DefaultPolicy()
	u := User{Name: "alice", State: StateActive}
	code := CodeAt(testSecret, Step(pinned))
	for b.Loop() {
		if _, out := Verify(u, testSecret, code, pinned, p); !out.Accepted {
			b.Fatal(out)
		}
	}
}

// BenchmarkRecoveryHash is one argon2id derivation: the cost of checking a
// recovery code against one stored hash.
func BenchmarkRecoveryHash(b *testing.B) {
	h, err := HashRecoveryCode(newDetRand("bench"), "abcd-efgh-jkmn")
	if err != nil {
		b.Fatal(err)
	}
	canon, _ := normalizeRecoveryCode("abcd-efgh-jkmn")
	for b.Loop() {
		if !h.matches(canon) {
			b.Fatal("no match")
		}
	}
}

// BenchmarkVerifyRecoveryWorstCase is Verify with a recovery code that
// matches the last of DefaultRecoveryCodes unused hashes, which costs the
// same as a wrong recovery code: every hash is tried.
func BenchmarkVerifyRecoveryWorstCase(b *testing.B) {
	p := DefaultPolicy()
	codes, err := NewRecoveryCodes(newDetRand("bench codes"), DefaultRecoveryCodes)
	if err != nil {
		b.Fatal(err)
	}
	hashes, err := HashRecoveryCodes(newDetRand("bench salts"), codes)
	if err != nil {
		b.Fatal(err)
	}
	u := User{Name: "alice", State: StateActive, RecoveryHashes: hashes}
	last := codes[len(codes)-1]
	for b.Loop() {
		if _, out := Verify(u, testSecret, last, pinned, p); !out.Accepted {
			b.Fatal(out)
		}
	}
}
