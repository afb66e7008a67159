package cli

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"time"

	"github.com/spf13/cobra"
)

type configShow struct {
	Home       string         `json:"home"`
	ConfigFile string         `json:"config_file"`
	Settings   map[string]any `json:"settings"`
}

func (a *app) newConfigCmd() *cobra.Command {
	config := &cobra.Command{
		Use:   "config",
		Short: "Show the configuration in effect",
		Long: `Show the settings cwsec runs with. They come from flags, CWSEC_* environment
variables, the config file (<home>/config.yaml, or --config FILE) and the
defaults, in that order of precedence; docs/configuration.md lists every key.

` + groupExitCodesHelp,
		Args: usageArgs(cobra.NoArgs),
		RunE: groupRunE,
	}
	config.AddCommand(&cobra.Command{
		Use:   "show",
		Short: "Print every setting as cwsec resolved it",
		Long: `Print every setting as resolved from flags, CWSEC_* environment variables, the
config file and the defaults, in that order of precedence. Each key can be set
in the config file (twofa.max_failures under twofa:) or as an environment
variable (CWSEC_TWOFA_MAX_FAILURES).

` + exitCodesHelp,
		Example: "  cwsec config show\n  CWSEC_TWOFA_SKEW=0 cwsec config show -o json",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			show := configShow{Home: a.cfg.Home, ConfigFile: a.cfg.ConfigFile, Settings: map[string]any{}}
			var names []string
			for _, key := range configKeys(reflect.TypeOf(a.cfg), "") {
				show.Settings[key.name] = displayValue(lookup(reflect.ValueOf(a.cfg), key.path).Interface())
				names = append(names, key.name)
			}
			return a.emit(show, func(w io.Writer) {
				fmt.Fprintf(w, "# home: %s\n# config file: %s\n", show.Home, show.ConfigFile)
				for _, name := range names {
					fmt.Fprintf(w, "%s = %v\n", name, show.Settings[name])
				}
			})
		},
	})
	return config
}

// displayValue shows durations as "15m0s" rather than nanoseconds.
func displayValue(v any) any {
	if d, ok := v.(time.Duration); ok {
		return d.String()
	}
	return v
}

// groupExitCodesHelp ends the help of a command group, which does nothing
// itself but name its commands.
const groupExitCodesHelp = `EXIT CODES
  Each command below lists its own exit codes. Given no command, or one it
  does not know, a group prints its commands and exits 64 (usage error).`

// groupRunE answers a command group called without a subcommand with a usage
// error that lists the subcommands; an unknown one is refused by its Args.
func groupRunE(cmd *cobra.Command, _ []string) error {
	return &usageError{err: errors.New("missing subcommand"), usage: cmd.UsageString()}
}
