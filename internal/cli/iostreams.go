package cli

import (
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams is where a command reads and writes. The rules, as in age: data on
// stdout, messages for people on stderr, prompts only when stdin is a
// terminal, colour only on a terminal and never when NO_COLOR or --no-color
// says no. Tests build streams over buffers and set the terminal flags.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	InTTY, OutTTY, ErrTTY bool
	color                 bool
}

// SystemStreams are the process's own stdin, stdout and stderr.
func SystemStreams() *IOStreams {
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		InTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		OutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		ErrTTY: term.IsTerminal(int(os.Stderr.Fd())),
	}
}

const (
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiBold   = "\x1b[1m"
	ansiReset  = "\x1b[0m"
)

// paint wraps s in an ANSI colour when colour is on for stdout.
func (s *IOStreams) paint(code, text string) string {
	if !s.color || !s.OutTTY {
		return text
	}
	return code + text + ansiReset
}

// paintErr is paint for stderr.
func (s *IOStreams) paintErr(code, text string) string {
	if !s.color || !s.ErrTTY {
		return text
	}
	return code + text + ansiReset
}
