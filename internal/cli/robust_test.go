//go:build unix

package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

var robustNow = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

type listed struct {
	Users []struct {
		User  string
		State string
	}
}

func listUsers(t *testing.T, home string) map[string]string {
	t.Helper()
	var l listed
	if err := json.Unmarshal([]byte(mustRun(t, cwsecCmd(home, robustNow, "2fa", "list", "-o", "json"))), &l); err != nil {
		t.Fatal(err)
	}
	users := map[string]string{}
	for _, u := range l.Users {
		users[u.User] = u.State
	}
	return users
}

func auditEnrollCount(t *testing.T, home string) (enrolls int, intact bool) {
	t.Helper()
	events := readTrail(t, filepath.Join(home, "cwsec.db"))
	for _, ev := range events {
		if ev["action"] == "2fa.enroll" {
			enrolls++
		}
	}
	out, err := cwsecCmd(home, robustNow, "status", "--check").CombinedOutput()
	return enrolls, err == nil && strings.HasPrefix(string(out), "CWSEC OK")
}

// TestKilledDuringBulkEnrollment kills cwsec with SIGKILL at pseudo-random
// moments of a bulk enrollment, 50 times. Whatever the moment, the store
// opens, the audit trail is intact, and every user of the batch is either
// fully enrolled (pending, with an audit record) or absent.
func TestKilledDuringBulkEnrollment(t *testing.T) {
	cwsecBinary(t)
	home := filepath.Join(t.TempDir(), "home")
	mustRun(t, cwsecCmd(home, robustNow, "init"))
	rng := rand.New(rand.NewPCG(1, 2)) // fixed seed: the same moments every run
	killed := 0
	for round := range 50 {
		csv := filepath.Join(t.TempDir(), "batch.csv")
		var rows strings.Builder
		for i := range 600 {
			fmt.Fprintf(&rows, "r%02du%03d\n", round, i)
		}
		if err := os.WriteFile(csv, []byte(rows.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := cwsecCmd(home, robustNow, "2fa", "enroll", "--batch", csv, "--show-secret", "-o", "json")
		cmd.Stdout, cmd.Stderr = new(bytes.Buffer), new(bytes.Buffer)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.IntN(150)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		if err := cmd.Wait(); err != nil {
			killed++
		}
	}
	users := listUsers(t, home)
	for name, state := range users {
		if state != "pending" {
			t.Errorf("%s is %s, want pending", name, state)
		}
	}
	enrolls, intact := auditEnrollCount(t, home)
	if !intact {
		t.Error("the audit trail is not intact after the kills")
	}
	if enrolls != len(users) {
		t.Errorf("%d enroll records for %d users: a user is half enrolled", enrolls, len(users))
	}
	t.Logf("%d of 50 runs killed mid-way; %d users enrolled in all", killed, len(users))
}

// needMountRoot skips where no small file system can be mounted for a test.
func needMountRoot(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Skip("needs root on Linux to mount a small file system")
	}
}

func mount(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("mount", args...).CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("mount %v: %v\n%s", args, err, out)
		}
		t.Skipf("cannot mount here: %v %s", err, out)
	}
	target := args[len(args)-1]
	t.Cleanup(func() { exec.Command("umount", "-l", target).Run() })
}

