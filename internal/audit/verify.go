package audit

import (
	"crypto/hmac"
	"encoding/binary"
	"fmt"

	"github.com/cwsec/cwsec/internal/store"
)

// Report is the outcome of walking the trail.
type Report struct {
	Length uint64 `json:"length"`
	Intact bool   `json:"intact"`
	// BadSeq is the first record that fails, 0 when intact.
	BadSeq  uint64 `json:"bad_seq,omitempty"`
	Problem string `json:"problem,omitempty"`
}

// Verify walks the trail from the first record and reports the first record
// that was changed, removed, inserted, reordered or chained under another key,
// and a trail whose end was cut off.
func Verify(tx *store.Tx) (Report, error) {
	key, err := tx.SubKey(macPurpose)
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
	var (
		want    uint64 = 1
		prevMAC string
	)
	if trail != nil {
		c := trail.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			mac, problem := checkRecord(key, want, prevMAC, k, v)
			if problem != "" {
				return Report{Length: want - 1, BadSeq: want, Problem: problem}, nil
			}
			prevMAC = mac
			want++
		}
	}
	length := want - 1
	if h.Seq != length || h.MAC != prevMAC {
		return Report{Length: length, BadSeq: length + 1, Problem: fmt.Sprintf(
			"the trail ends at record %d but its head names record %d: records were removed from the end", length, h.Seq)}, nil
	}
	return Report{Length: length, Intact: true}, nil
}

// checkRecord checks the record stored under k, expected to be number want and
// to follow the record whose MAC is prevMAC. It returns the record's MAC, or
// what is wrong with it.
func checkRecord(key []byte, want uint64, prevMAC string, k, v []byte) (mac, problem string) {
	ev, err := decodeRecord(k, v)
	if err != nil {
		return "", err.Error()
	}
	if got := binary.BigEndian.Uint64(k); got != want {
		return "", fmt.Sprintf("record %d is missing (the next record found is %d)", want, got)
	}
	if ev.Seq != want {
		return "", fmt.Sprintf("record %d holds the content of record %d: records were reordered", want, ev.Seq)
	}
	if mac, err = computeMAC(key, ev); err != nil {
		return "", err.Error()
	}
	if !hmac.Equal([]byte(mac), []byte(ev.MAC)) {
		return "", fmt.Sprintf("record %d was altered or written with another key (its MAC does not match)", want)
	}
	if ev.Prev != prevMAC {
		return "", fmt.Sprintf("record %d does not follow record %d: a record was inserted or removed", want, want-1)
	}
	return mac, ""
}
