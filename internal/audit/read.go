package audit

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/cwsec/cwsec/internal/store"
)

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
		return ev, fmt.Errorf("audit: record key %x is not a sequence number", k)
	}
	if err := json.Unmarshal(v, &ev); err != nil {
		return ev, fmt.Errorf("audit: record %d is unreadable: %w", binary.BigEndian.Uint64(k), err)
	}
	return ev, nil
}
