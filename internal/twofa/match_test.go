package twofa

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// pinned is the fixed "now" of the TOTP tests: 2026-12-03 12:00:00 UTC, the
// start of a time step, so ±n steps are whole multiples of 30 s from it.
var pinned = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

var testSecret = []byte("cwsec test key 0123456789")

func TestMatchWindow(t *testing.T) {
	now := pinned.Add(17 * time.Second) // mid-step: the offset, not the second, decides
	cur := Step(now)
	tests := []struct {
		name    string
		step    int64
		skew    int
		want    error
		wantOff int
	}{
		{"current step", cur, 1, nil, 0},
		{"one step behind", cur - 1, 1, nil, -1},
		{"one step ahead", cur + 1, 1, nil, 1},
		{"two behind, skew 1", cur - 2, 1, ErrWrongCode, 0},
		{"two ahead, skew 1", cur + 2, 1, ErrWrongCode, 0},
		{"two behind, skew 2", cur - 2, 2, nil, -2},
		{"two ahead, skew 2", cur + 2, 2, nil, 2},
		{"one behind, skew 0", cur - 1, 0, ErrWrongCode, 0},
		{"current, skew 0", cur, 0, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Match(testSecret, CodeAt(testSecret, tt.step), now, tt.skew, 0)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Match err = %v, want %v", err, tt.want)
			}
			if err == nil && (res.Step != tt.step || res.Offset != tt.wantOff) {
				t.Errorf("Match = %+v, want step %d offset %d", res, tt.step, tt.wantOff)
			}
		})
	}
}

func TestMatchReplay(t *testing.T) {
	cur := Step(pinned)
	code := CodeAt(testSecret, cur)
	res, err := Match(testSecret, code, pinned, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	// The same code again, even a few seconds later in the same step.
	again, err := Match(testSecret, code, pinned.Add(5*time.Second), 1, res.Step)
	if !errors.Is(err, ErrReused) || again.Step != cur {
		t.Errorf("second use = %+v, %v; want ErrReused at step %d", again, err, cur)
	}
	// And in the next step, while it is still inside the skew window.
	if _, err := Match(testSecret, code, pinned.Add(Period), 1, res.Step); !errors.Is(err, ErrReused) {
		t.Errorf("second use one step later: %v; want ErrReused", err)
	}
	// An earlier step's code after a later one was accepted is a replay too.
	later, err := Match(testSecret, CodeAt(testSecret, cur+1), pinned, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Match(testSecret, code, pinned, 1, later.Step); !errors.Is(err, ErrReused) {
		t.Errorf("earlier step after later: %v; want ErrReused", err)
	}
	// The next step's code is still fresh after the current one was used.
	if _, err := Match(testSecret, CodeAt(testSecret, cur+1), pinned, 1, res.Step); err != nil {
		t.Errorf("next step after current: %v; want accepted", err)
	}
	// A wrong code is wrong, not reused, even with a last step recorded.
	if _, err := Match(testSecret, wrongCode(testSecret, pinned, 2), pinned, 1, res.Step); !errors.Is(err, ErrWrongCode) {
		t.Errorf("wrong code: %v; want ErrWrongCode", err)
	}
}

func TestMatchRefuses(t *testing.T) {
	code := CodeAt(testSecret, Step(pinned))
	tests := []struct {
		name   string
		secret []byte
		code   string
		skew   int
		want   error
	}{
		{"malformed", testSecret, "12345", 1, ErrMalformedCode},
		{"negative skew", testSecret, code, -1, ErrInvalidPolicy},
		{"skew 3", testSecret, code, 3, ErrInvalidPolicy},
		{"empty secret", nil, code, 1, ErrInvalidSecret},
		{"short secret", testSecret[:15], code, 1, ErrInvalidSecret},
	}
	for _, tt := range tests {
		if res, err := Match(tt.secret, tt.code, pinned, tt.skew, 0); !errors.Is(err, tt.want) {
			t.Errorf("%s: Match = %+v, %v; want %v", tt.name, res, err, tt.want)
		}
	}
}

func TestMatchAcceptsSpacedCode(t *testing.T) {
	code := CodeAt(testSecret, Step(pinned))
	if _, err := Match(testSecret, " "+code[:3]+" "+code[3:]+"\n", pinned, 0, 0); err != nil {
		t.Errorf("spaced code refused: %v", err)
	}
}

func TestDriftDescription(t *testing.T) {
	tests := map[int]string{
		0:  "the device's clock is in step",
		-1: "the device's clock is about 30 s behind",
		1:  "the device's clock is about 30 s ahead",
		-2: "the device's clock is about 60 s behind",
		2:  "the device's clock is about 60 s ahead",
	}
	for off, want := range tests {
		if got := DriftDescription(off); got != want {
			t.Errorf("DriftDescription(%d) = %q, want %q", off, got, want)
		}
	}
}

// wrongCode returns a six-digit code that matches no step within ±window of
// now, so tests of rejection cannot be spoiled by a one-in-a-million
// collision.
func wrongCode(secret []byte, now time.Time, window int) string {
	taken := map[string]bool{}
	for off := -window; off <= window; off++ {
		taken[CodeAt(secret, Step(now)+int64(off))] = true
	}
	for i := 0; ; i++ {
		c := strings.Repeat(string(rune('0'+i%10)), 6)
		if !taken[c] {
			return c
		}
	}
}
