package audit

import (
	"errors"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/cwsec/cwsec/internal/store"
)

func checkpoint(t *testing.T, opts store.Options) Checkpoint {
	t.Helper()
	s, err := store.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var c Checkpoint
	if err := s.View(func(tx *store.Tx) (err error) { c, err = NewCheckpoint(tx, pinned); return err }); err != nil {
		t.Fatal(err)
	}
	return c
}

func checkCheckpoint(t *testing.T, opts store.Options, c Checkpoint) (problem string, err error) {
	t.Helper()
	s, err := store.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.View(func(tx *store.Tx) error { problem, err = CheckCheckpoint(tx, c); return nil })
	return problem, err
}

func TestCheckpointStatement(t *testing.T) {
	c := Checkpoint{Length: 42, HeadMAC: "ab", Time: pinned}
	want := "cwsec-audit-checkpoint-v1\nlength 42\nhead_mac ab\ntime 2026-12-03T12:00:00Z\n"
	if got := string(c.Statement()); got != want {
		t.Fatalf("statement %q, want %q", got, want)
	}
}

// The attack the chain alone cannot see: records cut from the end and an
// older genuine head, kept from a copy of the store, put back. (A head
// written to match the cut is not sealed: Verify sees that by itself.) The
// checkpoint sees it.
func TestCheckpointCatchesATrailCutShort(t *testing.T) {
	opts := trail(t, 3)
	oldHead := rawHead(t, opts)
	s, _ := store.Open(opts)
	appendEvents(t, s, 2, "more")
	s.Close()
	c := checkpoint(t, opts)
	if c.Length != 5 || c.HeadMAC == "" {
		t.Fatalf("checkpoint %+v", c)
	}
	s, _ = store.Open(opts)
	appendEvents(t, s, 2, "later")
	s.Close()
	if problem, err := checkCheckpoint(t, opts, c); problem != "" || err != nil {
		t.Fatalf("a trail that grew: %q, %v; want it to extend the checkpoint", problem, err)
	}
	rawEdit(t, opts, func(tr, hb *bolt.Bucket) error {
		for i := uint64(4); i <= 7; i++ {
			tr.Delete(seqKey(i))
		}
		return hb.Put([]byte(headKey), oldHead)
	})
	if rep := verify(t, opts); !rep.Intact || rep.Length != 3 {
		t.Fatalf("the cut trail: %+v; the chain alone cannot see this cut", rep)
	}
	problem, err := checkCheckpoint(t, opts, c)
	if err != nil || !strings.Contains(problem, "record 5, the newest at the checkpoint of 2026-12-03T12:00:00Z, is gone: the trail was cut short") {
		t.Fatalf("cut trail: %q, %v", problem, err)
	}
}

func TestCheckpointRewrittenTrail(t *testing.T) {
	opts := trail(t, 3)
	c := checkpoint(t, opts)
	rawEdit(t, opts, func(tr, _ *bolt.Bucket) error {
		ev := decode(t, tr.Get(seqKey(3)))
		ev.MAC = strings.Repeat("0", 64)
		return tr.Put(seqKey(3), encode(t, ev))
	})
	if problem, _ := checkCheckpoint(t, opts, c); !strings.Contains(problem, "record 3 does not carry the MAC the checkpoint") {
		t.Fatalf("rewritten trail: %q", problem)
	}
}

func TestCheckpointsThatProveNothing(t *testing.T) {
	opts := trail(t, 3)
	c := checkpoint(t, opts)
	other := checkpoint(t, trail(t, 3))

	edited := c
	edited.Length = 2
	notOne := c
	notOne.Format = "something-else"
	badKey := c
	badKey.PublicKey = "AAAA"
	for name, tc := range map[string]struct {
		c    Checkpoint
		want error
	}{
		"edited":          {edited, ErrCheckpointSignature},
		"another store's": {other, ErrForeignCheckpoint},
		"another format":  {notOne, ErrNotCheckpoint},
		"not a key":       {badKey, ErrNotCheckpoint},
	} {
		if _, err := checkCheckpoint(t, opts, tc.c); !errors.Is(err, tc.want) {
			t.Errorf("%s checkpoint: %v, want %v", name, err, tc.want)
		}
	}
}

// A checkpoint taken before `store rekey` still verifies: the retired key
// epoch keeps its public key.
func TestCheckpointSurvivesRekey(t *testing.T) {
	opts := trail(t, 3)
	c := checkpoint(t, opts)
	opts = rekey(t, opts)
	if problem, err := checkCheckpoint(t, opts, c); problem != "" || err != nil {
		t.Fatalf("old checkpoint after rekey: %q, %v", problem, err)
	}
	if fresh := checkpoint(t, opts); fresh.PublicKey == c.PublicKey || fresh.Length != 4 {
		t.Fatalf("checkpoint after rekey %+v: want the new key and the rekey event counted", fresh)
	}
}
