package certs

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Finding is the result of one policy check. Check names the check and Code
// the outcome; both are stable identifiers for scripts. Passing checks yield
// a finding too (Severity ok), so reports can list what was checked.
type Finding struct {
	Check    string   `json:"check"`
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Hint     string   `json:"hint,omitempty"`
}

// Check names, one per policy check.
const (
	CheckKey         = "key"
	CheckChain       = "chain"
	CheckNames       = "names"
	CheckValidity    = "validity"
	CheckExpiry      = "expiry"
	CheckServerAuth  = "server_auth"
	CheckKeyUsage    = "key_usage"
	CheckCA          = "basic_constraints"
	CheckKeyStrength = "key_strength"
	CheckSignature   = "signature"
	CheckSAN         = "san"
	CheckLifetime    = "lifetime"
)

// Finding codes. A passing check uses the code named after it in the first
// block; the rest are failures.
const (
	CodeKeyMatch        = "key_match"
	CodeChainTrusted    = "chain_trusted"
	CodeNamesCovered    = "names_covered"
	CodeValid           = "valid"
	CodeExpiryOK        = "expiry_ok"
	CodeServerAuth      = "server_auth"
	CodeKeyUsageOK      = "key_usage_ok"
	CodeNotCA           = "not_ca"
	CodeKeyStrong       = "key_strong"
	CodeSignatureStrong = "signature_strong"
	CodeHasSAN          = "has_san"
	CodeLifetimeOK      = "lifetime_ok"
	CodeRootInChain     = "root_in_chain"
	CodeExtraCerts      = "extra_certs"
	CodeAIAFetchFailed  = "aia_fetch_failed"

	CodeNoCertificate       = "no_certificate"
	CodeKeyMismatch         = "key_mismatch"
	CodeUntrustedRoot       = "untrusted_root"
	CodeIncompleteChain     = "incomplete_chain"
	CodeWrongIntermediate   = "wrong_intermediate"
	CodeChainOutOfOrder     = "chain_out_of_order"
	CodeIntermediateInvalid = "intermediate_invalid"
	CodeChainNoServerAuth   = "chain_no_server_auth"
	CodeInvalidChain        = "invalid_chain"
	CodeNameNotCovered      = "name_not_covered"
	CodeInvalidRequiredName = "invalid_required_name"
	CodeExpired             = "expired"
	CodeNotYetValid         = "not_yet_valid"
	CodeExpiresSoon         = "expires_soon"
	CodeNoServerAuth        = "no_server_auth"
	CodeBadKeyUsage         = "bad_key_usage"
	CodeLeafIsCA            = "leaf_is_ca"
	CodeWeakKey             = "weak_key"
	CodeUnsupportedKey      = "unsupported_key"
	CodeWeakSignature       = "weak_signature"
	CodeNoSAN               = "no_san"
	CodeLifetimeExceedsCap  = "lifetime_exceeds_cap"
)

// Default expiry thresholds, the contract's --warn-days and --crit-days.
const (
	DefaultWarnDays = 30
	DefaultCritDays = 7
)

// PolicyInput is everything one evaluation looks at. `cert install` and
// `cert check` fill it the same way, so they can never disagree.
type PolicyInput struct {
	Leaf *x509.Certificate
	// Chain holds the certificates supplied with the leaf, in any order; it
	// may include the leaf and a root.
	Chain []*x509.Certificate
	// Built, when set, is a chain already built (for example with AIA
	// fetching) and is used instead of building one from Chain and Roots.
	Built *ChainResult
	// Roots are the trust anchors; nil means the system roots.
	Roots *x509.CertPool
	// PublicRoot says the chain ends in a public (system) root rather than a
	// private --roots anchor. Browsers enforce the CA/Browser Forum lifetime
	// caps only for public roots, so this turns that check from a warning
	// into a critical finding.
	PublicRoot bool
	// Served says Chain is exactly what an endpoint sent, so order and extra
	// certificates are the server's fault rather than something install fixes.
	Served bool
	// Key, when set, must be the certificate's public key.
	Key crypto.PublicKey
	// Names must all be covered by the certificate (DNS names or IPs).
	Names []string
	Now   time.Time
	// WarnDays and CritDays are the expiry thresholds in days; zero or less
	// means DefaultWarnDays and DefaultCritDays.
	WarnDays, CritDays int
}

