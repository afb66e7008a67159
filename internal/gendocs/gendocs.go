// Package gendocs generates cwsec's manual, one man page (section 1) and one
// Markdown page per command, and its shell completion scripts, from the
// command tree itself, so that they cannot drift from `cwsec --help`.
//
// The output is the same on every run, on every machine: the man pages carry
// a fixed date and neither format carries cobra's "auto generated" footer.
// cmd/gen-docs writes it into the repository; a test in internal/cli fails
// when what is committed differs from what the tree generates.
package gendocs

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
	"github.com/spf13/pflag"

	"github.com/cwsec/cwsec/internal/cli"
)

// Date is the date every man page carries ("Dec 2026"). It is fixed, not
// read from the clock or SOURCE_DATE_EPOCH, so that the pages are identical
// on every run; move it forward when a release changes the manual.
var Date = time.Date(2026, time.December, 1, 0, 0, 0, 0, time.UTC)

// Where the generated files go, relative to the repository root.
const (
	ManDir         = "docs/man"
	CommandsDir    = "docs/commands"
	CompletionsDir = "completions"
)

// RegenerateCommand is what a person runs to bring the generated files up to
// date.
const RegenerateCommand = "go run ./cmd/gen-docs   (or: make docs)"

// completionFiles names the completion script of each shell.
var completionFiles = map[string]string{
	"bash":       "cwsec.bash",
	"zsh":        "_cwsec",
	"fish":       "cwsec.fish",
	"powershell": "cwsec.ps1",
}

const markdownNote = "<!-- Generated from cwsec's command tree by cmd/gen-docs; do not edit. Regenerate: make docs -->\n\n"

// Files maps a slash-separated path, relative to the repository root, to the
// content generated for it.
type Files map[string][]byte

