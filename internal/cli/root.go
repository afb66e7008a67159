// Package cli is cwsec's command line: cobra wiring, flag and config binding,
// text and JSON rendering, and the mapping of errors to exit codes. The domain
// packages (store, audit, certs, twofa) do the work and know nothing of this.
package cli

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// app is one run of cwsec: its streams, its clock and its resolved config.
type app struct {
	io     *IOStreams
	now    func() time.Time
	random io.Reader
	cfg    Config
	// exitCode is a verdict a command reports without an error, such as a
	// check that found a WARNING.
	exitCode int
}

// Main runs cwsec with the process's arguments, streams and clock.
func Main() int {
	return Run(os.Args[1:], SystemStreams(), time.Now)
}

// Run runs cwsec with the given arguments and streams, reading time from now.
// It returns the exit code and never panics: a bug is reported as an error.
func Run(args []string, streams *IOStreams, now func() time.Time) (code int) {
	a := &app{io: streams, now: now, random: rand.Reader, cfg: defaultConfig()}
	// Colour stays off until the config says it may be on: errors from
	// parsing the command line come before that and are printed plain.
	streams.color = false
	root := a.newRootCmdFor(args)
	root.SetArgs(args)
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)

	var cmd *cobra.Command
	defer func() {
		if r := recover(); r != nil {
			code = reportError(streams, fmt.Errorf("internal error: %v", r), a.jsonWanted(root), isCheck(cmd))
			fmt.Fprintln(streams.ErrOut, "hint: this is a bug in cwsec; please report it with the command you ran")
		}
	}()
	// A damaged store can make bbolt touch memory beyond the file; with this
	// set, that becomes a panic caught above instead of a crash.
	debug.SetPanicOnFault(true)

	cmd, err := root.ExecuteC()
	if err != nil {
		return reportError(streams, err, a.jsonWanted(root), isCheck(cmd))
	}
	return a.exitCode
}

const annotationCheck = "cwsec/check"

// isCheck reports whether cmd is a monitoring check, whose failures to run are
// UNKNOWN (3) rather than WARNING (1).
func isCheck(cmd *cobra.Command) bool {
	if cmd == nil {
		return false
	}
	if _, ok := cmd.Annotations[annotationCheck]; ok {
		return true
	}
	f := cmd.Flags().Lookup("check")
	return f != nil && f.Changed
}

// jsonWanted decides the error format even when the config did not load.
func (a *app) jsonWanted(root *cobra.Command) bool {
	if f := root.PersistentFlags().Lookup("output"); f != nil && f.Changed {
		return f.Value.String() == "json"
	}
	if a.cfg.Output == "json" {
		return true
	}
	return os.Getenv("CWSEC_OUTPUT") == "json"
}

// newRootCmd builds the whole command tree: for the generated manual.
func (a *app) newRootCmd() *cobra.Command { return a.newRootCmdFor(nil) }

// newRootCmdFor builds only the branch of the tree that args name, when they
// name one: `cwsec 2fa verify` runs on login paths, and building all ~40
// commands with their flags was a tenth of its start-up. Anything else (no
// command, help, completion, an unknown word, a flag this scan does not
// know) gets the whole tree, so cobra's help, suggestions and completion
// see every command.
func (a *app) newRootCmdFor(args []string) *cobra.Command {
	root := a.newBareRootCmd()
	name := commandWord(root.PersistentFlags(), args)
	for _, c := range a.topLevelCommands() {
		if c.name == name && c.alone {
			root.AddCommand(c.build())
			return root
		}
	}
	for _, c := range a.topLevelCommands() {
		root.AddCommand(c.build())
	}
	return root
}

// topLevelCommand is one of cwsec's commands, by name, with its constructor.
// alone is false where the command needs the whole tree to run (completion
// writes scripts for every command).
type topLevelCommand struct {
	name  string
	alone bool
	build func() *cobra.Command
}

func (a *app) topLevelCommands() []topLevelCommand {
	return []topLevelCommand{
		{"init", true, a.newInitCmd},
		{"status", true, a.newStatusCmd},
		{"version", true, a.newVersionCmd},
		{"completion", false, a.newCompletionCmd},
		{"config", true, a.newConfigCmd},
		{"2fa", true, a.newTwoFACmd},
		{"cert", true, a.newCertCmd},
		{"audit", true, a.newAuditCmd},
		{"store", true, a.newStoreCmd},
	}
}

