// Command initonly links everything cwsec links and runs every package's
// init, then exits before cwsec's own main would start: timed beside
// mincobra and `cwsec version` (bench/startup.sh), it splits cwsec's start-up
// into what its dependencies cost by being linked (runtime, page faults,
// package init) and what the command itself does (command tree, config).
package main

import (
	"os"

	"github.com/cwsec/cwsec/internal/cli"
)

func main() {
	// Never true in the benchmark; it keeps cli.Main, and so everything
	// cwsec links, from being dropped by the linker.
	if len(os.Args) > 1 && os.Args[1] == "--run-cwsec" {
		os.Exit(cli.Main())
	}
}
