package audit

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cwsec/cwsec/internal/store"
)

// ErrUnreadable marks a record that is not even JSON: reading the trail
// cannot go past it, and `audit verify` says what happened to it.
var ErrUnreadable = errors.New("unreadable")

// Length is the number of records the trail head claims.
func Length(tx *store.Tx) (uint64, error) {
	h, err := readHead(tx)
	return h.Seq, err
}

// Last returns the newest record, or ok=false for an empty trail.
func Last(tx *store.Tx) (ev Event, ok bool, err error) {
	trail, err := tx.Bucket(trailBucket)
	if err != nil || trail == nil {
		return Event{}, false, err
	}
	k, v := trail.Cursor().Last()
	if k == nil {
		return Event{}, false, nil
	}
	ev, err = decodeRecord(k, v)
	return ev, err == nil, err
}

func decodeRecord(k, v []byte) (Event, error) {
	var ev Event
	if len(k) != 8 {
		return ev, fmt.Errorf("audit: a record under key %x is %w: the key is not a sequence number", k, ErrUnreadable)
	}
	if err := json.Unmarshal(v, &ev); err != nil {
		return ev, fmt.Errorf("audit: record %d is %w: %v", binary.BigEndian.Uint64(k), ErrUnreadable, err)
	}
	return ev, nil
}