// Paths lists the files in name order.
func (f Files) Paths() []string {
	paths := make([]string, 0, len(f))
	for p := range f {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	return paths
}

// Generate builds every man page, Markdown page and completion script.
func Generate() (Files, error) {
	files := Files{}

	man := prepareMan(cli.DocTree())
	for _, c := range documented(man) {
		var buf bytes.Buffer
		header := doc.GenManHeader{Section: "1", Date: &Date, Source: "cwsec", Manual: "cwsec manual"}
		if err := doc.GenMan(c, &header, &buf); err != nil {
			return nil, fmt.Errorf("man page for %q: %w", c.CommandPath(), err)
		}
		files[path.Join(ManDir, strings.ReplaceAll(c.CommandPath(), " ", "-")+".1")] = tidyRoff(buf.Bytes())
	}

	for _, c := range documented(cli.DocTree()) {
		page := markdownPage(c)
		files[path.Join(CommandsDir, strings.ReplaceAll(c.CommandPath(), " ", "_")+".md")] = page
	}

	for shell, name := range completionFiles {
		var buf bytes.Buffer
		if err := cli.CompletionScript(shell, &buf); err != nil {
			return nil, fmt.Errorf("%s completion: %w", shell, err)
		}
		files[path.Join(CompletionsDir, name)] = buf.Bytes()
	}
	return files, nil
}

// documented lists root and every command below it that the manual shows:
// not hidden, not deprecated, not cobra's own help command.
func documented(root *cobra.Command) []*cobra.Command {
	out := []*cobra.Command{root}
	for _, c := range root.Commands() {
		if c.IsAvailableCommand() && !c.IsAdditionalHelpTopicCommand() {
			out = append(out, documented(c)...)
		}
	}
	return out
}

// prepareMan turns the help text of every command in the tree into
// Markdown, which cobra's man page generator expects: cwsec's help is plain
// text, whose indented lines (command lines, the EXIT CODES table) Markdown
// would run together into one paragraph and whose underscores and asterisks it
// would read as emphasis. The flag descriptions, which cobra also passes
// through Markdown, are escaped too.
func prepareMan(root *cobra.Command) *cobra.Command {
	seen := map[*pflag.Flag]bool{}
	escape := func(f *pflag.Flag) {
		if !seen[f] {
			seen[f] = true
			_, usage := pflag.UnquoteUsage(f)
			f.Usage = escapeMarkdown(usage)
		}
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.DisableAutoGenTag = true
		c.Short = escapeMarkdown(c.Short)
		c.Long = helpToMarkdown(c.Long, "# ", "EXIT CODES")
		c.Flags().VisitAll(escape)
		c.PersistentFlags().VisitAll(escape)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return root
}

// markdownPage is the Markdown page of one command: what `cwsec CMD --help`
// says, laid out for reading on the web, with links to the pages of the
// commands around it.
func markdownPage(c *cobra.Command) []byte {
	c.InitDefaultHelpFlag()
	var b bytes.Buffer
	b.WriteString(markdownNote)
	fmt.Fprintf(&b, "# %s\n\n%s\n\n", c.CommandPath(), escapeMarkdown(c.Short))
	fmt.Fprintf(&b, "```\n%s\n```\n\n", c.UseLine())
	if c.Long != "" {
		fmt.Fprintf(&b, "## Description\n\n%s\n\n", helpToMarkdown(c.Long, "## ", "Exit codes"))
	}
	if c.Example != "" {
		fmt.Fprintf(&b, "## Examples\n\n```\n%s\n```\n\n", strings.Join(dedent(strings.Split(strings.TrimRight(c.Example, "\n"), "\n")), "\n"))
	}
	if flags := c.NonInheritedFlags(); flags.HasAvailableFlags() {
		fmt.Fprintf(&b, "## Options\n\n```\n%s```\n\n", flags.FlagUsages())
	}
	if flags := c.InheritedFlags(); flags.HasAvailableFlags() {
		fmt.Fprintf(&b, "## Global options\n\n```\n%s```\n\n", flags.FlagUsages())
	}
	link := func(c *cobra.Command) string {
		return fmt.Sprintf("- [%s](%s): %s\n", c.CommandPath(), strings.ReplaceAll(c.CommandPath(), " ", "_")+".md", escapeMarkdown(c.Short))
	}
	var subs []string
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() && !sub.IsAdditionalHelpTopicCommand() {
			subs = append(subs, link(sub))
		}
	}
	if len(subs) > 0 {
		fmt.Fprintf(&b, "## Commands\n\n%s\n", strings.Join(subs, ""))
	}
	if c.HasParent() {
		fmt.Fprintf(&b, "## See also\n\n%s\n", link(c.Parent()))
	}
	return append(bytes.TrimRight(b.Bytes(), "\n"), '\n')
}

// helpToMarkdown converts a command's help text: runs of indented lines become
// code blocks (their common indentation removed), the line starting with
// "EXIT CODES" becomes a heading (heading, then exitTitle for those words),
// and the rest is prose with Markdown's special characters escaped.
func helpToMarkdown(text, heading, exitTitle string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	var blocks []string
	for i := 0; i < len(lines); {
		line := lines[i]
		switch {
		case strings.TrimSpace(line) == "":
			i++
		case strings.HasPrefix(line, "EXIT CODES"):
			blocks = append(blocks, heading+escapeMarkdown(exitTitle+strings.TrimPrefix(line, "EXIT CODES")))
			i++
		case indented(line):
			start := i
			for i < len(lines) && indented(lines[i]) {
				i++
			}
			blocks = append(blocks, "```\n"+strings.Join(dedent(lines[start:i]), "\n")+"\n```")
		default:
			var para []string
			for i < len(lines) && strings.TrimSpace(lines[i]) != "" && !indented(lines[i]) && !strings.HasPrefix(lines[i], "EXIT CODES") {
				para = append(para, escapeMarkdown(lines[i]))
				i++
			}
			blocks = append(blocks, strings.Join(para, "\n"))
		}
	}
	return strings.Join(blocks, "\n\n")
}

func indented(line string) bool {
	return strings.TrimSpace(line) != "" && (line[0] == ' ' || line[0] == '\t')
}

func dedent(lines []string) []string {
	cut := -1
	for _, l := range lines {
		n := len(l) - len(strings.TrimLeft(l, " \t"))
		if cut < 0 || n < cut {
			cut = n
		}
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l[cut:]
	}
	return out
}

var (
	markdownSpecial = strings.NewReplacer(
		`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`, `<`, `\<`, `>`, `\>`,
	)
	// Lines that Markdown would take for a list item or a heading.
	bulletOrHeading = regexp.MustCompile(`^[-+#](\s|$)`)
	orderedItem     = regexp.MustCompile(`^[0-9]+\.(\s|$)`)
)

// escapeMarkdown makes text read as itself in Markdown.
func escapeMarkdown(s string) string {
	s = markdownSpecial.Replace(s)
	switch {
	case bulletOrHeading.MatchString(s):
		s = `\` + s
	case orderedItem.MatchString(s):
		dot := strings.IndexByte(s, '.')
		s = s[:dot] + `\` + s[dot:]
	}
	return s
}

// tidyRoff finishes a page from cobra and md2man: every hyphen in text is
// written \- , the ASCII minus that options and commands need (a plain "-"
// may print as a typographic hyphen that a pasted command line would not
// recognise); each option becomes a tagged paragraph (.TP) with its
// description indented beneath it, instead of run into one line with it; and
// hyphenation is turned off after .TH, which would turn it on again, so that
// no path or option is split across lines.
func tidyRoff(page []byte) []byte {
	lines := strings.Split(string(page), "\n")
	var out []string
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case l == ".nh":
			continue // moved after .TH
		case strings.HasPrefix(l, ".TH "):
			out = append(out, l, ".nh")
			continue
		case strings.HasPrefix(l, "."):
			out = append(out, l)
			continue
		}
		l = minus(l)
		if strings.HasPrefix(l, `\fB\-`) && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "\t") {
			if n := len(out); n > 0 && out[n-1] == ".PP" {
				out = out[:n-1]
			}
			out = append(out, ".TP", l, minus(strings.TrimPrefix(lines[i+1], "\t")))
			i++
			continue
		}
		out = append(out, l)
	}
	return []byte(strings.Join(out, "\n"))
}

func minus(l string) string {
	var b strings.Builder
	for j := 0; j < len(l); j++ {
		if l[j] == '-' && (j == 0 || l[j-1] != '\\') {
			b.WriteByte('\\')
		}
		b.WriteByte(l[j])
	}
	return b.String()
}

// Write writes files under root, creating directories as needed and leaving
// files whose content is already right untouched, and removes generated files
// that the tree no longer makes (the page of a removed command). It returns
// the paths it wrote and removed.
func Write(root string, files Files) (written, removed []string, err error) {
	for _, p := range files.Paths() {
		full := filepath.Join(root, filepath.FromSlash(p))
		if old, err := os.ReadFile(full); err == nil && bytes.Equal(old, files[p]) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return written, removed, err
		}
		if err := os.WriteFile(full, files[p], 0o644); err != nil {
			return written, removed, err
		}
		written = append(written, p)
	}
	stale, err := staleFiles(root, files)
	if err != nil {
		return written, removed, err
	}
	for _, p := range stale {
		if err := os.Remove(filepath.Join(root, filepath.FromSlash(p))); err != nil {
			return written, removed, err
		}
		removed = append(removed, p)
	}
	return written, removed, nil
}

// Diff compares files with what is under root and describes each difference:
// a file missing, different, or left over from a command that is gone.
func Diff(root string, files Files) ([]string, error) {
	var problems []string
	for _, p := range files.Paths() {
		old, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			problems = append(problems, p+": missing")
		case err != nil:
			return nil, err
		case !bytes.Equal(old, files[p]):
			problems = append(problems, p+": differs from what the command tree generates"+firstDifference(old, files[p]))
		}
	}
	stale, err := staleFiles(root, files)
	if err != nil {
		return nil, err
	}
	for _, p := range stale {
		problems = append(problems, p+": not generated by any command (left from a removed or renamed one)")
	}
	return problems, nil
}

// firstDifference shows the first line that differs, to say at a glance what
// changed.
func firstDifference(old, gen []byte) string {
	a, b := strings.Split(string(old), "\n"), strings.Split(string(gen), "\n")
	for i := 0; i < len(a) || i < len(b); i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return fmt.Sprintf("\n    line %d committed: %q\n    line %d generated: %q", i+1, x, i+1, y)
		}
	}
	return ""
}

// staleFiles lists files in the generated directories that files does not
// hold. Only the kinds of file the generator writes are considered.
func staleFiles(root string, files Files) ([]string, error) {
	var stale []string
	for dir, pattern := range map[string]string{ManDir: "*.1", CommandsDir: "*.md", CompletionsDir: "*"} {
		matches, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(dir), pattern))
		if err != nil {
			return nil, err
		}
		for _, m := range matches {
			rel := path.Join(dir, filepath.Base(m))
			if info, err := os.Stat(m); err == nil && info.Mode().IsRegular() && files[rel] == nil {
				stale = append(stale, rel)
			}
		}
	}
	slices.Sort(stale)
	return stale, nil
}
