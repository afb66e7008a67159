package cli_test

import (
	"bytes"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/cwsec/cwsec/internal/testsupport/peer"
	"github.com/cwsec/cwsec/internal/testsupport/termqr"
)

// TestTerminalQRScans runs `cwsec 2fa enroll` on a real pseudo-terminal (via
// script(1)), draws the QR code it printed as the terminal would, and reads it
// with zbarimg, as a phone pointed at the screen would.
func TestTerminalQRScans(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("script(1) is Unix")
	}
	script := peer.Require(t, "script")
	zbarimg := peer.Require(t, "zbarimg")
	dir := t.TempDir()
	bin := cwsecBinary(t)
	home := filepath.Join(dir, "home")
	if out, err := exec.Command(bin, "--home", home, "init").CombinedOutput(); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}

	cmd := exec.Command(script, "-q", "-e", "-c", bin+" --home "+home+" 2fa enroll alice", "/dev/null")
	cmd.Stdin = strings.NewReader("\n") // no code yet: confirm later
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("enroll on a terminal: %v\n%s", err, out)
	}
	screen := string(out)
	for _, want := range []string{"Account in the app: CAREWare:alice", "Key for manual entry", "enter the 6-digit code", "Not confirmed yet"} {
		if !strings.Contains(screen, want) {
			t.Errorf("terminal output lacks %q", want)
		}
	}
	img, err := termqr.Draw(termqr.Extract(screen), 8)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	pic := filepath.Join(dir, "screen.png")
	if err := os.WriteFile(pic, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	decoded, err := exec.Command(zbarimg, "--raw", "-q", pic).Output()
	if err != nil {
		t.Fatalf("zbarimg could not read the terminal QR code: %v", err)
	}
	m := regexp.MustCompile(`^otpauth://totp/CAREWare:alice\?secret=([A-Z2-7]+)&issuer=CAREWare`).FindStringSubmatch(string(decoded))
	if m == nil {
		t.Fatalf("decoded %q, want alice's otpauth URI", decoded)
	}
	grouped := regexp.MustCompile(`Key for manual entry \(time-based, 6 digits\): ([A-Z2-7 ]+)`).FindStringSubmatch(screen)
	if grouped == nil || strings.ReplaceAll(grouped[1], " ", "") != m[1] {
		t.Errorf("the key for manual entry does not match the QR code's secret")
	}
}

// TestBatchProgressOnlyOnATerminal: the progress line is drawn on a terminal
// and never reaches a pipe.
func TestBatchProgressOnlyOnATerminal(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("script(1) is Unix")
	}
	script := peer.Require(t, "script")
	dir := t.TempDir()
	bin := cwsecBinary(t)
	home := filepath.Join(dir, "home")
	csv := filepath.Join(dir, "users.csv")
	if err := os.WriteFile(csv, []byte("ann\nben\ncal\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"qr1", "qr2"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command(bin, "--home", home, "init").CombinedOutput(); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	onTTY, err := exec.Command(script, "-q", "-e", "-c", bin+" --home "+home+" 2fa enroll --batch "+csv+" --png-dir "+filepath.Join(dir, "qr1"), "/dev/null").Output()
	if err != nil {
		t.Fatalf("batch on a terminal: %v\n%s", err, onTTY)
	}
	if !strings.Contains(string(onTTY), "\rEnrolling 3/3") {
		t.Errorf("no progress line on the terminal:\n%q", onTTY)
	}
	piped, err := exec.Command(bin, "--home", home, "2fa", "enroll", "--batch", csv, "--png-dir", filepath.Join(dir, "qr2"), "--force").CombinedOutput()
	if err != nil {
		t.Fatalf("batch piped: %v\n%s", err, piped)
	}
	if strings.Contains(string(piped), "\r") {
		t.Errorf("progress written to a pipe:\n%q", piped)
	}
}
