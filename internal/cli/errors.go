package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"

	"github.com/cwsec/cwsec/internal/fileio"
	"github.com/cwsec/cwsec/internal/store"
)

// Exit codes, the contract's table. Every command's help and the manual list
// them; this file is the one place that decides which error gets which.
const (
	ExitOK       = 0
	ExitFailed   = 1 // refused, failed validation, rejected code; checks: WARNING
	ExitCritical = 2 // check commands only
	ExitUnknown  = 3 // could not decide: locked or unreadable store, wrong key
	ExitUsage    = 64
)

const exitCodesHelp = `EXIT CODES
  0   success
  1   the operation failed or was refused (bad input, failed validation)
  3   could not decide: store locked or unreadable, wrong or missing master key
  64  usage error: unknown command or flag, missing or malformed argument`

const checkExitCodesHelp = `EXIT CODES (monitoring plugin convention)
  0   OK
  1   WARNING
  2   CRITICAL
  3   UNKNOWN: could not decide (store locked or unreadable, wrong master key)
  64  usage error`

// usageError is a mistake in how cwsec was called.
type usageError struct {
	err   error
	usage string
	hint  string
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// exitError carries a code and a hint chosen by the command itself, for
// refusals that no sentinel describes.
type exitError struct {
	code int
	err  error
	hint string
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func failf(hint, format string, args ...any) error {
	return &exitError{code: ExitFailed, err: fmt.Errorf(format, args...), hint: hint}
}

// errorClass says what an error means to the user: the exit code and what to
// do about it.
type errorClass struct {
	code int
	hint string
}

var sentinelClasses = []struct {
	err error
	errorClass
}{
	{store.ErrNotInitialized, errorClass{ExitUnknown, "run 'cwsec init' to create the store and its master key, or point --home or --store at an existing one"}},
	{store.ErrNoMasterKey, errorClass{ExitUnknown, "run 'cwsec init' for a new installation; for an existing store, restore master.key from your backup or name it with --master-key-file"}},
	{store.ErrBadMasterKey, errorClass{ExitUnknown, "the master key file must hold the 32 bytes 'cwsec init' wrote; restore it from your backup"}},
	{store.ErrWrongKey, errorClass{ExitUnknown, "use the master key created with this store (--master-key-file); without it the store's secrets cannot be read, so restore it from your backup"}},
	{store.ErrLocked, errorClass{ExitUnknown, "another cwsec command is using the store; try again when it has finished, or wait longer with --lock-timeout"}},
	{fileio.ErrBusy, errorClass{ExitUnknown, "another cwsec command is deploying a certificate; try again when it has finished, or wait longer with --lock-timeout"}},
	{store.ErrNotStore, errorClass{ExitUnknown, "check that --store names a cwsec store; if the file was damaged, restore it from a backup made with 'cwsec store backup'"}},
	{store.ErrNewerSchema, errorClass{ExitUnknown, "upgrade cwsec to the version that wrote this store"}},
	{store.ErrNeedsUpgrade, errorClass{ExitUnknown, "run 'cwsec init' once to upgrade the store"}},
	{store.ErrCorruptRecord, errorClass{ExitUnknown, "the store was altered outside cwsec; restore it from a backup"}},
	{syscall.ENOSPC, errorClass{ExitUnknown, "the disk is full: free space on the volume that holds the store (nothing was changed), then try again"}},
	{syscall.EROFS, errorClass{ExitUnknown, "the store's file system is mounted read-only; commands that only read still work"}},
	{fs.ErrPermission, errorClass{ExitUnknown, "run cwsec as the account that owns its home directory (usually root or Administrator), or use --home"}},
}

// classify maps an error to its exit code and hint. For check commands a
// failure to run is UNKNOWN, never a WARNING that monitoring would shrug off.
func classify(err error, isCheck bool) errorClass {
	var usage *usageError
	var exit *exitError
	var cfg *configError
	switch {
	case errors.As(err, &usage):
		return errorClass{ExitUsage, usage.hint}
	case errors.As(err, &exit):
		return checkAware(errorClass{exit.code, exit.hint}, isCheck)
	}
	for _, s := range sentinelClasses {
		if errors.Is(err, s.err) {
			return s.errorClass
		}
	}
	if errors.As(err, &cfg) {
		return checkAware(errorClass{ExitFailed, "fix the setting, or run 'cwsec config show' to see what is in effect"}, isCheck)
	}
	return checkAware(errorClass{ExitFailed, ""}, isCheck)
}

func checkAware(c errorClass, isCheck bool) errorClass {
	if isCheck && c.code == ExitFailed {
		c.code = ExitUnknown
	}
	return c
}

// reportError writes the error for people on stderr and, in JSON mode, as the
// run's one JSON document on stdout. It returns the exit code.
func reportError(streams *IOStreams, err error, jsonOut, isCheck bool) int {
	c := classify(err, isCheck)
	fmt.Fprintf(streams.ErrOut, "%s %s\n", streams.paintErr(ansiRed, "cwsec: error:"), terminalSafe(err.Error()))
	var usage *usageError
	if errors.As(err, &usage) && usage.usage != "" {
		fmt.Fprintln(streams.ErrOut, strings.TrimRight(usage.usage, "\n"))
	}
	if c.hint != "" {
		fmt.Fprintf(streams.ErrOut, "hint: %s\n", c.hint)
	}
	if jsonOut {
		doc := map[string]any{"error": map[string]any{"message": err.Error(), "hint": c.hint, "exit_code": c.code}}
		enc := json.NewEncoder(streams.Out)
		enc.SetIndent("", "  ")
		_ = enc.Encode(doc)
	}
	return c.code
}
