package cli_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	bolt "go.etcd.io/bbolt"

	"github.com/cwsec/cwsec/internal/certs"
	"github.com/cwsec/cwsec/internal/cli"
)

// pinnedNow is the clock every script runs at, unless it sets CWSEC_TEST_NOW.
const pinnedNow = "2026-12-03T12:00:00Z"

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"cwsec":    func() { os.Exit(cli.Run(os.Args[1:], cli.SystemStreams(), testClock())) },
		"holdlock": holdLock,
		"holdread": holdRead,
	})
}

// testClock pins the clock of the cwsec built into the test binary. The hook
// lives only here: the released binary always reads the system clock.
func testClock() func() time.Time {
	at, err := time.Parse(time.RFC3339, os.Getenv("CWSEC_TEST_NOW"))
	if err != nil {
		return time.Now
	}
	return func() time.Time { return at }
}

// holdLock (holdlock STORE READY RELEASE) holds the store's write lock as a
// separate process: it takes the lock, creates READY, and lets go once RELEASE
// exists (or after a minute, so a failed script cannot leave it behind).
func holdLock() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: holdlock STORE READY RELEASE")
		os.Exit(2)
	}
	db, err := bolt.Open(os.Args[1], 0o600, &bolt.Options{Timeout: 10 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer db.Close()
	if err := os.WriteFile(os.Args[2], nil, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(os.Args[3]); err == nil {
			return
		}
	}
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("CWSEC_HOME", filepath.Join(env.WorkDir, "home"))
			env.Setenv("CWSEC_TEST_NOW", pinnedNow)
			env.Setenv("TZ", "UTC")
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if name, ok := strings.CutPrefix(cond, "peer:"); ok {
				return peerAvailable(t, name)
			}
			switch cond {
			case "root":
				return runtime.GOOS != "windows" && os.Geteuid() == 0, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode":   cmdExitCode,
			"perm":       cmdPerm,
			"waitfile":   cmdWaitFile,
			"jsondoc":    cmdJSONDoc,
			"mkbolt":     cmdMkBolt,
			"randfile":   cmdRandFile,
			"tamper":     cmdTamper,
			"jsonenv":    cmdJSONEnv,
			"stdoutenv":  cmdStdoutEnv,
			"nosecret":   cmdNoSecret,
			"opensslca":  cmdOpenSSLCA,
			"nokey":      cmdNoKey,
			"freeport":   cmdFreePort,
			"reap":       cmdReap,
			"sparsefile": cmdSparseFile,
			"aiaserve":   cmdAIAServe,
			"expand":     cmdExpand,
			"concat":     cmdConcat,
			"trailedit":  cmdTrailEdit,
			"sealedit":   cmdSealEdit,
			"jsonset":    cmdJSONSet,
		},
	})
}

// exitcode N PROGRAM ARGS... runs PROGRAM and requires exit code N; stdout and
// stderr are kept for the next stdout/stderr assertions.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			ts.Fatalf("exitcode: %v", err)
		}
		got = exitErr.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d\nstdout:\n%s\nstderr:\n%s", args[1], got, want, ts.ReadFile("stdout"), ts.ReadFile("stderr"))
	}
}

// perm FILE MODE checks permission bits (octal) on systems that have them.
func cmdPerm(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: perm FILE MODE")
	}
	if runtime.GOOS == "windows" {
		return
	}
	want, err := strconv.ParseUint(args[1], 8, 32)
	if err != nil {
		ts.Fatalf("perm: %v", err)
	}
	info, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	if got := uint64(info.Mode().Perm()); (got == want) == neg {
		ts.Fatalf("%s has mode %o, want %s%o", args[0], got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

// waitfile FILE waits (at most 30 s) for a background process to create FILE.
// It synchronises; it asserts nothing about time.
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(ts.MkAbs(args[0])); err == nil {
			return
		}
	}
	ts.Fatalf("%s did not appear", args[0])
}

// jsondoc requires stdout to hold exactly one JSON document, and with
// KEY=VALUE arguments, top-level or dotted fields with those values.
func cmdJSONDoc(ts *testscript.TestScript, neg bool, args []string) {
	dec := json.NewDecoder(strings.NewReader(ts.ReadFile("stdout")))
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		ts.Fatalf("stdout is not a JSON document: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		ts.Fatalf("stdout holds more than one JSON document")
	}
	for _, arg := range args {
		path, want, _ := strings.Cut(arg, "=")
		v := lookupJSON(doc, strings.Split(path, "."))
		if got := fmt.Sprint(v); got != want {
			ts.Fatalf("%s = %q, want %q", path, got, want)
		}
	}
}