// Evaluate runs every check on in and returns the findings, passing ones
// included, in a fixed order. Worst(findings) is the overall result.
func Evaluate(in PolicyInput) []Finding {
	leaf := in.Leaf
	if leaf == nil && in.Built != nil {
		leaf = in.Built.Leaf
	}
	if leaf == nil {
		leaf = FindLeaf(in.Chain, in.Key)
	}
	if leaf == nil {
		return []Finding{{Check: CheckChain, Code: CodeNoCertificate, Severity: SeverityCritical,
			Message: "no certificate to check", Hint: "give the certificate file, or check that the endpoint serves one"}}
	}
	built := in.Built
	if built == nil {
		b := BuildChain(leaf, in.Chain, in.Roots, in.Now)
		built = &b
	}
	var out []Finding
	for _, check := range []func(*x509.Certificate, *ChainResult, *PolicyInput) []Finding{
		checkKeyMatch, checkChain, checkNames, checkValidity, checkExpiry, checkServerAuth,
		checkKeyUsage, checkBasicConstraints, checkKeyStrength, checkSignatures, checkSAN, checkLifetime,
		checkConformance,
	} {
		out = append(out, check(leaf, built, &in)...)
	}
	return out
}

func pass(check, code, msg string) []Finding {
	return []Finding{{Check: check, Code: code, Severity: SeverityOK, Message: msg}}
}

func fail(check, code string, sev Severity, msg, hint string) Finding {
	return Finding{Check: check, Code: code, Severity: sev, Message: msg, Hint: hint}
}

func checkKeyMatch(leaf *x509.Certificate, _ *ChainResult, in *PolicyInput) []Finding {
	if isNilKey(in.Key) {
		return nil // nothing to match against (e.g. checking a remote endpoint)
	}
	if PublicKeysEqual(leaf.PublicKey, in.Key) {
		return pass(CheckKey, CodeKeyMatch, "the certificate matches the private key")
	}
	return []Finding{fail(CheckKey, CodeKeyMismatch, SeverityCritical,
		"the certificate does not match the private key",
		"install the certificate your CA issued for this request's CSR, or give the matching key with --key")}
}

// checkChain turns BuildChain's problems into findings.
func checkChain(_ *x509.Certificate, r *ChainResult, in *PolicyInput) []Finding {
	var out []Finding
	for _, p := range r.Problems {
		if f, ok := chainFinding(p, in.Served); ok {
			out = append(out, f)
		}
	}
	if !r.Trusted && Worst(out) < SeverityCritical {
		msg := "the chain does not lead to a trusted root"
		if r.VerifyError != "" {
			msg += ": " + r.VerifyError
		}
		out = append(out, fail(CheckChain, CodeUntrustedRoot, SeverityCritical, msg, rootsHint))
	}
	if r.Trusted && Worst(out) == SeverityOK {
		root := "a trusted root"
		if r.Root != nil {
			root = fmt.Sprintf("%q", r.Root.Subject)
		}
		out = append([]Finding{{Check: CheckChain, Code: CodeChainTrusted, Severity: SeverityOK,
			Message: fmt.Sprintf("the chain of %d certificate(s) leads to %s", len(r.Chain), root)}}, out...)
	}
	return out
}

const rootsHint = "if this certificate comes from your organisation's private CA, give that CA's root with --roots (or tls.roots in the config); otherwise use a certificate from a publicly trusted CA"

