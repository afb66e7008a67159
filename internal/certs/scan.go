package certs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// Endpoint scanning: what a TLS server offers, probed the way a scanner such
// as sslscan does, one protocol version and one TLS 1.2 cipher suite per
// handshake. Handshakes stop after the server's Finished: no application data
// is sent. Verification is off only to read what is served; the chain is
// judged by Evaluate with Served set.

// probedVersions are the protocol versions Go's client can speak. SSL 3.0 is
// not among them: Go cannot offer it, so a server that still accepts it is
// not detected (sslscan reports that).
var probedVersions = []uint16{tls.VersionTLS10, tls.VersionTLS11, tls.VersionTLS12, tls.VersionTLS13}

// ProtocolResult says whether the server completed a handshake at a version.
type ProtocolResult struct {
	Version string `json:"version"`
	Offered bool   `json:"offered"`
}

// EndpointScan is what ScanEndpoint learned of one server.
type EndpointScan struct {
	Address    string              `json:"address"`
	ServerName string              `json:"server_name,omitempty"`
	Chain      []*x509.Certificate `json:"-"`
	Protocols  []ProtocolResult    `json:"protocols"`
	// Suites12 are the TLS 1.2 suites the server accepted, in probe order.
	Suites12 []string `json:"tls12_suites"`
	// Negotiated is what a default modern client gets.
	NegotiatedVersion string `json:"negotiated_version"`
	NegotiatedSuite   string `json:"negotiated_suite"`
	OCSPStapled       bool   `json:"ocsp_stapled"`
}

// probeParallelism bounds concurrent handshakes to one server: enough to hide
// round trips, few enough not to look like an attack.
const probeParallelism = 4

// ScanEndpoint connects to addr (port 443 when missing), reads the served
// chain with a default handshake, then probes each protocol version and each
// TLS 1.2 suite Go can offer. An endpoint that cannot be reached, or that
// completes no handshake at all, is an error: nothing can be judged.
func ScanEndpoint(ctx context.Context, addr, serverName string, timeout time.Duration) (EndpointScan, error) {
	scan, p, err := readEndpoint(ctx, addr, serverName, timeout, nil)
	if err != nil {
		return scan, err
	}

	versions := make([]bool, len(probedVersions))
	suites := allSuiteIDs(tls.VersionTLS12)
	accepted := make([]bool, len(suites))
	var probes errgroup.Group
	probes.SetLimit(probeParallelism)
	for i, v := range probedVersions {
		probes.Go(func() error { versions[i] = p.offers(ctx, versionConfig(v)); return nil })
	}
	for i, id := range suites {
		probes.Go(func() error {
			accepted[i] = p.offers(ctx, &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{id}})
			return nil
		})
	}
	_ = probes.Wait() // the probes report through versions and accepted

	scan.Protocols = nil
	for i, v := range probedVersions {
		scan.Protocols = append(scan.Protocols, ProtocolResult{Version: tls.VersionName(v), Offered: versions[i]})
	}
	scan.Suites12 = []string{}
	for i, id := range suites {
		if accepted[i] {
			scan.Suites12 = append(scan.Suites12, tls.CipherSuiteName(id))
		}
	}
	return scan, ctx.Err()
}

// ReadEndpoint is ScanEndpoint's first handshake alone: the served chain and
// what a client negotiates, without the protocol and suite probes
// (Protocols and Suites12 are left empty). One handshake instead of about 27:
// what a certificate verdict needs.
//
// It offers only classical key shares (X25519, P-256, P-384): the verdict is
// about the certificate, and the hybrid post-quantum share Go offers by
// default was a sixth of the CPU of checking many endpoints. A server that
// accepts only post-quantum groups still gets the default share, in the
// fallback handshake.
func ReadEndpoint(ctx context.Context, addr, serverName string, timeout time.Duration) (EndpointScan, error) {
	scan, _, err := readEndpoint(ctx, addr, serverName, timeout, classicalGroups)
	return scan, err
}

var classicalGroups = []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384}

