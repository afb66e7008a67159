package store

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// putSecrets seals value-of-name for each name in bucket.
func putSecrets(t *testing.T, s *Store, bucket string, names ...string) {
	t.Helper()
	err := s.Update(func(tx *Tx) error {
		for _, n := range names {
			if err := tx.PutSecret(bucket, n, []byte("value-of-"+n)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// flipLastByte damages one sealed value in the file, as an editor of the file
// without the key could.
func flipLastByte(t *testing.T, path, bucket, name string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		v := bytes.Clone(b.Get([]byte(name)))
		v[len(v)-1] ^= 1
		return b.Put([]byte(name), v)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCheckNamesEveryBadSealedRecord(t *testing.T) {
	opts := newStore(t)
	s := openT(t, opts)
	putSecrets(t, s, "twofa_users", "alice", "bob", "carol")
	putSecrets(t, s, "cert_keys", "k1")
	err := s.Update(func(tx *Tx) error {
		b, _ := tx.Bucket("plain")
		return b.Put([]byte("x"), []byte("not sealed"))
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Check()
	if err != nil || len(r.Problems) != 0 || r.SealedRecords != 4 || r.Schema != CurrentSchema() {
		t.Fatalf("sound store: %+v, %v", r, err)
	}
	if strings.Join(r.SealedBuckets, ",") != "cert_keys,twofa_users" {
		t.Errorf("sealed buckets %v: a bucket of plain values must not be listed", r.SealedBuckets)
	}
	s.Close()
	flipLastByte(t, opts.Path, "twofa_users", "bob")
	flipLastByte(t, opts.Path, "cert_keys", "k1")
	s = openT(t, opts)
	r, err = s.Check()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"cert_keys/k1: does not open", "twofa_users/bob: does not open"}
	if len(r.Problems) != len(want) {
		t.Fatalf("problems %q, want %d", r.Problems, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(r.Problems[i], w) {
			t.Errorf("problem %q, want it to start %q", r.Problems[i], w)
		}
	}
}

func TestRecordNamesAreQuotedWhenUnprintable(t *testing.T) {
	if got := recordName("b", []byte("alice")); got != "b/alice" {
		t.Errorf("plain name shown as %s", got)
	}
	if got := recordName("b", []byte("a\x1b[31m")); got != `b/"a\x1b[31m"` {
		t.Errorf("escape sequence shown as %s", got)
	}
}

func TestBackupIsAConsistentSnapshotWhileWritersRun(t *testing.T) {
	opts := newStore(t)
	s := openT(t, opts)
	putSecrets(t, s, "twofa_users", "alice")
	// A writer keeps adding pairs of records that must always appear together.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			err := s.Update(func(tx *Tx) error {
				if err := tx.PutSecret("pairs", fmt.Sprintf("%06d-a", i), []byte("x")); err != nil {
					return err
				}
				return tx.PutSecret("pairs", fmt.Sprintf("%06d-b", i), []byte("x"))
			})
			if err != nil {
				t.Error(err)
				return
			}
		}
	}()
	dir := t.TempDir()
	var paths []string
	for i := 0; i < 5; i++ {
		p := filepath.Join(dir, fmt.Sprintf("backup-%d.db", i))
		if _, err := s.Backup(p); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	close(stop)
	wg.Wait()
	for _, p := range paths {
		b := openT(t, Options{Path: p, MasterKey: opts.MasterKey, ReadOnly: true})
		r, err := b.Check()
		if err != nil || len(r.Problems) != 0 {
			t.Fatalf("backup %s: %+v, %v", p, r, err)
		}
		if r.SealedRecords%2 != 1 { // alice plus whole pairs
			t.Errorf("backup %s holds %d sealed records: half a transaction", p, r.SealedRecords)
		}
	}
	if _, err := s.Backup(paths[0]); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("backup over an existing file: %v", err)
	}
}

func TestRekeyResealsEverythingAndTheOldKeyNoLongerOpens(t *testing.T) {
	opts := newStore(t)
	s := openT(t, opts)
	putSecrets(t, s, "twofa_users", "alice", "bob")
	putSecrets(t, s, "cert_keys", "k1")
	newKey := testKey(t)
	var oldDerived, newDerived []byte
	n, err := s.Rekey(newKey, func(tx *Tx, oldSubKey SubKeyFunc, resealed int) error {
		if resealed != 3 {
			t.Errorf("carry told %d records were re-sealed, want 3", resealed)
		}
		var err error
		if oldDerived, err = oldSubKey("audit-mac"); err != nil {
			return err
		}
		newDerived, err = tx.SubKey("audit-mac")
		return err
	})
	if err != nil || n != 3 {
		t.Fatalf("Rekey: %d, %v; want 3 records", n, err)
	}
	if bytes.Equal(oldDerived, newDerived) {
		t.Error("carry saw the same derived key for old and new")
	}
	// The open store already uses the new key.
	putSecrets(t, s, "twofa_users", "carol")
	s.Close()
	if _, err := Open(opts); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("old key: %v, want ErrWrongKey", err)
	}
	opts.MasterKey = newKey
	s = openT(t, opts)
	r, err := s.Check()
	if err != nil || len(r.Problems) != 0 || r.SealedRecords != 4 {
		t.Fatalf("after rekey: %+v, %v", r, err)
	}
	s.View(func(tx *Tx) error {
		if v, err := tx.Secret("twofa_users", "alice"); err != nil || string(v) != "value-of-alice" {
			t.Errorf("alice after rekey: %q, %v", v, err)
		}
		return nil
	})
}

// An interruption half-way (a record that does not open, after others were
// already re-sealed; or a failure in carry) leaves the store as it was.
func TestRekeyIsAllOrNothing(t *testing.T) {
	boom := errors.New("disk on fire")
	cases := map[string]struct {
		damage func(t *testing.T, path string)
		carry  func(*Tx, SubKeyFunc, int) error
		want   error
	}{
		"a record that does not open": {
			damage: func(t *testing.T, path string) { flipLastByte(t, path, "twofa_users", "zed") },
			want:   ErrCorruptRecord,
		},
		"carry fails": {
			carry: func(*Tx, SubKeyFunc, int) error { return boom },
			want:  boom,
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			opts := newStore(t)
			s := openT(t, opts)
			putSecrets(t, s, "cert_keys", "k1")
			putSecrets(t, s, "twofa_users", "alice", "zed")
			s.Close()
			if c.damage != nil {
				c.damage(t, opts.Path)
			}
			s = openT(t, opts)
			if _, err := s.Rekey(testKey(t), c.carry); !errors.Is(err, c.want) {
				t.Fatalf("Rekey: %v, want %v", err, c.want)
			}
			// Still the old key, for the open store and the file.
			putSecrets(t, s, "twofa_users", "bob")
			s.Close()
			s = openT(t, opts)
			s.View(func(tx *Tx) error {
				for _, n := range []string{"alice", "bob"} {
					if v, err := tx.Secret("twofa_users", n); err != nil || string(v) != "value-of-"+n {
						t.Errorf("%s after a failed rekey: %q, %v", n, v, err)
					}
				}
				if v, err := tx.Secret("cert_keys", "k1"); err != nil || string(v) != "value-of-k1" {
					t.Errorf("k1 (re-sealed before the failure) after a failed rekey: %q, %v", v, err)
				}
				return nil
			})
		})
	}
}
