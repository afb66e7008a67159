package twofa

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"

	"github.com/mdp/qrterminal/v3"
	"rsc.io/qr"
)

const (
	// QuietZone is the blank margin around a QR code, in modules. The QR
	// specification requires four; phones fail to find codes with less,
	// especially on a terminal whose background is not white.
	QuietZone = 4
	// MaxPixelsPerModule bounds WritePNG's scale: 40 px per module already
	// gives a print-quality code of a few thousand pixels a side.
	MaxPixelsPerModule = 40

	// qrLevel is medium error correction (about 15% of the code can be lost):
	// robust against a smudged screen or a printed sheet, while a typical key
	// URI still fits in a version that a terminal can show whole.
	qrLevel = qr.M

	// termColors sets white-on-black explicitly for a terminal QR code, so it
	// reads the same on dark and light themes. 37 is plain white for
	// terminals that know only eight colours; 97, bright white, overrides it
	// where supported, since many themes draw 37 as mid grey.
	termColors = "\x1b[37;97;40m"
	termReset  = "\x1b[0m"
)

// encodeQR encodes uri at the level both renderers use.
func encodeQR(uri string) (*qr.Code, error) {
	if uri == "" {
		return nil, fmt.Errorf("%w: there is nothing to encode", ErrInvalidQR)
	}
	code, err := qr.Encode(uri, qrLevel)
	if err != nil {
		return nil, fmt.Errorf("%w: %v (the key URI is %d bytes; shorten the issuer or account name)", ErrInvalidQR, err, len(uri))
	}
	return code, nil
}

// WritePNG writes uri as a black-on-white QR code PNG with a QuietZone
// margin, pixelsPerModule pixels per module (1..MaxPixelsPerModule). The
// image is 1-bit paletted: the smallest PNG, and unambiguous for scanners.
func WritePNG(w io.Writer, uri string, pixelsPerModule int) error {
	if pixelsPerModule < 1 || pixelsPerModule > MaxPixelsPerModule {
		return fmt.Errorf("%w: %d pixels per module; choose 1 to %d", ErrInvalidQR, pixelsPerModule, MaxPixelsPerModule)
	}
	code, err := encodeQR(uri)
	if err != nil {
		return err
	}
	if err := png.Encode(w, qrImage(code, pixelsPerModule)); err != nil {
		return fmt.Errorf("writing QR code PNG: %w", err)
	}
	return nil
}

// qrImage draws the code itself rather than using rsc.io/qr's Image, whose
// At ignores both the scale and the margin its Bounds promise.
func qrImage(code *qr.Code, scale int) *image.Paletted {
	side := (code.Size + 2*QuietZone) * scale
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	const black = 1 // index into the palette; new images are all index 0, white
	for y := 0; y < code.Size; y++ {
		for x := 0; x < code.Size; x++ {
			if !code.Black(x, y) {
				continue
			}
			x0, y0 := (x+QuietZone)*scale, (y+QuietZone)*scale
			for py := y0; py < y0+scale; py++ {
				row := img.Pix[py*img.Stride:]
				for px := x0; px < x0+scale; px++ {
					row[px] = black
				}
			}
		}
	}
	return img
}

// WriteTerminalQR writes uri as a QR code for a terminal, two modules per
// character cell using half blocks, which keeps a typical key URI under 30
// lines.
//
// qrterminal is driven through GenerateWithConfig with every setting
// explicit, because its Generate writes an escape sequence to os.Stdout and
// reads os.Stdin in raw mode to probe for sixel graphics. Its half-block
// characters assume a light foreground on a dark background; to read on any
// theme, each line is wrapped in explicit white-on-black colours so the
// light modules and the quiet zone are painted, never left to the terminal.
//
// qrterminal also drops two errors: qr.Encode's (and then dereferences the
// nil code) and every Write's. So the URI is encoded here first, at the same
// level, and the drawing goes to memory and reaches w in one checked Write.
func WriteTerminalQR(w io.Writer, uri string) error {
	if _, err := encodeQR(uri); err != nil {
		return err
	}
	var raw bytes.Buffer
	qrterminal.GenerateWithConfig(uri, qrterminal.Config{
		Level:          qrLevel,
		Writer:         &raw,
		HalfBlocks:     true,
		BlackChar:      qrterminal.BLACK_BLACK, // " ": both halves dark (background)
		WhiteChar:      qrterminal.WHITE_WHITE, // "█": both halves light (foreground)
		WhiteBlackChar: qrterminal.WHITE_BLACK, // "▀": light above dark
		BlackWhiteChar: qrterminal.BLACK_WHITE, // "▄": dark above light
		QuietZone:      QuietZone,
		WithSixel:      false,
	})
	if _, err := w.Write(colorLines(raw.Bytes())); err != nil {
		return fmt.Errorf("writing QR code to the terminal: %w", err)
	}
	return nil
}

// colorLines wraps each line in termColors and a reset. The reset comes
// before the newline, so the colour cannot bleed into the rest of the line
// or into whatever the terminal scrolls in next.
func colorLines(text []byte) []byte {
	lines := bytes.SplitAfter(text, []byte("\n"))
	var out bytes.Buffer
	out.Grow(len(text) + len(lines)*(len(termColors)+len(termReset)))
	for _, line := range lines {
		body := bytes.TrimSuffix(line, []byte("\n"))
		if len(body) == 0 {
			continue
		}
		out.WriteString(termColors)
		out.Write(body)
		out.WriteString(termReset)
		out.WriteByte('\n')
	}
	return out.Bytes()
}
