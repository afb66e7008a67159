package twofa

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// RFC 6238 Appendix B. Each hash has its own seed length: the RFC's
// reference code uses a 20-, 32- and 64-byte seed for SHA-1, SHA-256 and
// SHA-512 respectively (the prose only shows the 20-byte one).
var (
	seedSHA1   = []byte("12345678901234567890")
	seedSHA256 = []byte("12345678901234567890123456789012")
	seedSHA512 = []byte("1234567890123456789012345678901234567890123456789012345678901234")
)

func TestRFC6238Vectors(t *testing.T) {
	tests := []struct {
		unix int64
		alg  Algorithm
		want string
	}{
		{59, SHA1, "94287082"},
		{59, SHA256, "46119246"},
		{59, SHA512, "90693936"},
		{1111111109, SHA1, "07081804"},
		{1111111109, SHA256, "68084774"},
		{1111111109, SHA512, "25091201"},
		{1111111111, SHA1, "14050471"},
		{1111111111, SHA256, "67062674"},
		{1111111111, SHA512, "99943326"},
		{1234567890, SHA1, "89005924"},
		{1234567890, SHA256, "91819424"},
		{1234567890, SHA512, "93441116"},
		{2000000000, SHA1, "69279037"},
		{2000000000, SHA256, "90698825"},
		{2000000000, SHA512, "38618901"},
		{20000000000, SHA1, "65353130"},
		{20000000000, SHA256, "77737706"},
		{20000000000, SHA512, "47863826"},
	}
	seeds := map[Algorithm][]byte{SHA1: seedSHA1, SHA256: seedSHA256, SHA512: seedSHA512}
	for _, tt := range tests {
		t.Run(tt.alg.String()+"/"+time.Unix(tt.unix, 0).UTC().Format(time.RFC3339), func(t *testing.T) {
			step := Step(time.Unix(tt.unix, 0))
			if got := GenerateCode(seeds[tt.alg], step, tt.alg, 8); got != tt.want {
				t.Errorf("GenerateCode(step %d) = %s, want %s", step, got, tt.want)
			}
			// The 6-digit code is the last six digits of the 8-digit one.
			if tt.alg == SHA1 {
				if got := CodeAt(seedSHA1, step); got != tt.want[2:] {
					t.Errorf("CodeAt(step %d) = %s, want %s", step, got, tt.want[2:])
				}
			}
		})
	}
}

// RFC 4226 Appendix D: HOTP of the 20-byte seed at counters 0..9.
func TestRFC4226Vectors(t *testing.T) {
	want := []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"}
	for counter, w := range want {
		if got := GenerateCode(seedSHA1, int64(counter), SHA1, 6); got != w {
			t.Errorf("HOTP counter %d = %s, want %s", counter, got, w)
		}
	}
}

// pquerna/otp is an independent implementation already in go.mod; agreeing
// with it over many steps and all three hashes catches truncation or
// padding slips the fixed vectors might miss.
func TestAgreesWithPquernaOTP(t *testing.T) {
	secret := []byte("cwsec-cross-check-secret-0123456789abcdef")
	algs := map[Algorithm]otp.Algorithm{SHA1: otp.AlgorithmSHA1, SHA256: otp.AlgorithmSHA256, SHA512: otp.AlgorithmSHA512}
	base := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	for alg, theirs := range algs {
		for _, digits := range []int{6, 8} {
			for i := range 50 {
				at := base.Add(time.Duration(i) * 7 * Period)
				want, err := totp.GenerateCodeCustom(EncodeSecret(secret), at, totp.ValidateOpts{
					Period: 30, Digits: otp.Digits(digits), Algorithm: theirs,
				})
				if err != nil {
					t.Fatal(err)
				}
				if got := GenerateCode(secret, Step(at), alg, digits); got != want {
					t.Fatalf("%v %d digits at %v: got %s, pquerna/otp %s", alg, digits, at, got, want)
				}
			}
		}
	}
}

func TestStep(t *testing.T) {
	tests := []struct {
		at   time.Time
		want int64
	}{
		{time.Unix(0, 0), 0},
		{time.Unix(29, 999999999), 0},
		{time.Unix(30, 0), 1},
		{time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC), 1796299200 / 30},
		// The zone must not matter: a step is a property of the instant.
		{time.Date(2026, 12, 3, 13, 0, 29, 0, time.FixedZone("CET", 3600)), 1796299200 / 30},
	}
	for _, tt := range tests {
		if got := Step(tt.at); got != tt.want {
			t.Errorf("Step(%v) = %d, want %d", tt.at, got, tt.want)
		}
	}
}

func TestGenerateCodePanicsOnBadDigits(t *testing.T) {
	for _, digits := range []int{0, 5, 9} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("GenerateCode with %d digits did not panic", digits)
				}
			}()
			GenerateCode(seedSHA1, 1, SHA1, digits)
		}()
	}
}

func TestNormalizeCode(t *testing.T) {
	tests := []struct {
		name, in, want string
		why            string // fragment of the error message when want is ""
	}{
		{"plain", "123456", "123456", ""},
		{"leading zeros", "000042", "000042", ""},
		{"surrounding whitespace", " \t123456\r\n", "123456", ""},
		{"grouped as apps show it", "123 456", "123456", ""},
		{"many inner spaces", "1 2 3 4 5 6", "123456", ""},
		{"empty", "", "", "empty"},
		{"only spaces", "    ", "", "empty"},
		{"letters", "12a456", "", "not a digit"},
		{"all letters", "abcdef", "", "not a digit"},
		{"five digits", "12345", "", "5 digits"},
		{"seven digits", "1234567", "", "7 digits"},
		{"eight digits", "12345678", "", "8 digits"},
		{"dash", "123-456", "", "not a digit"},
		{"inner tab", "123\t456", "", "not a digit"},
		{"full-width digits", "１２３４５６", "", "not a digit"},
		{"sign", "+123456", "", "not a digit"},
		{"NUL", "123456\x00", "", "not a digit"},
		{"very long", strings.Repeat("1", 10<<10), "", "characters long"},
		{"very long spaces", strings.Repeat(" ", 10<<10) + "123456", "", "characters long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeCode(tt.in)
			if tt.want != "" {
				if err != nil || got != tt.want {
					t.Fatalf("NormalizeCode = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if !errors.Is(err, ErrMalformedCode) {
				t.Fatalf("NormalizeCode = %q, %v; want ErrMalformedCode", got, err)
			}
			if !strings.Contains(err.Error(), tt.why) {
				t.Errorf("error %q does not say %q", err, tt.why)
			}
			if len(tt.in) >= 6 && strings.Contains(err.Error(), strings.TrimSpace(tt.in)) {
				t.Errorf("error %q repeats the input", err)
			}
		})
	}
}