// lookupJSON follows a dotted path; a key may itself contain dots, as the
// flat keys of `config show` do ("settings.twofa.skew").
func lookupJSON(v any, parts []string) any {
	if len(parts) == 0 {
		return v
	}
	if list, ok := v.([]any); ok {
		i, err := strconv.Atoi(parts[0])
		if err != nil || i < 0 || i >= len(list) {
			return nil
		}
		return lookupJSON(list[i], parts[1:])
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	for n := len(parts); n > 0; n-- {
		if next, ok := m[strings.Join(parts[:n], ".")]; ok {
			return lookupJSON(next, parts[n:])
		}
	}
	return nil
}

// mkbolt FILE makes a bbolt database that is not a cwsec store.
func cmdMkBolt(ts *testscript.TestScript, neg bool, args []string) {
	db, err := bolt.Open(ts.MkAbs(args[0]), 0o600, nil)
	ts.Check(err)
	ts.Check(db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("other")); return err }))
	ts.Check(db.Close())
}

// randfile FILE SIZE writes SIZE deterministic pseudo-random bytes.
func cmdRandFile(ts *testscript.TestScript, neg bool, args []string) {
	size, err := strconv.Atoi(args[1])
	ts.Check(err)
	data := make([]byte, size)
	x := uint32(2463534242)
	for i := range data {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		data[i] = byte(x)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), data, 0o600))
}

// tamper STORE SEQ edits the target of audit record SEQ directly in the bbolt
// file, as someone with the file but not the master key could.
func cmdTamper(ts *testscript.TestScript, neg bool, args []string) {
	seq, err := strconv.ParseUint(args[1], 10, 64)
	ts.Check(err)
	db, err := bolt.Open(ts.MkAbs(args[0]), 0o600, nil)
	ts.Check(err)
	defer db.Close()
	ts.Check(db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("audit"))
		key := binary.BigEndian.AppendUint64(nil, seq)
		var rec map[string]any
		if err := json.Unmarshal(b.Get(key), &rec); err != nil {
			return err
		}
		rec["target"] = "tampered"
		data, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		return b.Put(key, data)
	}))
}

// peerAvailable is the [peer:NAME] condition: whether a real peer tool is
// installed. Under CI, where .ci/run installs them, a missing peer fails the
// test instead of skipping it.
func peerAvailable(t *testing.T, name string) (bool, error) {
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") == "true" {
			return false, fmt.Errorf("%s is missing; .ci/run must install it", name)
		}
		return false, nil
	}
	return true, nil
}

// jsonenv VAR PATH sets VAR to a field of the JSON document on stdout.
func cmdJSONEnv(ts *testscript.TestScript, neg bool, args []string) {
	var doc any
	ts.Check(json.Unmarshal([]byte(ts.ReadFile("stdout")), &doc))
	v := lookupJSON(doc, strings.Split(args[1], "."))
	if v == nil {
		ts.Fatalf("jsonenv: no %s in stdout", args[1])
	}
	ts.Setenv(args[0], fmt.Sprint(v))
}

// stdoutenv VAR sets VAR to stdout without surrounding white space.
func cmdStdoutEnv(ts *testscript.TestScript, neg bool, args []string) {
	ts.Setenv(args[0], strings.TrimSpace(ts.ReadFile("stdout")))
}

// nosecret FILE BASE32 fails if FILE holds the base32 text or its raw bytes.
func cmdNoSecret(ts *testscript.TestScript, neg bool, args []string) {
	data, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(args[1])
	ts.Check(err)
	if bytes.Contains(data, []byte(args[1])) || bytes.Contains(data, raw) {
		ts.Fatalf("%s contains the secret", args[0])
	}
}

// --- certificate scripts --------------------------------------------------

// opensslCAConfig is the openssl ca configuration opensslca writes: a root
// and an intermediate CA, and extension sections for good and defective
// server certificates. @DIR@ is replaced by the CA directory.
const opensslCAConfig = `[ca]
default_ca = int

[root]
dir = @DIR@
database = $dir/root.index
new_certs_dir = $dir/issued
certificate = $dir/root.pem
private_key = $dir/root.key
serial = $dir/root.serial
default_md = sha256
policy = policy_any
unique_subject = no

[int]
dir = @DIR@
database = $dir/int.index
new_certs_dir = $dir/issued
certificate = $dir/int.pem
private_key = $dir/int.key
serial = $dir/int.serial
default_md = sha256
policy = policy_any
unique_subject = no
# The SANs of the CSR go into the certificate, as a public CA does.
copy_extensions = copy

[int_nocopy]
dir = @DIR@
database = $dir/int.index
new_certs_dir = $dir/issued
certificate = $dir/int.pem
private_key = $dir/int.key
serial = $dir/int.serial
default_md = sha256
policy = policy_any
unique_subject = no

[policy_any]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied

[v3_root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_int]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

# A correct TLS server certificate.
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

# Defects, one each.
[server_clientauth]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[server_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature,keyCertSign
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[server_othername]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:other.example.org
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`

