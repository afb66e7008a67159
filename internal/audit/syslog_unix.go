//go:build !windows && !plan9

package audit

import (
	"encoding/json"
	"fmt"
	"log/syslog"
	"time"
)

// SyslogSink forwards each event to the local syslog daemon (facility
// authpriv, tag cwsec) as one JSON line in the export format; failed and
// rejected outcomes at warning priority, the rest at info. Every step is
// bounded by timeout, and the first failure (no daemon, no answer in time)
// is reported and ends forwarding for this process, so a broken syslog costs
// one timeout at most and never the action being recorded.
func SyslogSink(timeout time.Duration, report func(error)) (Sink, error) {
	return newSyslogSink(func() (*syslog.Writer, error) {
		return syslog.New(syslog.LOG_AUTHPRIV|syslog.LOG_INFO, "cwsec")
	}, timeout, report), nil
}

func newSyslogSink(dial func() (*syslog.Writer, error), timeout time.Duration, report func(error)) Sink {
	var (
		w      *syslog.Writer
		broken bool
	)
	return func(ev Event) {
		if broken {
			return
		}
		line, err := json.Marshal(ToRecord(ev))
		if err == nil && w == nil {
			w, err = withTimeout(timeout, dial)
		}
		if err == nil {
			_, err = withTimeout(timeout, func() (struct{}, error) { return struct{}{}, send(w, ev.Outcome, string(line)) })
		}
		if err != nil {
			broken = true
			report(fmt.Errorf("forwarding to syslog: %w", err))
		}
	}
}

func send(w *syslog.Writer, outcome, line string) error {
	if outcome == OutcomeFailed || outcome == OutcomeRejected {
		return w.Warning(line)
	}
	return w.Info(line)
}

// withTimeout runs fn but waits at most d for it; a call still blocked after
// that is abandoned to end with the process.
func withTimeout[T any](d time.Duration, fn func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-time.After(d):
		var zero T
		return zero, fmt.Errorf("no answer within %s", d)
	}
}
