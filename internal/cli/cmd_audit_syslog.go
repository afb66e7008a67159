package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/cwsec/cwsec/internal/audit"
)

// syslogTimeout bounds what forwarding to syslog can add to one command.
const syslogTimeout = 500 * time.Millisecond

// auditForwarding is the context for a store opened to write: with
// audit.syslog on, each event is also sent to the local syslog once its
// transaction has committed. The store stays the record of truth: a failure
// to forward is a warning on stderr, never a failed command.
func (a *app) auditForwarding() context.Context {
	ctx := context.Background()
	if !a.cfg.Audit.Syslog {
		return ctx
	}
	report := func(err error) {
		fmt.Fprintf(a.io.ErrOut, "cwsec: warning: %v; the audit trail in the store is complete\n", err)
	}
	sink, err := audit.SyslogSink(syslogTimeout, report)
	if err != nil {
		report(err)
		return ctx
	}
	return audit.WithSink(ctx, sink)
}
