package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func testApp() *app {
	return &app{
		io:  &IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard},
		now: time.Now, cfg: defaultConfig(),
	}
}

// dumpTree writes what a user can see of a command and everything below it:
// names, help, flags and their defaults.
func dumpTree(b *strings.Builder, c *cobra.Command) {
	fmt.Fprintf(b, "%s|%s|%s|%s|%v\n", c.CommandPath(), c.Use, c.Short, c.Long, c.Hidden)
	c.Flags().VisitAll(func(f *pflag.Flag) {
		fmt.Fprintf(b, "  --%s -%s %q %s\n", f.Name, f.Shorthand, f.DefValue, f.Usage)
	})
	for _, sub := range c.Commands() {
		dumpTree(b, sub)
	}
}

func TestTopLevelTableNamesEveryCommand(t *testing.T) {
	a := testApp()
	var built []string
	for _, c := range a.newRootCmd().Commands() {
		if c.Name() != "help" {
			built = append(built, c.Name())
		}
	}
	var table []string
	for _, c := range a.topLevelCommands() {
		table = append(table, c.name)
	}
	slices.Sort(table) // cobra lists commands sorted
	if strings.Join(built, " ") != strings.Join(table, " ") {
		t.Fatalf("topLevelCommands names %v, the tree has %v", table, built)
	}
}

// A run that builds one branch must build exactly what the whole tree has
// there, or help, flags and defaults would differ with the way cwsec is run.
func TestBranchIsTheSameAsInTheWholeTree(t *testing.T) {
	a := testApp()
	full := map[string]string{}
	for _, c := range a.newRootCmd().Commands() {
		var b strings.Builder
		dumpTree(&b, c)
		full[c.Name()] = b.String()
	}
	for _, tc := range a.topLevelCommands() {
		root := a.newRootCmdFor([]string{"--home", "/x", tc.name, "--help"})
		var names []string
		for _, c := range root.Commands() {
			names = append(names, c.Name())
		}
		if !tc.alone {
			if len(names) != len(full) {
				t.Errorf("%s: built %v, want the whole tree", tc.name, names)
			}
			continue
		}
		if len(names) != 1 || names[0] != tc.name {
			t.Fatalf("%s: built %v, want only %s", tc.name, names, tc.name)
		}
		var b strings.Builder
		dumpTree(&b, root.Commands()[0])
		if b.String() != full[tc.name] {
			t.Errorf("%s: the branch differs from the whole tree's", tc.name)
		}
	}
}

func TestCommandWord(t *testing.T) {
	for _, tc := range []struct {
		args string
		want string
	}{
		{"version", "version"},
		{"-oyaml version", "version"},
		{"2fa verify alice 123456", "2fa"},
		{"--home /h 2fa verify", "2fa"},
		{"--home=/h -o json cert check", "cert"},
		{"-ojson --no-color status --check", "status"},
		{"-o=json --lock-timeout 1s --store s --master-key-file k --config c audit log", "audit"},
		{"--no-color=false --output json store check", "store"},
		{"", ""},
		{"--help", ""},
		{"-h version", ""},
		{"--unknown version", ""},
		{"-- version", ""},
		{"--home", ""},
		{"help 2fa", "help"},
		{"- version", "-"},
		{"--no-color version", "version"},
		{"__complete 2fa ''", "__complete"},
	} {
		if got := commandWord(testApp().newBareRootCmd().PersistentFlags(), strings.Fields(tc.args)); got != tc.want {
			t.Errorf("commandWord(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}

// Every command checks its arguments through usageArgs: that is what makes a
// stray or mistyped word a usage error (exit 64) with a suggestion. Without
// Args, cobra reports an unknown subcommand itself, as a plain error.
func TestEveryCommandChecksItsArguments(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Args == nil {
			t.Errorf("%s has no Args: use usageArgs", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(testApp().newRootCmd())
}
