package cli

import (
	"strings"
	"testing"
)

func TestTerminalSafe(t *testing.T) {
	for in, want := range map[string]string{
		"alice":               "alice",
		"dr. ruiz\tnew\nline": "dr. ruiz\tnew\nline",
		"José":                "José",
		"al\x1b[31mice":       `al\x1b[31mice`,
		"bell\a":              `bell\a`,
		"bad\xffbyte":         `bad\xffbyte`,
		"keep \uFFFD as is":   "keep \uFFFD as is",
	} {
		if got := terminalSafe(in); got != want {
			t.Errorf("terminalSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestErrorsNeverCarryEscapes(t *testing.T) {
	home := t.TempDir()
	run(t, false, "--home", home, "init")
	_, stderr, code := run(t, false, "--home", home, "2fa", "reset", "al\x1b]0;owned\aice", "--yes")
	if code != ExitFailed || strings.ContainsAny(stderr, "\x1b\a") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}
