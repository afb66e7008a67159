package cli

import (
	"crypto/rand"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// The manual (docs/man, docs/commands) and the completion scripts
// (completions/) are generated from the command tree by cmd/gen-docs, outside
// this package: the Markdown and roff libraries that takes stay out of the
// cwsec binary, where their start-up work would be paid by every
// `cwsec 2fa verify` on a login path. This file is what the generator needs
// from here.

// DocTree returns a fresh copy of cwsec's command tree, as a run builds it,
// with the default configuration and streams that go nowhere: the source of
// the manual and of the completion scripts. Nothing in the tree depends on
// the machine, the clock or the environment, so the documents generated from
// it are the same on every run.
func DocTree() *cobra.Command {
	a := &app{
		io:     &IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard},
		now:    time.Now,
		random: rand.Reader,
		cfg:    defaultConfig(),
	}
	return a.newRootCmd()
}

// CompletionScript writes the completion script for shell (bash, zsh, fish or
// powershell), exactly as `cwsec completion SHELL` prints it.
func CompletionScript(shell string, w io.Writer) error {
	return generateCompletion(DocTree(), shell, w)
}
