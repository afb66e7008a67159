package certs

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// The x509-limbo cases live in the shared test data beside the checkout.
const limboDir = "../../../shared/testdata/x509-limbo"

type limboCase struct {
	ID                     string     `json:"id"`
	Features               []string   `json:"features"`
	ValidationKind         string     `json:"validation_kind"`
	TrustedCerts           []string   `json:"trusted_certs"`
	UntrustedIntermediates []string   `json:"untrusted_intermediates"`
	PeerCertificate        string     `json:"peer_certificate"`
	ValidationTime         *time.Time `json:"validation_time"`
	ExpectedResult         string     `json:"expected_result"`
	ExpectedPeerName       *struct {
		Kind  string `json:"kind"`
		Value string `json:"value"`
	} `json:"expected_peer_name"`
}

// limboCorpusTime stands in for "now" in cases without a validation time: the
// day the corpus was cut, when every such case was meant to be judged.
var limboCorpusTime = time.Date(2023, 12, 2, 0, 0, 0, 0, time.UTC)

func loadLimbo(t *testing.T) (combined, online []limboCase) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(limboDir, "limbo-2023-12-02.json"))
	if err != nil {
		t.Skipf("x509-limbo cases not present: %v", err)
	}
	var file struct {
		Testcases []limboCase `json:"testcases"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	paths, _ := filepath.Glob(filepath.Join(limboDir, "online", "*.limbo.json"))
	sort.Strings(paths)
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var c limboCase
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		online = append(online, c)
	}
	return file.Testcases, online
}

func parsePEMCert(t *testing.T, s string) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		t.Fatalf("no PEM block in %.40q", s)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil // a certificate Go cannot parse cannot be valid
	}
	return c
}

// limboVerdict runs cwsec's policy as `cert check` would for an endpoint
// certificate: SUCCESS when nothing is CRITICAL or UNKNOWN.
func limboVerdict(t *testing.T, c limboCase) (string, []Finding) {
	roots := x509.NewCertPool()
	for _, p := range c.TrustedCerts {
		if cert := parsePEMCert(t, p); cert != nil {
			roots.AddCert(cert)
		}
	}
	var chain []*x509.Certificate
	for _, p := range c.UntrustedIntermediates {
		if cert := parsePEMCert(t, p); cert != nil {
			chain = append(chain, cert)
		}
	}
	leaf := parsePEMCert(t, c.PeerCertificate)
	if leaf == nil {
		return "FAILURE", nil
	}
	now := limboCorpusTime
	if c.ValidationTime != nil {
		now = *c.ValidationTime
	}
	var names []string
	if c.ExpectedPeerName != nil {
		names = []string{c.ExpectedPeerName.Value}
	}
	findings := Evaluate(PolicyInput{Leaf: leaf, Chain: chain, Roots: roots, Names: names, Now: now, WarnDays: 1, CritDays: 1})
	if Worst(findings) >= SeverityUnknown {
		return "FAILURE", findings
	}
	return "SUCCESS", findings
}

// Cases where cwsec's verdict differs from the corpus, each with the reason.
// cwsec is a policy for TLS server certificates, stricter than RFC 5280 path
// validation in places and relying on Go's verifier in others.
var limboKnownDisagreements = map[string]string{
	"pathlen::validation-ignores-pathlen-in-leaf":  "the peer certificate is a CA certificate; cwsec refuses CA bits on a server certificate (contract: no CA bits on a leaf)",
	"pathlen::self-issued-certs-pathlen":           "Go's verifier counts self-issued intermediates against pathLenConstraint, which RFC 5280 6.1.4 exempts; cwsec builds paths with Go's verifier",
	"pathlen::max-chain-depth-0-exhausted":         "feature max-chain-depth: the case sets a verifier limit on chain depth that cwsec has no setting for",
	"pathlen::max-chain-depth-1-exhausted":         "feature max-chain-depth: as above",
	"rfc5280::eku::ee-without-eku":                 "contradicts webpki::eku::ee-without-eku; cwsec follows the CA/Browser Forum (BR 7.1.2.7.6) and requires serverAuth",
	"rfc5280::nc::permitted-dns-match-noncritical": "contradicts webpki::nc::permitted-dns-match-noncritical; the CA/Browser Forum profile allows non-critical name constraints and cwsec follows it",
	"rfc5280::nc::permitted-dn-match":              "feature name-constraint-dn: Go's verifier does not support directoryName constraints, and the leaf has no SAN, which cwsec requires",
	"rfc5280::nc::permitted-self-issued":           "Go's verifier applies name constraints to a self-issued intermediate, which RFC 5280 4.2.1.10 exempts",
}

func TestX509LimboConformance(t *testing.T) {
	combined, online := loadLimbo(t)
	agree, total := 0, 0
	var disagreements []string
	for _, c := range combined {
		if c.ValidationKind != "SERVER" {
			continue
		}
		total++
		got, findings := limboVerdict(t, c)
		if got == c.ExpectedResult {
			agree++
			if _, listed := limboKnownDisagreements[c.ID]; listed {
				t.Errorf("%s now agrees; remove it from limboKnownDisagreements", c.ID)
			}
			continue
		}
		if _, listed := limboKnownDisagreements[c.ID]; !listed {
			disagreements = append(disagreements, c.ID+": got "+got+", want "+c.ExpectedResult+" "+summarize(findings))
		}
	}
	for _, c := range online {
		if got, findings := limboVerdict(t, c); got != c.ExpectedResult {
			t.Errorf("online case %s: got %s, want %s %s", c.ID, got, c.ExpectedResult, summarize(findings))
		}
	}
	t.Logf("cwsec agrees with x509-limbo on %d of %d SERVER cases, and on all %d online cases", agree, total, len(online))
	for _, d := range disagreements {
		t.Errorf("unlisted disagreement: %s", d)
	}
	if agree < 120 {
		t.Errorf("agreement %d of %d, want at least 120", agree, total)
	}
}

func summarize(findings []Finding) string {
	var bad []string
	for _, f := range findings {
		if f.Severity >= SeverityWarning {
			bad = append(bad, f.Code+"("+f.Severity.String()+")")
		}
	}
	return "[" + strings.Join(bad, " ") + "]"
}