func chainFinding(p ChainProblem, served bool) (Finding, bool) {
	switch p.Code {
	case ProblemMissingIntermediate:
		hint := "add the intermediate certificate(s) your CA sent with the certificate, with --chain"
		if len(p.URLs) > 0 {
			hint = fmt.Sprintf("add the issuing CA certificate with --chain; your CA publishes it at %s", strings.Join(p.URLs, ", "))
		}
		return fail(CheckChain, CodeIncompleteChain, SeverityCritical, "the chain is incomplete: "+p.Message, hint), true
	case ProblemUnknownRoot:
		return fail(CheckChain, CodeUntrustedRoot, SeverityCritical, p.Message, rootsHint), true
	case ProblemWrongIntermediate:
		hint := "replace it with the intermediate your CA issued this certificate from"
		if len(p.URLs) > 0 {
			hint += " (published at " + strings.Join(p.URLs, ", ") + ")"
		}
		return fail(CheckChain, CodeWrongIntermediate, SeverityCritical, p.Message, hint), true
	case ProblemIntermediateInvalid:
		return fail(CheckChain, CodeIntermediateInvalid, SeverityCritical, p.Message,
			"get the current intermediate certificate from your CA and install the chain again"), true
	case ProblemChainUsage:
		return fail(CheckChain, CodeChainNoServerAuth, SeverityCritical, p.Message,
			"this CA may not issue TLS server certificates; ask your CA for a server-authentication chain"), true
	case ProblemInvalidChain:
		return fail(CheckChain, CodeInvalidChain, SeverityCritical, p.Message,
			"check that the chain file holds the intermediates for this certificate, as your CA sent them"), true
	case ProblemOutOfOrder:
		if served {
			return fail(CheckChain, CodeChainOutOfOrder, SeverityWarning, "the server sends the chain out of order",
				"configure the server to send the certificate first, then each issuer in turn; cwsec deploy writes them in that order"), true
		}
		return Finding{Check: CheckChain, Code: CodeChainOutOfOrder, Severity: SeverityOK, Message: p.Message}, true
	case ProblemExtraCert:
		if served {
			return fail(CheckChain, CodeExtraCerts, SeverityWarning, "the server sends a certificate that is not part of its chain: "+p.Subject,
				"remove it from the server's chain file"), true
		}
		return Finding{Check: CheckChain, Code: CodeExtraCerts, Severity: SeverityOK, Message: p.Message}, true
	case ProblemRootDropped:
		return Finding{Check: CheckChain, Code: CodeRootInChain, Severity: SeverityOK, Message: p.Message}, true
	case ProblemFetchFailed:
		return Finding{Check: CheckChain, Code: CodeAIAFetchFailed, Severity: SeverityOK, Message: p.Message}, true
	}
	// ProblemInsecureSignature is the weak_signature check's to report.
	return Finding{}, false
}

func checkNames(leaf *x509.Certificate, _ *ChainResult, in *PolicyInput) []Finding {
	if len(in.Names) == 0 {
		return nil
	}
	var missing, invalid []string
	for _, n := range in.Names {
		covered, err := CoversName(leaf, n)
		switch {
		case err != nil:
			invalid = append(invalid, n)
		case !covered:
			missing = append(missing, n)
		}
	}
	var out []Finding
	if len(invalid) > 0 {
		out = append(out, fail(CheckNames, CodeInvalidRequiredName, SeverityUnknown,
			"cannot check names that are neither DNS names nor IP addresses: "+strings.Join(invalid, ", "),
			"fix tls.server_names in the config or the --server-name value"))
	}
	if len(missing) > 0 {
		out = append(out, fail(CheckNames, CodeNameNotCovered, SeverityCritical,
			"the certificate does not cover "+strings.Join(missing, ", "),
			"request a new certificate that lists every name clients use (cwsec cert request --san NAME)"))
	}
	if len(out) == 0 {
		return pass(CheckNames, CodeNamesCovered, "the certificate covers "+strings.Join(in.Names, ", "))
	}
	return out
}

// CoversName reports whether cert is valid for name, a DNS name or an IP
// address, by its SANs only (browsers ignore the CN). Wildcards follow
// RFC 6125: "*.example.org" covers exactly one label, so "a.example.org" but
// neither "example.org" nor "a.b.example.org". A required name that is
// itself a wildcard is covered only by the same wildcard.
func CoversName(cert *x509.Certificate, name string) (bool, error) {
	if ip, err := ParseIP(name); err == nil {
		for _, c := range cert.IPAddresses {
			if c.Equal(ip) {
				return true, nil
			}
		}
		return false, nil
	}
	want, err := NormalizeDNSName(name)
	if err != nil {
		return false, err
	}
	for _, san := range cert.DNSNames {
		if dnsMatches(strings.TrimSuffix(strings.ToLower(san), "."), want) {
			return true, nil
		}
	}
	return false, nil
}

func dnsMatches(san, name string) bool {
	if san == name {
		return true
	}
	suffix, isWildcard := strings.CutPrefix(san, "*.")
	if !isWildcard || strings.HasPrefix(name, "*.") {
		return false
	}
	first, rest, found := strings.Cut(name, ".")
	return found && first != "" && rest == suffix
}

