package certs

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeDNSName(t *testing.T) {
	good := map[string]string{
		"careware.example.org":           "careware.example.org",
		"CareWare.Example.ORG.":          "careware.example.org",
		"  host.example.org  ":           "host.example.org",
		"*.example.org":                  "*.example.org",
		"*.Example.Org.":                 "*.example.org",
		"bücher.example":                 "xn--bcher-kva.example",
		"BÜCHER.example":                 "xn--bcher-kva.example",
		"xn--bcher-kva.example":          "xn--bcher-kva.example",
		"*.münchen.de":                   "*.xn--mnchen-3ya.de",
		"a-b.c1.example":                 "a-b.c1.example",
		"localhost":                      "localhost",
		"1host.example.org":              "1host.example.org",
		strings.Repeat("a", 63) + ".org": strings.Repeat("a", 63) + ".org",
	}
	for in, want := range good {
		got, err := NormalizeDNSName(in)
		if err != nil || got != want {
			t.Errorf("NormalizeDNSName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}

	long := strings.Repeat(strings.Repeat("a", 60)+".", 4) + "org" // 247 chars: fine
	if _, err := NormalizeDNSName(long); err != nil {
		t.Errorf("247-character name refused: %v", err)
	}
	tooLong := strings.Repeat(strings.Repeat("a", 62)+".", 4) + "org" // 255
	bad := map[string]error{
		"":                               ErrInvalidName,
		"   ":                            ErrInvalidName,
		"a*.example.org":                 ErrInvalidName,
		"*.*.example.org":                ErrInvalidName,
		"foo.*.example.org":              ErrInvalidName,
		"*":                              ErrInvalidName,
		"*.":                             ErrInvalidName,
		"*.org":                          ErrInvalidName,
		"example..org":                   ErrInvalidName,
		".example.org":                   ErrInvalidName,
		"example.org..":                  ErrInvalidName,
		"-host.example.org":              ErrInvalidName,
		"host-.example.org":              ErrInvalidName,
		"under_score.example.org":        ErrInvalidName,
		"sp ace.example.org":             ErrInvalidName,
		"host.example.org:443":           ErrInvalidName,
		"https://host.example.org":       ErrInvalidName,
		strings.Repeat("a", 64) + ".org": ErrInvalidName,
		tooLong:                          ErrInvalidName,
		"xn--zz.example":                 ErrInvalidName, // bad punycode
		"192.0.2.10":                     ErrIPAsDNSName,
		"2001:db8::1":                    ErrIPAsDNSName,
		"[2001:db8::1]":                  ErrIPAsDNSName,
		"::1":                            ErrIPAsDNSName,
		"192.0.2.300":                    ErrInvalidName, // all-digit TLD
	}
	for in, want := range bad {
		got, err := NormalizeDNSName(in)
		if !errors.Is(err, want) {
			t.Errorf("NormalizeDNSName(%q) = %q, %v; want %v", in, got, err, want)
		} else if HintOf(err) == "" {
			t.Errorf("NormalizeDNSName(%q): no hint", in)
		}
	}
}

func TestNormalizeDNSNameWildcardMessage(t *testing.T) {
	_, err := NormalizeDNSName("a*.example.org")
	if err == nil || !strings.Contains(err.Error(), "leftmost label") {
		t.Fatalf("error %v does not explain the wildcard rule", err)
	}
}

func TestParseIP(t *testing.T) {
	good := map[string]string{
		"192.0.2.10":        "192.0.2.10",
		" 192.0.2.10 ":      "192.0.2.10",
		"2001:db8::10":      "2001:db8::10",
		"[2001:db8::10]":    "2001:db8::10",
		"::ffff:192.0.2.10": "192.0.2.10",
	}
	for in, want := range good {
		ip, err := ParseIP(in)
		if err != nil || ip.String() != want {
			t.Errorf("ParseIP(%q) = %v, %v; want %s", in, ip, err, want)
		}
	}
	if ip, _ := ParseIP("192.0.2.10"); len(ip) != 4 {
		t.Errorf("IPv4 should come back in 4-byte form, got %d bytes", len(ip))
	}
	for _, bad := range []string{"", "host.example.org", "192.0.2.256", "fe80::1%eth0", "192.0.2.10:443", "010.0.0.1"} {
		if _, err := ParseIP(bad); !errors.Is(err, ErrInvalidIP) {
			t.Errorf("ParseIP(%q) error = %v, want ErrInvalidIP", bad, err)
		}
	}
}
