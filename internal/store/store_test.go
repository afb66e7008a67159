package store

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func testKey(t *testing.T) []byte {
	t.Helper()
	key := make([]byte, MasterKeySize)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	return key
}

// newStore creates a store in a temporary directory and returns its options.
func newStore(t *testing.T) Options {
	t.Helper()
	opts := Options{Path: filepath.Join(t.TempDir(), "cwsec.db"), MasterKey: testKey(t), LockTimeout: 100 * time.Millisecond}
	if err := Create(opts, nil); err != nil {
		t.Fatalf("Create: %v", err)
	}
	return opts
}

func openT(t *testing.T, opts Options) *Store {
	t.Helper()
	s, err := Open(opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSecretRoundTripAndBinding(t *testing.T) {
	opts := newStore(t)
	s := openT(t, opts)
	secret := []byte("JBSWY3DPEHPK3PXP-known-secret")
	err := s.Update(func(tx *Tx) error { return tx.PutSecret("twofa", "alice", secret) })
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(func(tx *Tx) error {
		got, err := tx.Secret("twofa", "alice")
		if err != nil || !bytes.Equal(got, secret) {
			t.Fatalf("Secret = %q, %v; want the value written", got, err)
		}
		// Copy alice's ciphertext onto bob: it must not open there.
		b, _ := tx.Bucket("twofa")
		if err := b.Put([]byte("bob"), b.Get([]byte("alice"))); err != nil {
			return err
		}
		if _, err := tx.Secret("twofa", "bob"); !errors.Is(err, ErrCorruptRecord) {
			t.Errorf("copied ciphertext opened (err %v); associated data must bind the record name", err)
		}
		missing, err := tx.Secret("twofa", "carol")
		if missing != nil || err != nil {
			t.Errorf("missing record: got %q, %v; want nil, nil", missing, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSealedValueFormat(t *testing.T) {
	k, err := newKeyring(testKey(t))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := k.seal("b", "n", []byte("same"))
	b, _ := k.seal("b", "n", []byte("same"))
	if a[0] != sealVersion {
		t.Errorf("version byte = %d, want %d", a[0], sealVersion)
	}
	if bytes.Equal(a, b) {
		t.Error("two seals of the same plaintext are identical: nonces must be fresh")
	}
	for name, mutate := range map[string]func([]byte) []byte{
		"other version": func(v []byte) []byte { v[0] = 2; return v },
		"flipped bit":   func(v []byte) []byte { v[len(v)-1] ^= 1; return v },
		"truncated":     func(v []byte) []byte { return v[:10] },
		"empty":         func([]byte) []byte { return nil },
	} {
		if _, err := k.open("b", "n", mutate(bytes.Clone(a))); err == nil {
			t.Errorf("%s: opened", name)
		}
	}
	if _, err := k.open("other", "n", a); err == nil {
		t.Error("opened under another bucket name")
	}
}

func TestRawFileHoldsNoSecret(t *testing.T) {
	opts := newStore(t)
	s := openT(t, opts)
	secret := []byte("this-is-a-known-secret-0123456789")
	if err := s.Update(func(tx *Tx) error { return tx.PutSecret("twofa", "alice", secret) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	raw, err := os.ReadFile(opts.Path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, secret) || bytes.Contains(raw, secret[:16]) {
		t.Fatal("the store file contains the secret in the clear")
	}
	if bytes.Contains(raw, opts.MasterKey) {
		t.Fatal("the store file contains the master key")
	}
}

func TestWrongKeyIsRefused(t *testing.T) {
	opts := newStore(t)
	opts.MasterKey = testKey(t)
	if _, err := Open(opts); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("Open with another key: %v, want ErrWrongKey", err)
	}
	opts.MasterKey = opts.MasterKey[:16]
	if _, err := Open(opts); !errors.Is(err, ErrBadMasterKey) {
		t.Fatalf("Open with a short key: %v, want ErrBadMasterKey", err)
	}
}

func TestForeignFilesAreNotStores(t *testing.T) {
	dir := t.TempDir()
	random := make([]byte, 64<<10)
	rand.Read(random)
	otherBolt := filepath.Join(dir, "other.db")
	db, err := bolt.Open(otherBolt, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("things")); return err })
	db.Close()

	real := newStore(t)
	full, _ := os.ReadFile(real.Path)

	cases := map[string]string{
		"empty":        write(t, dir, "empty.db", nil),
		"random bytes": write(t, dir, "random.db", random),
		"truncated":    write(t, dir, "truncated.db", full[:100]),
		"half a page":  write(t, dir, "half.db", full[:2048]),
		"text":         write(t, dir, "text.db", []byte("tls:\n  warn_days: 30\n")),
		"other bbolt":  otherBolt,
		"directory":    dir,
	}
	for name, path := range cases {
		for _, readOnly := range []bool{true, false} {
			_, err := Open(Options{Path: path, MasterKey: real.MasterKey, ReadOnly: readOnly, LockTimeout: 100 * time.Millisecond})
			if !errors.Is(err, ErrNotStore) {
				t.Errorf("%s (read-only %v): err = %v, want ErrNotStore", name, readOnly, err)
			}
		}
	}
	if got, _ := os.ReadFile(cases["empty"]); len(got) != 0 {
		t.Error("opening an empty file wrote to it")
	}
	if _, err := Open(Options{Path: filepath.Join(dir, "missing.db"), MasterKey: real.MasterKey}); !errors.Is(err, ErrNotInitialized) {
		t.Errorf("missing file: %v, want ErrNotInitialized", err)
	}
}

func write(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLockTimeout(t *testing.T) {
	opts := newStore(t)
	holder := openT(t, opts)
	_ = holder
	opts.LockTimeout = 50 * time.Millisecond
	if _, err := Open(opts); !errors.Is(err, ErrLocked) {
		t.Fatalf("second writer: %v, want ErrLocked", err)
	}
	opts.ReadOnly = true
	if _, err := Open(opts); !errors.Is(err, ErrLocked) {
		t.Fatalf("reader while a writer holds the store: %v, want ErrLocked", err)
	}
}

func TestReadersShareTheStore(t *testing.T) {
	opts := newStore(t)
	opts.ReadOnly = true
	openT(t, opts)
	openT(t, opts) // a second reader does not wait
}

func TestCreateNeverReplaces(t *testing.T) {
	opts := newStore(t)
	before, _ := os.ReadFile(opts.Path)
	other := opts
	other.MasterKey = testKey(t)
	if err := Create(other, nil); !errors.Is(err, ErrExists) {
		t.Fatalf("Create over an existing store: %v, want ErrExists", err)
	}
	after, _ := os.ReadFile(opts.Path)
	if !bytes.Equal(before, after) {
		t.Fatal("the existing store changed")
	}
	entries, _ := os.ReadDir(filepath.Dir(opts.Path))
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}

func TestCreateFailureLeavesNothing(t *testing.T) {
	opts := Options{Path: filepath.Join(t.TempDir(), "cwsec.db"), MasterKey: testKey(t)}
	boom := errors.New("boom")
	if err := Create(opts, func(*Tx) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("Create: %v, want boom", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(opts.Path))
	if len(entries) != 0 {
		t.Fatalf("a failed Create left files: %v", entries)
	}
}

func TestSchemaUpgrade(t *testing.T) {
	opts := newStore(t)
	saved := migrations
	t.Cleanup(func() { migrations = saved })
	migrations = append(migrations, func(tx *Tx) error {
		b, err := tx.Bucket("new")
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("v"))
	})
	ro := opts
	ro.ReadOnly = true
	if _, err := Open(ro); !errors.Is(err, ErrNeedsUpgrade) {
		t.Fatalf("read-only open of an older schema: %v, want ErrNeedsUpgrade", err)
	}
	var from, to int
	opts.OnUpgrade = func(_ *Tx, f, t int) error { from, to = f, t; return nil }
	s := openT(t, opts)
	if from != 1 || to != 2 {
		t.Fatalf("OnUpgrade saw %d -> %d, want 1 -> 2", from, to)
	}
	if v, _ := s.Schema(); v != 2 {
		t.Fatalf("schema after upgrade = %d, want 2", v)
	}
	s.Close()
	migrations = saved
	if _, err := Open(opts); !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("an older cwsec opening a newer store: %v, want ErrNewerSchema", err)
	}
}

func TestFailedUpgradeChangesNothing(t *testing.T) {
	opts := newStore(t)
	saved := migrations
	t.Cleanup(func() { migrations = saved })
	migrations = append(migrations, func(*Tx) error { return errors.New("disk on fire") })
	if _, err := Open(opts); err == nil {
		t.Fatal("Open succeeded although the migration failed")
	}
	migrations = saved
	s := openT(t, opts)
	if v, _ := s.Schema(); v != 1 {
		t.Fatalf("schema = %d after a failed upgrade, want 1", v)
	}
}

func TestMasterKeyFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "master.key")
	key, err := CreateMasterKey(path, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", info.Mode().Perm())
	}
	if _, err := CreateMasterKey(path, rand.Reader); err == nil {
		t.Fatal("CreateMasterKey replaced an existing key")
	}
	if got, _ := LoadMasterKey(path); !bytes.Equal(got, key) {
		t.Fatal("LoadMasterKey did not return the key written")
	}
	hexKey := write(t, dir, "hex.key", []byte("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"))
	if got, err := LoadMasterKey(hexKey); err != nil || got[31] != 0x1f {
		t.Fatalf("hex key: %x, %v", got, err)
	}
	for name, data := range map[string][]byte{"short": []byte("abc"), "long": make([]byte, 4096), "empty": nil} {
		if _, err := LoadMasterKey(write(t, dir, name, data)); !errors.Is(err, ErrBadMasterKey) {
			t.Errorf("%s key file: %v, want ErrBadMasterKey", name, err)
		}
	}
	if _, err := LoadMasterKey(filepath.Join(dir, "none")); !errors.Is(err, ErrNoMasterKey) {
		t.Errorf("missing key file: %v, want ErrNoMasterKey", err)
	}
	if _, err := LoadMasterKey(dir); !errors.Is(err, ErrBadMasterKey) {
		t.Errorf("directory as key file: %v, want ErrBadMasterKey", err)
	}
}

func TestDamageBeyondTheMetaPages(t *testing.T) {
	opts := newStore(t)
	s := openT(t, opts)
	err := s.Update(func(tx *Tx) error {
		for i := 0; i < 5000; i++ {
			if err := tx.PutSecret("bulk", fmt.Sprint(i), make([]byte, 200)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	full, _ := os.ReadFile(opts.Path)
	if err := os.WriteFile(opts.Path, full[:len(full)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	s, err = Open(opts)
	if err == nil {
		defer s.Close()
		err = s.View(func(tx *Tx) error {
			for i := 0; i < 5000; i++ {
				if _, err := tx.Secret("bulk", fmt.Sprint(i)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if !errors.Is(err, ErrNotStore) {
		t.Fatalf("reading a store cut in half: %v, want ErrNotStore", err)
	}
}
