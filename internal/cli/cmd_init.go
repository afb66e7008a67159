package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/cwsec/cwsec/internal/audit"
	"github.com/cwsec/cwsec/internal/fileio"
	"github.com/cwsec/cwsec/internal/store"
)

type initResult struct {
	Home      string `json:"home"`
	MasterKey string `json:"master_key"`
	Store     string `json:"store"`
	Created   struct {
		Home      bool `json:"home"`
		MasterKey bool `json:"master_key"`
		Store     bool `json:"store"`
	} `json:"created"`
	Changed bool `json:"changed"`
}

func (a *app) newInitCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Create cwsec's home, master key and store",
		Long: `Create the home directory (0700), a random 32-byte master key (0600) and the
store (0600), and record the first audit event.

The master key seals every secret in the store. Back it up somewhere other than
the server: without it the store's secrets cannot be read. cwsec never replaces
an existing key. Running init again changes nothing and says so; it refuses a
master key that does not open the existing store.

` + exitCodesHelp,
		Example: `  # Set up on this machine (as root: /var/lib/cwsec)
  cwsec init

  # Keep everything somewhere else
  cwsec init --home /srv/cwsec`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error { return a.runInit() },
	}
}

func (a *app) runInit() error {
	res := initResult{Home: a.cfg.Home, MasterKey: a.cfg.MasterKeyFile, Store: a.cfg.Store}
	var err error
	if res.Created.Home, err = ensureDir(a.cfg.Home); err != nil {
		return err
	}
	key, keyCreated, err := a.initMasterKey()
	if err != nil {
		return err
	}
	res.Created.MasterKey = keyCreated
	if res.Created.Store, err = a.initStore(key, keyCreated); err != nil {
		return err
	}
	res.Changed = res.Created.Home || res.Created.MasterKey || res.Created.Store
	return a.emit(res, func(w io.Writer) { printInit(w, res) })
}

// initMasterKey loads the existing master key or creates one, refusing to make
// a new key for a store that already exists: that would orphan its secrets.
func (a *app) initMasterKey() (key []byte, created bool, err error) {
	key, err = store.LoadMasterKey(a.cfg.MasterKeyFile)
	if err == nil || !errors.Is(err, store.ErrNoMasterKey) {
		return key, false, err
	}
	if _, statErr := os.Stat(a.cfg.Store); statErr == nil {
		return nil, false, &exitError{code: ExitUnknown, err: fmt.Errorf("the store %s exists but its master key %s is missing", a.cfg.Store, a.cfg.MasterKeyFile),
			hint: "restore master.key from your backup, or name it with --master-key-file; cwsec will not make a new key for an existing store"}
	}
	if err := ensureParent(a.cfg.MasterKeyFile); err != nil {
		return nil, false, err
	}
	key, err = store.CreateMasterKey(a.cfg.MasterKeyFile, a.random)
	return key, err == nil, err
}

// initStore creates the store with its first audit event, or proves that the
// existing one opens with key.
func (a *app) initStore(key []byte, keyCreated bool) (created bool, err error) {
	if err := ensureParent(a.cfg.Store); err != nil {
		return false, err
	}
	opts := store.Options{Path: a.cfg.Store, MasterKey: key, LockTimeout: a.cfg.LockTimeout, OnUpgrade: a.auditUpgrade,
		Context: a.auditForwarding()}
	err = store.Create(opts, func(tx *store.Tx) error {
		ev := a.event("store.init", a.cfg.Store, audit.OutcomeOK)
		ev.Details = map[string]string{"schema": strconv.Itoa(store.CurrentSchema()), "master_key": keyOrigin(keyCreated)}
		_, err := audit.Append(tx, ev)
		return err
	})
	if errors.Is(err, store.ErrExists) {
		st, openErr := store.Open(opts)
		if openErr != nil {
			return false, openErr
		}
		return false, st.Close()
	}
	return err == nil, err
}

func keyOrigin(created bool) string {
	if created {
		return "created"
	}
	return "existing"
}

// ensureDir creates dir with mode 0700 if it is missing.
func ensureDir(dir string) (created bool, err error) {
	info, err := os.Stat(dir)
	if err == nil {
		if !info.IsDir() {
			return false, failf("choose another --home", "%s exists and is not a directory", dir)
		}
		return false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, err
	}
	// Mode bits cover Unix; on Windows the directory's ACL must be set, or
	// every local user could read the master key under %ProgramData%.
	return true, fileio.RestrictDir(dir)
}

func ensureParent(path string) error {
	_, err := ensureDir(filepath.Dir(filepath.Clean(path)))
	return err
}

func printInit(w io.Writer, res initResult) {
	if !res.Changed {
		fmt.Fprintln(w, "cwsec is already initialised here; nothing changed.")
	}
	line := func(created bool, what, path string) {
		verb := "Found  "
		if created {
			verb = "Created"
		}
		fmt.Fprintf(w, "%s %-11s %s%s\n", verb, what, path, modeNote(path))
	}
	line(res.Created.Home, "home", res.Home)
	line(res.Created.MasterKey, "master key", res.MasterKey)
	line(res.Created.Store, "store", res.Store)
	if res.Created.MasterKey {
		fmt.Fprintln(w, "\nBack up the master key off this server: without it the store's secrets cannot be read.")
	}
	if res.Changed {
		fmt.Fprintln(w, "Next: 'cwsec status' shows where things stand.")
	}
}

// modeNote shows a file's actual permission bits, " (0600)", where the
// system has them: an existing home may be looser than init would make it,
// and the administrator should see that (status flags it too).
func modeNote(path string) string {
	info, err := os.Stat(path)
	if err != nil || runtime.GOOS == "windows" {
		return ""
	}
	return fmt.Sprintf(" (%04o)", info.Mode().Perm())
}