// readEndpoint makes the first handshake, offering groups (nil: Go's
// default), and falls back to every version and suite with Go's default
// groups when that fails.
func readEndpoint(ctx context.Context, addr, serverName string, timeout time.Duration, groups []tls.CurveID) (EndpointScan, prober, error) {
	if timeout <= 0 {
		timeout = DefaultProbeTimeout
	}
	addr = withDefaultPort(addr, "443")
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return EndpointScan{}, prober{}, fmt.Errorf("endpoint %q: %w", addr, err)
	}
	if serverName == "" && net.ParseIP(host) == nil {
		serverName = host
	}
	scan := EndpointScan{Address: addr, ServerName: serverName, Protocols: []ProtocolResult{}, Suites12: []string{}}
	p := prober{addr: addr, serverName: serverName, timeout: timeout}
	state, err := p.handshake(ctx, &tls.Config{MinVersion: tls.VersionTLS12, CurvePreferences: groups})
	if err != nil {
		// Perhaps only old versions or other groups: try with everything Go
		// can offer.
		state, err = p.handshake(ctx, &tls.Config{MinVersion: tls.VersionTLS10, CipherSuites: allSuiteIDs(tls.VersionTLS12)})
	}
	if err != nil {
		return scan, p, err
	}
	scan.Chain = state.PeerCertificates
	scan.NegotiatedVersion = tls.VersionName(state.Version)
	scan.NegotiatedSuite = tls.CipherSuiteName(state.CipherSuite)
	scan.OCSPStapled = len(state.OCSPResponse) > 0
	return scan, p, nil
}

type prober struct {
	addr, serverName string
	timeout          time.Duration
}

func (p prober) handshake(ctx context.Context, cfg *tls.Config) (tls.ConnectionState, error) {
	cfg.ServerName = p.serverName
	cfg.InsecureSkipVerify = true // scanning: what is served is judged elsewhere
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: p.timeout}, Config: cfg}
	conn, err := d.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return tls.ConnectionState{}, fmt.Errorf("%s: no TLS handshake within %s", p.addr, p.timeout)
		}
		return tls.ConnectionState{}, err
	}
	defer conn.Close()
	return conn.(*tls.Conn).ConnectionState(), nil
}

func (p prober) offers(ctx context.Context, cfg *tls.Config) bool {
	_, err := p.handshake(ctx, cfg)
	return err == nil
}

// versionConfig offers exactly version v, with every suite Go has for it, so
// that a server is not judged as refusing a version for want of a suite.
func versionConfig(v uint16) *tls.Config {
	return &tls.Config{MinVersion: v, MaxVersion: v, CipherSuites: allSuiteIDs(v)}
}

// allSuiteIDs are the pre-TLS 1.3 suites Go implements for version v,
// insecure ones included: a scanner must be able to see them accepted.
func allSuiteIDs(v uint16) []uint16 {
	var ids []uint16
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		if slices.Contains(s.SupportedVersions, v) && !slices.Contains(s.SupportedVersions, tls.VersionTLS13) {
			ids = append(ids, s.ID)
		}
	}
	return ids
}

// Checks and codes of the endpoint policy (--policy nist).
const (
	CheckProtocols = "protocols"
	CheckCiphers   = "ciphers"
	CheckStapling  = "ocsp_stapling"

	CodeProtocolsOK   = "protocols_ok"
	CodeOldProtocol   = "old_protocol"
	CodeNoTLS13       = "no_tls13"
	CodeNoTLS12       = "no_tls12"
	CodeCiphersOK     = "ciphers_ok"
	CodeSuiteNotNIST  = "suite_not_nist"
	CodeBrokenSuite   = "broken_suite"
	CodeOCSPStapled   = "ocsp_stapled"
	CodeNoOCSPStaples = "no_ocsp_stapling"
)

// EvaluateEndpoint judges what ScanEndpoint found against NIST SP 800-52r2:
// TLS 1.0 or 1.1 accepted is CRITICAL, no TLS 1.3 a WARNING; a TLS 1.2 suite
// outside the NIST lists is a WARNING, and RC4, 3DES, NULL or export suites
// are CRITICAL. OCSP stapling is reported, never judged.
func EvaluateEndpoint(s EndpointScan) []Finding {
	var out []Finding
	out = append(out, judgeProtocols(s)...)
	out = append(out, judgeSuites(s.Suites12)...)
	if s.OCSPStapled {
		out = append(out, Finding{Check: CheckStapling, Code: CodeOCSPStapled, Severity: SeverityOK, Message: "the server staples an OCSP response"})
	} else {
		out = append(out, Finding{Check: CheckStapling, Code: CodeNoOCSPStaples, Severity: SeverityOK, Message: "the server does not staple an OCSP response"})
	}
	return out
}

