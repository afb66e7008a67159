package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cwsec/cwsec/internal/audit"
	"github.com/cwsec/cwsec/internal/fileio"
	"github.com/cwsec/cwsec/internal/store"
)

type auditExportResult struct {
	Out    string `json:"out"`
	Format string `json:"format"`
	Events int    `json:"events"`
}

func (a *app) newAuditExportCmd() *cobra.Command {
	var f auditFilterFlags
	var format, out string
	cmd := &cobra.Command{
		Use:   "export [--format jsonl|csv] [--since T] [--until T] [--action A] [--user U] [--target T] [--out FILE]",
		Short: "Export audit events for a log system (JSON Lines or CSV)",
		Long: `Write the matching audit events, oldest first, as JSON Lines (one object per
line) or CSV (with a header line), to stdout or to --out FILE. The file is
written whole or not at all, mode 0600, never over an existing file.

Every record carries the same fields, always present, times in UTC: seq, time,
host, user, sudo_user, action, target, outcome, reason, details, mac, prev
(docs/audit.md). Fields may be added in later versions, never renamed or
removed. The filters are those of 'cwsec audit log'.

With -o json, name a file with --out: stdout then carries one JSON summary,
since the export itself is not one JSON document.

` + exitCodesHelp,
		Example: `  cwsec audit export --since 24h >> /var/log/cwsec-audit.jsonl
  cwsec audit export --format csv --since 2026-01-01 --out audit-2026.csv`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			if !slices.Contains(audit.ExportFormats, format) {
				return &usageError{err: fmt.Errorf("--format must be %s, not %q", strings.Join(audit.ExportFormats, " or "), format)}
			}
			if out == "" && a.cfg.Output == "json" {
				return &usageError{err: fmt.Errorf("-o json needs --out FILE: the export itself is not one JSON document")}
			}
			filter, err := f.filter(a.now())
			if err != nil {
				return err
			}
			res := auditExportResult{Out: out, Format: format}
			write := func(w io.Writer) error {
				e, err := audit.NewExporter(w, format)
				if err != nil {
					return err
				}
				err = a.view(func(tx *store.Tx) error { return audit.Each(tx, filter, e.Write) })
				res.Events = e.Count
				if err != nil {
					return auditReadError(err)
				}
				return e.Close()
			}
			if out == "" {
				return write(a.io.Out)
			}
			if err := fileio.WriteNewFrom(out, 0o600, write); err != nil {
				return refuseOverwrite(err)
			}
			return a.emit(res, func(w io.Writer) {
				fmt.Fprintf(w, "Exported %s to %s.\n", countEvents(res.Events), out)
			})
		},
	}
	f.register(cmd.Flags())
	cmd.Flags().StringVar(&format, "format", "jsonl", "jsonl or csv")
	cmd.Flags().StringVar(&out, "out", "", "write to `FILE`, which must not exist, instead of stdout")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(audit.ExportFormats, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}
