package profile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cwsec/cwsec/internal/cli"
	"github.com/cwsec/cwsec/internal/twofa"
)

// clock is a fake time that moves one TOTP step per verify, so that every
// iteration takes the accept path with a fresh code.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// runAt runs cwsec at the clock's time and returns stdout.
func runAt(b *testing.B, c *clock, stdin string, args ...string) string {
	b.Helper()
	var out, errOut bytes.Buffer
	s := &cli.IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut}
	if code := cli.Run(args, s, c.now); code != 0 {
		b.Fatalf("cwsec %v: exit %d: %s%s", args, code, out.String(), errOut.String())
	}
	return out.String()
}

// enrolledHome makes a home with `pending` pending users and one active
// user "bench", whose secret it returns.
func enrolledHome(b *testing.B, c *clock, pending int) (home string, secret []byte) {
	b.Helper()
	home = filepath.Join(b.TempDir(), "home")
	runAt(b, c, "", "--home", home, "init")
	if pending > 0 {
		var csv strings.Builder
		for i := range pending {
			fmt.Fprintf(&csv, "user%d\n", i)
		}
		list := filepath.Join(b.TempDir(), "users.csv")
		if err := os.WriteFile(list, []byte(csv.String()), 0o600); err != nil {
			b.Fatal(err)
		}
		runAt(b, c, "", "--home", home, "2fa", "enroll", "--batch", list, "--show-secret", "-o", "json")
	}
	var enrolled struct {
		Secret string `json:"secret"`
	}
	if err := json.Unmarshal([]byte(runAt(b, c, "", "--home", home, "2fa", "enroll", "bench", "--show-secret", "-o", "json")), &enrolled); err != nil {
		b.Fatal(err)
	}
	secret, err := twofa.DecodeSecret(enrolled.Secret)
	if err != nil {
		b.Fatal(err)
	}
	runAt(b, c, "", "--home", home, "2fa", "confirm", "bench", twofa.CodeAt(secret, twofa.Step(c.t)))
	return home, secret
}

func benchVerify(b *testing.B, pending int) {
	c := &clock{t: time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)}
	home, secret := enrolledHome(b, c, pending)
	for b.Loop() {
		c.t = c.t.Add(30 * time.Second)
		runAt(b, c, "", "--home", home, "2fa", "verify", "bench", twofa.CodeAt(secret, twofa.Step(c.t)))
	}
}

// BenchmarkVerify is `cwsec 2fa verify` on the accept path, in-process:
// config, store open, one sealed read and write, one audit record, commit.
func BenchmarkVerify(b *testing.B) { benchVerify(b, 10) }

// BenchmarkVerify100k is the same with 100,000 users enrolled.
func BenchmarkVerify100k(b *testing.B) { benchVerify(b, 100_000) }
