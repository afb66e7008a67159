// Package termqr draws a QR code that cwsec printed on a terminal back into a
// picture, as the terminal would show it, so tests can hand it to zbarimg the
// way a phone camera would read the screen. It is used only by tests.
package termqr

import (
	"fmt"
	"image"
	"image/color"
	"strings"
	"unicode/utf8"
)

// The explicit colours cwsec wraps every QR line in: light foreground on a
// dark background, whatever the terminal's theme.
const (
	Colors = "\x1b[37;97;40m"
	Reset  = "\x1b[0m"
)

// Extract returns the QR lines found in terminal output (lines wrapped in
// Colors and Reset), ignoring carriage returns and any other text.
func Extract(out string) string {
	var qr []string
	for _, line := range strings.Split(strings.ReplaceAll(out, "\r", ""), "\n") {
		if strings.HasPrefix(line, Colors) {
			qr = append(qr, line)
		}
	}
	return strings.Join(qr, "\n")
}

// Draw draws the QR lines at scale pixels per module: each character cell is
// one module wide and two tall. It refuses lines not wrapped in the explicit
// colours, since the terminal's own theme would then show through.
func Draw(qrLines string, scale int) (*image.Gray, error) {
	lines := strings.Split(strings.TrimSuffix(qrLines, "\n"), "\n")
	width := -1
	var rows [][]rune
	for i, line := range lines {
		if !strings.HasPrefix(line, Colors) || !strings.HasSuffix(line, Reset) {
			return nil, fmt.Errorf("line %d is not wrapped in explicit colours: %q", i, line)
		}
		body := strings.TrimSuffix(strings.TrimPrefix(line, Colors), Reset)
		if strings.ContainsRune(body, '\x1b') {
			return nil, fmt.Errorf("line %d has a stray escape sequence: %q", i, body)
		}
		if n := utf8.RuneCountInString(body); width == -1 {
			width = n
		} else if n != width {
			return nil, fmt.Errorf("line %d is %d cells wide, want %d", i, n, width)
		}
		rows = append(rows, []rune(body))
	}
	img := image.NewGray(image.Rect(0, 0, width*scale, len(rows)*2*scale))
	for i, row := range rows {
		for j, r := range row {
			top, bottom, ok := halves(r)
			if !ok {
				return nil, fmt.Errorf("unexpected character %q at line %d", r, i)
			}
			fill(img, j*scale, 2*i*scale, scale, top)
			fill(img, j*scale, (2*i+1)*scale, scale, bottom)
		}
	}
	return img, nil
}

// halves says which halves of a half-block character are light.
func halves(r rune) (top, bottom, ok bool) {
	switch r {
	case '█':
		return true, true, true
	case '▀':
		return true, false, true
	case '▄':
		return false, true, true
	case ' ':
		return false, false, true
	}
	return false, false, false
}

func fill(img *image.Gray, x0, y0, scale int, light bool) {
	v := uint8(0)
	if light {
		v = 0xff
	}
	for y := y0; y < y0+scale; y++ {
		for x := x0; x < x0+scale; x++ {
			img.SetGray(x, y, color.Gray{Y: v})
		}
	}
}
