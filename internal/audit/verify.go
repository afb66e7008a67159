package audit

import (
	"bytes"
	"crypto/hmac"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/cwsec/cwsec/internal/store"
)

// Report is the outcome of walking the trail.
type Report struct {
	Length uint64 `json:"length"`
	Intact bool   `json:"intact"`
	// BadSeq is the first record that fails, 0 when intact.
	BadSeq  uint64 `json:"bad_seq,omitempty"`
	Problem string `json:"problem,omitempty"`
	// HeadMAC is the newest record's MAC when the trail is intact: what a
	// checkpoint records.
	HeadMAC string `json:"head_mac,omitempty"`
	// KeyEpochs counts the master keys retired by `store rekey` whose
	// records are still checked with them.
	KeyEpochs int `json:"key_epochs"`
	// Latest holds, for each action Verify was asked to note, the newest
	// verified event with that action.
	Latest map[string]Event `json:"-"`
}

// Verify walks the trail from the first record and reports the first record
// that was changed, removed, inserted, reordered or chained under another key,
// and a trail whose end was cut off. Each record is checked on its stored
// bytes (record.go), which is what keeps a million records within seconds.
//
// For each action in note, Report.Latest gets the newest event with it, found
// in the same pass (a state that must agree with its last change, such as the
// 2FA switch, is checked against it). Only records whose bytes name the
// action are decoded.
func Verify(tx *store.Tx, note ...string) (Report, error) {
	keys, err := loadChainKeys(tx)
	if err != nil {
		return Report{}, err
	}
	h, err := readHead(tx)
	if err != nil {
		return Report{}, err
	}
	trail, err := tx.Bucket(trailBucket)
	if err != nil {
		return Report{}, err
	}
	w := walker{trail: trail, keys: keys}
	var (
		want    uint64 = 1
		prevMAC []byte
	)
	latest := map[string]Event{}
	if trail != nil {
		c := trail.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			r, problem := w.check(want, prevMAC, k, v)
			if problem != "" {
				return Report{Length: want - 1, BadSeq: want, Problem: problem, KeyEpochs: len(keys.epochs)}, nil
			}
			if len(note) > 0 && noted(note, actionOf(v)) {
				if ev, err := decodeRecord(k, v); err == nil {
					latest[ev.Action] = ev
				}
			}
			prevMAC = r.mac
			want++
		}
	}
	rep := Report{Length: want - 1, KeyEpochs: len(keys.epochs), Latest: latest}
	switch {
	case h.Seq > rep.Length:
		rep.BadSeq, rep.Problem = rep.Length+1, fmt.Sprintf(
			"the trail ends at record %d but its head names record %d: records were removed from the end", rep.Length, h.Seq)
	case h.Seq < rep.Length:
		rep.BadSeq, rep.Problem = h.Seq+1, fmt.Sprintf(
			"the trail holds %d records but its head names record %d: the head was replaced", rep.Length, h.Seq)
	case h.MAC != string(prevMAC):
		rep.BadSeq, rep.Problem = rep.Length, fmt.Sprintf("the head does not match record %d: the head was replaced", rep.Length)
	case rep.Length > 0:
		seal, err := sealHead(tx, h)
		if err != nil {
			return Report{}, err
		}
		if !hmac.Equal([]byte(seal), []byte(h.Seal)) {
			rep.BadSeq, rep.Problem = rep.Length+1, fmt.Sprintf(
				"the head names record %d but was not sealed with this store's key: it was rewritten, and records after %d may have been removed", rep.Length, rep.Length)
			break
		}
		rep.Intact, rep.HeadMAC = true, h.MAC
	default:
		rep.Intact = true
	}
	return rep, nil
}

// walker checks records in order and, at the first bad one, looks at its
// neighbours to say what happened.
type walker struct {
	trail *bolt.Bucket
	keys  *chainKeys
}

