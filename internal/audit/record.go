package audit

import (
	"bytes"
	"crypto/hmac"
	"encoding/hex"
	"hash"
	"strconv"
)

// A record is stored as the canonical encoding C of its event (json.Marshal
// of Event with MAC empty, so fields in Event's order and no "mac" member)
// with the MAC appended as a last member:
//
//	C without its closing brace + `,"mac":"` + hex(HMAC-SHA256(key, C)) + `"}`
//
// which is byte for byte what json.Marshal writes for the event with its MAC.
// The MAC covers the stored bytes themselves, so checking a record needs no
// JSON decoding and no re-encoding: its result cannot change with a later
// encoder. A record in any other form (re-ordered members, other spacing)
// does not verify, even if it decodes to the same event.
const (
	macMember  = `,"mac":"`
	recordTail = `"}`
	macHexLen  = 2 * 32
	macSuffix  = len(macMember) + macHexLen + len(recordTail)
	seqMember  = `{"seq":`
	prevMember = `,"prev":"`
)

func encodeRecord(canonical []byte, mac string) []byte {
	out := make([]byte, 0, len(canonical)+macSuffix-1)
	out = append(out, canonical[:len(canonical)-1]...)
	out = append(out, macMember...)
	out = append(out, mac...)
	return append(out, recordTail...)
}

// rawRecord is a stored record taken apart without decoding its JSON.
type rawRecord struct {
	body []byte // the canonical encoding without its closing brace
	mac  []byte // the stored MAC, hex
	seq  uint64 // the event's own sequence number
	prev []byte // the MAC it claims to follow, hex; empty for record 1
}

// splitRecord takes a stored record apart; ok is false when it is not in the
// form encodeRecord writes. The parts are authentic only once macMatches.
func splitRecord(v []byte) (r rawRecord, ok bool) {
	n := len(v) - macSuffix
	if n < len(seqMember) || !bytes.HasSuffix(v, []byte(recordTail)) || !bytes.Equal(v[n:n+len(macMember)], []byte(macMember)) {
		return r, false
	}
	r.body, r.mac = v[:n], v[n+len(macMember):len(v)-len(recordTail)]
	digits, rest, found := bytes.Cut(r.body[len(seqMember):], []byte(","))
	if !bytes.HasPrefix(r.body, []byte(seqMember)) || !found || len(rest) == 0 {
		return r, false
	}
	seq, err := strconv.ParseUint(string(digits), 10, 64)
	if err != nil {
		return r, false
	}
	r.seq = seq
	switch {
	case bytes.HasSuffix(r.body, []byte(prevMember+`"`)):
	case len(r.body) > len(prevMember)+macHexLen+1 &&
		bytes.HasSuffix(r.body[:len(r.body)-macHexLen-1], []byte(prevMember)) && r.body[len(r.body)-1] == '"':
		r.prev = r.body[len(r.body)-macHexLen-1 : len(r.body)-1]
	default:
		return r, false
	}
	return r, true
}

// macMatches recomputes the record's MAC with mac (an HMAC keyed for the
// record's key epoch) and compares it with the stored one in constant time.
func (r rawRecord) macMatches(mac hash.Hash) bool {
	mac.Reset()
	mac.Write(r.body)
	mac.Write([]byte{'}'})
	var sum [32]byte
	var want [macHexLen]byte
	hex.Encode(want[:], mac.Sum(sum[:0]))
	return hmac.Equal(want[:], r.mac)
}
