package cli

import (
	"errors"
	"testing"
	"time"
)

func TestParseWhen(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"2026-12-01T08:00:00Z":      time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC),
		"2026-12-01T08:00:00+01:00": time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC),
		"2026-12-01":                time.Date(2026, 12, 1, 0, 0, 0, 0, time.Local),
		"90m":                       now.Add(-90 * time.Minute),
		"24h":                       now.Add(-24 * time.Hour),
		"7d":                        now.Add(-7 * 24 * time.Hour),
		"0d":                        now,
	} {
		got, err := parseWhen("--since", in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseWhen(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"yesterday", "-24h", "-1d", "1.5d", "d", "2026-13-01", ""} {
		var usage *usageError
		if _, err := parseWhen("--since", in, now); !errors.As(err, &usage) {
			t.Errorf("parseWhen(%q): %v, want a usage error", in, err)
		}
	}
}

func TestAuditTextCannotForgeFieldsOrEscapes(t *testing.T) {
	for in, want := range map[string]string{
		"alice":        "alice",
		"2fa.reset":    "2fa.reset",
		"älice":        "älice",
		"a b":          `"a b"`,
		"a\x1b[31mb":   `"a\x1b[31mb"`,
		"two\nlines":   `"two\nlines"`,
		"bad\xffutf-8": `"bad\xffutf-8"`,
	} {
		if got := auditText(in); got != want {
			t.Errorf("auditText(%q) = %s, want %s", in, got, want)
		}
	}
}
