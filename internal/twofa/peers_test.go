package twofa

// Tests against the tools a real deployment meets: oathtool computes codes
// the way an independent implementation does, zbarimg reads QR codes the way
// a phone does. They skip when the tool is missing, except under CI, where a
// missing peer is a broken build (.ci/run installs them).

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cwsec/cwsec/internal/testsupport/peer"
)

func runPeer(t *testing.T, path string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %q: %v\n%s", filepath.Base(path), args, err, stderr.String())
	}
	return strings.TrimSpace(stdout.String())
}

// oathtoolTime formats t the way oathtool's --now expects.
func oathtoolTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// Codes oathtool computes for a pinned time are accepted by Match at that
// time, with the offset that the device's (oathtool's) clock error implies.
func TestOathtoolCodesAccepted(t *testing.T) {
	oathtool := peer.Require(t, "oathtool")
	secrets := [][]byte{
		[]byte("12345678901234567890"),
		testSecret,
		mustSecret(t, newDetRand("oathtool 1")),
		mustSecret(t, newDetRand("oathtool 2")),
	}
	times := []time.Time{
		pinned,
		pinned.Add(29 * time.Second),
		time.Date(2031, 7, 14, 3, 17, 45, 0, time.UTC),
	}
	for _, secret := range secrets {
		for _, at := range times {
			for _, drift := range []int{-1, 0, 1} {
				name := fmt.Sprintf("%s/%s/drift%+d", EncodeSecret(secret)[:8], at.Format(time.RFC3339), drift)
				t.Run(name, func(t *testing.T) {
					// The "device" runs drift steps off; we verify at "at".
					device := at.Add(time.Duration(drift) * Period)
					code := runPeer(t, oathtool, "--totp", "-b", "--now", oathtoolTime(device), EncodeSecret(secret))
					res, err := Match(secret, code, at, 1, 0)
					if err != nil {
						t.Fatalf("oathtool code %s at %v refused: %v", code, device, err)
					}
					if res.Offset != drift || res.Step != Step(device) {
						t.Errorf("Match = %+v; want offset %d, step %d", res, drift, Step(device))
					}
					// And the full state machine agrees.
					p := DefaultPolicy()
					u := User{Name: "alice", State: StateActive}
					if _, out := Verify(u, secret, code, at, p); !out.Accepted || out.Offset != drift {
						t.Errorf("Verify = %+v", out)
					}
				})
			}
		}
	}
}

// Two steps off is outside the default window, for oathtool's codes too.
func TestOathtoolCodeOutsideWindow(t *testing.T) {
	oathtool := peer.Require(t, "oathtool")
	code := runPeer(t, oathtool, "--totp", "-b", "--now", oathtoolTime(pinned.Add(2*Period)), EncodeSecret(testSecret))
	if _, err := Match(testSecret, code, pinned, 1, 0); err == nil {
		t.Errorf("code from two steps ahead accepted with skew 1")
	}
	if res, err := Match(testSecret, code, pinned, 2, 0); err != nil || res.Offset != 2 {
		t.Errorf("with skew 2: %+v, %v", res, err)
	}
}

// oathtool's SHA-256/SHA-512 8-digit TOTP and plain HOTP agree with
// GenerateCode for the RFC seeds.
func TestOathtoolGeneralCodes(t *testing.T) {
	oathtool := peer.Require(t, "oathtool")
	seeds := map[Algorithm][]byte{SHA1: seedSHA1, SHA256: seedSHA256, SHA512: seedSHA512}
	for alg, seed := range seeds {
		for _, at := range []time.Time{pinned, time.Unix(1111111109, 0)} {
			want := runPeer(t, oathtool, "--totp="+strings.ToLower(alg.String()), "-d", "8", "-b", "--now", oathtoolTime(at), EncodeSecret(seed))
			if got := GenerateCode(seed, Step(at), alg, 8); got != want {
				t.Errorf("%v at %v: got %s, oathtool %s", alg, at, got, want)
			}
		}
	}
	for _, counter := range []int64{0, 7, 123456} {
		want := runPeer(t, oathtool, "-b", "-c", fmt.Sprint(counter), EncodeSecret(seedSHA1))
		if got := GenerateCode(seedSHA1, counter, SHA1, 6); got != want {
			t.Errorf("HOTP counter %d: got %s, oathtool %s", counter, got, want)
		}
	}
}

func mustSecret(t *testing.T, r *detRand) []byte {
	t.Helper()
	s, err := NewSecret(r)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// uris are key URIs as cwsec writes them: plain, with spaces, with
// characters that need escaping, with non-ASCII names, and at full length.
func peerURIs(t *testing.T) []string {
	t.Helper()
	secret := mustSecret(t, newDetRand("qr"))
	pairs := [][2]string{
		{"CAREWare", "alice"},
		{"CAREWare Clinic", "Alice Smith"},
		{"Ryan White A&B", "alice+ops@example.org"},
		{"Clínica Zoë", "山田太郎"},
		{strings.Repeat("I", MaxIssuerLen), strings.Repeat("a", MaxAccountLen)},
	}
	var uris []string
	for _, p := range pairs {
		uri, err := KeyURI(p[0], p[1], secret)
		if err != nil {
			t.Fatal(err)
		}
		uris = append(uris, uri)
	}
	return uris
}

// zbarimg reads our PNG back to exactly the URI.
func TestZbarimgReadsPNG(t *testing.T) {
	zbarimg := peer.Require(t, "zbarimg")
	for i, uri := range peerURIs(t) {
		for _, ppm := range []int{2, 6} {
			path := filepath.Join(t.TempDir(), fmt.Sprintf("qr-%d-%d.png", i, ppm))
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := WritePNG(f, uri, ppm); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			if got := runPeer(t, zbarimg, "--raw", "-q", path); got != uri {
				t.Errorf("zbarimg read %q, want %q", got, uri)
			}
		}
	}
}

// zbarimg reads the terminal QR code, drawn as a terminal would draw it.
func TestZbarimgReadsTerminalQR(t *testing.T) {
	zbarimg := peer.Require(t, "zbarimg")
	for i, uri := range peerURIs(t) {
		var buf bytes.Buffer
		if err := WriteTerminalQR(&buf, uri); err != nil {
			t.Fatal(err)
		}
		img := terminalQRImage(t, buf.String(), 8)
		path := filepath.Join(t.TempDir(), fmt.Sprintf("term-%d.png", i))
		var pngData bytes.Buffer
		if err := png.Encode(&pngData, img); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, pngData.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		if got := runPeer(t, zbarimg, "--raw", "-q", path); got != uri {
			t.Errorf("zbarimg read %q, want %q", got, uri)
		}
	}
}