func checkValidity(leaf *x509.Certificate, _ *ChainResult, in *PolicyInput) []Finding {
	switch {
	case in.Now.Before(leaf.NotBefore):
		return []Finding{fail(CheckValidity, CodeNotYetValid, SeverityCritical,
			"the certificate is not valid until "+leaf.NotBefore.UTC().Format(time.RFC3339),
			"check the server's clock; if it is right, wait until then or ask the CA to reissue")}
	case in.Now.After(leaf.NotAfter):
		return []Finding{fail(CheckValidity, CodeExpired, SeverityCritical,
			fmt.Sprintf("the certificate expired on %s (%d days ago)", leaf.NotAfter.UTC().Format(time.RFC3339), -DaysLeft(leaf, in.Now)),
			"renew it: cwsec cert request, have the CA sign the CSR, then cwsec cert install")}
	}
	return pass(CheckValidity, CodeValid, "valid until "+leaf.NotAfter.UTC().Format(time.RFC3339))
}

// ExpiryThresholds returns how long before notAfter a certificate turns
// WARNING and CRITICAL: the configured days or a fraction of the lifetime
// (a third, a tenth), whichever is shorter. Fixed day counts alone would fire
// on the day a 47-day certificate is issued.
func ExpiryThresholds(cert *x509.Certificate, warnDays, critDays int) (warnAt, critAt time.Duration) {
	if warnDays <= 0 {
		warnDays = DefaultWarnDays
	}
	if critDays <= 0 {
		critDays = DefaultCritDays
	}
	life := Lifetime(cert)
	warnAt = min(time.Duration(warnDays)*24*time.Hour, life/3)
	critAt = min(time.Duration(critDays)*24*time.Hour, life/10)
	return warnAt, critAt
}

func checkExpiry(leaf *x509.Certificate, _ *ChainResult, in *PolicyInput) []Finding {
	if in.Now.Before(leaf.NotBefore) || in.Now.After(leaf.NotAfter) {
		return nil // the validity check already reports it
	}
	warnAt, critAt := ExpiryThresholds(leaf, in.WarnDays, in.CritDays)
	left := leaf.NotAfter.Sub(in.Now)
	msg := fmt.Sprintf("expires in %d days, on %s", DaysLeft(leaf, in.Now), leaf.NotAfter.UTC().Format(time.RFC3339))
	const hint = "renew now: cwsec cert request, have the CA sign the CSR, then cwsec cert install"
	switch {
	case left < critAt:
		return []Finding{fail(CheckExpiry, CodeExpiresSoon, SeverityCritical,
			msg+fmt.Sprintf(" (critical below %s)", days(critAt)), hint)}
	case left < warnAt:
		return []Finding{fail(CheckExpiry, CodeExpiresSoon, SeverityWarning,
			msg+fmt.Sprintf(" (warning below %s)", days(warnAt)), hint)}
	}
	return pass(CheckExpiry, CodeExpiryOK, msg)
}

func days(d time.Duration) string {
	return fmt.Sprintf("%.1f days", d.Hours()/24)
}

func checkServerAuth(leaf *x509.Certificate, _ *ChainResult, _ *PolicyInput) []Finding {
	const reissue = "ask the CA for a TLS server (web server) certificate; clients refuse this one for HTTPS"
	switch {
	case len(leaf.ExtKeyUsage) == 0 && len(leaf.UnknownExtKeyUsage) == 0:
		// No EKU means "any purpose" to RFC 5280, but the CA/Browser Forum
		// requires the extension with serverAuth (BR 7.1.2.7.6).
		return []Finding{fail(CheckServerAuth, CodeNoServerAuth, SeverityCritical,
			"the certificate has no extended key usage; a TLS server certificate must list serverAuth", reissue)}
	case slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageAny):
		return []Finding{fail(CheckServerAuth, CodeNoServerAuth, SeverityCritical,
			"the certificate allows any extended key usage (anyExtendedKeyUsage), which a TLS server certificate must not", reissue)}
	case !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageServerAuth):
		return []Finding{fail(CheckServerAuth, CodeNoServerAuth, SeverityCritical,
			"the certificate's extended key usage does not include serverAuth ("+strings.Join(extKeyUsageNames(leaf), ", ")+")", reissue)}
	}
	return pass(CheckServerAuth, CodeServerAuth, "the certificate allows TLS server authentication (serverAuth)")
}

