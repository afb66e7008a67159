// Package peer finds the real tools that tests compare cwsec against
// (openssl, oathtool, zbarimg, sslscan, setpriv, script). A missing peer
// skips the test on a developer's machine and fails it under CI (CI=true),
// where .ci/run installs every one of them.
package peer

import (
	"os"
	"os/exec"
	"testing"
)

// Require returns the path of the named tool, or skips (fails under CI).
func Require(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing; .ci/run must install it", name)
		}
		t.Skipf("%s not installed", name)
	}
	return path
}
