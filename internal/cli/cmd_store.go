package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/cwsec/cwsec/internal/audit"
	"github.com/cwsec/cwsec/internal/fileio"
	"github.com/cwsec/cwsec/internal/store"
)

func (a *app) newStoreCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "store",
		Short: "Back up, check and re-key the store",
		Long: `Look after cwsec's store itself: take a consistent backup while cwsec is in
use, check its structure and that every secret opens, and move every secret
to a new master key.

` + groupExitCodesHelp,
		Args: usageArgs(cobra.NoArgs),
		RunE: groupRunE,
	}
	cmd.AddCommand(a.newStoreBackupCmd(), a.newStoreCheckCmd(), a.newStoreRekeyCmd())
	return cmd
}

type backupResult struct {
	Path string `json:"path"`
	Size int64  `json:"size"`
}

func (a *app) newStoreBackupCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the store to FILE",
		Long: `Write a copy of the store as it stands at one moment, while other cwsec
commands go on reading it (a command that writes waits until the copy is
taken, at most --lock-timeout). The copy is written to a temporary file beside
FILE, synced and then linked into place: FILE holds a whole store or nothing,
and an existing file is never replaced. FILE is created with mode 0600.

The backup holds the secrets sealed, as the store does, and opens only with
the same master key: keep master.key backed up too, somewhere else. A backup
changes nothing in the store, so it is not recorded in the audit trail.

Check a backup with:
  cwsec --store FILE store check && cwsec --store FILE audit verify

` + exitCodesHelp,
		Example: `  cwsec store backup /var/backups/cwsec-$(date +%F).db`,
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(_ *cobra.Command, args []string) error {
			res := backupResult{Path: args[0]}
			err := a.withStore(true, func(st *store.Store) error {
				var err error
				res.Size, err = st.Backup(res.Path)
				return err
			})
			if err != nil {
				return refuseOverwrite(err)
			}
			return a.emit(res, func(w io.Writer) {
				fmt.Fprintf(w, "Backed up the store to %s (%s).\n", res.Path, humanSize(res.Size))
				fmt.Fprintln(w, "It opens only with the master key: keep master.key backed up too, apart from it.")
			})
		},
	}
}

type storeCheckResult struct {
	Verdict string `json:"verdict"`
	store.CheckReport
}

func (a *app) newStoreCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Check the store's structure, schema and every sealed record (a monitoring check)",
		Long: `Check the store: bbolt's consistency check of every page, the schema version,
that the master key opens it, and that every sealed record (2FA keys,
certificate keys, retired audit keys) opens with the master key. Each record
that does not open is named. The audit trail has its own check: 'cwsec audit
verify'.

OK (0) when all is well; CRITICAL (2) when the structure is damaged or a
sealed record does not open; UNKNOWN (3) when the store cannot be opened at
all (locked, not a store, wrong master key).

` + checkExitCodesHelp,
		Example: `  cwsec store check
  cwsec --store /var/backups/cwsec-2026-12-01.db store check`,
		Annotations: map[string]string{annotationCheck: ""},
		Args:        usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			var res storeCheckResult
			err := a.withStore(true, func(st *store.Store) error {
				var err error
				res.CheckReport, err = st.Check()
				return err
			})
			if err != nil {
				return err
			}
			res.Verdict = verdictOK
			if len(res.Problems) > 0 {
				res.Verdict = verdictCritical
			}
			a.exitCode = verdictExitCode(res.Verdict)
			return a.emit(res, func(w io.Writer) {
				fmt.Fprintf(w, "STORE %s - schema %d, %d sealed record", res.Verdict, res.Schema, res.SealedRecords)
				if res.SealedRecords != 1 {
					fmt.Fprint(w, "s")
				}
				if len(res.Problems) > 0 {
					fmt.Fprintf(w, ", %d problem", len(res.Problems))
					if len(res.Problems) != 1 {
						fmt.Fprint(w, "s")
					}
				}
				fmt.Fprintln(w)
				for _, p := range res.Problems {
					fmt.Fprintf(w, "  %s\n", p)
				}
			})
		},
	}
}

type rekeyResult struct {
	NewKeyFile    string `json:"new_key_file"`
	NewKeyCreated bool   `json:"new_key_created"`
	MasterKeyFile string `json:"master_key_file"`
	OldKeyFile    string `json:"old_key_file"`
	Resealed      int    `json:"resealed"`
	AuditSeq      uint64 `json:"audit_seq"`
}

