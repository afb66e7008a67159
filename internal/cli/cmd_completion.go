package cli

import (
	"bytes"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

func (a *app) newCompletionCmd() *cobra.Command {
	shells := []string{"bash", "zsh", "fish", "powershell"}
	return &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print a shell completion script",
		Long: `Print a completion script for the named shell.

  bash:        cwsec completion bash > /etc/bash_completion.d/cwsec
  zsh:         cwsec completion zsh > "${fpath[1]}/_cwsec"
  fish:        cwsec completion fish > ~/.config/fish/completions/cwsec.fish
  PowerShell:  cwsec completion powershell | Out-String | Invoke-Expression
               (add that line to $PROFILE to keep it)

` + exitCodesHelp,
		Example:     "  cwsec completion bash > /etc/bash_completion.d/cwsec",
		ValidArgs:   shells,
		Args:        usageArgs(cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs)),
		Annotations: map[string]string{annotationNoConfig: ""},
		RunE: func(cmd *cobra.Command, args []string) error {
			var script bytes.Buffer
			if err := generateCompletion(cmd.Root(), args[0], &script); err != nil {
				return err
			}
			return a.emit(map[string]string{"shell": args[0], "script": script.String()}, func(w io.Writer) {
				_, _ = w.Write(script.Bytes())
			})
		},
	}
}

func generateCompletion(root *cobra.Command, shell string, w io.Writer) error {
	switch shell {
	case "bash":
		return root.GenBashCompletionV2(w, true)
	case "zsh":
		return root.GenZshCompletion(w)
	case "fish":
		return root.GenFishCompletion(w, true)
	case "powershell":
		return root.GenPowerShellCompletionWithDesc(w)
	}
	return fmt.Errorf("unknown shell %q", shell)
}
