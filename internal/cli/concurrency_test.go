package cli_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cwsec/cwsec/internal/twofa"
)

var (
	cwsecBinOnce sync.Once
	cwsecBinDir  string
)

// cwsecBinary is the test binary copied under the name cwsec into a
// directory that every account can read, so tests can start real processes.
func cwsecBinary(t *testing.T) string {
	t.Helper()
	cwsecBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "cwsec-bin")
		if err != nil {
			t.Fatal(err)
		}
		os.Chmod(dir, 0o755)
		copyExecutable(t, filepath.Join(dir, "cwsec"))
		cwsecBinDir = dir
	})
	return filepath.Join(cwsecBinDir, "cwsec")
}

// cwsecCmd prepares cwsec with a home and a pinned clock.
func cwsecCmd(home string, now time.Time, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(cwsecBinDir, "cwsec"), append([]string{"--home", home}, args...)...)
	cmd.Env = append(os.Environ(), "CWSEC_TEST_NOW="+now.UTC().Format(time.RFC3339))
	return cmd
}

func mustRun(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %v\n%s", cmd.Args, err, out)
	}
	return string(out)
}

// enrollActive enrolls and confirms user, returning the secret.
func enrollActive(t *testing.T, home string, now time.Time, user string) []byte {
	t.Helper()
	var res struct{ Secret string }
	if err := json.Unmarshal([]byte(mustRun(t, cwsecCmd(home, now, "2fa", "enroll", user, "--show-secret", "-o", "json"))), &res); err != nil {
		t.Fatal(err)
	}
	secret, err := twofa.DecodeSecret(res.Secret)
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, cwsecCmd(home, now, "2fa", "confirm", user, twofa.CodeAt(secret, twofa.Step(now))))
	return secret
}

// TestConcurrentVerifySameCode starts 100 verify processes at once with the
// same valid code: exactly one is accepted, every attempt is in the audit
// trail, none fails for want of the lock, and the trail stays intact.
func TestConcurrentVerifySameCode(t *testing.T) {
	cwsecBinary(t)
	home := filepath.Join(t.TempDir(), "home")
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	mustRun(t, cwsecCmd(home, now, "init"))
	secret := enrollActive(t, home, now, "alice")
	later := now.Add(time.Minute)
	code := twofa.CodeAt(secret, twofa.Step(later))

	const n = 100
	codes := make([]int, n)
	outputs := make([]string, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := cwsecCmd(home, later, "2fa", "verify", "alice", code)
			<-start
			out, err := cmd.CombinedOutput()
			outputs[i] = string(out)
			if exitErr, ok := err.(*exec.ExitError); ok {
				codes[i] = exitErr.ExitCode()
			} else if err != nil {
				codes[i] = -1
			}
		}()
	}
	close(start)
	wg.Wait()

	accepted := 0
	for i, c := range codes {
		switch c {
		case 0:
			accepted++
		case 1:
			// Replays count as failures, so after max_failures of them the
			// user is locked and the rest are refused as locked.
			if !strings.Contains(outputs[i], "rejected: reused") && !strings.Contains(outputs[i], "rejected: locked") {
				t.Errorf("process %d rejected for another reason: %s", i, outputs[i])
			}
		default:
			t.Errorf("process %d exited %d: %s", i, c, outputs[i])
		}
	}
	if accepted != 1 {
		t.Errorf("%d processes accepted the same code, want exactly 1", accepted)
	}
	var status struct {
		Audit struct {
			Length uint64
			Intact bool
		}
	}
	json.Unmarshal([]byte(mustRun(t, cwsecCmd(home, later, "status", "-o", "json"))), &status)
	// init, enroll, confirm, then one record per verify attempt.
	if !status.Audit.Intact || status.Audit.Length != 3+n {
		t.Errorf("audit trail: %+v, want intact with %d records", status.Audit, 3+n)
	}
}

// TestConcurrentEnrollDifferentUsers: enrollments of different users at the
// same time all land, each once, with an intact trail, and backups taken
// alongside are consistent copies that pass store check and audit verify.
func TestConcurrentEnrollDifferentUsers(t *testing.T) {
	cwsecBinary(t)
	home := filepath.Join(t.TempDir(), "home")
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	mustRun(t, cwsecCmd(home, now, "init"))
	const n = 30
	var wg sync.WaitGroup
	errs := make([]string, n)
	// Backups taken while the enrollments run: each is a consistent copy.
	backups := make([]string, 3)
	for i := range backups {
		backups[i] = filepath.Join(t.TempDir(), "backup.db")
		wg.Add(1)
		go func() {
			defer wg.Done()
			if out, err := cwsecCmd(home, now, "store", "backup", backups[i]).CombinedOutput(); err != nil {
				t.Errorf("backup %d: %v\n%s", i, err, out)
			}
		}()
	}
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := cwsecCmd(home, now, "2fa", "enroll", "user"+string(rune('a'+i%26))+strings.Repeat("x", i/26), "--qr", "none").CombinedOutput()
			if err != nil {
				errs[i] = string(out)
			}
		}()
	}
	wg.Wait()
	for i, e := range errs {
		if e != "" {
			t.Errorf("enroll %d failed: %s", i, e)
		}
	}
	var list struct{ Users []struct{ User string } }
	json.Unmarshal([]byte(mustRun(t, cwsecCmd(home, now, "2fa", "list", "-o", "json"))), &list)
	if len(list.Users) != n {
		t.Errorf("%d users enrolled, want %d", len(list.Users), n)
	}
	out := mustRun(t, cwsecCmd(home, now, "status", "--check"))
	if !strings.HasPrefix(out, "CWSEC OK") {
		t.Errorf("status --check: %s", out)
	}
	for _, b := range backups {
		mustRun(t, cwsecCmd(home, now, "--store", b, "store", "check"))
		mustRun(t, cwsecCmd(home, now, "--store", b, "audit", "verify"))
	}
}
