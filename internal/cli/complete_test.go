package cli

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// complete asks cwsec for completions the way the shell scripts do, and
// returns the suggestions (without the directive line) and whatever stderr
// says beyond cobra's note of the directive, which the scripts discard.
func complete(t *testing.T, args ...string) (suggestions []string, stderr string) {
	t.Helper()
	stdout, errOut, code := run(t, false, append([]string{"__complete"}, args...)...)
	if code != 0 {
		t.Fatalf("__complete %q: exit %d: %s", args, code, errOut)
	}
	for _, line := range strings.Split(errOut, "\n") {
		if line != "" && !strings.HasPrefix(line, "Completion ended with directive:") {
			stderr += line + "\n"
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if line != "" && !strings.HasPrefix(line, ":") {
			suggestions = append(suggestions, line)
		}
	}
	return suggestions, stderr
}

func TestCompletionOfUsersAndCertificateIDs(t *testing.T) {
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	must := func(args ...string) string {
		t.Helper()
		stdout, stderr, code := run(t, false, append([]string{"--home", home}, args...)...)
		if code != 0 {
			t.Fatalf("%q: exit %d: %s", args, code, stderr)
		}
		return stdout
	}
	must("init")
	must("2fa", "enroll", "alice", "--qr", "none")
	must("2fa", "enroll", "albert", "--qr", "none")
	must("2fa", "enroll", "bob", "--qr", "none")
	must("cert", "request", "--cn", "careware.example.org", "--out", filepath.Join(dir, "careware.csr"))
	var id string
	for _, line := range strings.Split(must("cert", "list"), "\n") {
		if strings.Contains(line, "careware.example.org") {
			id = strings.Fields(line)[0]
		}
	}
	if id == "" {
		t.Fatal("no request in cert list")
	}

	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"2fa", "status", ""}, []string{"albert\tpending", "alice\tpending", "bob\tpending"}},
		{[]string{"2fa", "verify", "al"}, []string{"albert\tpending", "alice\tpending"}},
		{[]string{"2fa", "confirm", "b"}, []string{"bob\tpending"}},
		{[]string{"2fa", "reset", "x"}, nil},
		{[]string{"2fa", "unlock", ""}, []string{"albert\tpending", "alice\tpending", "bob\tpending"}},
		{[]string{"2fa", "recovery-codes", ""}, nil},  // nobody is active yet
		{[]string{"2fa", "verify", "alice", ""}, nil}, // the second argument is a code
		{[]string{"cert", "show", ""}, []string{id + "\tpending: careware.example.org"}},
		{[]string{"cert", "show", strings.ToUpper(id[:2])}, []string{id + "\tpending: careware.example.org"}},
		{[]string{"cert", "export", ""}, nil}, // a request has no certificate to export
	}
	for _, c := range cases {
		// --home after the subcommand, as a user may type it: the completion
		// must read the store the command line names.
		got, stderr := complete(t, append([]string{"--home", home}, c.args...)...)
		if !slices.Equal(got, c.want) {
			t.Errorf("complete %q = %q, want %q", c.args, got, c.want)
		}
		if stderr != "" {
			t.Errorf("complete %q wrote to stderr: %s", c.args, stderr)
		}
	}
	t.Setenv("CWSEC_HOME", home)
	if got, _ := complete(t, "2fa", "status", "b"); !slices.Equal(got, []string{"bob\tpending"}) {
		t.Errorf("with CWSEC_HOME: %q", got)
	}
}

// TestCompletionOffersNothingWhenTheStoreCannotBeRead: no store, a locked
// store or a wrong key give no suggestions and no error, and do not wait the
// full lock timeout.
func TestCompletionOffersNothingWhenTheStoreCannotBeRead(t *testing.T) {
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	if got, stderr := complete(t, "--home", home, "2fa", "status", ""); got != nil || stderr != "" {
		t.Errorf("no store: %q %q", got, stderr)
	}
	if _, stderr, code := run(t, false, "--home", home, "init"); code != 0 {
		t.Fatal(stderr)
	}
	if _, stderr, code := run(t, false, "--home", home, "2fa", "enroll", "alice", "--qr", "none"); code != 0 {
		t.Fatal(stderr)
	}

	wrongKey := filepath.Join(dir, "other.key")
	if _, stderr, code := run(t, false, "--home", filepath.Join(dir, "other"), "--master-key-file", wrongKey, "init"); code != 0 {
		t.Fatal(stderr)
	}
	if got, _ := complete(t, "--home", home, "--master-key-file", wrongKey, "2fa", "status", ""); got != nil {
		t.Errorf("wrong key: %q", got)
	}

	// Another process writing: bbolt's lock is per open file, so holding it
	// here stands for another cwsec. The configured 1m wait must not apply.
	db, err := bolt.Open(filepath.Join(home, "cwsec.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	t.Setenv("CWSEC_LOCK_TIMEOUT", "1m")
	done := make(chan string)
	go func() {
		stdout, _, _ := run(t, false, "__complete", "--home", home, "2fa", "status", "")
		done <- stdout
	}()
	select {
	case stdout := <-done:
		if strings.Contains(stdout, "alice") {
			t.Errorf("locked store: %q", stdout)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("completion waited for the lock instead of giving up")
	}
}