func exitCode(err error) int {
	if exitErr, ok := err.(*exec.ExitError); ok {
		return exitErr.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// TestFullDisk fills a small tmpfs that holds the store: writes fail cleanly
// with exit 3 and a hint, verify fails closed, the store stays intact, and
// all works again once space is freed.
func TestFullDisk(t *testing.T) {
	needMountRoot(t)
	cwsecBinary(t)
	dir := t.TempDir()
	mount(t, "-t", "tmpfs", "-o", "size=512k", "tmpfs", dir)
	home := filepath.Join(dir, "home")
	mustRun(t, cwsecCmd(home, robustNow, "init"))
	enrollActive(t, home, robustNow, "alice")
	filler := filepath.Join(dir, "filler")
	// Fill the rest of the file system.
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			break
		}
	}
	f.Close()

	csv := filepath.Join(t.TempDir(), "many.csv")
	var rows strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&rows, "full%04d\n", i)
	}
	os.WriteFile(csv, []byte(rows.String()), 0o600)
	out, err := cwsecCmd(home, robustNow, "2fa", "enroll", "--batch", csv, "--show-secret").CombinedOutput()
	if code := exitCode(err); code != 3 || !strings.Contains(string(out), "no space left on device") ||
		!strings.Contains(string(out), "hint: the disk is full") || strings.Contains(string(out), "goroutine") {
		t.Errorf("bulk enroll on a full disk: exit %d\n%s", code, out)
	}
	// A verify may still fit in pages the store already has; either it is
	// decided and recorded (1: the code is wrong), or it fails closed (3).
	later := robustNow.Add(time.Minute)
	out, err = cwsecCmd(home, later, "2fa", "verify", "alice", "123456").CombinedOutput()
	if code := exitCode(err); code != 1 && !(code == 3 && strings.Contains(string(out), "no space left")) {
		t.Errorf("verify on a full disk: exit %d\n%s", code, out)
	}
	os.Remove(filler)
	if users := listUsers(t, home); len(users) != 1 || users["alice"] != "active" {
		t.Errorf("users after the full disk: %v, want only alice", users)
	}
	if _, intact := auditEnrollCount(t, home); !intact {
		t.Error("the audit trail is not intact after the full disk")
	}
}

// TestReadOnlyStore: on a read-only mount, reading commands work and writing
// ones fail with exit 3 and a hint, never a panic.
func TestReadOnlyStore(t *testing.T) {
	needMountRoot(t)
	cwsecBinary(t)
	src := t.TempDir()
	home := filepath.Join(src, "home")
	mustRun(t, cwsecCmd(home, robustNow, "init"))
	enrollActive(t, home, robustNow, "alice")
	ro := t.TempDir()
	mount(t, "--bind", src, ro)
	mount(t, "-o", "remount,bind,ro", ro)
	roHome := filepath.Join(ro, "home")
	if out, err := cwsecCmd(roHome, robustNow, "status", "--check").CombinedOutput(); err != nil {
		t.Errorf("status on a read-only store: %v\n%s", err, out)
	}
	for _, args := range [][]string{{"2fa", "verify", "alice", "123456"}, {"2fa", "enroll", "bob", "--qr", "none"}, {"2fa", "enable"}} {
		out, err := cwsecCmd(roHome, robustNow, args...).CombinedOutput()
		if code := exitCode(err); code != 3 || !strings.Contains(string(out), "read-only") || strings.Contains(string(out), "goroutine") {
			t.Errorf("%v on a read-only store: exit %d\n%s", args, code, out)
		}
	}
}

