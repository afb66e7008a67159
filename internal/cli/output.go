package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// emit writes a command's result: the value as one JSON document with -o json,
// otherwise whatever text writes for people.
func (a *app) emit(v any, text func(w io.Writer)) error {
	if a.cfg.Output == "json" {
		enc := json.NewEncoder(a.io.Out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false) // URIs keep their '&'
		return enc.Encode(v)
	}
	text(a.io.Out)
	return nil
}

// terminalSafe escapes what must not reach a terminal from outside input
// (control characters other than newline and tab, and invalid UTF-8), so that
// a hostile name in an error or a listing cannot move the cursor or recolour
// the screen. Everything else is left as it is.
func terminalSafe(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case r == '\n' || r == '\t' || unicode.IsGraphic(r):
			b.WriteRune(r)
		default:
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
	}
	return b.String()
}
