package audit

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/cwsec/cwsec/internal/store"
)

// Filter selects events; its zero value selects all.
//
// Records are appended in time order, so the time bounds are found by binary
// search over sequence numbers instead of reading the whole trail. Should the
// clock ever have been set back, an event written in that interval may fall
// outside a bound it belongs in.
type Filter struct {
	Since, Until time.Time // inclusive; zero is unbounded
	// Actions are actions (2fa.reset) or families (2fa matches 2fa.*); an
	// event matches any of them.
	Actions []string
	// User is the OS account that acted, directly or through sudo.
	User   string
	Target string
}

// Match reports whether ev is selected.
func (f Filter) Match(ev Event) bool {
	switch {
	case !f.Since.IsZero() && ev.Time.Before(f.Since),
		!f.Until.IsZero() && ev.Time.After(f.Until),
		f.User != "" && ev.Actor.User != f.User && ev.Actor.SudoUser != f.User,
		f.Target != "" && ev.Target != f.Target:
		return false
	}
	return len(f.Actions) == 0 || slices.ContainsFunc(f.Actions, func(a string) bool {
		return ev.Action == a || strings.HasPrefix(ev.Action, a+".")
	})
}

// needles are byte strings every matching record contains, as json.Marshal
// wrote it; a record without one is skipped without being decoded, which
// keeps a rare --user or --action fast over a long trail.
func (f Filter) needles() [][]byte {
	var n [][]byte
	quoted := func(s string) []byte { b, _ := json.Marshal(s); return b }
	if len(f.Actions) == 1 {
		a := quoted(f.Actions[0])
		n = append(n, append([]byte(`"action":`), a[:len(a)-1]...)) // a prefix: families match
	}
	if f.User != "" {
		n = append(n, append([]byte(`user":`), quoted(f.User)...)) // "user" and "sudo_user"
	}
	if f.Target != "" {
		n = append(n, append([]byte(`"target":`), quoted(f.Target)...))
	}
	return n
}

var errStop = errors.New("stop")

// Tail returns the newest limit events matching f (every match when limit
// is 0), oldest first. It reads backwards from the newest record, so the
// last few events of a long trail cost a few reads.
func Tail(tx *store.Tx, f Filter, limit int) ([]Event, error) {
	var out []Event
	err := scan(tx, f, true, func(ev Event) error {
		out = append(out, ev)
		if limit > 0 && len(out) >= limit {
			return errStop
		}
		return nil
	})
	slices.Reverse(out)
	return out, err
}

// Each calls fn for every event matching f, oldest first.
func Each(tx *store.Tx, f Filter, fn func(Event) error) error {
	return scan(tx, f, false, fn)
}

func scan(tx *store.Tx, f Filter, backward bool, fn func(Event) error) error {
	trail, err := tx.Bucket(trailBucket)
	if err != nil || trail == nil {
		return err
	}
	c := trail.Cursor()
	lo, hi, err := span(c, f)
	if err != nil || lo > hi {
		return err
	}
	needles := f.needles()
	k, v := c.Seek(seqKey(lo))
	step := c.Next
	if backward {
		if k, v = c.Seek(seqKey(hi)); k == nil {
			k, v = c.Last()
		} else if seq, _ := keySeq(k); seq > hi {
			k, v = c.Prev()
		}
		step = c.Prev
	}
	for ; k != nil; k, v = step() {
		if seq, ok := keySeq(k); ok && (seq < lo || seq > hi) {
			break
		}
		if !containsAll(v, needles) {
			continue
		}
		ev, err := decodeRecord(k, v)
		if err != nil {
			return err
		}
		if !f.Match(ev) {
			continue
		}
		if err := fn(ev); err != nil {
			if err == errStop {
				return nil
			}
			return err
		}
	}
	return nil
}

func containsAll(v []byte, needles [][]byte) bool {
	for _, n := range needles {
		if !bytes.Contains(v, n) {
			return false
		}
	}
	return true
}

func keySeq(k []byte) (uint64, bool) {
	if len(k) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(k), true
}

// span is the range of sequence numbers lo..hi whose times fall within f's
// bounds; lo > hi when none do.
func span(c *bolt.Cursor, f Filter) (lo, hi uint64, err error) {
	first, _ := c.First()
	last, _ := c.Last()
	lo, okFirst := keySeq(first)
	hi, okLast := keySeq(last)
	if !okFirst || !okLast {
		return 1, 0, nil
	}
	if !f.Since.IsZero() {
		if lo, err = firstAtOrAfter(c, lo, hi, f.Since); err != nil {
			return 0, 0, err
		}
	}
	if !f.Until.IsZero() {
		end, err := firstAtOrAfter(c, lo, hi, f.Until.Add(time.Nanosecond))
		if err != nil || end == lo {
			return 1, 0, err
		}
		hi = end - 1
	}
	return lo, hi, nil
}

// firstAtOrAfter is the smallest sequence number in lo..hi whose record is
// at or after t, or hi+1 when there is none.
func firstAtOrAfter(c *bolt.Cursor, lo, hi uint64, t time.Time) (uint64, error) {
	l, h := lo, hi+1
	for l < h {
		mid := l + (h-l)/2
		k, v := c.Seek(seqKey(mid))
		seq, ok := keySeq(k)
		if !ok || seq > hi {
			h = mid
			continue
		}
		var rec struct {
			Time time.Time `json:"time"`
		}
		if err := json.Unmarshal(v, &rec); err != nil {
			return 0, fmt.Errorf("audit: record %d is %w: %v", seq, ErrUnreadable, err)
		}
		if rec.Time.Before(t) {
			l = seq + 1
		} else {
			h = mid
		}
	}
	return l, nil
}
