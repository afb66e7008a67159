package certs

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/net/publicsuffix"
)

// Conformance: the structural rules of RFC 5280 and the CA/Browser Forum
// Baseline Requirements that Go's verifier does not enforce. A certificate
// that breaks them came from a CA that does not follow the profile; some
// clients refuse such chains, and none of them is what a CAREWare server
// should present. Each problem names the certificate and the rule.
const (
	CheckConformance   = "conformance"
	CodeConformant     = "conformant"
	CodeNonconformance = "nonconformant"
)

var (
	oidSAN              = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidKeyUsage         = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidNameConstraints  = asn1.ObjectIdentifier{2, 5, 29, 30}
	oidAKI              = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidEKU              = asn1.ObjectIdentifier{2, 5, 29, 37}
)

// certRole is where a certificate stands in the chain; the rules differ.
type certRole int

const (
	roleLeaf certRole = iota
	roleIntermediate
	roleRoot
)

func (r certRole) String() string {
	return [...]string{"the certificate", "intermediate", "root"}[r]
}

func checkConformance(leaf *x509.Certificate, r *ChainResult, _ *PolicyInput) []Finding {
	var problems []string
	add := func(c *x509.Certificate, role certRole, issues []string) {
		for _, issue := range issues {
			name := role.String()
			if role != roleLeaf {
				name = fmt.Sprintf("%s %q", role, c.Subject.String())
			}
			problems = append(problems, name+": "+issue)
		}
	}
	add(leaf, roleLeaf, append(issuedIssues(leaf), leafIssues(leaf)...))
	for _, c := range chainCAs(leaf, r) {
		add(c, roleIntermediate, append(issuedIssues(c), caIssues(c)...))
	}
	if r.Root != nil {
		add(r.Root, roleRoot, rootIssues(r.Root))
	}
	if len(problems) == 0 {
		return pass(CheckConformance, CodeConformant, "the chain follows the RFC 5280 and CA/Browser Forum certificate profiles")
	}
	return []Finding{fail(CheckConformance, CodeNonconformance, SeverityCritical,
		"the chain breaks the certificate profile: "+strings.Join(problems, "; "),
		"the CA issued a malformed certificate; ask it to reissue, or use a CA that follows the CA/Browser Forum Baseline Requirements")}
}

// chainCAs are the certificates between the leaf and the trust anchor.
func chainCAs(leaf *x509.Certificate, r *ChainResult) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range r.Chain {
		if c != leaf && (r.Root == nil || !c.Equal(r.Root)) {
			out = append(out, c)
		}
	}
	return out
}

// issuedIssues apply to every certificate below the trust anchor: RFC 5280
// 4.1.2.2 (serial), 4.1.2.4 (issuer) and 4.2.1.1 (authority key identifier).
// A trust anchor is exempt: its fields are not validated (RFC 5280 6.1.1),
// and long-trusted roots with serial 0 are still in the system stores.
func issuedIssues(c *x509.Certificate) []string {
	var out []string
	if c.SerialNumber == nil || c.SerialNumber.Sign() <= 0 {
		out = append(out, "serial number is not a positive integer")
	} else if len(c.SerialNumber.Bytes()) > 20 {
		out = append(out, "serial number is longer than 20 octets")
	}
	if len(c.Issuer.Names) == 0 {
		out = append(out, "issuer name is empty")
	}
	if len(c.AuthorityKeyId) == 0 {
		out = append(out, "no authority key identifier")
	}
	return out
}

// leafIssues: the server certificate's own profile (BR 7.1.2.7).
func leafIssues(c *x509.Certificate) []string {
	var out []string
	if ext, ok := extension(c, oidEKU); ok && ext.Critical {
		out = append(out, "extended key usage is marked critical")
	}
	if _, ok := extension(c, oidNameConstraints); ok {
		out = append(out, "name constraints on a certificate that is not a CA")
	}
	if san, ok := extension(c, oidSAN); ok {
		emptySubject := len(c.Subject.Names) == 0
		switch {
		case emptySubject && !san.Critical:
			out = append(out, "subject is empty but the subject alternative name is not critical (RFC 5280 4.2.1.6)")
		case !emptySubject && san.Critical:
			out = append(out, "subject alternative name is critical although the subject is not empty")
		}
	}
	for _, name := range c.DNSNames {
		if base, ok := strings.CutPrefix(name, "*."); ok && isPublicSuffix(base) {
			out = append(out, fmt.Sprintf("wildcard %q covers a whole public suffix", name))
		}
	}
	return out
}

func isPublicSuffix(name string) bool {
	suffix, icann := publicsuffix.PublicSuffix(strings.ToLower(name))
	return icann && suffix == strings.ToLower(name)
}

// caIssues: RFC 5280 4.2.1.2, 4.2.1.3 and 4.2.1.9 for CA certificates. Name
// constraints may be non-critical, as the CA/Browser Forum profile allows.
func caIssues(c *x509.Certificate) []string {
	var out []string
	if len(c.SubjectKeyId) == 0 {
		out = append(out, "no subject key identifier")
	}
	if len(c.Subject.Names) == 0 {
		out = append(out, "subject name is empty")
	}
	if bc, ok := extension(c, oidBasicConstraints); !ok || !bc.Critical {
		out = append(out, "basic constraints missing or not critical")
	}
	if _, ok := extension(c, oidKeyUsage); !ok || c.KeyUsage&x509.KeyUsageCertSign == 0 {
		out = append(out, "key usage missing or without keyCertSign")
	}
	return out
}

// rootIssues: the CA rules, and BR 7.1.2.1 for root CA certificates. Version
// 1 roots predate extensions and are judged by their place in the trust
// store alone. A root cross-signed by another CA needs an authority key
// identifier like any issued certificate.
func rootIssues(c *x509.Certificate) []string {
	if c.Version < 3 {
		return nil
	}
	out := caIssues(c)
	if !bytes.Equal(c.RawIssuer, c.RawSubject) && len(c.AuthorityKeyId) == 0 {
		out = append(out, "cross-signed, but no authority key identifier")
	}
	if _, ok := extension(c, oidEKU); ok {
		out = append(out, "extended key usage on a root")
	}
	if aki, ok := extension(c, oidAKI); ok {
		keyID, onlyKeyID := parseAKI(aki.Value)
		switch {
		case keyID == nil:
			out = append(out, "authority key identifier without a key identifier")
		case !onlyKeyID:
			out = append(out, "authority key identifier names an issuer or serial number")
		case !bytes.Equal(keyID, c.SubjectKeyId):
			out = append(out, "authority key identifier differs from its own subject key identifier")
		}
	}
	return out
}

// parseAKI reads AuthorityKeyIdentifier ::= SEQUENCE { [0] keyIdentifier,
// [1] authorityCertIssuer, [2] authorityCertSerialNumber }, all optional; Go
// keeps only the first.
func parseAKI(der []byte) (keyID []byte, onlyKeyID bool) {
	input := cryptobyte.String(der)
	var seq cryptobyte.String
	if !input.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, false
	}
	var id cryptobyte.String
	hasID := false
	if !seq.ReadOptionalASN1(&id, &hasID, cbasn1.Tag(0).ContextSpecific()) {
		return nil, false
	}
	if hasID {
		keyID = []byte(id)
	}
	return keyID, seq.Empty()
}

func extension(c *x509.Certificate, oid asn1.ObjectIdentifier) (ext struct {
	Value    []byte
	Critical bool
}, ok bool) {
	for _, e := range c.Extensions {
		if e.Id.Equal(oid) {
			ext.Value, ext.Critical = e.Value, e.Critical
			return ext, true
		}
	}
	return ext, false
}
