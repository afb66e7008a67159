package audit

import (
	"errors"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/cwsec/cwsec/internal/store"
)

func appendEvents(t *testing.T, s *store.Store, n int, action string) {
	t.Helper()
	err := s.Update(func(tx *store.Tx) error {
		for i := 0; i < n; i++ {
			if _, err := Append(tx, Event{Time: pinned, Actor: Actor{User: "root", Host: "h"}, Action: action, Outcome: OutcomeOK}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// rekey moves the store at opts to a new key the way `store rekey` does and
// returns the options that open it now.
func rekey(t *testing.T, opts store.Options) store.Options {
	t.Helper()
	s, err := store.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	newKey := key(t)
	_, err = s.Rekey(newKey, func(tx *store.Tx, old store.SubKeyFunc, _ int) error {
		_, err := Rekeyed(tx, old, Event{Time: pinned, Actor: Actor{User: "root", Host: "h"}, Action: "store.rekey", Outcome: OutcomeOK})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	opts.MasterKey = newKey
	return opts
}

func TestRekeyContinuesTheChainUnderKeyEpochs(t *testing.T) {
	opts := trail(t, 3)
	oldKey := opts.MasterKey
	opts = rekey(t, opts)
	s, err := store.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	appendEvents(t, s, 2, "after.first")
	s.Close()
	opts = rekey(t, opts)
	s, _ = store.Open(opts)
	appendEvents(t, s, 1, "after.second")
	s.Close()

	rep := verify(t, opts)
	if !rep.Intact || rep.Length != 8 || rep.KeyEpochs != 2 {
		t.Fatalf("after two rekeys: %+v; want 8 intact records under 2 retired keys", rep)
	}
	// The rekey event is the first record under the new key and links the
	// segments: its prev is the last MAC made with the old key.
	s, _ = store.Open(opts)
	s.View(func(tx *store.Tx) error {
		events, _ := Tail(tx, Filter{}, 0)
		if events[3].Action != "store.rekey" || events[3].Prev != events[2].MAC || events[6].Action != "store.rekey" {
			t.Errorf("rekey events not where expected: %+v", events)
		}
		epochs, _ := loadEpochs(tx)
		if len(epochs) != 2 || epochs[0].From != 1 || epochs[0].To != 3 || epochs[1].From != 4 || epochs[1].To != 6 {
			t.Errorf("epochs %+v, want 1-3 and 4-6", epochs)
		}
		return nil
	})
	s.Close()
	opts.MasterKey = oldKey
	if _, err := store.Open(opts); !errors.Is(err, store.ErrWrongKey) {
		t.Fatalf("the first key still opens the store: %v", err)
	}
}

func TestAlteredHistoryIsFoundAcrossEpochs(t *testing.T) {
	t.Run("a record under a retired key", func(t *testing.T) {
		opts := rekey(t, trail(t, 3))
		rawEdit(t, opts, func(tr, _ *bolt.Bucket) error {
			ev := decode(t, tr.Get(seqKey(2)))
			ev.Target = "edited"
			return tr.Put(seqKey(2), encode(t, ev))
		})
		if rep := verify(t, opts); rep.Intact || rep.BadSeq != 2 {
			t.Fatalf("%+v, want record 2 named", rep)
		}
	})
	t.Run("a retired key removed", func(t *testing.T) {
		opts := rekey(t, trail(t, 3))
		db, _ := bolt.Open(opts.Path, 0o600, nil)
		db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte(epochBucket)) })
		db.Close()
		if rep := verify(t, opts); rep.Intact || rep.BadSeq != 1 || !strings.Contains(rep.Problem, "MAC does not match") {
			t.Fatalf("%+v, want record 1 named", rep)
		}
	})
}

func TestRekeyOfAnEmptyTrailRetiresNoKey(t *testing.T) {
	opts := rekey(t, trail(t, 0))
	if rep := verify(t, opts); !rep.Intact || rep.Length != 1 || rep.KeyEpochs != 0 {
		t.Fatalf("%+v, want the rekey event alone, intact, no retired key", rep)
	}
}
