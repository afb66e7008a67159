// Command cwsec manages TLS certificates and two-factor authentication for
// internet-facing CAREWare servers. See README.md and `cwsec --help`.
package main

import (
	"os"

	"github.com/cwsec/cwsec/internal/cli"
)

func main() { os.Exit(cli.Main()) }
