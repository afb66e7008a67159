package cli_test

import (
	"bytes"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

	"github.com/cwsec/cwsec/internal/cli"
)

// pinnedNow is the clock every script runs at, unless it sets CWSEC_TEST_NOW.
const pinnedNow = "2026-12-03T12:00:00Z"

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"cwsec":    func() { os.Exit(cli.Run(os.Args[1:], cli.SystemStreams(), testClock())) },
		"holdlock": holdLock,
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
			"exitcode":  cmdExitCode,
			"perm":      cmdPerm,
			"waitfile":  cmdWaitFile,
			"jsondoc":   cmdJSONDoc,
			"mkbolt":    cmdMkBolt,
			"randfile":  cmdRandFile,
			"tamper":    cmdTamper,
			"jsonenv":   cmdJSONEnv,
			"stdoutenv": cmdStdoutEnv,
			"nosecret":  cmdNoSecret,
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