// opensslca DIR makes a two-level CA with openssl in DIR: root.pem (P-384,
// valid 2020 to 2040) and int.pem (P-256, valid 2021 to 2035), their keys,
// and ca.cnf for `openssl ca -config DIR/ca.cnf`. The dates are fixed so
// that the pinned clock falls inside them on any day the tests run.
func cmdOpenSSLCA(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: opensslca DIR")
	}
	dir := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(filepath.Join(dir, "issued"), 0o700))
	name := filepath.Base(dir)
	files := map[string]string{
		"ca.cnf":      strings.ReplaceAll(opensslCAConfig, "@DIR@", dir),
		"root.index":  "",
		"int.index":   "",
		"root.serial": "1000\n",
		"int.serial":  "2000\n",
	}
	for f, content := range files {
		ts.Check(os.WriteFile(filepath.Join(dir, f), []byte(content), 0o600))
	}
	run := func(args ...string) {
		cmd := exec.Command("openssl", args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		ts.Logf("> openssl %s", strings.Join(args, " "))
		if err != nil {
			ts.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-nodes", "-keyout", "root.key", "-out", "root.csr",
		"-subj", "/O=cwsec test/CN="+name+" Root")
	run("ca", "-config", "ca.cnf", "-name", "root", "-batch", "-notext", "-selfsign", "-keyfile", "root.key", "-in", "root.csr",
		"-out", "root.pem", "-extensions", "v3_root", "-startdate", "20200101000000Z", "-enddate", "20400101000000Z")
	run("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "int.key", "-out", "int.csr",
		"-subj", "/O=cwsec test/CN="+name+" Intermediate")
	run("ca", "-config", "ca.cnf", "-name", "root", "-batch", "-notext", "-in", "int.csr",
		"-out", "int.pem", "-extensions", "v3_int", "-startdate", "20210101000000Z", "-enddate", "20350101000000Z")
}

// nokey STORE KEYFILE fails if STORE holds the private key of KEYFILE in any
// form: the PEM text, a line of its base64, its PKCS#8, PKCS#1 or SEC1 DER,
// or the bare private scalar or prime.
func cmdNoKey(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: nokey STORE KEYFILE")
	}
	data, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	keyPEM, err := os.ReadFile(ts.MkAbs(args[1]))
	ts.Check(err)
	key, err := certs.ParsePrivateKeyPEM(keyPEM)
	ts.Check(err)
	forms := map[string][]byte{"PEM": keyPEM}
	if lines := strings.Split(string(keyPEM), "\n"); len(lines) > 2 {
		forms["a base64 line of the PEM"] = []byte(lines[1])
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	ts.Check(err)
	forms["PKCS#8 DER"] = pkcs8
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		sec1, err := x509.MarshalECPrivateKey(k)
		ts.Check(err)
		forms["SEC1 DER"] = sec1
		d, err := k.Bytes()
		ts.Check(err)
		forms["private scalar"] = d
	case *rsa.PrivateKey:
		forms["PKCS#1 DER"] = x509.MarshalPKCS1PrivateKey(k)
		forms["prime"] = k.Primes[0].Bytes()
	}
	for what, f := range forms {
		if bytes.Contains(data, f) {
			ts.Fatalf("%s contains the private key (%s)", args[0], what)
		}
	}
}

// freeport VAR sets VAR to a TCP port on 127.0.0.1 that nothing listens on.
func cmdFreePort(ts *testscript.TestScript, neg bool, args []string) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	port := l.Addr().(*net.TCPAddr).Port
	ts.Check(l.Close())
	ts.Setenv(args[0], strconv.Itoa(port))
}

// reap PIDFILE stops, when the script ends however it ends, the process
// whose ID a background server wrote to PIDFILE.
func cmdReap(ts *testscript.TestScript, neg bool, args []string) {
	path := ts.MkAbs(args[0])
	ts.Defer(func() {
		data, err := os.ReadFile(path)
		if err != nil {
			return
		}
		if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil {
			if p, err := os.FindProcess(pid); err == nil {
				p.Kill()
			}
		}
	})
}

