package certs

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/cwsec/cwsec/internal/store"
)

// Persistence of requests and certificates in the store.
//
// Two buckets, every value in both sealed with tx.PutSecret (which registers
// the buckets, so store check and rekey cover them, and an edit of the file
// is detected):
//
//	certs      ID -> JSON Record: state, request, CSR, certificate and chain
//	cert_keys  ID -> PKCS#8 DER private key
//
// The private key lives apart from the record so that listing never opens a
// key. Records are sealed too, not only keys: their state decides what gets
// deployed, so nobody with the file but not the master key may change it.
const (
	recordsBucket = "certs"
	keysBucket    = "cert_keys"
)

// State is where a record stands in its life.
type State string

// States. A request is pending until a certificate for its key is installed;
// then the record holds the certificate and is active. Exactly one record is
// active at a time; the one it replaced is previous (what rollback returns
// to); older ones are superseded.
const (
	StatePending    State = "pending"
	StateActive     State = "active"
	StatePrevious   State = "previous"
	StateSuperseded State = "superseded"
)

// Key sources: where a record's private key came from.
const (
	KeySourceRequest = "request" // made by cwsec cert request
	KeySourceFile    = "file"    // given with cert install --key (or inside a PKCS#12 file)
)

// ErrNoRecord is returned when an ID names no request or certificate.
var ErrNoRecord = errors.New("no such request or certificate")

// Record is one request or certificate. All binary material is DER.
type Record struct {
	ID         string       `json:"id"`
	State      State        `json:"state"`
	KeyType    string       `json:"key_type"`
	SPKISHA256 string       `json:"spki_sha256"`
	KeySource  string       `json:"key_source"`
	CreatedAt  time.Time    `json:"created_at"`
	Request    *RequestSpec `json:"request,omitempty"` // what was asked for; nil when the key came from a file
	CSR        []byte       `json:"csr,omitempty"`
	// KeyFrom is the record whose key this one shares, when a certificate
	// was installed again for a key that already had one (a reissue).
	KeyFrom     string    `json:"key_from,omitempty"`
	Certificate []byte    `json:"certificate,omitempty"`
	Chain       [][]byte  `json:"chain,omitempty"` // intermediates, leaf-to-root, without the root
	InstalledAt time.Time `json:"installed_at,omitzero"`
	// Deployments is the outcome of the last deployment to each target.
	Deployments map[string]Deployment `json:"deployments,omitempty"`
}

// Deployment is what happened the last time a record was deployed to a target.
type Deployment struct {
	At      time.Time `json:"at"`
	OK      bool      `json:"ok"`
	Message string    `json:"message,omitempty"`
}

// HasCertificate reports whether a certificate was installed for the record.
func (r Record) HasCertificate() bool { return len(r.Certificate) > 0 }

// Leaf parses the record's certificate.
func (r Record) Leaf() (*x509.Certificate, error) {
	if !r.HasCertificate() {
		return nil, fmt.Errorf("%s: %w: the request has no certificate yet", r.ID, ErrNoRecord)
	}
	c, err := x509.ParseCertificate(r.Certificate)
	if err != nil {
		return nil, fmt.Errorf("%w: certificate %s is unreadable", store.ErrCorruptRecord, r.ID)
	}
	return c, nil
}

// Intermediates parses the record's chain.
func (r Record) Intermediates() ([]*x509.Certificate, error) {
	out := make([]*x509.Certificate, 0, len(r.Chain))
	for _, der := range r.Chain {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("%w: the chain of certificate %s is unreadable", store.ErrCorruptRecord, r.ID)
		}
		out = append(out, c)
	}
	return out, nil
}

// Names are the names the record must cover: the request's DNS names and IP
// addresses, in request order. A record installed with a key file has none.
func (r Record) Names() []string {
	if r.Request == nil {
		return nil
	}
	names := append([]string{}, r.Request.DNSNames...)
	for _, ip := range r.Request.IPs {
		names = append(names, ip.String())
	}
	return names
}

// NewRecordID makes a fresh ID: eight hex digits, short enough to type, drawn
// from r and checked against the IDs in use.
func NewRecordID(tx *store.Tx, r io.Reader) (string, error) {
	for range 16 {
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return "", err
		}
		id := hex.EncodeToString(b[:])
		if _, found, err := LoadRecord(tx, id); err != nil {
			return "", err
		} else if !found {
			return id, nil
		}
	}
	return "", errors.New("cannot find an unused record ID")
}

// NormalizeID accepts an ID as typed: case and surrounding space do not matter.
func NormalizeID(id string) string { return strings.ToLower(strings.TrimSpace(id)) }

// SaveRecord seals and stores rec under its ID.
func SaveRecord(tx *store.Tx, rec Record) error {
	if rec.ID == "" {
		return errors.New("certs: record without an ID")
	}
	plain, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return tx.PutSecret(recordsBucket, rec.ID, plain)
}

// LoadRecord reads the record with id; found is false when there is none.
func LoadRecord(tx *store.Tx, id string) (rec Record, found bool, err error) {
	plain, err := tx.Secret(recordsBucket, id)
	if err != nil || plain == nil {
		return Record{}, false, err
	}
	if err := json.Unmarshal(plain, &rec); err != nil {
		return Record{}, false, fmt.Errorf("%w: certificate record %q is unreadable", store.ErrCorruptRecord, id)
	}
	return rec, true, nil
}

