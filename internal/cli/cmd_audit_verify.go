package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/cwsec/cwsec/internal/audit"
	"github.com/cwsec/cwsec/internal/fileio"
	"github.com/cwsec/cwsec/internal/store"
)

type auditVerifyResult struct {
	Verdict string `json:"verdict"`
	audit.Report
	Checkpoint *auditCheckpointResult `json:"checkpoint,omitempty"`
}

type auditCheckpointResult struct {
	File     string    `json:"file"`
	Length   uint64    `json:"length"`
	Time     time.Time `json:"time"`
	Extended bool      `json:"extended"`
	Problem  string    `json:"problem,omitempty"`
}

func (a *app) newAuditVerifyCmd() *cobra.Command {
	var checkpointFile string
	cmd := &cobra.Command{
		Use:   "verify [--checkpoint FILE]",
		Short: "Prove the audit trail intact (a monitoring check)",
		Long: `Walk the whole audit trail and check every record's MAC and its link to the
one before. If a record was changed, removed, inserted, moved or re-chained
with another key, or records were cut from the end, it names the first bad
record and what is wrong with it.

With --checkpoint FILE (from 'cwsec audit checkpoint'; - reads stdin) it also
proves that the trail still extends that checkpoint: the checkpoint is signed
with this store's key, and the trail still holds its newest record with the
same MAC. This catches a trail cut short after the checkpoint, which the chain
alone cannot show once its head was rewritten.

Records written before a 'cwsec store rekey' are checked with the key they
were written under, which the store keeps sealed under the new one.

` + checkExitCodesHelp,
		Example: `  cwsec audit verify
  cwsec audit verify --checkpoint /mnt/offsite/cwsec-checkpoint-2026-12-01.json`,
		Annotations: map[string]string{annotationCheck: ""},
		Args:        usageArgs(cobra.NoArgs),
		RunE:        func(*cobra.Command, []string) error { return a.runAuditVerify(checkpointFile) },
	}
	cmd.Flags().StringVar(&checkpointFile, "checkpoint", "", "also prove that the trail extends the checkpoint in `FILE`")
	return cmd
}

func (a *app) runAuditVerify(checkpointFile string) error {
	var cp *audit.Checkpoint
	if checkpointFile != "" {
		c, err := a.readCheckpoint(checkpointFile)
		if err != nil {
			return err
		}
		cp = &c
	}
	var res auditVerifyResult
	err := a.view(func(tx *store.Tx) error {
		var err error
		if res.Report, err = audit.Verify(tx); err != nil || cp == nil {
			return err
		}
		problem, err := audit.CheckCheckpoint(tx, *cp)
		if err != nil {
			return &exitError{code: ExitUnknown, err: fmt.Errorf("%s: %w", checkpointFile, err),
				hint: "use a checkpoint made by 'cwsec audit checkpoint' on this store and kept where nobody could change it"}
		}
		res.Checkpoint = &auditCheckpointResult{File: checkpointFile, Length: cp.Length, Time: cp.Time.UTC(), Extended: problem == "", Problem: problem}
		return nil
	})
	if err != nil {
		return auditReadError(err)
	}
	res.Verdict = verdictOK
	if !res.Intact || res.Checkpoint != nil && !res.Checkpoint.Extended {
		res.Verdict = verdictCritical
	}
	a.exitCode = verdictExitCode(res.Verdict)
	return a.emit(res, func(w io.Writer) { printAuditVerify(w, res) })
}

func printAuditVerify(w io.Writer, res auditVerifyResult) {
	fmt.Fprintf(w, "AUDIT %s - ", res.Verdict)
	if !res.Intact {
		fmt.Fprintf(w, "trail broken at record %d: %s\n", res.BadSeq, res.Problem)
		return
	}
	fmt.Fprintf(w, "%s, chain intact", countEvents(res.Length))
	switch {
	case res.KeyEpochs == 1:
		fmt.Fprint(w, " across a change of master key")
	case res.KeyEpochs > 1:
		fmt.Fprintf(w, " across %d changes of master key", res.KeyEpochs)
	}
	if c := res.Checkpoint; c != nil {
		if c.Extended {
			fmt.Fprintf(w, "; extends the checkpoint of %s (%s)", localTime(c.Time), countEvents(c.Length))
		} else {
			fmt.Fprintf(w, "; but it no longer extends the checkpoint of %s: %s", localTime(c.Time), c.Problem)
		}
	}
	fmt.Fprintln(w)
}