// sparsefile FILE SIZE makes a file of SIZE bytes without writing them.
func cmdSparseFile(ts *testscript.TestScript, neg bool, args []string) {
	size, err := strconv.ParseInt(args[1], 10, 64)
	ts.Check(err)
	f, err := os.Create(ts.MkAbs(args[0]))
	ts.Check(err)
	ts.Check(f.Truncate(size))
	ts.Check(f.Close())
}

// aiaserve DIR VAR serves DIR over HTTP on 127.0.0.1 for the rest of the
// script, as a CA publishes its certificates, and sets VAR to the base URL.
func cmdAIAServe(ts *testscript.TestScript, neg bool, args []string) {
	srv := httptest.NewServer(http.FileServer(http.Dir(ts.MkAbs(args[0]))))
	ts.Defer(srv.Close)
	ts.Setenv(args[1], srv.URL)
}

// expand SRC DST writes SRC to DST with $VAR and ${VAR} replaced by the
// script's environment, for files that must name a port or a URL.
func cmdExpand(ts *testscript.TestScript, neg bool, args []string) {
	data, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(os.Expand(string(data), ts.Getenv)), 0o600))
}

// holdRead (holdread STORE READY RELEASE) is holdlock for a reader: it opens
// the store read-only, as `cwsec status` does, creates READY, and lets go
// once RELEASE exists (or after a minute).
func holdRead() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: holdread STORE READY RELEASE")
		os.Exit(2)
	}
	db, err := bolt.Open(os.Args[1], 0o600, &bolt.Options{Timeout: 10 * time.Second, ReadOnly: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer db.Close()
	tx, err := db.Begin(false)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer tx.Rollback()
	if err := os.WriteFile(os.Args[2], nil, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(os.Args[3]); err == nil {
			return
		}
	}
}

// storedHead reads the audit trail's head from the store file path.
func storedHead(ts *testscript.TestScript, path string) []byte {
	db, err := bolt.Open(ts.MkAbs(path), 0o600, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	ts.Check(err)
	defer db.Close()
	var h []byte
	ts.Check(db.View(func(tx *bolt.Tx) error {
		h = bytes.Clone(tx.Bucket([]byte("audit_head")).Get([]byte("head")))
		return nil
	}))
	return h
}

// trailedit STORE OP [ARGS] edits the audit trail in the bbolt file directly,
// as someone with the file but not the master key could:
//
//	change SEQ      record SEQ's outcome "ok" becomes "no", in the same form
//	remove SEQ      deletes record SEQ
//	renumber SEQ    deletes record SEQ and moves the later records down
//	insert SEQ      moves records SEQ.. up and puts a forged record SEQ between
//	swap A B        exchanges records A and B
//	truncate        deletes the newest record and leaves the head
//	cut N [COPY]    deletes the records after N and points the head at N:
//	                a head written to match, or COPY's, an older copy of the
//	                store whose head is genuine
//	rechain OTHER   replaces trail and head with those of the store OTHER
func cmdTrailEdit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: trailedit STORE OP [ARGS]")
	}
	seqArg := func(i int) []byte {
		if len(args) <= i {
			ts.Fatalf("trailedit %s: missing argument", args[1])
		}
		n, err := strconv.ParseUint(args[i], 10, 64)
		ts.Check(err)
		return binary.BigEndian.AppendUint64(nil, n)
	}
	db, err := bolt.Open(ts.MkAbs(args[0]), 0o600, &bolt.Options{Timeout: 5 * time.Second})
	ts.Check(err)
	defer db.Close()
	ts.Check(db.Update(func(tx *bolt.Tx) error {
		trail, head := tx.Bucket([]byte("audit")), tx.Bucket([]byte("audit_head"))
		get := func(k []byte) []byte { return bytes.Clone(trail.Get(k)) }
		lastKey, _ := trail.Cursor().Last()
		last := binary.BigEndian.Uint64(lastKey)
		switch args[1] {
		case "change":
			k := seqArg(2)
			v := bytes.Replace(get(k), []byte(`"outcome":"ok"`), []byte(`"outcome":"no"`), 1)
			return trail.Put(k, v)
		case "remove":
			return trail.Delete(seqArg(2))
		case "renumber":
			from := binary.BigEndian.Uint64(seqArg(2))
			for i := from; i < last; i++ {
				if err := trail.Put(binary.BigEndian.AppendUint64(nil, i), get(binary.BigEndian.AppendUint64(nil, i+1))); err != nil {
					return err
				}
			}
			return trail.Delete(lastKey)
		case "insert":
			at := binary.BigEndian.Uint64(seqArg(2))
			for i := last; i >= at; i-- {
				if err := trail.Put(binary.BigEndian.AppendUint64(nil, i+1), get(binary.BigEndian.AppendUint64(nil, i))); err != nil {
					return err
				}
			}
			forged := bytes.Replace(get(seqArg(2)), []byte(`"outcome":"ok"`), []byte(`"outcome":"no"`), 1)
			return trail.Put(seqArg(2), forged)
		case "swap":
			a, b := seqArg(2), seqArg(3)
			va, vb := get(a), get(b)
			if err := trail.Put(a, vb); err != nil {
				return err
			}
			return trail.Put(b, va)
		case "truncate":
			return trail.Delete(lastKey)
		case "cut":
			n := binary.BigEndian.Uint64(seqArg(2))
			for i := n + 1; i <= last; i++ {
				if err := trail.Delete(binary.BigEndian.AppendUint64(nil, i)); err != nil {
					return err
				}
			}
			if len(args) > 3 {
				return head.Put([]byte("head"), storedHead(ts, args[3]))
			}
			var rec struct{ MAC string }
			if err := json.Unmarshal(trail.Get(seqArg(2)), &rec); err != nil {
				return err
			}
			h, _ := json.Marshal(map[string]any{"seq": n, "mac": rec.MAC})
			return head.Put([]byte("head"), h)
		case "rechain":
			other, err := bolt.Open(ts.MkAbs(args[2]), 0o600, &bolt.Options{ReadOnly: true})
			if err != nil {
				return err
			}
			defer other.Close()
			if err := tx.DeleteBucket([]byte("audit")); err != nil {
				return err
			}
			if trail, err = tx.CreateBucket([]byte("audit")); err != nil {
				return err
			}
			return other.View(func(otx *bolt.Tx) error {
				err := otx.Bucket([]byte("audit")).ForEach(func(k, v []byte) error { return trail.Put(bytes.Clone(k), bytes.Clone(v)) })
				if err != nil {
					return err
				}
				return head.Put([]byte("head"), bytes.Clone(otx.Bucket([]byte("audit_head")).Get([]byte("head"))))
			})
		}
		return fmt.Errorf("trailedit: unknown operation %q", args[1])
	}))
}

