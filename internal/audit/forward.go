package audit

import (
	"context"

	"github.com/cwsec/cwsec/internal/store"
)

// Sink receives each event once the transaction that recorded it has
// committed, for copies outside the store (syslog). The store stays the
// record of truth: a sink must not block for long and cannot fail the action.
type Sink func(Event)

type sinkKey struct{}

// WithSink returns a context, for store.Options.Context, whose stores send
// every appended event to s.
func WithSink(ctx context.Context, s Sink) context.Context {
	return context.WithValue(ctx, sinkKey{}, s)
}

func forward(tx *store.Tx, ev Event) {
	if s, ok := tx.Context().Value(sinkKey{}).(Sink); ok && s != nil {
		tx.OnCommit(func() { s(ev) })
	}
}