// commandWord returns the first argument that is not a global flag (in
// globals) or its value: the top-level command cobra will run. It returns ""
// when it cannot tell, which builds the whole tree.
func commandWord(globals *pflag.FlagSet, args []string) string {
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			return ""
		case !strings.HasPrefix(arg, "-") || arg == "-":
			return arg
		}
		f, joined := lookupFlag(globals, arg)
		if f == nil {
			return "" // not a global flag: cobra decides, with the whole tree
		}
		if !joined && f.NoOptDefVal == "" {
			i++ // its value is the next argument
		}
	}
	return ""
}

// lookupFlag finds the flag arg names (--name, --name=V, -x, -xV, -x=V) and
// whether its value is joined to it.
func lookupFlag(flags *pflag.FlagSet, arg string) (f *pflag.Flag, joined bool) {
	if long, ok := strings.CutPrefix(arg, "--"); ok {
		name, _, joined := strings.Cut(long, "=")
		return flags.Lookup(name), joined
	}
	return flags.ShorthandLookup(arg[1:2]), len(arg) > 2
}

// newBareRootCmd is the root command with its global flags and no
// subcommands.
func (a *app) newBareRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "cwsec",
		Short: "TLS certificates and two-factor authentication for CAREWare servers",
		Long: `cwsec keeps an internet-facing CAREWare server's TLS certificate and its
two-factor authentication in order, from one binary: at the shell, in install
scripts and in scheduled checks. Its state lives in one local store, secrets
sealed under a master key, every change recorded in a tamper-evident audit trail.

Start with 'cwsec init', then 'cwsec status'.

` + exitCodesHelp + `
  2   check commands only (cert check, status --check, audit verify,
      store check): CRITICAL; there 1 is WARNING and 3 UNKNOWN`,
		SilenceErrors:     true,
		SilenceUsage:      true,
		Args:              usageArgs(cobra.NoArgs),
		PersistentPreRunE: a.loadConfig,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return &usageError{err: errors.New("missing command"), usage: cmd.UsageString()}
		},
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &usageError{err: err, usage: usageLine(c)}
	})
	a.addGlobalFlags(root)
	return root
}

func (a *app) addGlobalFlags(root *cobra.Command) {
	pf := root.PersistentFlags()
	pf.String("home", "", "directory holding config.yaml, cwsec.db and master.key (env CWSEC_HOME)")
	pf.String("config", "", "config file (YAML); default <home>/config.yaml (env CWSEC_CONFIG)")
	pf.String("store", "", "the store file; default <home>/cwsec.db (env CWSEC_STORE)")
	pf.String("master-key-file", "", "the 32-byte master key; default <home>/master.key (env CWSEC_MASTER_KEY_FILE)")
	pf.StringP("output", "o", "text", "output format: text or json (env CWSEC_OUTPUT)")
	pf.Bool("no-color", false, "plain output without colour (env NO_COLOR)")
	pf.Duration("lock-timeout", 0, "how long to wait for another cwsec using the store; default 5s (env CWSEC_LOCK_TIMEOUT)")
	_ = root.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
}

// loadConfig resolves flags, environment and config file before any command
// runs. version and completion still run on a broken config file, so that an
// administrator can always ask what is installed.
func (a *app) loadConfig(cmd *cobra.Command, _ []string) error {
	cfg, err := loadConfig(cmd.Flags())
	a.io.color = !cfg.NoColor
	if err != nil {
		if _, tolerant := cmd.Annotations[annotationNoConfig]; tolerant {
			return nil
		}
		return err
	}
	a.cfg = cfg
	return nil
}

const annotationNoConfig = "cwsec/no-config"

// usageArgs turns cobra's argument errors into usage errors (exit 64).
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return &usageError{err: err, usage: usageLine(cmd), hint: suggestCommand(cmd, args)}
		}
		return nil
	}
}

// suggestCommand names the commands closest to a mistyped one, as git does:
// cobra's own suggestions are lost once the arguments are checked here.
func suggestCommand(cmd *cobra.Command, args []string) string {
	if len(args) == 0 || !cmd.HasAvailableSubCommands() {
		return ""
	}
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's default, set only on its own path
	}
	var quoted []string
	for _, name := range cmd.SuggestionsFor(args[0]) {
		quoted = append(quoted, "'"+cmd.CommandPath()+" "+name+"'")
	}
	if len(quoted) == 0 {
		return ""
	}
	return "did you mean " + strings.Join(quoted, " or ") + "?"
}

func usageLine(cmd *cobra.Command) string {
	if cmd == nil {
		return ""
	}
	return fmt.Sprintf("Usage: %s\nRun '%s --help' for more.", cmd.UseLine(), cmd.CommandPath())
}
