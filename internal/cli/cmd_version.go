package cli

import (
	"fmt"
	"io"
	"runtime"

	"github.com/spf13/cobra"
)

// Stamped at release by goreleaser through -ldflags -X.
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

type versionInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	BuildDate string `json:"build_date"`
	GoVersion string `json:"go_version"`
	Platform  string `json:"platform"`
}

func (a *app) newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:         "version",
		Short:       "Print cwsec's version, commit, build date and Go version",
		Long:        "Print cwsec's version, commit, build date and Go version.\n\n" + exitCodesHelp,
		Example:     "  cwsec version\n  cwsec version -o json",
		Args:        usageArgs(cobra.NoArgs),
		Annotations: map[string]string{annotationNoConfig: ""},
		RunE: func(*cobra.Command, []string) error {
			v := versionInfo{version, commit, date, runtime.Version(), runtime.GOOS + "/" + runtime.GOARCH}
			return a.emit(v, func(w io.Writer) {
				fmt.Fprintf(w, "cwsec %s (commit %s, built %s, %s %s)\n", v.Version, v.Commit, v.BuildDate, v.GoVersion, v.Platform)
			})
		},
	}
}
