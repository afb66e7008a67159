// Package profile holds benchmarks that run cwsec's command line in-process,
// so that `go test -cpuprofile` shows where a command's own time goes
// (process start-up, page faults and package init are not in them: see
// bench/startup.sh and GODEBUG=inittrace=1 for those). See docs/performance.md.
package profile

import (
	"bytes"
	"testing"
	"time"

	"github.com/cwsec/cwsec/internal/cli"
)

func run(b *testing.B, args ...string) {
	b.Helper()
	var out, errOut bytes.Buffer
	s := &cli.IOStreams{In: bytes.NewReader(nil), Out: &out, ErrOut: &errOut}
	if code := cli.Run(args, s, time.Now); code != 0 {
		b.Fatalf("cwsec %v: exit %d: %s", args, code, errOut.String())
	}
}

// BenchmarkVersion is `cwsec version` after the process has started: the
// command tree, config resolution and the one line of output.
func BenchmarkVersion(b *testing.B) {
	b.Setenv("CWSEC_HOME", b.TempDir())
	for b.Loop() {
		run(b, "version")
	}
}
