// Command hfsum summarises hyperfine JSON exports of the same commands taken
// in several rounds (bench/lib.sh runs hyperfine once per round, so that the
// commands alternate and other load on a shared machine falls on all of them).
//
// For each command it prints the median of all runs, the spread of the
// per-round medians, and its ratio to a baseline command; a ratio is taken
// within each round (both commands measured minutes apart at most) and the
// median of those ratios is reported with their range, which is how noisy
// the machine was. -pairs adds ratios between other commands.
//
//	hfsum [-base 1] [-pairs 3/2,4/2] [-title T] round1.json round2.json ...
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

type export struct {
	Results []struct {
		Command string    `json:"command"`
		Times   []float64 `json:"times"`
		User    float64   `json:"user"`
		System  float64   `json:"system"`
	} `json:"results"`
}

type command struct {
	name         string
	times        []float64 // every run of every round, seconds
	roundMedians []float64
	user, system []float64 // per-round means
}

func main() {
	base := flag.Int("base", 1, "the command (1-based, in hyperfine's order) that ratios are taken against; 0 for none")
	pairs := flag.String("pairs", "", "more ratios, as A/B,C/D (1-based command numbers)")
	title := flag.String("title", "", "a heading for the table")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: hfsum [-base N] [-pairs A/B,...] [-title T] ROUND.json...")
		os.Exit(64)
	}
	cmds, err := load(flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "hfsum:", err)
		os.Exit(1)
	}
	if *title != "" {
		fmt.Printf("### %s\n\n", *title)
	}
	rounds := len(cmds[0].roundMedians)
	fmt.Printf("%d round(s) of %d run(s) per command; times are wall-clock medians.\n\n", rounds, len(cmds[0].times)/rounds)
	fmt.Println("| # | command | median | p25–p75 | round medians | user+sys (mean) | ratio to #" + strconv.Itoa(*base) + " (range over rounds) |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for i, c := range cmds {
		ratio := ""
		if *base >= 1 && *base <= len(cmds) && i != *base-1 {
			ratio = ratioText(c, cmds[*base-1])
		}
		fmt.Printf("| %d | `%s` | %s | %s–%s | %s–%s | %s | %s |\n", i+1, c.name,
			ms(median(c.times)), ms(quantile(c.times, 0.25)), ms(quantile(c.times, 0.75)),
			ms(slices.Min(c.roundMedians)), ms(slices.Max(c.roundMedians)),
			ms(mean(c.user)+mean(c.system)), ratio)
	}
	if *pairs != "" {
		fmt.Println()
		for _, p := range strings.Split(*pairs, ",") {
			a, b, ok := strings.Cut(p, "/")
			i, errA := strconv.Atoi(a)
			j, errB := strconv.Atoi(b)
			if !ok || errA != nil || errB != nil || i < 1 || j < 1 || i > len(cmds) || j > len(cmds) {
				fmt.Fprintf(os.Stderr, "hfsum: bad pair %q\n", p)
				os.Exit(64)
			}
			fmt.Printf("- #%d / #%d: %s\n", i, j, ratioText(cmds[i-1], cmds[j-1]))
		}
	}
	fmt.Println()
}

func load(files []string) ([]*command, error) {
	var cmds []*command
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var e export
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, fmt.Errorf("%s: %v", f, err)
		}
		if cmds == nil {
			for _, r := range e.Results {
				cmds = append(cmds, &command{name: r.Command})
			}
		}
		if len(e.Results) != len(cmds) {
			return nil, fmt.Errorf("%s: %d commands, want %d", f, len(e.Results), len(cmds))
		}
		for i, r := range e.Results {
			if len(r.Times) == 0 {
				return nil, fmt.Errorf("%s: %q has no runs", f, r.Command)
			}
			c := cmds[i]
			c.times = append(c.times, r.Times...)
			c.roundMedians = append(c.roundMedians, median(r.Times))
			c.user = append(c.user, r.User)
			c.system = append(c.system, r.System)
		}
	}
	return cmds, nil
}

// ratioText is a/b per round: the median ratio and its range.
func ratioText(a, b *command) string {
	var r []float64
	for k := range a.roundMedians {
		r = append(r, a.roundMedians[k]/b.roundMedians[k])
	}
	return fmt.Sprintf("**%.2f×** (%.2f–%.2f)", median(r), slices.Min(r), slices.Max(r))
}

func median(x []float64) float64 { return quantile(x, 0.5) }

func quantile(x []float64, q float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	pos := q * float64(len(s)-1)
	lo := int(pos)
	if lo+1 >= len(s) {
		return s[lo]
	}
	return s[lo] + (pos-float64(lo))*(s[lo+1]-s[lo])
}

func mean(x []float64) float64 {
	t := 0.0
	for _, v := range x {
		t += v
	}
	return t / float64(len(x))
}

func ms(s float64) string {
	switch {
	case s >= 10:
		return fmt.Sprintf("%.2f s", s)
	case s >= 1:
		return fmt.Sprintf("%.3f s", s)
	case s >= 0.01:
		return fmt.Sprintf("%.0f ms", s*1000)
	}
	return fmt.Sprintf("%.2f ms", s*1000)
}
