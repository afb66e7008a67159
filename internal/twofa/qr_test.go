package twofa

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/cwsec/cwsec/internal/testsupport/termqr"
)

const sampleURI = "otpauth://totp/CAREWare%20Clinic:alice@example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=CAREWare%20Clinic&algorithm=SHA1&digits=6&period=30"

func TestWritePNG(t *testing.T) {
	var buf bytes.Buffer
	if err := WritePNG(&buf, sampleURI, 5); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := encodeQR(sampleURI)
	side := (code.Size + 2*QuietZone) * 5
	if b := img.Bounds(); b.Dx() != side || b.Dy() != side {
		t.Fatalf("image is %v, want %d px square", b, side)
	}
	// Only pure black and pure white, and the quiet zone is all white.
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			g := color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y
			if g != 0 && g != 0xff {
				t.Fatalf("pixel (%d,%d) is grey %d", x, y, g)
			}
			inQuiet := x < QuietZone*5 || y < QuietZone*5 || x >= side-QuietZone*5 || y >= side-QuietZone*5
			if inQuiet && g != 0xff {
				t.Fatalf("quiet zone pixel (%d,%d) is black", x, y)
			}
			// Each module is a solid block that agrees with the encoder.
			if !inQuiet {
				mx, my := x/5-QuietZone, y/5-QuietZone
				if code.Black(mx, my) != (g == 0) {
					t.Fatalf("pixel (%d,%d) disagrees with module (%d,%d)", x, y, mx, my)
				}
			}
		}
	}
}

func TestWritePNGRefuses(t *testing.T) {
	tests := []struct {
		name string
		uri  string
		ppm  int
	}{
		{"zero scale", sampleURI, 0},
		{"negative scale", sampleURI, -3},
		{"huge scale", sampleURI, MaxPixelsPerModule + 1},
		{"empty", "", 4},
		{"too long for any QR version", strings.Repeat("x", 4000), 4},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		if err := WritePNG(&buf, tt.uri, tt.ppm); !errors.Is(err, ErrInvalidQR) {
			t.Errorf("%s: %v; want ErrInvalidQR", tt.name, err)
		}
		if buf.Len() != 0 {
			t.Errorf("%s: wrote %d bytes", tt.name, buf.Len())
		}
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

func TestWritersReportWriteErrors(t *testing.T) {
	diskFull := errors.New("no space left on device")
	if err := WritePNG(failingWriter{diskFull}, sampleURI, 4); !errors.Is(err, diskFull) {
		t.Errorf("WritePNG: %v", err)
	}
	if err := WriteTerminalQR(failingWriter{diskFull}, sampleURI); !errors.Is(err, diskFull) {
		t.Errorf("WriteTerminalQR: %v", err)
	}
}

// qrterminal itself would dereference a nil code for an unencodable URI.
func TestWriteTerminalQRRefusesUnencodable(t *testing.T) {
	for _, uri := range []string{"", strings.Repeat("x", 4000)} {
		var buf bytes.Buffer
		if err := WriteTerminalQR(&buf, uri); !errors.Is(err, ErrInvalidQR) {
			t.Errorf("len %d: %v; want ErrInvalidQR", len(uri), err)
		}
		if buf.Len() != 0 {
			t.Errorf("len %d: wrote %d bytes", len(uri), buf.Len())
		}
	}
}

func TestWriteTerminalQRShape(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTerminalQR(&buf, sampleURI); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "\x1bP") || strings.Contains(out, "\x1b[c") {
		t.Error("output contains sixel or a terminal query")
	}
	img := terminalQRImage(t, out, 1)
	code, _ := encodeQR(sampleURI)
	// The drawing must be the encoder's modules, with at least a 4-module
	// light margin on every side.
	b := img.Bounds()
	if b.Dx() < code.Size+2*QuietZone || b.Dy() < code.Size+2*QuietZone {
		t.Fatalf("drawing %v too small for %d modules plus quiet zone", b, code.Size)
	}
	for y := 0; y < code.Size+2*QuietZone; y++ {
		for x := 0; x < code.Size+2*QuietZone; x++ {
			black := img.GrayAt(x, y).Y == 0
			want := code.Black(x-QuietZone, y-QuietZone)
			if black != want {
				t.Fatalf("module (%d,%d): black=%v, want %v", x-QuietZone, y-QuietZone, black, want)
			}
		}
	}
	if lines := strings.Count(out, "\n"); lines > (code.Size+2*QuietZone)/2+1 {
		t.Errorf("%d lines for a %d-module code: not using half blocks?", lines, code.Size)
	}
}

// terminalQRImage draws WriteTerminalQR's output as a terminal shows it.
func terminalQRImage(t *testing.T, out string, scale int) *image.Gray {
	t.Helper()
	img, err := termqr.Draw(out, scale)
	if err != nil {
		t.Fatal(err)
	}
	return img
}
