package certs

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// Checking: one target (a certificate file, the installed certificate or a
// live endpoint) judged by the same policy install uses, plus, for
// endpoints, the protocol and cipher policy. A target that cannot be judged
// (unreachable, not a certificate) is UNKNOWN with its reason, and never
// stops the other targets from being checked.

// Target kinds.
const (
	TargetFile      = "file"
	TargetInstalled = "installed"
	TargetEndpoint  = "endpoint"
)

// Target is one thing to check.
type Target struct {
	Kind string `json:"kind"`
	// Name is the file path, the endpoint's host:port, or "installed".
	Name string `json:"name"`
	// ServerName is the SNI to send and the name the certificate must cover.
	ServerName string `json:"server_name,omitempty"`
}

// CheckOptions are the settings shared by every target of a run.
type CheckOptions struct {
	Now                time.Time
	WarnDays, CritDays int
	// Trust gives the roots chains are built to and, among them, the public
	// roots, which decide whether the CA/Browser Forum caps apply. It is
	// called when a certificate is judged, not before, so that a caller can
	// load the system roots while the first handshakes are under way. nil:
	// chains are built to the system roots, and none counts as public.
	Trust      func() (roots, public *x509.CertPool)
	Names      []string // names every certificate must cover
	Timeout    time.Duration
	NISTPolicy bool // judge endpoints' protocols and suites
}

func (o CheckOptions) anchors() (roots, public *x509.CertPool) {
	if o.Trust == nil {
		return nil, nil
	}
	return o.Trust()
}

// TargetResult is the verdict on one target.
type TargetResult struct {
	Target
	Status   Severity  `json:"status"`
	Findings []Finding `json:"findings"`
	// Certificate facts, when a certificate was read.
	Subject  string     `json:"subject,omitempty"`
	NotAfter *time.Time `json:"not_after,omitempty"`
	DaysLeft *int       `json:"days_left,omitempty"`
	WarnDays *float64   `json:"warn_days,omitempty"`
	CritDays *float64   `json:"crit_days,omitempty"`
	// Endpoint facts.
	Scan *EndpointScan `json:"scan,omitempty"`
}

// Code of the finding that makes a target UNKNOWN.
const (
	CheckTarget       = "target"
	CodeUnreachable   = "unreachable"
	CodeUnreadable    = "unreadable"
	CodeNothingToDo   = "nothing_to_check"
	CodeBadTargetLine = "bad_target"
)

// Unknown is the result for a target that could not be judged.
func Unknown(t Target, code, msg, hint string) TargetResult {
	return TargetResult{Target: t, Status: SeverityUnknown,
		Findings: []Finding{fail(CheckTarget, code, SeverityUnknown, msg, hint)}}
}

// CheckCertificate judges a leaf and its chain as an installed or stored
// certificate: the order and extras of the chain are not the server's fault.
func CheckCertificate(t Target, leaf *x509.Certificate, chain []*x509.Certificate, opts CheckOptions) TargetResult {
	return judgeCertificate(t, leaf, chain, false, opts)
}

func judgeCertificate(t Target, leaf *x509.Certificate, chain []*x509.Certificate, served bool, opts CheckOptions) TargetResult {
	names := opts.Names
	if t.ServerName != "" {
		names = append([]string{t.ServerName}, names...)
	}
	roots, public := opts.anchors()
	built := BuildChain(leaf, chain, roots, opts.Now)
	in := PolicyInput{Leaf: leaf, Chain: chain, Built: &built, Roots: roots, Served: served, Names: names,
		Now: opts.Now, WarnDays: opts.WarnDays, CritDays: opts.CritDays}
	in.PublicRoot = built.Root != nil && InPool(built.Root, public)
	res := TargetResult{Target: t, Findings: Evaluate(in), Subject: leaf.Subject.String()}
	notAfter := leaf.NotAfter.UTC()
	days := DaysLeft(leaf, opts.Now)
	warnAt, critAt := ExpiryThresholds(leaf, opts.WarnDays, opts.CritDays)
	w, c := warnAt.Hours()/24, critAt.Hours()/24
	res.NotAfter, res.DaysLeft, res.WarnDays, res.CritDays = &notAfter, &days, &w, &c
	res.Status = Worst(res.Findings)
	return res
}

