package audit

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"hash"

	"github.com/cwsec/cwsec/internal/store"
)

// The audit MAC key derives from the master key, so `store rekey` changes it.
// Records already written keep the MAC they were written with: computing them
// again under the new key would let whoever re-keys rewrite history unseen.
// Instead the old key is retired into a key epoch, sealed under the new master
// key like any secret, naming the records it covers; the first record under
// the new key (the rekey event) carries the last old MAC as its prev, which
// links the segments into one chain.
const epochBucket = "audit_key_epochs"

// epoch is a retired audit key and the records From..To it MAC'd. The
// checkpoint public key of the same master key is kept with it, so that
// checkpoints taken before a rekey still verify.
type epoch struct {
	From          uint64            `json:"from"`
	To            uint64            `json:"to"`
	MACKey        []byte            `json:"mac_key"`
	CheckpointKey ed25519.PublicKey `json:"checkpoint_public_key"`
}

// epochName orders epochs by their first record in the bucket.
func epochName(from uint64) string { return fmt.Sprintf("%020d", from) }

func loadEpochs(tx *store.Tx) ([]epoch, error) {
	b, err := tx.Bucket(epochBucket)
	if err != nil || b == nil {
		return nil, err
	}
	var names []string
	if err := b.ForEach(func(k, _ []byte) error { names = append(names, string(k)); return nil }); err != nil {
		return nil, err
	}
	epochs := make([]epoch, 0, len(names))
	for _, name := range names {
		plain, err := tx.Secret(epochBucket, name)
		if err != nil {
			return nil, err
		}
		var e epoch
		if err := json.Unmarshal(plain, &e); err != nil {
			return nil, fmt.Errorf("%w: audit key epoch %s is unreadable", store.ErrCorruptRecord, name)
		}
		epochs = append(epochs, e)
	}
	return epochs, nil
}

// chainKeys holds an HMAC for every key epoch and for the current key.
type chainKeys struct {
	epochs  []epoch
	macs    []hash.Hash
	current hash.Hash
}

func loadChainKeys(tx *store.Tx) (*chainKeys, error) {
	key, err := tx.SubKey(macPurpose)
	if err != nil {
		return nil, err
	}
	epochs, err := loadEpochs(tx)
	if err != nil {
		return nil, err
	}
	k := &chainKeys{epochs: epochs, current: hmac.New(sha256.New, key)}
	for _, e := range epochs {
		k.macs = append(k.macs, hmac.New(sha256.New, e.MACKey))
	}
	return k, nil
}

// forSeq is the HMAC that record seq must carry.
func (k *chainKeys) forSeq(seq uint64) hash.Hash {
	for i, e := range k.epochs {
		if e.From <= seq && seq <= e.To {
			return k.macs[i]
		}
	}
	return k.current
}

// Rekeyed carries the trail across a change of master key. It runs inside
// store.Rekey's transaction, where tx already derives from the new key and
// oldSubKey from the old one: it retires the old key into an epoch covering
// the records written under it, then appends ev (the rekey event) as the
// first record under the new key.
func Rekeyed(tx *store.Tx, oldSubKey store.SubKeyFunc, ev Event) (Event, error) {
	h, err := readHead(tx)
	if err != nil {
		return Event{}, err
	}
	epochs, err := loadEpochs(tx)
	if err != nil {
		return Event{}, err
	}
	from := uint64(1)
	if n := len(epochs); n > 0 {
		from = epochs[n-1].To + 1
	}
	if h.Seq >= from {
		macKey, err := oldSubKey(macPurpose)
		if err != nil {
			return Event{}, err
		}
		signer, err := checkpointSigner(oldSubKey)
		if err != nil {
			return Event{}, err
		}
		e := epoch{From: from, To: h.Seq, MACKey: macKey, CheckpointKey: signer.Public().(ed25519.PublicKey)}
		data, err := json.Marshal(e)
		if err != nil {
			return Event{}, err
		}
		if err := tx.PutSecret(epochBucket, epochName(from), data); err != nil {
			return Event{}, err
		}
	}
	return Append(tx, ev)
}
