package certs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// DefaultProbeTimeout bounds one connection to an endpoint.
const DefaultProbeTimeout = 10 * time.Second

// ServedChain connects to addr (host:port; port 443 when missing) with TLS and
// returns the certificates the server sent, leaf first. It does not judge
// them: verification is switched off only so that an untrusted, expired or
// wrong certificate can still be read and compared, and nothing is sent over
// the connection. serverName is sent as SNI; when empty, the host of addr is
// used unless it is an IP address.
func ServedChain(ctx context.Context, addr, serverName string, timeout time.Duration) ([]*x509.Certificate, error) {
	if timeout <= 0 {
		timeout = DefaultProbeTimeout
	}
	addr = withDefaultPort(addr, "443")
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("endpoint %q: %w", addr, err)
	}
	if serverName == "" && net.ParseIP(host) == nil {
		serverName = host
	}
	d := &tls.Dialer{
		NetDialer: &net.Dialer{Timeout: timeout},
		Config: &tls.Config{
			ServerName:         serverName,
			InsecureSkipVerify: true, // read-only: the served leaf is compared by fingerprint
			MinVersion:         tls.VersionTLS12,
		},
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("%s: no TLS handshake within %s", addr, timeout)
		}
		return nil, err
	}
	defer conn.Close()
	state := conn.(*tls.Conn).ConnectionState()
	if len(state.PeerCertificates) == 0 {
		return nil, fmt.Errorf("%s sent no certificate", addr)
	}
	return state.PeerCertificates, nil
}

// withDefaultPort adds port to addr when it has none ("host", "[::1]").
func withDefaultPort(addr, port string) string {
	if _, _, err := net.SplitHostPort(addr); err == nil {
		return addr
	}
	return net.JoinHostPort(strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]"), port)
}
