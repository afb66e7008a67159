package cli

import (
	"encoding/json"
	"io"
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