// CheckFile judges the certificate (and any chain) in a file's bytes.
func CheckFile(t Target, data []byte, opts CheckOptions) TargetResult {
	b, err := ParseBundle(data, nil)
	var certs []*x509.Certificate
	if err == nil {
		certs, err = b.RequireCertificates()
	}
	if err != nil {
		return Unknown(t, CodeUnreadable, err.Error(), HintOf(err))
	}
	return CheckCertificate(t, b.Leaf(), certs, opts)
}

// CheckEndpoint scans an endpoint and judges what it serves and offers.
func CheckEndpoint(ctx context.Context, t Target, opts CheckOptions) TargetResult {
	scan, err := readOrScan(ctx, t, opts)
	if err != nil {
		return Unknown(t, CodeUnreachable, err.Error(), unreachableHint(err))
	}
	if t.ServerName == "" {
		t.ServerName = scan.ServerName
	}
	res := judgeCertificate(t, scan.Chain[0], scan.Chain, true, opts)
	if opts.NISTPolicy {
		res.Findings = append(res.Findings, EvaluateEndpoint(scan)...)
		res.Status = Worst(res.Findings)
	}
	res.Scan = &scan
	return res
}

// readOrScan: a certificate verdict needs one handshake; the protocol and
// suite probes serve only the NIST policy.
func readOrScan(ctx context.Context, t Target, opts CheckOptions) (EndpointScan, error) {
	if opts.NISTPolicy {
		return ScanEndpoint(ctx, t.Name, t.ServerName, opts.Timeout)
	}
	return ReadEndpoint(ctx, t.Name, t.ServerName, opts.Timeout)
}

func unreachableHint(err error) string {
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr):
		return "check the host name; it does not resolve from this machine"
	case strings.Contains(err.Error(), "connection refused"):
		return "nothing listens on that port: is the server running, and is the port right?"
	case strings.Contains(err.Error(), "no TLS handshake within"), strings.Contains(err.Error(), "timeout"):
		return "the server did not answer in time: check firewalls, or raise --timeout"
	}
	return "check that the address serves TLS (HTTPS), and that a firewall lets this machine reach it"
}

// ParseEndpoint normalises HOST[:PORT] (port 443 when missing, IPv6 in
// brackets) and refuses what cannot be an endpoint.
func ParseEndpoint(s string) (string, error) {
	s = strings.TrimSpace(s)
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		if strings.Count(s, ":") > 1 && !strings.HasPrefix(s, "[") {
			return "", fmt.Errorf("%q: put an IPv6 address in brackets, as in [2001:db8::1]:443", s)
		}
		host, port = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"), "443"
	}
	if !validHost(host) {
		return "", fmt.Errorf("%q is not a host name or IP address", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("%q: the port must be a number from 1 to 65535", s)
	}
	return net.JoinHostPort(host, port), nil
}

// validHost accepts an IP address or a DNS name (no wildcard).
func validHost(host string) bool {
	if net.ParseIP(host) != nil {
		return true
	}
	name, err := NormalizeDNSName(host)
	return err == nil && !strings.HasPrefix(name, "*")
}

// ParseTargetLine reads one line of a targets file: "HOST[:PORT] [SERVER_NAME]"
// for an endpoint, or "file:PATH" for a certificate file. Blank lines and
// lines starting with # are skipped (ok is false).
func ParseTargetLine(line string) (t Target, ok bool, err error) {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return Target{}, false, nil
	}
	if path, isFile := strings.CutPrefix(line, "file:"); isFile {
		return Target{Kind: TargetFile, Name: strings.TrimSpace(path)}, true, nil
	}
	fields := strings.Fields(line)
	if len(fields) > 2 {
		return Target{}, false, fmt.Errorf("%q: want HOST[:PORT] [SERVER_NAME] or file:PATH", line)
	}
	addr, err := ParseEndpoint(fields[0])
	if err != nil {
		return Target{}, false, err
	}
	t = Target{Kind: TargetEndpoint, Name: addr}
	if len(fields) == 2 {
		t.ServerName = fields[1]
	}
	return t, true, nil
}
