package certs

import (
	"fmt"
	"strings"
)

// Severity grades a finding the way monitoring plugins do. The numeric order
// is the contract's "worst wins" order: CRITICAL > UNKNOWN > WARNING > OK.
type Severity int

const (
	SeverityOK Severity = iota
	SeverityWarning
	SeverityUnknown
	SeverityCritical
)

var severityNames = [...]string{"ok", "warning", "unknown", "critical"}

func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// MarshalText makes severities appear as "ok", "warning", "unknown" or
// "critical" in JSON.
func (s Severity) MarshalText() ([]byte, error) {
	if s < 0 || int(s) >= len(severityNames) {
		return nil, fmt.Errorf("invalid severity %d", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads the names MarshalText writes, case-insensitively.
func (s *Severity) UnmarshalText(b []byte) error {
	for i, n := range severityNames {
		if strings.EqualFold(string(b), n) {
			*s = Severity(i)
			return nil
		}
	}
	return fmt.Errorf("unknown severity %q", b)
}

// Worst returns the most severe of the findings' severities, SeverityOK for
// none.
func Worst(findings []Finding) Severity {
	w := SeverityOK
	for _, f := range findings {
		if f.Severity > w {
			w = f.Severity
		}
	}
	return w
}
