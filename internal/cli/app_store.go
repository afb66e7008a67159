package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"

	"github.com/cwsec/cwsec/internal/audit"
	"github.com/cwsec/cwsec/internal/store"
)

// openStore opens the configured store, read-only for commands that only
// read, with the configured lock timeout. The caller closes it.
func (a *app) openStore(readOnly bool) (*store.Store, error) {
	key, err := store.LoadMasterKey(a.cfg.MasterKeyFile)
	if err != nil {
		// On a fresh machine both are missing; "run cwsec init" is the answer.
		if _, statErr := os.Stat(a.cfg.Store); errors.Is(statErr, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w", a.cfg.Store, store.ErrNotInitialized)
		}
		return nil, err
	}
	opts := store.Options{
		Path:        a.cfg.Store,
		MasterKey:   key,
		ReadOnly:    readOnly,
		LockTimeout: a.cfg.LockTimeout,
		OnUpgrade:   a.auditUpgrade,
	}
	if !readOnly {
		opts.Context = a.auditForwarding()
	}
	return store.Open(opts)
}

// withStore opens the store, runs fn and closes the store, so that the lock is
// held only while the command needs it.
func (a *app) withStore(readOnly bool, fn func(*store.Store) error) error {
	st, err := a.openStore(readOnly)
	if err != nil {
		return err
	}
	err = fn(st)
	if closeErr := st.Close(); err == nil {
		err = closeErr
	}
	return err
}

// event starts an audit event for this run: now, by this OS account.
func (a *app) event(action, target, outcome string) audit.Event {
	return audit.Event{Time: a.now(), Actor: audit.LocalActor(), Action: action, Target: target, Outcome: outcome}
}

func (a *app) auditUpgrade(tx *store.Tx, from, to int) error {
	ev := a.event("store.upgrade", a.cfg.Store, audit.OutcomeOK)
	ev.Details = map[string]string{"from_schema": strconv.Itoa(from), "to_schema": strconv.Itoa(to)}
	_, err := audit.Append(tx, ev)
	return err
}
