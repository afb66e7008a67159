package twofa

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"
)

// detRand is a deterministic byte stream for tests: SHA-256 in counter
// mode over a label, so every test gets fixed, distinct "random" bytes.
type detRand struct {
	label string
	n     uint64
	buf   []byte
}

func newDetRand(label string) *detRand { return &detRand{label: label} }

func (d *detRand) Read(p []byte) (int, error) {
	for len(d.buf) < len(p) {
		var ctr [8]byte
		binary.BigEndian.PutUint64(ctr[:], d.n)
		d.n++
		sum := sha256.Sum256(append([]byte(d.label), ctr[:]...))
		d.buf = append(d.buf, sum[:]...)
	}
	n := copy(p, d.buf)
	d.buf = d.buf[n:]
	return n, nil
}

var recoveryShape = regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$`)

func TestNewRecoveryCodes(t *testing.T) {
	codes, err := NewRecoveryCodes(newDetRand("codes"), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 10 {
		t.Fatalf("%d codes", len(codes))
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if !recoveryShape.MatchString(c) {
			t.Errorf("code %q is not xxxx-xxxx-xxxx in the unambiguous alphabet", c)
		}
		if seen[c] {
			t.Errorf("duplicate code %q", c)
		}
		seen[c] = true
	}
	if RecoveryCodeBits < 60 {
		t.Errorf("RecoveryCodeBits = %d", RecoveryCodeBits)
	}
}

// Each code spells exactly the 60 low bits it was made from.
func TestFormatRecoveryCode(t *testing.T) {
	tests := map[uint64]string{
		0:                  "0000-0000-0000",
		1:                  "0000-0000-0001",
		31:                 "0000-0000-000z",
		32:                 "0000-0000-0010",
		1<<60 - 1:          "zzzz-zzzz-zzzz",
		1 << 60:            "0000-0000-0000", // bits above 60 are dropped
		0x0123456789abcdef: "28t5-cy4t-qkff", // computed independently in Python
	}
	for v, want := range tests {
		if got := formatRecoveryCode(v); got != want {
			t.Errorf("formatRecoveryCode(%#x) = %s, want %s", v, got, want)
		}
	}
}

func TestNewRecoveryCodesRefuses(t *testing.T) {
	for _, n := range []int{0, -1, MaxRecoveryCodes + 1} {
		if _, err := NewRecoveryCodes(newDetRand("x"), n); !errors.Is(err, ErrRecoveryCode) {
			t.Errorf("n=%d: %v", n, err)
		}
	}
	if _, err := NewRecoveryCodes(bytes.NewReader(make([]byte, 20)), 3); err == nil {
		t.Error("short reader: no error")
	}
	// A source that repeats itself must not yield the same code twice.
	codes, err := NewRecoveryCodes(io.MultiReader(bytes.NewReader(make([]byte, 16)), newDetRand("then")), 3)
	if err != nil || codes[0] == codes[1] {
		t.Errorf("repeating source: %v, %v", codes, err)
	}
}

func TestNormalizeRecoveryCode(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"abcd-efgh-jkmn", "abcdefghjkmn"},
		{"ABCD-EFGH-JKMN", "abcdefghjkmn"},
		{"abcdefghjkmn", "abcdefghjkmn"},
		{" abcd efgh jkmn\n", "abcdefghjkmn"},
		{"abcd--efgh-jkmn", "abcdefghjkmn"},
		{"oOiI-lL00-1111", "001111001111"},
		{"1234-5678-9012", "123456789012"},
		{"abcd-efgh-jkm", ""},         // 11 symbols
		{"abcd-efgh-jkmnp", ""},       // 13
		{"abcd-efgh-jkmu", ""},        // u is not in the alphabet
		{"abcd_efgh_jkmn", ""},        // underscore
		{"", ""},                      // empty
		{"123456", ""},                // a TOTP code
		{"ａbcd-efgh-jkmn", ""},        // full-width letter
		{strings.Repeat("a", 65), ""}, // long
	}
	for _, tt := range tests {
		got, ok := normalizeRecoveryCode(tt.in)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("normalizeRecoveryCode(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestHashRecoveryCode(t *testing.T) {
	h, err := HashRecoveryCode(newDetRand("salt"), "ABCD-efgh-jkmn")
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Salt) != recoverySaltLen || len(h.Hash) != recoveryKeyLen || h.Time != recoveryTime ||
		h.MemoryKiB != recoveryMemoryKiB || h.Threads != recoveryThreads || h.UsedAt != nil {
		t.Errorf("hash record %+v", h)
	}
	if bytes.Contains(h.Hash, []byte("abcdefghjkmn")) || bytes.Contains(h.Salt, []byte("abcd")) {
		t.Error("plain text in the stored record")
	}
	for _, typed := range []string{"abcd-efgh-jkmn", "ABCDEFGHJKMN", "abcd efgh jkmn"} {
		canon, _ := normalizeRecoveryCode(typed)
		if !h.matches(canon) {
			t.Errorf("%q does not match its own hash", typed)
		}
	}
	other, _ := normalizeRecoveryCode("abcd-efgh-jkmp")
	if h.matches(other) {
		t.Error("a different code matches")
	}
	// Same code, different salt: different hash.
	h2, _ := HashRecoveryCode(newDetRand("other salt"), "abcd-efgh-jkmn")
	if bytes.Equal(h.Hash, h2.Hash) {
		t.Error("salt has no effect")
	}
	if _, err := HashRecoveryCode(newDetRand("x"), "not a code"); !errors.Is(err, ErrRecoveryCode) {
		t.Errorf("malformed code: %v", err)
	}
}

// Damaged records never match and never panic (argon2 panics on zero time
// or threads).
func TestDamagedRecoveryHashes(t *testing.T) {
	canon := "abcdefghjkmn"
	good, _ := HashRecoveryCode(newDetRand("d"), canon)
	damage := map[string]func(h *RecoveryHash){
		"zero time":    func(h *RecoveryHash) { h.Time = 0 },
		"zero threads": func(h *RecoveryHash) { h.Threads = 0 },
		"huge memory":  func(h *RecoveryHash) { h.MemoryKiB = 1 << 30 },
		"huge time":    func(h *RecoveryHash) { h.Time = 1 << 20 },
		"no salt":      func(h *RecoveryHash) { h.Salt = nil },
		"no hash":      func(h *RecoveryHash) { h.Hash = nil },
		"short hash":   func(h *RecoveryHash) { h.Hash = h.Hash[:8] },
		"flipped bit":  func(h *RecoveryHash) { h.Hash = append([]byte{h.Hash[0] ^ 1}, h.Hash[1:]...) },
	}
	for name, f := range damage {
		h := good
		f(&h)
		if h.matches(canon) {
			t.Errorf("%s: matches", name)
		}
	}
}

func TestVerifyRecoveryCode(t *testing.T) {
	p := DefaultPolicy()
	u := activeUser(t, p)
	codes, err := NewRecoveryCodes(newDetRand("alice codes"), 3)
	if err != nil {
		t.Fatal(err)
	}
	u.RecoveryHashes, err = HashRecoveryCodes(newDetRand("alice salts"), codes)
	if err != nil {
		t.Fatal(err)
	}
	if Remaining(u) != 3 {
		t.Fatalf("Remaining = %d", Remaining(u))
	}
	before := u
	hashesBefore := append([]RecoveryHash(nil), u.RecoveryHashes...)

	// A wrong code first: it counts as a failure like a wrong TOTP code.
	u, out := Verify(u, nil, "zzzz-zzzz-zzzz", pinned, p)
	if out.Reason != ReasonWrong || out.Method != MethodRecovery || u.Failures != 1 || out.RecoveryRemaining != 3 {
		t.Fatalf("wrong recovery code: %+v", out)
	}

	// The second code, typed in upper case without dashes, is accepted
	// (no TOTP key needed) and resets the failures.
	typed := strings.ToUpper(strings.ReplaceAll(codes[1], "-", ""))
	u, out = Verify(u, nil, typed, pinned, p)
	if !out.Accepted || out.Method != MethodRecovery || out.RecoveryRemaining != 2 || u.Failures != 0 {
		t.Fatalf("recovery code: %+v", out)
	}
	if Remaining(u) != 2 || u.RecoveryHashes[1].UsedAt == nil || !u.RecoveryHashes[1].UsedAt.Equal(pinned) {
		t.Errorf("after use: %+v", u.RecoveryHashes)
	}
	if !u.LastUsedAt.Equal(pinned) || u.LastStep != before.LastStep {
		t.Errorf("recovery use should record the time but not a TOTP step: %+v", u)
	}
	if !strings.Contains(out.Detail, "2 remain") {
		t.Errorf("detail %q", out.Detail)
	}

	// The same code again is refused.
	later := pinned.Add(time.Minute)
	u, out = Verify(u, nil, codes[1], later, p)
	if out.Accepted || out.Reason != ReasonWrong || Remaining(u) != 2 {
		t.Errorf("second use: %+v", out)
	}

	// The caller's copy was not changed behind its back.
	if !sameHashes(before.RecoveryHashes, hashesBefore) {
		t.Error("Verify modified the caller's RecoveryHashes")
	}

	// The other codes still work, once each.
	u, out = Verify(u, nil, codes[0], later, p)
	if !out.Accepted || Remaining(u) != 1 {
		t.Errorf("first code: %+v", out)
	}
	u, out = Verify(u, nil, codes[2], later, p)
	if !out.Accepted || Remaining(u) != 0 || out.RecoveryRemaining != 0 {
		t.Errorf("third code: %+v", out)
	}
	if _, out = Verify(u, nil, codes[2], later, p); out.Accepted {
		t.Errorf("third code twice: %+v", out)
	}
}

func TestRecoveryCodeRespectsLockout(t *testing.T) {
	p := Policy{Skew: 1, MaxFailures: 1, Lockout: time.Hour, PendingTTL: time.Hour}
	u := activeUser(t, p)
	codes, _ := NewRecoveryCodes(newDetRand("c"), 1)
	u.RecoveryHashes, _ = HashRecoveryCodes(newDetRand("s"), codes)
	u, _ = Verify(u, testSecret, wrongCode(testSecret, pinned, 1), pinned, p)
	u, out := Verify(u, nil, codes[0], pinned.Add(time.Minute), p)
	if out.Reason != ReasonLocked || Remaining(u) != 1 {
		t.Errorf("recovery code while locked: %+v", out)
	}
}

func sameHashes(a, b []RecoveryHash) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i].Hash, b[i].Hash) || (a[i].UsedAt == nil) != (b[i].UsedAt == nil) {
			return false
		}
	}
	return true
}
