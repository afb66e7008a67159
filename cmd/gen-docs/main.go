// Command gen-docs writes cwsec's generated documentation into the
// repository: a man page and a Markdown page per command (docs/man,
// docs/commands) and the shell completion scripts (completions/). It is a
// tool for cwsec's developers and release, not part of the released binary.
//
//	go run ./cmd/gen-docs [--dir REPO]
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/cwsec/cwsec/internal/gendocs"
)

func main() {
	dir := flag.String("dir", ".", "the repository root to write docs/ and completions/ under")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: go run ./cmd/gen-docs [--dir REPO]")
		os.Exit(64)
	}
	files, err := gendocs.Generate()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen-docs: error:", err)
		os.Exit(1)
	}
	written, removed, err := gendocs.Write(*dir, files)
	for _, p := range written {
		fmt.Println("wrote  ", p)
	}
	for _, p := range removed {
		fmt.Println("removed", p)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen-docs: error:", err)
		os.Exit(1)
	}
	fmt.Printf("%d generated files, %d changed, %d removed\n", len(files), len(written), len(removed))
}