func (a *app) newStoreRekeyCmd() *cobra.Command {
	var newKeyFile string
	cmd := &cobra.Command{
		Use:   "rekey --new-key-file FILE",
		Short: "Re-seal every secret under a new master key, all or nothing",
		Long: `Move the store to a new master key in one transaction: every sealed record is
re-sealed, the key check replaced, and the audit trail continued under the new
key (records already written keep their MACs; the old audit key is kept, sealed
under the new master key, to check them). If anything fails, the store stays
as it was, under the old key.

FILE holds the new key: 32 bytes or 64 hex digits (openssl rand -hex 32). If
FILE does not exist, cwsec creates it with a new random key (mode 0600).

Then cwsec installs the new key: the old master key is first saved beside it
as master.key.old-<UTC time>, and master.key (or --master-key-file) is
replaced with the new key. The old key no longer opens the store, but it
still opens backups made before now: keep it as long as you keep those
backups, off this server. Back up the new master.key off this server, and
delete FILE.

` + exitCodesHelp,
		Example: `  cwsec store rekey --new-key-file /root/cwsec-new.key
  openssl rand -hex 32 > new.key && cwsec store rekey --new-key-file new.key`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if newKeyFile == "" {
				return &usageError{err: errors.New("--new-key-file is required"), usage: usageLine(cmd)}
			}
			return a.runRekey(newKeyFile)
		},
	}
	cmd.Flags().StringVar(&newKeyFile, "new-key-file", "", "the new master key in `FILE`; created if missing (required)")
	return cmd
}

func (a *app) runRekey(newKeyFile string) error {
	res := rekeyResult{NewKeyFile: newKeyFile, MasterKeyFile: a.cfg.MasterKeyFile}
	oldKey, err := store.LoadMasterKey(a.cfg.MasterKeyFile)
	if err != nil {
		return err
	}
	newKey, err := store.LoadMasterKey(newKeyFile)
	if errors.Is(err, store.ErrNoMasterKey) {
		newKey, err = store.CreateMasterKey(newKeyFile, a.random)
		res.NewKeyCreated = err == nil
	}
	if err != nil {
		return err
	}
	if bytes.Equal(oldKey, newKey) {
		return failf("make a new key, e.g. name a file that does not exist yet with --new-key-file", "%s holds the master key already in use", newKeyFile)
	}
	// The old key is saved before the store moves, so that there is no moment
	// when the only copy of a key that opens the old backups is in memory.
	res.OldKeyFile = a.cfg.MasterKeyFile + ".old-" + a.now().UTC().Format("20060102T150405Z")
	if err := fileio.WriteNew(res.OldKeyFile, oldKey, 0o600); err != nil {
		return refuseOverwrite(err)
	}
	err = a.withStore(false, func(st *store.Store) error {
		var err error
		res.Resealed, err = st.Rekey(newKey, func(tx *store.Tx, oldSubKey store.SubKeyFunc, resealed int) error {
			ev := a.event("store.rekey", a.cfg.Store, audit.OutcomeOK)
			ev.Details = map[string]string{"resealed": strconv.Itoa(resealed), "old_key_kept": res.OldKeyFile}
			rec, err := audit.Rekeyed(tx, oldSubKey, ev)
			res.AuditSeq = rec.Seq
			return err
		})
		return err
	})
	if err != nil {
		// The store is unchanged: the saved copy is a second copy of its key.
		if removeErr := os.Remove(res.OldKeyFile); removeErr != nil {
			fmt.Fprintf(a.io.ErrOut, "cwsec: warning: %v\n", removeErr)
		}
		return err
	}
	if err := fileio.Replace(a.cfg.MasterKeyFile, newKey, 0o600); err != nil {
		return &exitError{code: ExitFailed, err: fmt.Errorf("the store now opens only with the new key, but %s could not be replaced: %w", a.cfg.MasterKeyFile, err),
			hint: fmt.Sprintf("copy %s over %s now; until then cwsec cannot open the store", newKeyFile, a.cfg.MasterKeyFile)}
	}
	return a.emit(res, func(w io.Writer) {
		fmt.Fprintf(w, "Re-sealed %d secret%s under the new master key; the audit trail continues under it from record %d.\n",
			res.Resealed, map[bool]string{true: "", false: "s"}[res.Resealed == 1], res.AuditSeq)
		fmt.Fprintf(w, "Installed the new key as %s.\n", res.MasterKeyFile)
		fmt.Fprintf(w, "The previous key is in %s: it opens backups made before now. Keep it off this server as long as you keep them, then delete it.\n", res.OldKeyFile)
		fmt.Fprintf(w, "Back up %s off this server, and delete %s.\n", res.MasterKeyFile, res.NewKeyFile)
	})
}