func countEvents[N int | uint64](n N) string {
	if n == 1 {
		return "1 event"
	}
	return fmt.Sprintf("%d events", n)
}

// maxCheckpointSize bounds what is read as a checkpoint: a real one is a few
// hundred bytes.
const maxCheckpointSize = 64 << 10

func (a *app) readCheckpoint(path string) (audit.Checkpoint, error) {
	var c audit.Checkpoint
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(io.LimitReader(a.io.In, maxCheckpointSize))
	} else {
		data, err = fileio.ReadRegular(path, maxCheckpointSize)
	}
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return c, failf("give the file that 'cwsec audit checkpoint' wrote", "%s: %w: %v", path, audit.ErrNotCheckpoint, err)
	}
	return c, nil
}

type auditCheckpointOut struct {
	Out        string           `json:"out,omitempty"`
	Checkpoint audit.Checkpoint `json:"checkpoint"`
}

func (a *app) newAuditCheckpointCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "checkpoint [--out FILE]",
		Short: "Sign the trail's current length and head, for safekeeping off this machine",
		Long: `Print a checkpoint: a statement of the trail's length, its newest record's MAC
and the time, signed with an Ed25519 key derived from the master key, with the
public key. Keep it where nobody with access to this server can change it (a
ticket, an e-mail to the auditor, another machine). Later, 'cwsec audit verify
--checkpoint FILE' proves the trail still extends it: nothing up to it was
changed, and nothing was cut from the end after it.

The trail is verified first: cwsec does not vouch for a broken one. The
checkpoint is printed on stdout, or written to --out FILE (never over an
existing file). It holds no secret.

` + exitCodesHelp,
		Example: `  cwsec audit checkpoint --out /mnt/offsite/cwsec-checkpoint-$(date +%F).json
  cwsec audit checkpoint | mail -s "cwsec checkpoint" auditor@example.org`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			var res auditCheckpointOut
			var rep audit.Report
			err := a.view(func(tx *store.Tx) error {
				var err error
				if rep, err = audit.Verify(tx); err != nil || !rep.Intact {
					return err
				}
				res.Checkpoint, err = audit.NewCheckpoint(tx, a.now())
				return err
			})
			if err != nil {
				return auditReadError(err)
			}
			if !rep.Intact {
				return failf("'cwsec audit verify' says what is wrong; restore the store from a backup made before the damage",
					"the audit trail is broken at record %d, and a checkpoint would vouch for it: %s", rep.BadSeq, rep.Problem)
			}
			doc, err := json.MarshalIndent(res.Checkpoint, "", "  ")
			if err != nil {
				return err
			}
			doc = append(doc, '\n')
			if out == "" {
				if a.cfg.Output != "json" {
					fmt.Fprintln(a.io.ErrOut, "Keep this checkpoint off this server; check the trail against it with: cwsec audit verify --checkpoint FILE")
				}
				_, err := a.io.Out.Write(doc)
				return err
			}
			if err := fileio.WriteNew(out, doc, 0o644); err != nil {
				return refuseOverwrite(err)
			}
			res.Out = out
			return a.emit(res, func(w io.Writer) {
				fmt.Fprintf(w, "Checkpoint of %s written to %s.\n", countEvents(res.Checkpoint.Length), out)
				fmt.Fprintln(w, "Keep it off this server; check the trail against it with: cwsec audit verify --checkpoint "+out)
			})
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "write the checkpoint to `FILE`, which must not exist")
	return cmd
}

// refuseOverwrite explains a refusal to write over an existing file.
func refuseOverwrite(err error) error {
	if errors.Is(err, fileio.ErrExists) {
		return failf("choose a new file name: cwsec never writes over an existing file", "%v", err)
	}
	return err
}
