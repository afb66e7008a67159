package twofa

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func FuzzNormalizeCode(f *testing.F) {
	for _, seed := range []string{
		"123456", " 123 456 ", "000000", "12345", "1234567", "", "abcdef",
		"１２３４５６", "123\t456", "12345\x00", strings.Repeat("1", 100), "\u00a0123456\u00a0",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		code, err := NormalizeCode(in)
		if err != nil {
			if code != "" || !errors.Is(err, ErrMalformedCode) {
				t.Fatalf("NormalizeCode(%q) = %q, %v", in, code, err)
			}
			return
		}
		if len(code) != Digits || strings.Trim(code, "0123456789") != "" {
			t.Fatalf("NormalizeCode(%q) = %q: not %d ASCII digits", in, code, Digits)
		}
		// Normalising is idempotent, and keeps the digits in order.
		if again, err := NormalizeCode(code); err != nil || again != code {
			t.Fatalf("NormalizeCode(%q) = %q, %v", code, again, err)
		}
		if strings.ReplaceAll(strings.TrimSpace(in), " ", "") != code {
			t.Fatalf("NormalizeCode(%q) = %q: digits changed", in, code)
		}
	})
}

func FuzzDecodeSecret(f *testing.F) {
	for _, seed := range []string{
		"JBSWY3DPEHPK3PXP", "jbsw y3dp ehpk 3pxp", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
		"MZXW6YTBOI======", "A", "AB", "", "====", "JBSW=Y3DP", "0189", "jbswy3dpehpk3pxı",
		strings.Repeat("A", 2000),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		secret, err := DecodeSecret(in)
		if err != nil {
			if secret != nil || !errors.Is(err, ErrInvalidSecret) {
				t.Fatalf("DecodeSecret(%q) = %x, %v", in, secret, err)
			}
			if len(in) >= 8 && strings.Contains(err.Error(), in) {
				t.Fatalf("error %q repeats the key text", err)
			}
			return
		}
		if len(secret) == 0 {
			t.Fatalf("DecodeSecret(%q) returned no bytes and no error", in)
		}
		// What we decode, we can encode and decode again to the same bytes,
		// in every form we hand out.
		for _, form := range []string{EncodeSecret(secret), GroupForManualEntry(EncodeSecret(secret))} {
			back, err := DecodeSecret(form)
			if err != nil || !bytes.Equal(back, secret) {
				t.Fatalf("round trip of %q via %q: %x, %v", in, form, back, err)
			}
		}
	})
}

func FuzzNormalizeRecoveryCode(f *testing.F) {
	for _, seed := range []string{"abcd-efgh-jkmn", "ABCDEFGHJKMN", "oooo-iiii-llll", "abcd-efgh-jkmu", "", "123456"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		canon, ok := normalizeRecoveryCode(in)
		if !ok {
			return
		}
		if len(canon) != recoveryLen || strings.Trim(canon, recoveryAlphabet) != "" {
			t.Fatalf("normalizeRecoveryCode(%q) = %q", in, canon)
		}
		if again, ok := normalizeRecoveryCode(canon); !ok || again != canon {
			t.Fatalf("not idempotent: %q -> %q", canon, again)
		}
		// A recovery code can never also be a TOTP code, so Verify's
		// choice between the two is never ambiguous.
		if _, err := NormalizeCode(in); err == nil {
			t.Fatalf("%q is both a TOTP code and a recovery code", in)
		}
	})
}