// checkKeyUsage: a TLS server signs the handshake, so it needs
// digitalSignature. RSA keys may instead use keyEncipherment, but only with
// RSA key transport, which TLS 1.3 and the NIST SP 800-52r2 profile exclude:
// that is a warning. CA bits on a leaf are a critical defect.
func checkKeyUsage(leaf *x509.Certificate, _ *ChainResult, _ *PolicyInput) []Finding {
	ku := leaf.KeyUsage
	var out []Finding
	const reissue = "ask the CA to reissue the certificate as a TLS server certificate"
	if ku&(x509.KeyUsageCertSign|x509.KeyUsageCRLSign) != 0 {
		out = append(out, fail(CheckKeyUsage, CodeBadKeyUsage, SeverityCritical,
			"the certificate's key usage allows signing certificates or CRLs (keyCertSign/cRLSign), which a server certificate must not", reissue))
	}
	if ku != 0 && ku&x509.KeyUsageDigitalSignature == 0 {
		_, isRSA := leaf.PublicKey.(*rsa.PublicKey)
		switch {
		case isRSA && ku&x509.KeyUsageKeyEncipherment != 0:
			out = append(out, fail(CheckKeyUsage, CodeBadKeyUsage, SeverityWarning,
				"the RSA certificate allows keyEncipherment but not digitalSignature, so it works only with RSA key transport, which TLS 1.3 and NIST SP 800-52r2 exclude", reissue))
		default:
			out = append(out, fail(CheckKeyUsage, CodeBadKeyUsage, SeverityCritical,
				"the certificate's key usage lacks digitalSignature ("+strings.Join(keyUsageNames(ku), ", ")+")", reissue))
		}
	}
	if len(out) == 0 {
		msg := "key usage fits a TLS server (" + strings.Join(keyUsageNames(ku), ", ") + ")"
		if ku == 0 {
			msg = "no key usage extension, which allows any use"
		}
		return pass(CheckKeyUsage, CodeKeyUsageOK, msg)
	}
	return out
}

func checkBasicConstraints(leaf *x509.Certificate, _ *ChainResult, _ *PolicyInput) []Finding {
	if isCA(leaf) {
		return []Finding{fail(CheckCA, CodeLeafIsCA, SeverityCritical,
			"the certificate says it is a CA (basicConstraints CA:TRUE); a server certificate must not",
			"ask the CA to reissue it with CA:FALSE; if you made it yourself, sign a separate server certificate with it")}
	}
	return pass(CheckCA, CodeNotCA, "the certificate is not a CA certificate")
}

// checkKeyStrength looks at the leaf and the intermediates: a weak
// intermediate key weakens every certificate under it.
func checkKeyStrength(_ *x509.Certificate, r *ChainResult, _ *PolicyInput) []Finding {
	var out []Finding
	for i, c := range r.Chain {
		if f, bad := keyStrengthFinding(c, i == 0); bad {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		name, _ := DescribeKey(r.Chain[0].PublicKey)
		return pass(CheckKeyStrength, CodeKeyStrong, "key strength is sufficient ("+name+")")
	}
	return out
}

func keyStrengthFinding(c *x509.Certificate, isLeaf bool) (Finding, bool) {
	name, bits := DescribeKey(c.PublicKey)
	who := "the certificate's"
	hint := "make a new key and request a new certificate: cwsec cert request --key-type ecdsa-p256"
	if !isLeaf {
		who = fmt.Sprintf("the intermediate %q's", c.Subject)
		hint = "ask your CA for a current chain; this intermediate's key is too weak"
	}
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		if bits < 2048 {
			return fail(CheckKeyStrength, CodeWeakKey, SeverityCritical,
				fmt.Sprintf("%s RSA key has %d bits; at least 2048 are required", who, bits), hint), true
		}
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() && k.Curve != elliptic.P384() && k.Curve != elliptic.P521() {
			return fail(CheckKeyStrength, CodeWeakKey, SeverityCritical,
				fmt.Sprintf("%s key is %s; only P-256, P-384 and P-521 are accepted", who, name), hint), true
		}
	default:
		return fail(CheckKeyStrength, CodeUnsupportedKey, SeverityCritical,
			fmt.Sprintf("%s key is %s, which public CAs and browsers do not accept for TLS servers", who, name), hint), true
	}
	return Finding{}, false
}