// sealedit STORE BUCKET NAME [delete | from COPY] edits a sealed record in
// the bbolt file, as someone with the file but not the master key could:
// flips a bit of it, deletes it, or puts back the record as the store file
// COPY holds it (an older copy, say).
func cmdSealEdit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 {
		ts.Fatalf("usage: sealedit STORE BUCKET NAME [delete | from COPY]")
	}
	var older []byte
	if len(args) == 5 && args[3] == "from" {
		copyDB, err := bolt.Open(ts.MkAbs(args[4]), 0o600, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
		ts.Check(err)
		ts.Check(copyDB.View(func(tx *bolt.Tx) error {
			older = bytes.Clone(tx.Bucket([]byte(args[1])).Get([]byte(args[2])))
			return nil
		}))
		copyDB.Close()
	}
	db, err := bolt.Open(ts.MkAbs(args[0]), 0o600, &bolt.Options{Timeout: 5 * time.Second})
	ts.Check(err)
	defer db.Close()
	ts.Check(db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(args[1]))
		v := bytes.Clone(b.Get([]byte(args[2])))
		switch {
		case len(args) == 4 && args[3] == "delete":
			return b.Delete([]byte(args[2]))
		case older != nil:
			return b.Put([]byte(args[2]), older)
		case len(args) > 3:
			return fmt.Errorf("sealedit: bad arguments %q", args[3:])
		case v == nil:
			return fmt.Errorf("sealedit: no record %s/%s", args[1], args[2])
		}
		v[len(v)-1] ^= 1
		return b.Put([]byte(args[2]), v)
	}))
}

// jsonset FILE KEY=VALUE... sets top-level fields of a JSON object file; a
// VALUE that is a whole number is written as a number.
func cmdJSONSet(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: jsonset FILE KEY=VALUE...")
	}
	var doc map[string]any
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &doc))
	for _, arg := range args[1:] {
		key, value, _ := strings.Cut(arg, "=")
		if n, err := strconv.ParseInt(value, 10, 64); err == nil {
			doc[key] = n
		} else {
			doc[key] = value
		}
	}
	data, err := json.Marshal(doc)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), data, 0o600))
}

// concat DST SRC... writes the SRC files one after the other to DST, as
// `cat SRC... > DST` would: a certificate with its chain, or with garbage.
func cmdConcat(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: concat DST SRC...")
	}
	var out []byte
	for _, src := range args[1:] {
		data, err := os.ReadFile(ts.MkAbs(src))
		ts.Check(err)
		out = append(out, data...)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), out, 0o600))
}
