package cli

import "fmt"

// progress draws "Enrolling 120/1000" on stderr, only on a terminal and never
// in JSON mode, so pipes and logs get no carriage returns.
type progress struct {
	a     *app
	label string
	total int
	on    bool
}

func (a *app) progress(label string, total int) *progress {
	return &progress{a: a, label: label, total: total, on: a.io.ErrTTY && a.cfg.Output != "json"}
}

func (p *progress) set(n int) {
	if p.on {
		fmt.Fprintf(p.a.io.ErrOut, "\r%s %d/%d", p.label, n, p.total)
	}
}

func (p *progress) done() {
	if p.on {
		fmt.Fprintln(p.a.io.ErrOut)
	}
}
