package audit

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/cwsec/cwsec/internal/store"
)

// A checkpoint is a signed statement of the trail's length and newest MAC at
// a moment, kept off the machine. The chain alone cannot show that records
// were cut from the end if the head was rewritten to match; a checkpoint can:
// the trail must still hold the record it names, with the same MAC.
//
// It is signed with Ed25519, the seed derived from the master key, so only
// the store's key holder can make one and anybody can check the signature
// with the public key it carries; `audit verify --checkpoint` also requires
// that public key to be this store's own.
const (
	CheckpointFormat  = "cwsec-audit-checkpoint-v1"
	checkpointPurpose = "audit-checkpoint"
)

// Errors from CheckCheckpoint when the checkpoint itself proves nothing.
var (
	ErrNotCheckpoint       = errors.New("not a cwsec audit checkpoint")
	ErrCheckpointSignature = errors.New("the checkpoint's signature does not verify: the file was altered")
	ErrForeignCheckpoint   = errors.New("the checkpoint was signed by another store's key")
)

// Checkpoint is the statement and its signature, as kept in a file.
type Checkpoint struct {
	Format    string    `json:"format"`
	Length    uint64    `json:"length"`
	HeadMAC   string    `json:"head_mac"`
	Time      time.Time `json:"time"`
	PublicKey string    `json:"public_key"` // raw Ed25519 key, base64
	Signature string    `json:"signature"`  // over Statement, base64
}

// Statement is the exact text signed, so the signature can be checked with
// any Ed25519 tool: four lines, each ending in a newline.
func (c Checkpoint) Statement() []byte {
	return fmt.Appendf(nil, "%s\nlength %d\nhead_mac %s\ntime %s\n",
		CheckpointFormat, c.Length, c.HeadMAC, c.Time.UTC().Format(time.RFC3339Nano))
}

func checkpointSigner(subKey store.SubKeyFunc) (ed25519.PrivateKey, error) {
	seed, err := subKey(checkpointPurpose)
	if err != nil {
		return nil, err
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// NewCheckpoint signs the trail's current length and head MAC at now. It
// does not verify the trail: callers do that first, so as not to vouch for
// a broken one.
func NewCheckpoint(tx *store.Tx, now time.Time) (Checkpoint, error) {
	h, err := readHead(tx)
	if err != nil {
		return Checkpoint{}, err
	}
	signer, err := checkpointSigner(tx.SubKey)
	if err != nil {
		return Checkpoint{}, err
	}
	c := Checkpoint{Format: CheckpointFormat, Length: h.Seq, HeadMAC: h.MAC, Time: now.UTC(),
		PublicKey: base64.StdEncoding.EncodeToString(signer.Public().(ed25519.PublicKey))}
	c.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(signer, c.Statement()))
	return c, nil
}

// CheckCheckpoint proves that the trail in tx still extends c: c is signed
// by this store's key (its current one or one retired by a rekey) and the
// trail still holds record c.Length with the MAC c recorded. Run with Verify,
// which proves the records up to there unchanged. It returns what is wrong
// with the trail, or an error when c itself proves nothing.
func CheckCheckpoint(tx *store.Tx, c Checkpoint) (problem string, err error) {
	if c.Format != CheckpointFormat {
		return "", fmt.Errorf("%w (format %q, want %q)", ErrNotCheckpoint, c.Format, CheckpointFormat)
	}
	pub, err := base64.StdEncoding.DecodeString(c.PublicKey)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return "", fmt.Errorf("%w: its public key is not an Ed25519 key", ErrNotCheckpoint)
	}
	sig, err := base64.StdEncoding.DecodeString(c.Signature)
	if err != nil || !ed25519.Verify(pub, c.Statement(), sig) {
		return "", ErrCheckpointSignature
	}
	if err := checkSigner(tx, pub, c.Length); err != nil {
		return "", err
	}
	if c.Length == 0 {
		return "", nil
	}
	trail, err := tx.Bucket(trailBucket)
	if err != nil {
		return "", err
	}
	var v []byte
	if trail != nil {
		v = trail.Get(seqKey(c.Length))
	}
	if v == nil {
		length, err := Length(tx)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("record %d, the newest at the checkpoint of %s, is gone: the trail was cut short after the checkpoint (its head names record %d)",
			c.Length, c.Time.UTC().Format(time.RFC3339), length), nil
	}
	if r, ok := splitRecord(v); !ok || string(r.mac) != c.HeadMAC {
		return fmt.Sprintf("record %d does not carry the MAC the checkpoint of %s recorded: the trail was rewritten since",
			c.Length, c.Time.UTC().Format(time.RFC3339)), nil
	}
	return "", nil
}

// checkSigner requires pub to be the checkpoint key of this store's master
// key, or of a retired one whose records reach length.
func checkSigner(tx *store.Tx, pub ed25519.PublicKey, length uint64) error {
	signer, err := checkpointSigner(tx.SubKey)
	if err != nil {
		return err
	}
	if signer.Public().(ed25519.PublicKey).Equal(pub) {
		return nil
	}
	epochs, err := loadEpochs(tx)
	if err != nil {
		return err
	}
	for _, e := range epochs {
		if bytes.Equal(e.CheckpointKey, pub) && length <= e.To {
			return nil
		}
	}
	return ErrForeignCheckpoint
}
