package cli_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/cwsec/cwsec/internal/cli"
	"github.com/cwsec/cwsec/internal/twofa"
)

func runCwsec(t *testing.T, now time.Time, stdin string, args ...string) (string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	streams := &cli.IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut}
	code := cli.Run(args, streams, func() time.Time { return now })
	return out.String() + errOut.String(), code
}

// TestAuditTrailHoldsNoCodeOrSecret: every verification attempt is recorded,
// and no record carries the code, the key or a recovery code.
func TestAuditTrailHoldsNoCodeOrSecret(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	home := filepath.Join(t.TempDir(), "home")
	run := func(stdin string, args ...string) string {
		out, _ := runCwsec(t, now, stdin, append([]string{"--home", home}, args...)...)
		return out
	}
	run("", "init")
	var enrolled struct{ Secret string }
	if err := json.Unmarshal([]byte(run("", "2fa", "enroll", "alice", "--show-secret", "-o", "json")), &enrolled); err != nil {
		t.Fatal(err)
	}
	secret, err := twofa.DecodeSecret(enrolled.Secret)
	if err != nil {
		t.Fatal(err)
	}
	code := twofa.CodeAt(secret, twofa.Step(now))
	run("", "2fa", "confirm", "alice", code)
	var rc struct{ Codes []string }
	json.Unmarshal([]byte(run("", "2fa", "recovery-codes", "alice", "-o", "json")), &rc)
	now = now.Add(time.Minute)
	next := twofa.CodeAt(secret, twofa.Step(now))
	run(next+"\n", "2fa", "verify", "alice", "-")
	run("", "2fa", "verify", "alice", next)     // replay
	run("", "2fa", "verify", "alice", "999999") // wrong
	run("", "2fa", "verify", "alice", rc.Codes[0])

	secrets := append([]string{enrolled.Secret, code, next, "999999"}, rc.Codes...)
	events := readTrail(t, filepath.Join(home, "cwsec.db"))
	verifies := 0
	for _, ev := range events {
		if ev["action"] == "2fa.verify" {
			verifies++
		}
		delete(ev, "mac") // MACs and chain links are hex and may contain any digits
		delete(ev, "prev")
		text, _ := json.Marshal(ev)
		for _, s := range secrets {
			if strings.Contains(string(text), s) {
				t.Errorf("audit record %s contains a secret or code %q", text, s)
			}
		}
	}
	if verifies != 4 {
		t.Errorf("%d verify attempts in the audit trail, want 4", verifies)
	}
}

func readTrail(t *testing.T, path string) []map[string]any {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var events []map[string]any
	db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("audit")).ForEach(func(_, v []byte) error {
			var ev map[string]any
			if err := json.Unmarshal(v, &ev); err != nil {
				t.Fatal(err)
			}
			events = append(events, ev)
			return nil
		})
	})
	return events
}

// Names that testscript cannot type: control characters and invalid UTF-8
// are refused with a reason, and nothing is enrolled.
func TestEnrollRefusesUnprintableNames(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	home := filepath.Join(t.TempDir(), "home")
	runCwsec(t, now, "", "--home", home, "init")
	for _, name := range []string{"al\x00ice", "al\x1bice", "al\nice", "al\xffice", strings.Repeat("a", 65)} {
		out, code := runCwsec(t, now, "", "--home", home, "2fa", "enroll", name, "--qr", "none")
		if code != 1 || !strings.Contains(out, "cwsec: error:") || !strings.Contains(out, "hint:") {
			t.Errorf("enroll %q: exit %d\n%s", name, code, out)
		}
	}
	out, _ := runCwsec(t, now, "", "--home", home, "2fa", "list")
	if !strings.Contains(out, "No users.") {
		t.Errorf("a refused name was enrolled:\n%s", out)
	}
}
