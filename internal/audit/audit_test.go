package audit

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/cwsec/cwsec/internal/store"
	"github.com/cwsec/cwsec/internal/testsupport/peer"
)

var pinned = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

func key(t *testing.T) []byte {
	k := make([]byte, store.MasterKeySize)
	rand.Read(k)
	return k
}

// trail makes a store holding n audit events and returns its options.
func trail(t *testing.T, n int) store.Options {
	t.Helper()
	opts := store.Options{Path: filepath.Join(t.TempDir(), "cwsec.db"), MasterKey: key(t)}
	err := store.Create(opts, func(tx *store.Tx) error {
		for i := 0; i < n; i++ {
			ev := Event{Time: pinned.Add(time.Duration(i) * time.Minute), Actor: Actor{User: "root", Host: "h"},
				Action: "test.event", Target: fmt.Sprintf("target-%d", i+1), Outcome: OutcomeOK}
			if _, err := Append(tx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return opts
}

func verify(t *testing.T, opts store.Options, note ...string) Report {
	t.Helper()
	s, err := store.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var rep Report
	if err := s.View(func(tx *store.Tx) error { rep, err = Verify(tx, note...); return err }); err != nil {
		t.Fatal(err)
	}
	return rep
}

// rawHead is the trail's head as stored: what a copy of the store file gives
// an attacker.
func rawHead(t *testing.T, opts store.Options) []byte {
	t.Helper()
	db, err := bolt.Open(opts.Path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var h []byte
	_ = db.View(func(tx *bolt.Tx) error {
		h = bytes.Clone(tx.Bucket([]byte(headBucket)).Get([]byte(headKey)))
		return nil
	})
	return h
}

// rawEdit changes the bbolt file directly, the way an attacker with the file
// but without the master key would.
func rawEdit(t *testing.T, opts store.Options, edit func(trail, head *bolt.Bucket) error) {
	t.Helper()
	db, err := bolt.Open(opts.Path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error {
		return edit(tx.Bucket([]byte(trailBucket)), tx.Bucket([]byte(headBucket)))
	}); err != nil {
		t.Fatal(err)
	}
}

func TestIntactTrail(t *testing.T) {
	rep := verify(t, trail(t, 5))
	if !rep.Intact || rep.Length != 5 || rep.BadSeq != 0 {
		t.Fatalf("report %+v, want intact with 5 records", rep)
	}
	if rep := verify(t, trail(t, 0)); !rep.Intact || rep.Length != 0 {
		t.Fatalf("empty trail: %+v", rep)
	}
}

func TestAppendChainsRecords(t *testing.T) {
	opts := trail(t, 3)
	s, _ := store.Open(opts)
	defer s.Close()
	s.View(func(tx *store.Tx) error {
		b, _ := tx.Bucket(trailBucket)
		var prev string
		for i := uint64(1); i <= 3; i++ {
			var ev Event
			json.Unmarshal(b.Get(seqKey(i)), &ev)
			if ev.Seq != i || ev.Prev != prev || ev.MAC == "" || ev.Time.Location() != time.UTC {
				t.Errorf("record %d: %+v", i, ev)
			}
			prev = ev.MAC
		}
		last, ok, err := Last(tx)
		if !ok || err != nil || last.Seq != 3 || last.Target != "target-3" {
			t.Errorf("Last = %+v, %v, %v", last, ok, err)
		}
		return nil
	})
}

func decode(t *testing.T, v []byte) Event {
	var ev Event
	if err := json.Unmarshal(v, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

func encode(t *testing.T, ev Event) []byte {
	data, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestTamperingIsNamed(t *testing.T) {
	cases := []struct {
		name    string
		edit    func(t *testing.T, trail, head *bolt.Bucket) error
		badSeq  uint64
		problem string
	}{
		{"changed", func(t *testing.T, tr, _ *bolt.Bucket) error {
			ev := decode(t, tr.Get(seqKey(3)))
			ev.Target = "someone-else"
			return tr.Put(seqKey(3), encode(t, ev))
		}, 3, "record 3 was altered or forged"},
		{"changed, the newest", func(t *testing.T, tr, _ *bolt.Bucket) error {
			ev := decode(t, tr.Get(seqKey(5)))
			ev.Outcome = OutcomeFailed
			return tr.Put(seqKey(5), encode(t, ev))
		}, 5, "record 5 was altered or forged"},
		{"rewritten in another JSON form", func(t *testing.T, tr, _ *bolt.Bucket) error {
			var m map[string]any
			json.Unmarshal(tr.Get(seqKey(2)), &m)
			data, _ := json.Marshal(m) // same content, members in another order
			return tr.Put(seqKey(2), data)
		}, 2, "record 2 was altered: it is not in the form cwsec writes"},
		{"unreadable", func(t *testing.T, tr, _ *bolt.Bucket) error {
			return tr.Put(seqKey(4), []byte("\x00garbage"))
		}, 4, "record 4 is unreadable"},
		{"removed", func(t *testing.T, tr, _ *bolt.Bucket) error {
			return tr.Delete(seqKey(2))
		}, 2, "record 2 is missing (the next record found is 3)"},
		{"removed and renumbered", func(t *testing.T, tr, _ *bolt.Bucket) error {
			for i := uint64(3); i <= 5; i++ {
				if err := tr.Put(seqKey(i-1), bytes.Clone(tr.Get(seqKey(i)))); err != nil {
					return err
				}
			}
			return tr.Delete(seqKey(5))
		}, 2, "record 2 holds the content of record 3: record 2 was removed and the later ones renumbered"},
		{"inserted", func(t *testing.T, tr, _ *bolt.Bucket) error {
			// Move records 3..5 up unchanged and put a forged record 3 in between.
			for i := uint64(5); i >= 3; i-- {
				if err := tr.Put(seqKey(i+1), bytes.Clone(tr.Get(seqKey(i)))); err != nil {
					return err
				}
			}
			forged := decode(t, tr.Get(seqKey(3)))
			forged.Target = "forged"
			return tr.Put(seqKey(3), encode(t, forged))
		}, 3, "a record was inserted at 3: the genuine record 3 follows it, renumbered 4"},
		{"inserted, the rest renumbered", func(t *testing.T, tr, _ *bolt.Bucket) error {
			for i := uint64(5); i >= 3; i-- {
				ev := decode(t, tr.Get(seqKey(i)))
				ev.Seq = i + 1
				if err := tr.Put(seqKey(i+1), encode(t, ev)); err != nil {
					return err
				}
			}
			forged := decode(t, tr.Get(seqKey(2)))
			forged.Seq, forged.Target = 3, "forged"
			return tr.Put(seqKey(3), encode(t, forged))
		}, 3, "records 3 to 6, the end of the trail"},
		{"renumbered in place", func(t *testing.T, tr, _ *bolt.Bucket) error {
			v := bytes.Replace(tr.Get(seqKey(3)), []byte(`{"seq":3,`), []byte(`{"seq":4,`), 1)
			return tr.Put(seqKey(3), v)
		}, 3, "record 3 was altered or forged"},
		{"numbered before the first", func(t *testing.T, tr, _ *bolt.Bucket) error {
			return tr.Put(seqKey(0), bytes.Clone(tr.Get(seqKey(1))))
		}, 1, "a record numbered 0 was inserted before record 1"},
		{"reordered", func(t *testing.T, tr, _ *bolt.Bucket) error {
			two, four := bytes.Clone(tr.Get(seqKey(2))), bytes.Clone(tr.Get(seqKey(4)))
			if err := tr.Put(seqKey(2), four); err != nil {
				return err
			}
			return tr.Put(seqKey(4), two)
		}, 2, "record 2 holds the content of record 4: records were reordered"},
		{"truncated", func(t *testing.T, tr, _ *bolt.Bucket) error {
			return tr.Delete(seqKey(5))
		}, 5, "removed from the end"},
		{"head replaced", func(t *testing.T, tr, hb *bolt.Bucket) error {
			h, _ := json.Marshal(head{Seq: 4, MAC: decode(t, tr.Get(seqKey(4))).MAC})
			return hb.Put([]byte(headKey), h)
		}, 5, "the trail holds 5 records but its head names record 4: the head was replaced"},
		{"cut, head rewritten to match", func(t *testing.T, tr, hb *bolt.Bucket) error {
			if err := tr.Delete(seqKey(5)); err != nil {
				return err
			}
			h, _ := json.Marshal(head{Seq: 4, MAC: decode(t, tr.Get(seqKey(4))).MAC})
			return hb.Put([]byte(headKey), h)
		}, 5, "the head names record 4 but was not sealed with this store's key: it was rewritten, and records after 4 may have been removed"},
		{"head sealed with another key", func(t *testing.T, tr, hb *bolt.Bucket) error {
			if err := tr.Delete(seqKey(5)); err != nil {
				return err
			}
			h, _ := json.Marshal(head{Seq: 4, MAC: decode(t, tr.Get(seqKey(4))).MAC, Seal: strings.Repeat("ab", 32)})
			return hb.Put([]byte(headKey), h)
		}, 5, "was not sealed with this store's key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := trail(t, 5)
			rawEdit(t, opts, func(tr, head *bolt.Bucket) error { return c.edit(t, tr, head) })
			rep := verify(t, opts)
			if rep.Intact || rep.BadSeq != c.badSeq || !strings.Contains(rep.Problem, c.problem) {
				t.Fatalf("report %+v; want record %d named, problem containing %q", rep, c.badSeq, c.problem)
			}
		})
	}
}

// A trail re-chained end to end under another key (an attacker who rewrote
// every record with a key of their own) fails at the first record.
func TestRechainedWithAnotherKey(t *testing.T) {
	opts := trail(t, 4)
	forger := trail(t, 4) // same events, another master key
	var forged [][]byte
	db, _ := bolt.Open(forger.Path, 0o600, nil)
	db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(trailBucket))
		for i := uint64(1); i <= 4; i++ {
			forged = append(forged, append([]byte(nil), b.Get(seqKey(i))...))
		}
		head := tx.Bucket([]byte(headBucket)).Get([]byte(headKey))
		forged = append(forged, append([]byte(nil), head...))
		return nil
	})
	db.Close()
	rawEdit(t, opts, func(tr, head *bolt.Bucket) error {
		for i := uint64(1); i <= 4; i++ {
			tr.Put(seqKey(i), forged[i-1])
		}
		return head.Put([]byte(headKey), forged[4])
	})
	rep := verify(t, opts)
	if rep.Intact || rep.BadSeq != 1 || !strings.Contains(rep.Problem, "records 1 to 4, the end of the trail") ||
		!strings.Contains(rep.Problem, "re-chained with another key") {
		t.Fatalf("report %+v; want record 1 named as written with another key", rep)
	}
}

func TestAppendNeedsWritableTx(t *testing.T) {
	opts := trail(t, 1)
	s, _ := store.Open(opts)
	defer s.Close()
	s.View(func(tx *store.Tx) error {
		if _, err := Append(tx, Event{Action: "x"}); err == nil {
			t.Error("Append in a read-only transaction succeeded")
		}
		return nil
	})
}

func BenchmarkAppend(b *testing.B) {
	opts := store.Options{Path: filepath.Join(b.TempDir(), "cwsec.db"), MasterKey: make([]byte, 32)}
	store.Create(opts, nil)
	s, _ := store.Open(opts)
	defer s.Close()
	ev := Event{Time: pinned, Actor: Actor{User: "root", Host: "h"}, Action: "bench", Outcome: OutcomeOK}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Update(func(tx *store.Tx) error { _, err := Append(tx, ev); return err })
	}
}

func BenchmarkVerify10k(b *testing.B) {
	opts := store.Options{Path: filepath.Join(b.TempDir(), "cwsec.db"), MasterKey: make([]byte, 32)}
	store.Create(opts, func(tx *store.Tx) error {
		for i := 0; i < 10000; i++ {
			Append(tx, Event{Time: pinned, Actor: Actor{User: "root", Host: "h"}, Action: "bench", Outcome: OutcomeOK})
		}
		return nil
	})
	s, _ := store.Open(opts)
	defer s.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.View(func(tx *store.Tx) error { _, err := Verify(tx); return err })
	}
}

// The head's seal is what docs/audit.md says it is, computed with openssl
// from the master key alone: an auditor can check it without cwsec.
func TestHeadSealAsDocumented(t *testing.T) {
	openssl := peer.Require(t, "openssl")
	opts := trail(t, 3)
	var h head
	if err := json.Unmarshal(rawHead(t, opts), &h); err != nil {
		t.Fatal(err)
	}
	run := func(stdin string, args ...string) string {
		cmd := exec.Command(openssl, args...)
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("openssl %v: %v", args, err)
		}
		return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(string(out)), ":", ""))
	}
	key := run("", "kdf", "-keylen", "32", "-kdfopt", "digest:SHA256",
		"-kdfopt", "hexkey:"+hex.EncodeToString(opts.MasterKey), "-kdfopt", "info:cwsec/v1/audit-head", "HKDF")
	seal := run(fmt.Sprintf("cwsec-audit-head-v1\n%d\n%s", h.Seq, h.MAC), "mac", "-digest", "SHA256", "-macopt", "hexkey:"+key, "HMAC")
	if h.Seq != 3 || seal != h.Seal {
		t.Fatalf("head %+v; openssl computes the seal %s", h, seal)
	}
}

// Verify notes the newest event of each action it is asked about, in the same
// pass; text that merely quotes an action (a reason, say) does not count.
func TestVerifyNotesTheLatestOfAnAction(t *testing.T) {
	opts := trail(t, 2)
	s, err := store.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	appendEvents(t, s, 2, "2fa.enable")
	appendEvents(t, s, 1, "2fa.disable")
	err = s.Update(func(tx *store.Tx) error {
		_, err := Append(tx, Event{Time: pinned, Actor: Actor{User: "root", Host: "h"}, Action: "2fa.reset",
			Outcome: OutcomeOK, Reason: `"action":"2fa.enable"`, Details: map[string]string{"note": `"action":"2fa.enable"`}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	rep := verify(t, opts, "2fa.enable", "2fa.disable", "2fa.enroll")
	if !rep.Intact || rep.Latest["2fa.enable"].Seq != 4 || rep.Latest["2fa.disable"].Seq != 5 {
		t.Fatalf("latest %+v, want 2fa.enable at 4 and 2fa.disable at 5", rep.Latest)
	}
	if _, found := rep.Latest["2fa.enroll"]; found || len(rep.Latest) != 2 {
		t.Fatalf("latest %+v: an action never recorded was noted", rep.Latest)
	}
}
