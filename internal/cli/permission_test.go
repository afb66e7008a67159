package cli_test

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/cwsec/cwsec/internal/testsupport/peer"
)

// TestPermissionDeniedAsAnotherUser runs cwsec as an unprivileged account
// against a store that root made. Root ignores file permissions, so this is
// the only honest way to see what an administrator who forgot sudo sees.
func TestPermissionDeniedAsAnotherUser(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() != 0 {
		t.Skip("needs root to switch to another account")
	}
	setpriv := peer.Require(t, "setpriv")
	dir, err := os.MkdirTemp("", "cwsec-perm")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "cwsec")
	copyExecutable(t, bin)
	home := filepath.Join(dir, "home")
	if out, err := exec.Command(bin, "--home", home, "init").CombinedOutput(); err != nil {
		t.Fatalf("init as root: %v\n%s", err, out)
	}
	before, _ := os.ReadFile(filepath.Join(home, "cwsec.db"))

	asNobody := func(args ...string) (stdout, stderr string, code int) {
		cmd := exec.Command(setpriv, append([]string{"--reuid=65534", "--regid=65534", "--clear-groups", bin, "--home", home}, args...)...)
		cmd.Env = append(os.Environ(), "HOME="+dir)
		var out, errOut strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		if exitErr, ok := err.(*exec.ExitError); ok {
			code = exitErr.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String(), errOut.String(), code
	}

	for _, args := range [][]string{{"status"}, {"status", "--check"}, {"init"}} {
		_, stderr, code := asNobody(args...)
		if code != 3 || !strings.Contains(stderr, "permission denied") ||
			!strings.Contains(stderr, "hint: run cwsec as the account that owns its home directory") ||
			strings.Contains(stderr, "goroutine") {
			t.Errorf("%v as nobody: exit %d, stderr:\n%s", args, code, stderr)
		}
	}
	stdout, _, code := asNobody("status", "-o", "json")
	if code != 3 || !strings.Contains(stdout, `"exit_code": 3`) {
		t.Errorf("status -o json as nobody: exit %d, stdout:\n%s", code, stdout)
	}
	after, _ := os.ReadFile(filepath.Join(home, "cwsec.db"))
	if string(before) != string(after) {
		t.Error("the store changed")
	}
}

// copyExecutable copies the test binary, which runs cwsec when named cwsec.
func copyExecutable(t *testing.T, dst string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
