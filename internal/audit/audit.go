// Package audit keeps cwsec's tamper-evident trail. Every change of state
// appends an Event inside the same store transaction as the change, so the
// trail and the state can never disagree. Each record carries an HMAC-SHA256
// over its canonical form, which includes the previous record's MAC: editing,
// removing, inserting or reordering records breaks the chain, and only a holder
// of the master key can compute a valid one.
//
// Events never carry a secret, key or code; callers put names, IDs and
// fingerprints in Target and Details.
package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cwsec/cwsec/internal/store"
)

const (
	trailBucket = "audit"
	headBucket  = "audit_head"
	headKey     = "head"
	macPurpose  = "audit-mac"
	headPurpose = "audit-head"
)

// Outcomes used across cwsec.
const (
	OutcomeOK       = "ok"
	OutcomeFailed   = "failed"
	OutcomeAccepted = "accepted"
	OutcomeRejected = "rejected"
)

// Actor is who caused an event: the OS account, the account that ran sudo,
// and the machine.
type Actor struct {
	User     string `json:"user"`
	SudoUser string `json:"sudo_user,omitempty"`
	Host     string `json:"host"`
}

// Event is one record of the trail. Field order is the canonical order: the
// MAC is computed over the JSON encoding of the event with MAC empty (see
// record.go for how it is stored and checked).
type Event struct {
	Seq     uint64            `json:"seq"`
	Time    time.Time         `json:"time"`
	Actor   Actor             `json:"actor"`
	Action  string            `json:"action"`
	Target  string            `json:"target,omitempty"`
	Outcome string            `json:"outcome"`
	Reason  string            `json:"reason,omitempty"`
	Details map[string]string `json:"details,omitempty"`
	Prev    string            `json:"prev"`
	MAC     string            `json:"mac,omitempty"`
}

// head is the newest record's number and MAC, kept apart so that records cut
// from the end of the trail are noticed. Seal is an HMAC over both under a
// key of its own: without it, whoever could edit the store file could cut
// records from the end and write a head naming the new last record, and the
// chain would look whole. Only an older genuine head (from a copy of the
// store) still fits a trail cut back to it; checkpoints catch that.
type head struct {
	Seq  uint64 `json:"seq"`
	MAC  string `json:"mac"`
	Seal string `json:"seal,omitempty"`
}

// sealHead computes the head's seal with the current master key.
func sealHead(tx *store.Tx, h head) (string, error) {
	key, err := tx.SubKey(headPurpose)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "cwsec-audit-head-v1\n%d\n%s", h.Seq, h.MAC)
	return hex.EncodeToString(m.Sum(nil)), nil
}

// Append numbers, chains and MACs ev and writes it in tx. The caller fills
// Time, Actor, Action, Target, Outcome, Reason and Details. Once tx commits,
// the event goes to the Sink in tx's context, if there is one.
func Append(tx *store.Tx, ev Event) (Event, error) {
	if !tx.Writable() {
		return Event{}, errors.New("audit: append needs a writable transaction")
	}
	key, err := tx.SubKey(macPurpose)
	if err != nil {
		return Event{}, err
	}
	trail, err := tx.Bucket(trailBucket)
	if err != nil {
		return Event{}, err
	}
	// Records are only ever added at the end, so pages can be packed full.
	trail.FillPercent = 1
	h, err := readHead(tx)
	if err != nil {
		return Event{}, err
	}
	ev.Seq, ev.Prev, ev.MAC = h.Seq+1, h.MAC, ""
	ev.Time = ev.Time.UTC()
	canonical, err := json.Marshal(ev)
	if err != nil {
		return Event{}, err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(canonical)
	ev.MAC = hex.EncodeToString(mac.Sum(nil))
	if err := trail.Put(seqKey(ev.Seq), encodeRecord(canonical, ev.MAC)); err != nil {
		return Event{}, err
	}
	h = head{Seq: ev.Seq, MAC: ev.MAC}
	if h.Seal, err = sealHead(tx, h); err != nil {
		return Event{}, err
	}
	if err := writeHead(tx, h); err != nil {
		return Event{}, err
	}
	forward(tx, ev)
	return ev, nil
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

func readHead(tx *store.Tx) (head, error) {
	b, err := tx.Bucket(headBucket)
	if err != nil || b == nil {
		return head{}, err
	}
	raw := b.Get([]byte(headKey))
	if raw == nil {
		return head{}, nil
	}
	var h head
	if err := json.Unmarshal(raw, &h); err != nil {
		return head{}, fmt.Errorf("audit: unreadable trail head: %w", err)
	}
	return h, nil
}

func writeHead(tx *store.Tx, h head) error {
	b, err := tx.Bucket(headBucket)
	if err != nil {
		return err
	}
	data, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return b.Put([]byte(headKey), data)
}
