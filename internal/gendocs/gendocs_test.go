package gendocs

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestHelpToMarkdown(t *testing.T) {
	help := `Write the store to FILE, with twofa.max_failures and *stars*.
'quoted' at the start; <home>/config.yaml.

Check a backup with:
  cwsec --store FILE store check
    indented more

- not a list
1. not a list either

EXIT CODES (monitoring plugin convention)
  0   OK
  2   CRITICAL`
	want := "Write the store to FILE, with twofa.max\\_failures and \\*stars\\*.\n" +
		"'quoted' at the start; \\<home\\>/config.yaml.\n\n" +
		"Check a backup with:\n\n" +
		"```\ncwsec --store FILE store check\n  indented more\n```\n\n" +
		"\\- not a list\n1\\. not a list either\n\n" +
		"## Exit codes (monitoring plugin convention)\n\n" +
		"```\n0   OK\n2   CRITICAL\n```"
	if got := helpToMarkdown(help, "## ", "Exit codes"); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestTidyRoff(t *testing.T) {
	in := ".nh\n.TH \"CWSEC-X\" \"1\"\n\n.SH OPTIONS\n\\fB\\-h\\fP, \\fB--help\\fP[=false]\n\thelp for x\n\n.PP\n\\fB--store\\fP=\"\"\n\tthe store-file\n\n.SH EXAMPLE\n.EX\ncwsec x --dry-run\n.EE\n"
	want := ".TH \"CWSEC-X\" \"1\"\n.nh\n\n.SH OPTIONS\n.TP\n\\fB\\-h\\fP, \\fB\\-\\-help\\fP[=false]\nhelp for x\n\n.TP\n\\fB\\-\\-store\\fP=\"\"\nthe store\\-file\n\n.SH EXAMPLE\n.EX\ncwsec x \\-\\-dry\\-run\n.EE\n"
	if got := string(tidyRoff([]byte(in))); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestWriteAndDiff(t *testing.T) {
	root := t.TempDir()
	files := Files{"docs/man/cwsec.1": []byte("page\n"), "completions/cwsec.bash": []byte("script\n")}
	stale := filepath.Join(root, "docs", "man", "cwsec-gone.1")
	guide := filepath.Join(root, "docs", "guide.md") // not generated: never touched
	for _, f := range []string{stale, guide} {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	problems, err := Diff(root, files)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 3 || !strings.Contains(strings.Join(problems, "\n"), "cwsec-gone.1: not generated") {
		t.Errorf("problems: %q", problems)
	}
	written, removed, err := Write(root, files)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(written, []string{"completions/cwsec.bash", "docs/man/cwsec.1"}) || !slices.Equal(removed, []string{"docs/man/cwsec-gone.1"}) {
		t.Errorf("written %q, removed %q", written, removed)
	}
	if problems, _ := Diff(root, files); len(problems) != 0 {
		t.Errorf("after Write: %q", problems)
	}
	if _, err := os.Stat(guide); err != nil {
		t.Errorf("a hand-written page was touched: %v", err)
	}
	if written, removed, _ := Write(root, files); written != nil || removed != nil {
		t.Errorf("a second Write changed %q %q", written, removed)
	}
}
