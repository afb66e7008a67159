package cli

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var pinnedClock = func() time.Time { return time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC) }

// run executes cwsec in-process with buffer streams; outTTY says whether
// stdout claims to be a terminal.
func run(t *testing.T, outTTY bool, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	streams := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, OutTTY: outTTY, ErrTTY: outTTY}
	code = Run(args, streams, pinnedClock)
	return out.String(), errOut.String(), code
}

func TestColourOnlyOnATerminalAndNeverWhenRefused(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	home := filepath.Join(t.TempDir(), "home")
	if _, stderr, code := run(t, false, "--home", home, "init"); code != 0 {
		t.Fatalf("init: %d %s", code, stderr)
	}
	cases := []struct {
		name    string
		tty     bool
		noColor string
		args    []string
		want    bool
	}{
		{"terminal", true, "", nil, true},
		{"pipe", false, "", nil, false},
		{"--no-color", true, "", []string{"--no-color"}, false},
		{"NO_COLOR", true, "1", nil, false},
		{"json", true, "", []string{"-o", "json"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("NO_COLOR", c.noColor)
			out, _, code := run(t, c.tty, append([]string{"--home", home, "status"}, c.args...)...)
			if code != 0 {
				t.Fatalf("status exited %d", code)
			}
			if got := strings.Contains(out, "\x1b["); got != c.want {
				t.Errorf("colour escape present = %v, want %v:\n%s", got, c.want, out)
			}
		})
	}
	_, stderr, _ := run(t, true, "--home", home, "--no-color", "bogus")
	if strings.Contains(stderr, "\x1b[") {
		t.Errorf("error printed in colour despite --no-color: %q", stderr)
	}
}