// Records returns every record, oldest first.
func Records(tx *store.Tx) ([]Record, error) {
	b, err := tx.Bucket(recordsBucket)
	if err != nil || b == nil {
		return nil, err
	}
	var ids []string
	if err := b.ForEach(func(k, _ []byte) error { ids = append(ids, string(k)); return nil }); err != nil {
		return nil, err
	}
	out := make([]Record, 0, len(ids))
	for _, id := range ids {
		rec, _, err := LoadRecord(tx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// RecordInState returns the one record in state st (active or previous).
func RecordInState(tx *store.Tx, st State) (Record, bool, error) {
	recs, err := Records(tx)
	if err != nil {
		return Record{}, false, err
	}
	for _, r := range recs {
		if r.State == st {
			return r, true, nil
		}
	}
	return Record{}, false, nil
}

// SaveKey seals key (as PKCS#8 DER) for record id.
func SaveKey(tx *store.Tx, id string, key crypto.Signer) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return newError(ErrUnsupportedKey, "cannot encode the private key: "+err.Error(), "")
	}
	return tx.PutSecret(keysBucket, id, der)
}

// LoadKey opens the private key of record id.
func LoadKey(tx *store.Tx, id string) (crypto.Signer, error) {
	der, err := tx.Secret(keysBucket, id)
	if err != nil {
		return nil, err
	}
	if der == nil {
		return nil, fmt.Errorf("%w: the private key of %s is missing", store.ErrCorruptRecord, id)
	}
	key, err := parsePrivateKeyDER(der)
	if err != nil {
		return nil, fmt.Errorf("%w: the private key of %s is unreadable", store.ErrCorruptRecord, id)
	}
	return key, nil
}

// LoadMaterial opens what record rec deploys or exports: its certificate,
// intermediates and private key.
func LoadMaterial(tx *store.Tx, rec Record) (Material, error) {
	var m Material
	var err error
	if m.Leaf, err = rec.Leaf(); err != nil {
		return Material{}, err
	}
	if m.Chain, err = rec.Intermediates(); err != nil {
		return Material{}, err
	}
	if m.Key, err = LoadKey(tx, rec.ID); err != nil {
		return Material{}, err
	}
	return m, nil
}

// Activate makes record id the active certificate: the active one becomes
// previous and the previous one superseded. It returns the ID of the record
// that was active before ("" if none). All in tx: the caller audits it there.
func Activate(tx *store.Tx, id string) (wasActive string, err error) {
	recs, err := Records(tx)
	if err != nil {
		return "", err
	}
	var target *Record
	for i := range recs {
		if recs[i].ID == id {
			target = &recs[i]
		}
	}
	if target == nil || !target.HasCertificate() {
		return "", fmt.Errorf("%s: %w", id, ErrNoRecord)
	}
	if target.State == StateActive {
		return "", nil
	}
	for _, r := range recs {
		if r.ID == id {
			continue
		}
		switch r.State {
		case StateActive:
			wasActive = r.ID
			r.State = StatePrevious
		case StatePrevious:
			r.State = StateSuperseded
		default:
			continue
		}
		if err := SaveRecord(tx, r); err != nil {
			return "", err
		}
	}
	target.State = StateActive
	return wasActive, SaveRecord(tx, *target)
}

// Rollback swaps the active and the previous certificate, so that a second
// rollback undoes the first. It returns both records as they now are.
func Rollback(tx *store.Tx) (active, previous Record, err error) {
	act, hasActive, err := RecordInState(tx, StateActive)
	if err != nil {
		return Record{}, Record{}, err
	}
	prev, hasPrev, err := RecordInState(tx, StatePrevious)
	if err != nil {
		return Record{}, Record{}, err
	}
	if !hasPrev {
		return Record{}, Record{}, newError(ErrNoPrevious, "there is no previous certificate to roll back to",
			"'cwsec cert list' shows every certificate; 'cwsec cert install' makes one active")
	}
	prev.State = StateActive
	if err := SaveRecord(tx, prev); err != nil {
		return Record{}, Record{}, err
	}
	if hasActive {
		act.State = StatePrevious
		if err := SaveRecord(tx, act); err != nil {
			return Record{}, Record{}, err
		}
	}
	return prev, act, nil
}

// ErrNoPrevious: rollback with nothing to roll back to.
var ErrNoPrevious = errors.New("no previous certificate")

// FindByFingerprint returns the record holding exactly the certificate der.
func FindByFingerprint(recs []Record, der []byte) (Record, bool) {
	for _, r := range recs {
		if r.HasCertificate() && bytes.Equal(r.Certificate, der) {
			return r, true
		}
	}
	return Record{}, false
}

// FindByKey returns the records whose key is pub: pending requests first,
// then the newest certificate with that key.
func FindByKey(recs []Record, pub crypto.PublicKey) []Record {
	want := PublicKeyHash(pub)
	if want == "" {
		return nil
	}
	var pending, installed []Record
	for _, r := range recs {
		if r.SPKISHA256 != want {
			continue
		}
		if r.State == StatePending {
			pending = append(pending, r)
		} else {
			installed = append([]Record{r}, installed...)
		}
	}
	return append(pending, installed...)
}

// PublicKeyHash is SPKIHash of a public key, as records keep it; "" for a
// key that cannot be encoded.
func PublicKeyHash(pub crypto.PublicKey) string {
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return ""
	}
	return SPKIHash(spki)
}
