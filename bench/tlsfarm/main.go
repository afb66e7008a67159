// Command tlsfarm serves TLS on N loopback ports from one process, for timing
// `cwsec cert check` against `openssl s_client` and sslscan over the same
// endpoints (bench/check.sh). One process is far cheaper than N s_server
// processes, and it counts the handshakes it sees, so a benchmark can say how
// many each checker made.
//
// It makes a private CA (root and intermediate, ECDSA P-256) and, per
// endpoint, a leaf for -name served with the intermediate. Some endpoints are
// bad on purpose, so that verdicts are not all OK: one endpoint in every
// -bad-every is expired, names another host, is self-signed, chains to a root
// nobody trusts, or leaves out the intermediate, in turn.
//
// In -dir it writes root.pem (the trust anchor), targets (one "HOST:PORT NAME"
// line per endpoint, for `cwsec cert check --targets`), expected (each
// endpoint with "ok" or "bad" and the defect), one certificate of each kind
// for `openssl s_server` (serve-KIND.crt, serve-KIND.chain, serve.key), and
// then ready. On SIGUSR1 it
// writes the handshake counters to stats; it stops by itself after -for, on
// SIGINT or SIGTERM, and listens on 127.0.0.1 only. Unix only (SIGUSR1).
//go:build unix

package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

var defects = []string{"expired", "wrong-name", "self-signed", "untrusted-root", "no-intermediate"}

var hellos, handshakes, failed atomic.Int64

// delay stands in for the round trips to a server on the network: loopback
// has none, which flatters a checker that does one endpoint after another.
var delay time.Duration

func main() {
	n := flag.Int("n", 200, "how many endpoints")
	dir := flag.String("dir", "", "where to write root.pem, targets, expected, stats and ready")
	name := flag.String("name", "careware.test", "the server name every good certificate covers")
	badEvery := flag.Int("bad-every", 20, "one endpoint in this many is bad (0: none)")
	life := flag.Duration("for", 15*time.Minute, "stop after this long")
	flag.DurationVar(&delay, "delay", 0, "wait this long after accepting a connection, before the handshake: a stand-in for network round trips")
	flag.Parse()
	if *dir == "" || *n < 1 || *n > 5000 {
		fmt.Fprintln(os.Stderr, "usage: tlsfarm -dir DIR [-n 1..5000] [-name NAME] [-bad-every K] [-for DURATION]")
		os.Exit(64)
	}
	if err := run(*n, *dir, *name, *badEvery, *life); err != nil {
		fmt.Fprintln(os.Stderr, "tlsfarm:", err)
		os.Exit(1)
	}
}

func run(n int, dir, name string, badEvery int, life time.Duration) error {
	now := time.Now()
	pki, err := newPKI(now)
	if err != nil {
		return err
	}
	if err := writePEM(filepath.Join(dir, "root.pem"), pki.root.Raw); err != nil {
		return err
	}
	var targets, expected strings.Builder
	for i := range n {
		defect := ""
		if badEvery > 0 && i%badEvery == badEvery/2 {
			defect = defects[(i/badEvery)%len(defects)]
		}
		cert, err := pki.serverCert(name, defect, now)
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		cfg := &tls.Config{
			Certificates: []tls.Certificate{cert},
			GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
				hellos.Add(1)
				return nil, nil
			},
		}
		go serve(ln, cfg)
		verdict := "ok"
		if defect != "" {
			verdict = "bad " + defect
		}
		fmt.Fprintf(&targets, "%s %s\n", ln.Addr(), name)
		fmt.Fprintf(&expected, "%s %s %s\n", ln.Addr(), name, verdict)
	}
	// One certificate of each kind as files, for `openssl s_server` to serve
	// the same endpoints (bench/check.sh cross-checks a few that way).
	if err := writeKey(filepath.Join(dir, "serve.key"), pki.leafKey); err != nil {
		return err
	}
	for _, kind := range append([]string{"ok"}, defects...) {
		defect := kind
		if kind == "ok" {
			defect = ""
		}
		cert, err := pki.serverCert(name, defect, now)
		if err != nil {
			return err
		}
		if err := writePEM(filepath.Join(dir, "serve-"+kind+".crt"), cert.Certificate[:1]...); err != nil {
			return err
		}
		if err := writePEM(filepath.Join(dir, "serve-"+kind+".chain"), cert.Certificate[1:]...); err != nil {
			return err
		}
	}
	for file, text := range map[string]string{"targets": targets.String(), "expected": expected.String()} {
		if err := os.WriteFile(filepath.Join(dir, file), []byte(text), 0o644); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "ready"), []byte(fmt.Sprintln(os.Getpid())), 0o644); err != nil {
		return err
	}
	sig := make(chan os.Signal, 4)
	signal.Notify(sig, syscall.SIGUSR1, syscall.SIGINT, syscall.SIGTERM)
	stop := time.After(life)
	for {
		select {
		case s := <-sig:
			writeStats(filepath.Join(dir, "stats"))
			if s != syscall.SIGUSR1 {
				return nil
			}
		case <-stop:
			writeStats(filepath.Join(dir, "stats"))
			fmt.Fprintf(os.Stderr, "tlsfarm: stopping after %s\n", life)
			return nil
		}
	}
}