// check checks the record stored under k, expected to be number want and to
// follow the record whose MAC is prevMAC. It returns the record, or what is
// wrong with it.
func (w walker) check(want uint64, prevMAC, k, v []byte) (rawRecord, string) {
	if len(k) != 8 {
		return rawRecord{}, fmt.Sprintf("a record under key %x, which is not a sequence number, was inserted after record %d", k, want-1)
	}
	switch got := binary.BigEndian.Uint64(k); {
	case got > want:
		return rawRecord{}, fmt.Sprintf("record %d is missing (the next record found is %d)", want, got)
	case got < want:
		return rawRecord{}, fmt.Sprintf("a record numbered %d was inserted before record %d", got, want)
	}
	r, ok := splitRecord(v)
	if !ok {
		return r, w.malformed(want, k, v)
	}
	// A record's own number is part of what its MAC covers, so a genuine
	// record found in the wrong place still verifies as the record it is.
	if !r.macMatches(w.keys.forSeq(r.seq)) {
		return r, w.forged(want, prevMAC)
	}
	if r.seq != want {
		return r, w.misplaced(want, r.seq)
	}
	if !bytes.Equal(r.prev, prevMAC) {
		return r, fmt.Sprintf("record %d does not follow record %d: a record was inserted or removed", want, want-1)
	}
	return r, ""
}

// malformed explains a record that is not in the form cwsec writes.
func (w walker) malformed(want uint64, k, v []byte) string {
	ev, err := decodeRecord(k, v)
	switch {
	case err != nil:
		return err.Error()
	case ev.Seq != want:
		return w.misplaced(want, ev.Seq)
	}
	return fmt.Sprintf("record %d was altered: it is not in the form cwsec writes, so its MAC cannot match", want)
}

// misplaced explains record want holding the content of record got: either
// records were cut out and the rest renumbered to close the gap, or records
// were moved.
func (w walker) misplaced(want, got uint64) string {
	if got > want {
		next := w.trail.Get(seqKey(want + 1))
		r, ok := splitRecord(next)
		if next == nil || ok && r.seq == got+1 {
			removed := fmt.Sprintf("records %d to %d were", want, got-1)
			if got-1 == want {
				removed = fmt.Sprintf("record %d was", want)
			}
			return fmt.Sprintf("record %d holds the content of record %d: %s removed and the later ones renumbered", want, got, removed)
		}
	}
	return fmt.Sprintf("record %d holds the content of record %d: records were reordered", want, got)
}

// forged explains record want whose MAC does not match. If the genuine record
// want follows it, it was inserted; if it and every record after it fail
// while chaining to each other, the trail was re-chained with another key;
// otherwise it was altered.
func (w walker) forged(want uint64, prevMAC []byte) string {
	next, ok := splitRecord(w.trail.Get(seqKey(want + 1)))
	if ok && next.seq == want && bytes.Equal(next.prev, prevMAC) && next.macMatches(w.keys.forSeq(want)) {
		return fmt.Sprintf("a record was inserted at %d: the genuine record %d follows it, renumbered %d", want, want, want+1)
	}
	last, linked := want, true
	c := w.trail.Cursor()
	_, v := c.Seek(seqKey(want))
	prev, _ := splitRecord(v)
	for k, v := c.Next(); k != nil; k, v = c.Next() {
		seq, okKey := keySeq(k)
		r, ok := splitRecord(v)
		if !okKey || !ok || r.macMatches(w.keys.forSeq(seq)) {
			linked = false
			break
		}
		linked = linked && bytes.Equal(r.prev, prev.mac)
		last, prev = seq, r
	}
	if linked && last > want {
		return fmt.Sprintf("records %d to %d, the end of the trail, carry MACs chained to each other but not made with this store's key: the trail was re-chained with another key from record %d", want, last, want)
	}
	return fmt.Sprintf("record %d was altered or forged: its MAC does not match its content", want)
}

// noted reports whether action is among note, without allocating: Verify
// asks it of every record.
func noted(note []string, action []byte) bool {
	for _, n := range note {
		if string(action) == n {
			return true
		}
	}
	return false
}

// actionOf returns a stored record's action as json.Marshal wrote it. The
// action member follows the actor object, and the first },"action":" in a
// record is that boundary: no string before it can hold the bare quotes. The
// search starts on a rare byte and stops a few dozen bytes in.
func actionOf(v []byte) []byte {
	const member = `},"action":"`
	i := bytes.Index(v, []byte(member))
	if i < 0 {
		return nil
	}
	action, _, _ := bytes.Cut(v[i+len(member):], []byte(`"`))
	return action
}
