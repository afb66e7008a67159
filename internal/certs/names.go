package certs

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// DNS limits from RFC 1035: 63 octets a label, 253 a name written without
// the trailing dot.
const (
	maxLabelLen = 63
	maxNameLen  = 253
)

// NormalizeDNSName turns what an administrator typed into the form that goes
// into a certificate: lower case, internationalised labels as punycode
// (IDNA 2008 lookup rules, via golang.org/x/net/idna), no trailing dot. It
// refuses what a CA would refuse: empty labels, labels over 63 or names over
// 253 characters, characters other than letters, digits and hyphens, labels
// starting or ending with a hyphen, and wildcards anywhere but as the whole
// leftmost label of a name with at least two more labels ("*.example.org").
// IP addresses are refused with ErrIPAsDNSName: they belong in --ip.
func NormalizeDNSName(s string) (string, error) {
	orig := s
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nameError(orig, "the name is empty")
	}
	if isIPLiteral(s) {
		return "", newError(ErrIPAsDNSName,
			fmt.Sprintf("%q is an IP address, not a DNS name", orig),
			"give IP addresses with --ip; they go into the certificate as IP SANs")
	}
	s = strings.TrimSuffix(s, ".")
	wildcard := false
	if rest, ok := strings.CutPrefix(s, "*."); ok {
		wildcard, s = true, rest
	}
	if strings.Contains(s, "*") {
		return "", nameError(orig, `a wildcard must be the whole leftmost label, as in "*.example.org"`)
	}
	ascii, err := toASCII(orig, s)
	if err != nil {
		return "", err
	}
	labels := strings.Split(ascii, ".")
	for _, l := range labels {
		if err := checkLabel(orig, l); err != nil {
			return "", err
		}
	}
	if isAllDigits(labels[len(labels)-1]) {
		return "", nameError(orig, "the last label is all digits, which no DNS name has; if this is an IP address, give it with --ip")
	}
	if wildcard {
		if len(labels) < 2 {
			return "", nameError(orig, `a wildcard needs at least two labels after it, as in "*.example.org"`)
		}
		ascii = "*." + ascii
	}
	if len(ascii) > maxNameLen {
		return "", nameError(orig, fmt.Sprintf("the name is %d characters long; DNS allows %d", len(ascii), maxNameLen))
	}
	return ascii, nil
}

// toASCII lower-cases and converts internationalised names to punycode. ASCII
// input is checked by checkLabel for clearer messages first; idna still sees
// it so that "xn--" labels are validated as punycode.
func toASCII(orig, s string) (string, error) {
	lower := strings.ToLower(s)
	if isASCII(lower) {
		for _, l := range strings.Split(lower, ".") {
			if err := checkLabel(orig, l); err != nil {
				return "", err
			}
		}
	}
	out, err := idna.Lookup.ToASCII(lower)
	if err != nil {
		return "", nameError(orig, "not a valid internationalised name: "+strings.TrimPrefix(err.Error(), "idna: "))
	}
	return out, nil
}

func checkLabel(orig, l string) error {
	switch {
	case l == "":
		return nameError(orig, "the name has an empty label (two dots in a row, or a leading dot)")
	case len(l) > maxLabelLen:
		return nameError(orig, fmt.Sprintf("label %q is %d characters long; DNS allows %d", l, len(l), maxLabelLen))
	case l[0] == '-' || l[len(l)-1] == '-':
		return nameError(orig, fmt.Sprintf("label %q starts or ends with a hyphen", l))
	}
	for _, r := range l {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r >= utf8.RuneSelf) {
			return nameError(orig, fmt.Sprintf("label %q contains %q; only letters, digits and hyphens are allowed", l, r))
		}
	}
	return nil
}

func nameError(orig, why string) error {
	return newError(ErrInvalidName, fmt.Sprintf("invalid DNS name %q: %s", orig, why),
		"give a host name such as careware.example.org; use --ip for IP addresses")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isIPLiteral(s string) bool {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	_, err := netip.ParseAddr(s)
	return err == nil
}

// ParseIP reads an IPv4 or IPv6 address for an IP SAN. Brackets around IPv6
// ("[::1]") are accepted; zones ("fe80::1%eth0") are not, because a
// certificate cannot carry them. IPv4 (and IPv4-mapped IPv6) comes back in
// its 4-byte form so it encodes as a 4-byte SAN.
func ParseIP(s string) (net.IP, error) {
	t := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "["), "]")
	addr, err := netip.ParseAddr(t)
	if err != nil || addr.Zone() != "" {
		return nil, newError(ErrInvalidIP, fmt.Sprintf("invalid IP address %q", s),
			"give an address such as 192.0.2.10 or 2001:db8::10, without a zone or port")
	}
	return net.IP(addr.Unmap().AsSlice()), nil
}