func writeStats(path string) {
	text := fmt.Sprintf("client_hellos %d\nhandshakes %d\nfailed %d\n", hellos.Load(), handshakes.Load(), failed.Load())
	_ = os.WriteFile(path+".tmp", []byte(text), 0o644)
	_ = os.Rename(path+".tmp", path)
}

// serve completes the handshake, then waits for the client to close (no
// checker sends data), each connection bounded by a deadline.
func serve(ln net.Listener, cfg *tls.Config) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			time.Sleep(delay)
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			tc := tls.Server(c, cfg)
			if err := tc.Handshake(); err != nil {
				failed.Add(1)
				return
			}
			handshakes.Add(1)
			buf := make([]byte, 512)
			for {
				if _, err := tc.Read(buf); err != nil {
					return
				}
			}
		}()
	}
}

type pki struct {
	root, inter        *x509.Certificate
	rootKey, interKey  *ecdsa.PrivateKey
	other              *x509.Certificate // a root nobody trusts
	otherKey, leafKey  *ecdsa.PrivateKey
	serial             int64
	interDER, otherDER []byte
}

func newPKI(now time.Time) (*pki, error) {
	p := &pki{}
	var err error
	if p.leafKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	if p.root, p.rootKey, _, err = p.ca("cwsec bench root", nil, nil, now); err != nil {
		return nil, err
	}
	if p.inter, p.interKey, p.interDER, err = p.ca("cwsec bench intermediate", p.root, p.rootKey, now); err != nil {
		return nil, err
	}
	if p.other, p.otherKey, p.otherDER, err = p.ca("untrusted bench root", nil, nil, now); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *pki) next() *big.Int { p.serial++; return big.NewInt(p.serial) }

// ca makes a CA certificate, self-signed when parent is nil.
func (p *pki) ca(cn string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, now time.Time) (*x509.Certificate, *ecdsa.PrivateKey, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: p.next(), Subject: pkix.Name{CommonName: cn},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(5, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true, IsCA: true,
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		return nil, nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, der, err
}

// serverCert is the certificate an endpoint serves, with the given defect.
func (p *pki) serverCert(name, defect string, now time.Time) (tls.Certificate, error) {
	tmpl := &x509.Certificate{
		SerialNumber: p.next(), Subject: pkix.Name{CommonName: name},
		DNSNames:  []string{name},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(0, 0, 90),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	parent, parentKey, chain := p.inter, p.interKey, [][]byte{p.interDER}
	switch defect {
	case "expired":
		tmpl.NotBefore, tmpl.NotAfter = now.AddDate(0, 0, -100), now.AddDate(0, 0, -10)
	case "wrong-name":
		tmpl.Subject.CommonName, tmpl.DNSNames = "elsewhere.test", []string{"elsewhere.test"}
	case "self-signed":
		parent, parentKey, chain = tmpl, p.leafKey, nil
	case "untrusted-root":
		parent, parentKey, chain = p.other, p.otherKey, nil
	case "no-intermediate":
		chain = nil
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &p.leafKey.PublicKey, parentKey)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: append([][]byte{der}, chain...), PrivateKey: p.leafKey}, nil
}

func writePEM(path string, ders ...[]byte) error {
	var out []byte
	for _, der := range ders {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	return os.WriteFile(path, out, 0o644)
}

func writeKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
}
