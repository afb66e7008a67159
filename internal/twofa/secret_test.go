package twofa

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestNewSecretReadsFromR(t *testing.T) {
	src := bytes.Repeat([]byte{0xA5}, 64)
	secret, err := NewSecret(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(secret, src[:SecretBytes]) {
		t.Errorf("secret = %x, want the first %d bytes of the reader", secret, SecretBytes)
	}
}

func TestNewSecretShortReader(t *testing.T) {
	for name, r := range map[string]io.Reader{
		"short":  bytes.NewReader(make([]byte, SecretBytes-1)),
		"broken": iotest.ErrReader(errors.New("entropy pool gone")),
		"nil":    nil,
	} {
		if s, err := NewSecret(r); err == nil {
			t.Errorf("%s reader: NewSecret = %x, nil; want an error", name, s)
		}
	}
}

func TestSecretRoundTrip(t *testing.T) {
	for _, n := range []int{16, 20, 32, 64} {
		secret := bytes.Repeat([]byte{0x3C, 0x7F, 0x01}, n)[:n]
		enc := EncodeSecret(secret)
		if strings.ContainsAny(enc, "= ") || enc != strings.ToUpper(enc) {
			t.Errorf("EncodeSecret = %q; want upper case without padding", enc)
		}
		for _, variant := range []string{
			enc,
			strings.ToLower(enc),
			GroupForManualEntry(enc),
			strings.ToLower(GroupForManualEntry(enc)),
			"  " + enc + "\n",
			enc + strings.Repeat("=", (8-len(enc)%8)%8),
		} {
			got, err := DecodeSecret(variant)
			if err != nil || !bytes.Equal(got, secret) {
				t.Errorf("DecodeSecret(%q) = %x, %v; want %x", variant, got, err, secret)
			}
		}
	}
}

func TestDecodeSecretKnown(t *testing.T) {
	// RFC 4648 test vector: "foobar".
	got, err := DecodeSecret("mzxw 6ytb oi======")
	if err != nil || string(got) != "foobar" {
		t.Fatalf("DecodeSecret = %q, %v; want foobar", got, err)
	}
}

func TestDecodeSecretRefuses(t *testing.T) {
	for name, in := range map[string]string{
		"empty":          "",
		"only spaces":    "   ",
		"only padding":   "====",
		"digit 1":        "JBSWY3DPEHPK3PX1",
		"digit 0":        "JBSWY3DPEHPK3PX0",
		"dotless i":      "jbswy3dpehpk3pxı",
		"inner padding":  "JBSW=Y3DP",
		"bad length":     "A",
		"huge":           strings.Repeat("A", 4100),
		"too many bytes": strings.Repeat("A", 208),
		"punctuation":    "JBSWY3DP-EHPK3PXP",
		"invalid utf8":   "JBSW\xffY3DP",
		"trailing junk":  "JBSWY3DPEHPK3PXP!",
		"leading equals": "=JBSWY3DPEHPK3PXP",
	} {
		got, err := DecodeSecret(in)
		if !errors.Is(err, ErrInvalidSecret) {
			t.Errorf("%s: DecodeSecret = %x, %v; want ErrInvalidSecret", name, got, err)
		}
	}
}

func TestGroupForManualEntry(t *testing.T) {
	tests := map[string]string{
		"":                                 "",
		"ABC":                              "ABC",
		"ABCD":                             "ABCD",
		"ABCDE":                            "ABCD E",
		"JBSWY3DPEHPK3PXP":                 "JBSW Y3DP EHPK 3PXP",
		"JBSW Y3DP EHPK 3PXP":              "JBSW Y3DP EHPK 3PXP",
		"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ": "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ",
	}
	for in, want := range tests {
		if got := GroupForManualEntry(in); got != want {
			t.Errorf("GroupForManualEntry(%q) = %q, want %q", in, got, want)
		}
	}
}
