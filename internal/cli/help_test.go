package cli

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// walkTree calls fn for every command of the tree a run builds, hidden ones
// included, except cobra's own help and completion plumbing.
func walkTree(t *testing.T, fn func(t *testing.T, c *cobra.Command)) {
	t.Helper()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Name() == "help" || strings.HasPrefix(c.Name(), "__") {
			return
		}
		t.Run(c.CommandPath(), func(t *testing.T) { fn(t, c) })
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(DocTree())
}

// isGroup reports whether c only gathers other commands.
func isGroup(c *cobra.Command) bool { return c.HasSubCommands() }

// TestHelpIsComplete holds every command to the contract's help: a summary, a
// description, examples (for a group, its commands serve) and the exit codes.
func TestHelpIsComplete(t *testing.T) {
	walkTree(t, func(t *testing.T, c *cobra.Command) {
		if strings.TrimSpace(c.Short) == "" {
			t.Error("no Short summary")
		}
		if strings.HasSuffix(c.Short, ".") {
			t.Errorf("Short ends with a full stop: %q (cobra lists it in tables)", c.Short)
		}
		long := strings.TrimSpace(c.Long)
		if long == "" {
			t.Error("no Long description")
		}
		if !strings.Contains(c.Long, "EXIT CODES") {
			t.Error("Long does not list the EXIT CODES")
		}
		if strings.HasPrefix(long, "EXIT CODES") {
			t.Error("Long has the EXIT CODES but no description before them")
		}
		if !isGroup(c) && strings.TrimSpace(c.Example) == "" {
			t.Error("no Example")
		}
		for _, line := range strings.Split(c.Example, "\n") {
			if line != "" && !strings.HasPrefix(line, "  ") {
				t.Errorf("Example line not indented by two spaces, as cobra's help shows the others: %q", line)
			}
		}
		if !strings.HasPrefix(c.Use, c.Name()) {
			t.Errorf("Use %q does not start with the command's name", c.Use)
		}
	})
}

// TestHelpExitCodesMatchCheckCommands: a monitoring check documents the
// plugin convention (2 CRITICAL, 3 UNKNOWN); an ordinary command must not
// promise a 2 it never returns.
func TestHelpExitCodesMatchCheckCommands(t *testing.T) {
	walkTree(t, func(t *testing.T, c *cobra.Command) {
		_, annotated := c.Annotations[annotationCheck]
		checkHelp := strings.Contains(c.Long, checkExitCodesHelp)
		if annotated && !checkHelp {
			t.Error("a check command (annotated cwsec/check) whose help lacks the monitoring EXIT CODES")
		}
		if c.Flags().Lookup("check") != nil && !checkHelp {
			t.Error("a command with --check whose help lacks the monitoring EXIT CODES")
		}
	})
}

// TestFlagsDoNotClash catches a command's flag that shadows a global one,
// by name or by shorthand: pflag would let one silently win.
func TestFlagsDoNotClash(t *testing.T) {
	walkTree(t, func(t *testing.T, c *cobra.Command) {
		inherited := map[string]string{}
		c.InheritedFlags().VisitAll(func(f *pflag.Flag) {
			inherited["--"+f.Name] = f.Name
			if f.Shorthand != "" {
				inherited["-"+f.Shorthand] = f.Name
			}
		})
		own := map[string]string{}
		c.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) {
			names := []string{"--" + f.Name}
			if f.Shorthand != "" {
				names = append(names, "-"+f.Shorthand)
			}
			for _, n := range names {
				if g, ok := inherited[n]; ok {
					t.Errorf("flag --%s: %s is also the global flag --%s", f.Name, n, g)
				}
				if o, ok := own[n]; ok && o != f.Name {
					t.Errorf("flag --%s: %s is also --%s", f.Name, n, o)
				}
				own[n] = f.Name
			}
			if strings.TrimSpace(f.Usage) == "" {
				t.Errorf("flag --%s has no description", f.Name)
			}
		})
		c.PersistentFlags().VisitAll(func(f *pflag.Flag) {
			if g, ok := inherited["--"+f.Name]; ok {
				t.Errorf("persistent flag --%s shadows --%s of a parent", f.Name, g)
			}
		})
	})
}

// TestShortFlagsKeepOneMeaning: a shorthand means the same everywhere, so an
// administrator's fingers can trust it (-o is --output, -y is --yes, ...).
func TestShortFlagsKeepOneMeaning(t *testing.T) {
	meaning := map[string]string{}
	where := map[string]string{}
	walkTree(t, func(t *testing.T, c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if f.Shorthand == "" {
				return
			}
			if m, ok := meaning[f.Shorthand]; ok && m != f.Name {
				t.Errorf("-%s is --%s here but --%s in %q", f.Shorthand, f.Name, m, where[f.Shorthand])
				return
			}
			meaning[f.Shorthand], where[f.Shorthand] = f.Name, c.CommandPath()
		})
	})
}