func judgeProtocols(s EndpointScan) []Finding {
	offered := map[string]bool{}
	for _, p := range s.Protocols {
		offered[p.Version] = p.Offered
	}
	var out []Finding
	for _, old := range []string{"TLS 1.0", "TLS 1.1"} {
		if offered[old] {
			out = append(out, fail(CheckProtocols, CodeOldProtocol, SeverityCritical,
				old+" is accepted; NIST SP 800-52r2 and HIPAA guidance require it to be off",
				"turn off "+old+" in the server's TLS settings (on Windows: IIS Crypto or the SCHANNEL registry keys), then restart it"))
		}
	}
	if !offered["TLS 1.2"] {
		out = append(out, fail(CheckProtocols, CodeNoTLS12, SeverityWarning,
			"TLS 1.2 is not offered; clients without TLS 1.3 cannot connect",
			"enable TLS 1.2 alongside TLS 1.3"))
	}
	if !offered["TLS 1.3"] {
		out = append(out, fail(CheckProtocols, CodeNoTLS13, SeverityWarning,
			"TLS 1.3 is not offered; NIST SP 800-52r2 asks servers to support it",
			"enable TLS 1.3 (Windows Server 2022 and later, OpenSSL 1.1.1 and later)"))
	}
	if len(out) == 0 {
		return pass(CheckProtocols, CodeProtocolsOK, "TLS 1.2 and 1.3 offered; TLS 1.0 and 1.1 refused")
	}
	return out
}

func judgeSuites(accepted []string) []Finding {
	var broken, outside []string
	for _, name := range accepted {
		switch nistSuiteVerdict(name) {
		case SeverityCritical:
			broken = append(broken, name)
		case SeverityWarning:
			outside = append(outside, name)
		}
	}
	var out []Finding
	if len(broken) > 0 {
		out = append(out, fail(CheckCiphers, CodeBrokenSuite, SeverityCritical,
			"broken cipher suites accepted: "+strings.Join(broken, ", "),
			"remove RC4, 3DES, NULL and export suites from the server's cipher list"))
	}
	if len(outside) > 0 {
		out = append(out, fail(CheckCiphers, CodeSuiteNotNIST, SeverityWarning,
			"cipher suites outside the NIST SP 800-52r2 lists accepted: "+strings.Join(outside, ", "),
			"offer only ECDHE suites with AES-GCM, AES-CCM or AES-CBC; drop RSA key transport and CHACHA20 suites"))
	}
	if len(out) == 0 {
		return pass(CheckCiphers, CodeCiphersOK, fmt.Sprintf("%d TLS 1.2 cipher suite(s) accepted, all in the NIST SP 800-52r2 lists", len(accepted)))
	}
	return out
}

// nistSuiteVerdict classifies a TLS 1.2 suite by its IANA name: ECDHE (or
// DHE) key exchange with AES in GCM, CCM or CBC mode is in the lists; RSA key
// transport and CHACHA20 are outside them; RC4, 3DES, NULL and export are
// broken.
func nistSuiteVerdict(name string) Severity {
	switch {
	case strings.Contains(name, "RC4"), strings.Contains(name, "3DES"), strings.Contains(name, "DES_"),
		strings.Contains(name, "NULL"), strings.Contains(name, "EXPORT"), strings.Contains(name, "anon"):
		return SeverityCritical
	case !strings.HasPrefix(name, "TLS_ECDHE_") && !strings.HasPrefix(name, "TLS_DHE_"):
		return SeverityWarning
	case strings.Contains(name, "CHACHA20"):
		return SeverityWarning
	case strings.Contains(name, "_AES_") && (strings.Contains(name, "GCM") || strings.Contains(name, "CCM") || strings.Contains(name, "CBC")):
		return SeverityOK
	}
	return SeverityWarning
}
