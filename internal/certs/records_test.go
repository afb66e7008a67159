package certs

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/cwsec/cwsec/internal/store"
)

func testStore(t *testing.T) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cwsec.db")
	key := make([]byte, store.MasterKeySize)
	rand.Read(key)
	opts := store.Options{Path: path, MasterKey: key}
	if err := store.Create(opts, nil); err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func states(t *testing.T, s *store.Store) map[string]State {
	t.Helper()
	out := map[string]State{}
	err := s.View(func(tx *store.Tx) error {
		recs, err := Records(tx)
		for _, r := range recs {
			out[r.ID] = r.State
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRecordLifecycle(t *testing.T) {
	s, _ := testStore(t)
	p := newPKI(t)
	certFor := func(name string) []byte {
		return p.inter.issue(t, leafTemplate(name, day(2026, 11, 20), nDays(90)), p.leafKey.Public()).Raw
	}
	ids := map[string]string{}
	err := s.Update(func(tx *store.Tx) error {
		for _, n := range []string{"a", "b", "c"} {
			id, err := NewRecordID(tx, rand.Reader)
			if err != nil {
				return err
			}
			ids[n] = id
			if err := SaveRecord(tx, Record{ID: id, State: StatePending, CreatedAt: testNow, SPKISHA256: PublicKeyHash(p.leafKey.Public())}); err != nil {
				return err
			}
			if err := SaveKey(tx, id, p.leafKey); err != nil {
				return err
			}
		}
		if _, err := Activate(tx, ids["a"]); !errors.Is(err, ErrNoRecord) {
			t.Errorf("activating a request without a certificate: %v", err)
		}
		for _, n := range []string{"a", "b", "c"} {
			rec, _, err := LoadRecord(tx, ids[n])
			if err != nil {
				return err
			}
			rec.Certificate = certFor(n + ".example.org")
			if err := SaveRecord(tx, rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	step := func(n string, want map[string]State, wantPrev string) {
		t.Helper()
		err := s.Update(func(tx *store.Tx) error {
			was, err := Activate(tx, ids[n])
			if err == nil && was != wantPrev {
				t.Errorf("activating %s: was active %q, want %q", n, was, wantPrev)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		checkStates(t, s, ids, want)
	}
	step("a", map[string]State{"a": StateActive, "b": StatePending, "c": StatePending}, "")
	step("b", map[string]State{"a": StatePrevious, "b": StateActive, "c": StatePending}, ids["a"])
	step("c", map[string]State{"a": StateSuperseded, "b": StatePrevious, "c": StateActive}, ids["b"])
	step("c", map[string]State{"a": StateSuperseded, "b": StatePrevious, "c": StateActive}, "")

	rollback := func(want map[string]State) {
		t.Helper()
		if err := s.Update(func(tx *store.Tx) error { _, _, err := Rollback(tx); return err }); err != nil {
			t.Fatal(err)
		}
		checkStates(t, s, ids, want)
	}
	rollback(map[string]State{"a": StateSuperseded, "b": StateActive, "c": StatePrevious})
	rollback(map[string]State{"a": StateSuperseded, "b": StatePrevious, "c": StateActive})

	err = s.View(func(tx *store.Tx) error {
		key, err := LoadKey(tx, ids["a"])
		if err != nil {
			return err
		}
		if !PublicKeysEqual(key.Public(), p.leafKey.Public()) {
			t.Error("LoadKey returned another key")
		}
		recs, _ := Records(tx)
		if got := FindByKey(recs, p.leafKey.Public()); len(got) != 3 {
			t.Errorf("FindByKey found %d records, want 3", len(got))
		}
		if _, ok := FindByFingerprint(recs, certFor("x.example.org")); ok {
			t.Error("FindByFingerprint matched a certificate never stored")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func checkStates(t *testing.T, s *store.Store, ids map[string]string, want map[string]State) {
	t.Helper()
	got := states(t, s)
	for n, st := range want {
		if got[ids[n]] != st {
			t.Errorf("%s is %s, want %s (all: %v)", n, got[ids[n]], st, got)
		}
	}
}

func TestRollbackWithoutPrevious(t *testing.T) {
	s, _ := testStore(t)
	err := s.Update(func(tx *store.Tx) error { _, _, err := Rollback(tx); return err })
	if !errors.Is(err, ErrNoPrevious) || HintOf(err) == "" {
		t.Fatalf("rollback with nothing to roll back to: %v", err)
	}
}

// The store file holds no form of the private key: not its PKCS#8, PKCS#1 or
// SEC1 DER, not the PEM text, not the bare private scalar or prime.
func TestStoredKeyIsSealed(t *testing.T) {
	s, path := testStore(t)
	var keys []crypto.Signer
	for _, kt := range []KeyType{KeyECDSAP256, KeyRSA2048} {
		key, err := GenerateKey(rand.Reader, kt)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, key)
	}
	err := s.Update(func(tx *store.Tx) error {
		for _, key := range keys {
			id, err := NewRecordID(tx, rand.Reader)
			if err != nil {
				return err
			}
			if err := SaveRecord(tx, Record{ID: id, State: StatePending}); err != nil {
				return err
			}
			if err := SaveKey(tx, id, key); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range keys {
		pkcs8, _ := x509.MarshalPKCS8PrivateKey(key)
		forms := [][]byte{pkcs8, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})}
		switch k := key.(type) {
		case *ecdsa.PrivateKey:
			sec1, _ := x509.MarshalECPrivateKey(k)
			d, _ := k.Bytes()
			forms = append(forms, sec1, d)
		case *rsa.PrivateKey:
			forms = append(forms, x509.MarshalPKCS1PrivateKey(k), k.Primes[0].Bytes())
		}
		for i, f := range forms {
			if bytes.Contains(raw, f) {
				t.Errorf("%T: the store file contains form %d of the private key", key, i)
			}
		}
	}
}