// checkSignatures refuses SHA-1 and MD5 on the leaf and the intermediates.
// A self-signed root's own signature is not checked by clients (they trust
// the root by its key), so it is not judged here either.
func checkSignatures(_ *x509.Certificate, r *ChainResult, _ *PolicyInput) []Finding {
	var out []Finding
	for _, c := range r.Chain {
		if isInsecureSignature(c.SignatureAlgorithm) && !isSelfSigned(c) {
			out = append(out, fail(CheckSignature, CodeWeakSignature, SeverityCritical,
				fmt.Sprintf("%q is signed with %s; clients refuse SHA-1 and MD5 signatures", c.Subject, c.SignatureAlgorithm),
				"request a new certificate (and current intermediates) from your CA; they are issued with SHA-256 or better"))
		}
	}
	if len(out) == 0 {
		return pass(CheckSignature, CodeSignatureStrong, "signatures use "+r.Chain[0].SignatureAlgorithm.String())
	}
	return out
}

func checkSAN(leaf *x509.Certificate, _ *ChainResult, _ *PolicyInput) []Finding {
	if len(leaf.DNSNames) == 0 && len(leaf.IPAddresses) == 0 {
		return []Finding{fail(CheckSAN, CodeNoSAN, SeverityCritical,
			"the certificate has no DNS or IP subject alternative name; browsers ignore the common name and will refuse it",
			"request a new certificate; cwsec cert request always puts the CN into the SANs")}
	}
	return pass(CheckSAN, CodeHasSAN, fmt.Sprintf("%d subject alternative name(s)", len(leaf.DNSNames)+len(leaf.IPAddresses)))
}

// lifetimeCaps are the CA/Browser Forum's maximum validity periods, keyed on
// the issuance date (notBefore), newest first.
var lifetimeCaps = []struct {
	from time.Time
	days int
}{
	{time.Date(2029, 3, 15, 0, 0, 0, 0, time.UTC), 47},
	{time.Date(2027, 3, 15, 0, 0, 0, 0, time.UTC), 100},
	{time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC), 200},
	{time.Time{}, 398},
}

// LifetimeCap returns the maximum lifetime in days for a certificate issued
// at notBefore.
func LifetimeCap(notBefore time.Time) int {
	for _, c := range lifetimeCaps {
		if !notBefore.Before(c.from) {
			return c.days
		}
	}
	return lifetimeCaps[len(lifetimeCaps)-1].days
}

func checkLifetime(leaf *x509.Certificate, _ *ChainResult, in *PolicyInput) []Finding {
	capDays := LifetimeCap(leaf.NotBefore)
	life := LifetimeDays(leaf)
	if Lifetime(leaf) <= time.Duration(capDays)*24*time.Hour {
		return pass(CheckLifetime, CodeLifetimeOK,
			fmt.Sprintf("lifetime %d days is within the %d-day cap for its issuance date", life, capDays))
	}
	sev, who := SeverityWarning, "private roots are not held to it by browsers, but public CAs are"
	if in.PublicRoot {
		sev, who = SeverityCritical, "browsers refuse publicly trusted certificates that exceed it"
	}
	return []Finding{fail(CheckLifetime, CodeLifetimeExceedsCap, sev,
		fmt.Sprintf("lifetime %d days exceeds the CA/Browser Forum cap of %d days for certificates issued %s; %s",
			life, capDays, leaf.NotBefore.UTC().Format("2006-01-02"), who),
		fmt.Sprintf("request a certificate valid for at most %d days", capDays))}
}

// InPool reports whether cert (typically ChainResult.Root) is itself a trust
// anchor in pool, e.g. to decide PublicRoot against the system pool.
func InPool(cert *x509.Certificate, pool *x509.CertPool) bool {
	if cert == nil || pool == nil {
		return false
	}
	chains, err := cert.Verify(x509.VerifyOptions{
		Roots:       pool,
		CurrentTime: cert.NotBefore,
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return false
	}
	for _, c := range chains {
		if len(c) == 1 { // cert is itself an anchor, not merely chained to one
			return true
		}
	}
	return false
}
