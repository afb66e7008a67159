package audit

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cwsec/cwsec/internal/store"
)

// varied makes a store with n events a minute apart, cycling through actions,
// actors and targets.
func varied(t testing.TB, n int) *store.Store {
	t.Helper()
	opts := store.Options{Path: filepath.Join(t.TempDir(), "cwsec.db"), MasterKey: make([]byte, 32)}
	actions := []string{"2fa.verify", "2fa.enroll", "store.backup", "2fa", "2fax.other"}
	err := store.Create(opts, func(tx *store.Tx) error {
		for i := 0; i < n; i++ {
			ev := Event{Time: pinned.Add(time.Duration(i) * time.Minute), Action: actions[i%len(actions)],
				Actor:  Actor{User: []string{"root", "alice"}[i%2], SudoUser: []string{"", "bob"}[i%3/2], Host: "h"},
				Target: fmt.Sprintf("user%d", i%7), Outcome: OutcomeOK}
			if _, err := Append(tx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func seqs(events []Event) []uint64 {
	out := []uint64{}
	for _, ev := range events {
		out = append(out, ev.Seq)
	}
	return out
}

// Every filter, against the plain answer: read everything and keep matches.
func TestTailAndEachAgreeWithAFullScan(t *testing.T) {
	s := varied(t, 200)
	at := func(i int) time.Time { return pinned.Add(time.Duration(i) * time.Minute) }
	filters := []Filter{
		{},
		{Since: at(150)},
		{Since: at(150).Add(time.Second)},
		{Until: at(10)},
		{Since: at(20), Until: at(40)},
		{Since: at(300)},
		{Until: pinned.Add(-time.Hour)},
		{Since: at(50), Until: at(40)},
		{Actions: []string{"2fa"}},
		{Actions: []string{"2fa.verify", "store"}},
		{User: "bob"},
		{User: "alice", Target: "user3"},
		{Actions: []string{"2fa.enroll"}, Since: at(100), User: "root"},
	}
	s.View(func(tx *store.Tx) error {
		all, err := Tail(tx, Filter{}, 0)
		if err != nil || len(all) != 200 {
			t.Fatalf("all: %d events, %v", len(all), err)
		}
		for _, f := range filters {
			var want []Event
			for _, ev := range all {
				if f.Match(ev) {
					want = append(want, ev)
				}
			}
			var each []Event
			Each(tx, f, func(ev Event) error { each = append(each, ev); return nil })
			if !slices.Equal(seqs(each), seqs(want)) {
				t.Errorf("Each(%+v) = %v, want %v", f, seqs(each), seqs(want))
			}
			for _, limit := range []int{0, 1, 5} {
				tail, _ := Tail(tx, f, limit)
				w := want
				if limit > 0 && len(w) > limit {
					w = w[len(w)-limit:]
				}
				if !slices.Equal(seqs(tail), seqs(w)) {
					t.Errorf("Tail(%+v, %d) = %v, want %v", f, limit, seqs(tail), seqs(w))
				}
			}
		}
		return nil
	})
}

func TestFamiliesMatchWholeNames(t *testing.T) {
	f := Filter{Actions: []string{"2fa"}}
	for action, want := range map[string]bool{"2fa": true, "2fa.verify": true, "2fax.other": false, "store.backup": false} {
		if got := f.Match(Event{Action: action}); got != want {
			t.Errorf("--action 2fa matches %s: %v, want %v", action, got, want)
		}
	}
}

func BenchmarkTail50Of100k(b *testing.B) {
	s := varied(b, 100_000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.View(func(tx *store.Tx) error { _, err := Tail(tx, Filter{}, 50); return err })
	}
}

func BenchmarkVerify100k(b *testing.B) {
	s := varied(b, 100_000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.View(func(tx *store.Tx) error { _, err := Verify(tx); return err })
	}
}
