package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxLineInput bounds a line read from stdin: a code or an answer is short,
// and a stream of junk must not be read into memory.
const maxLineInput = 4096

// readLine reads one line from stdin, without its line ending.
func (a *app) readLine() (string, error) {
	r := bufio.NewReader(io.LimitReader(a.io.In, maxLineInput))
	line, err := r.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	if err != nil && line == "" {
		return "", errors.New("nothing was read from stdin")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// codeArgument is the one-time code from the argument, from stdin for "-" or
// when stdin is not a terminal, or from a prompt on a terminal.
func (a *app) codeArgument(args []string, prompt string) (string, error) {
	if len(args) > 0 && args[0] != "-" {
		return args[0], nil
	}
	if len(args) == 0 && a.io.InTTY {
		fmt.Fprint(a.io.ErrOut, prompt)
	}
	return a.readLine()
}

// confirm asks a yes/no question on a terminal. Without a terminal it refuses
// and names the flag that answers, so a script never hangs on a prompt.
func (a *app) confirm(question string, yes bool) error {
	if yes {
		return nil
	}
	if !a.io.InTTY {
		return &usageError{err: errors.New("this change needs confirmation and stdin is not a terminal; add --yes to go ahead")}
	}
	fmt.Fprintf(a.io.ErrOut, "%s [y/N] ", question)
	answer, err := a.readLine()
	if err != nil {
		return err
	}
	if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
		return failf("", "cancelled; nothing changed")
	}
	return nil
}