// TestHostileFiles gives every file-reading option random bytes, an empty
// file, a directory, a symlink to /dev/zero, a FIFO, a 100 MB file and
// invalid UTF-8: each is a clear error, never a panic or a hang.
func TestHostileFiles(t *testing.T) {
	cwsecBinary(t)
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	mustRun(t, cwsecCmd(home, robustNow, "init"))
	random := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	// A file that parses as a certificate, so that the option under test is
	// the one that meets the hostile input.
	inputsGood := write(t, dir, "good.pem", []byte(testCertificatePEM))
	inputs := map[string]string{
		"random":   write(t, dir, "random", random),
		"empty":    write(t, dir, "empty", nil),
		"dir":      dir,
		"devzero":  symlink(t, "/dev/zero", filepath.Join(dir, "zero")),
		"fifo":     fifo(t, filepath.Join(dir, "fifo")),
		"huge":     sparse(t, filepath.Join(dir, "huge"), 100<<20),
		"badutf8":  write(t, dir, "badutf8", []byte("user\xff\xfe\n\xc3\x28,issuer\n")),
		"nonexist": filepath.Join(dir, "does-not-exist"),
	}
	commands := map[string]func(path string) []string{
		"--config":          func(p string) []string { return []string{"--config", p, "status"} },
		"--master-key-file": func(p string) []string { return []string{"--master-key-file", p, "status"} },
		"--store":           func(p string) []string { return []string{"--store", p, "status"} },
		"2fa enroll --batch": func(p string) []string {
			return []string{"2fa", "enroll", "--batch", p, "--show-secret"}
		},
		"cert inspect":              func(p string) []string { return []string{"cert", "inspect", p} },
		"cert install":              func(p string) []string { return []string{"cert", "install", p, "--offline", "--no-deploy"} },
		"cert install --chain":      func(p string) []string { return []string{"cert", "install", inputsGood, "--chain", p, "--offline"} },
		"cert install --key":        func(p string) []string { return []string{"cert", "install", inputsGood, "--key", p, "--offline"} },
		"cert check FILE":           func(p string) []string { return []string{"cert", "check", p} },
		"cert check --targets":      func(p string) []string { return []string{"cert", "check", "--targets", p} },
		"cert check --roots":        func(p string) []string { return []string{"cert", "check", "--roots", p, "--installed"} },
		"audit verify --checkpoint": func(p string) []string { return []string{"audit", "verify", "--checkpoint", p} },
		"cert export --password-file": func(p string) []string {
			return []string{"cert", "export", "--format", "pfx", "--out", filepath.Join(dir, "never.pfx"), "--password-file", p}
		},
	}
	for cname, build := range commands {
		for iname, path := range inputs {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			cmd := exec.CommandContext(ctx, filepath.Join(cwsecBinDir, "cwsec"), append([]string{"--home", home}, build(path)...)...)
			cmd.Env = append(os.Environ(), "CWSEC_TEST_NOW="+robustNow.Format(time.RFC3339))
			out, err := cmd.CombinedOutput()
			cancel()
			code := exitCode(err)
			if cname == "--config" && iname == "empty" {
				if code != 0 {
					t.Errorf("an empty config file sets nothing and is fine; got exit %d\n%s", code, out)
				}
				continue
			}
			if ctx.Err() == context.DeadlineExceeded {
				t.Errorf("%s %s: hung", cname, iname)
				continue
			}
			// Checks report an unreadable target as UNKNOWN (exit 3) in their
			// own output rather than as an error.
			reported := strings.Contains(string(out), "cwsec: error:") || (code == 3 && strings.Contains(string(out), "UNKNOWN"))
			if (code != 1 && code != 3) || !reported ||
				strings.Contains(string(out), "goroutine") || strings.Contains(string(out), "panic") {
				t.Errorf("%s %s: exit %d\n%s", cname, iname, code, out)
			}
		}
	}
}

func write(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func symlink(t *testing.T, target, link string) string {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	return link
}

func fifo(t *testing.T, path string) string {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// sparse makes a file of size bytes without writing them.
func sparse(t *testing.T, path string, size int64) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	return path
}

// testCertificatePEM is any well-formed certificate (self-signed, short-lived):
// enough for an option other than the certificate to be read.
const testCertificatePEM = `-----BEGIN CERTIFICATE-----
MIIBfTCCASOgAwIBAgIUQ++zudnRkjGvYCkfW4iu6DX+UK8wCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MB4XDTI2MTIwMzE0MjQyOVoXDTI2MTIwNDE0
MjQyOVowFDESMBAGA1UEAwwJbG9jYWxob3N0MFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAEyaBuVqJESCTC8BsgJmcQIoXDtHrfFY+PZeVF9Cjrd+FtCsAyphtXARiu
eXLge6QkRLTF3UEjElzh2+Sx4+A/aqNTMFEwHQYDVR0OBBYEFPoZGxCWYx0SEDmg
nSyNUI6XJFUfMB8GA1UdIwQYMBaAFPoZGxCWYx0SEDmgnSyNUI6XJFUfMA8GA1Ud
EwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIhALCvx8qZpiR9JkQOIqiYC1ar
n6/nDjJhxsH+IOVl3GNTAiBXfH7vEDi+GoJJFGS9isrxwMmamwUHb318/5PA3hKQ
ug==
-----END CERTIFICATE-----
`
