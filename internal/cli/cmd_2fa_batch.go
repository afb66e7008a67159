package cli

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cwsec/cwsec/internal/fileio"
	"github.com/cwsec/cwsec/internal/store"
	"github.com/cwsec/cwsec/internal/twofa"
)

// maxBatchFile bounds the CSV read: 10 MiB is over 200,000 users.
const maxBatchFile = 10 << 20

// batchChunk is how many users commit together: large enough to be fast,
// small enough that an interrupted run keeps most of its work.
const batchChunk = 200

type batchRow struct {
	line         int
	user, issuer string
	png          string
}

type batchResult struct {
	Enrolled int            `json:"enrolled"`
	PNGDir   string         `json:"png_dir"`
	Users    []batchUserOut `json:"users"`
}

type batchUserOut struct {
	User   string `json:"user"`
	PNG    string `json:"png,omitempty"`
	Secret string `json:"secret,omitempty"`
	URI    string `json:"uri,omitempty"`
}

func (a *app) runEnrollBatch(o enrollOptions) error {
	switch {
	case o.pngDir == "" && !o.showSecret:
		return &usageError{err: errors.New("--batch needs --png-dir DIR for the users' QR codes (or --show-secret to print their keys)")}
	case o.pngDir != "":
		if info, err := os.Stat(o.pngDir); err != nil || !info.IsDir() {
			return failf("create it first (mkdir)", "--png-dir %s is not a directory", o.pngDir)
		}
	}
	rows, problems, err := readBatch(o.batch, a.issuer(o), o.pngDir)
	if err != nil {
		return err
	}
	if err := a.checkBatch(rows, problems, o.force); err != nil {
		return err
	}
	res := batchResult{PNGDir: o.pngDir, Users: make([]batchUserOut, 0, len(rows))}
	progress := a.progress("Enrolling", len(rows))
	for start := 0; start < len(rows); start += batchChunk {
		chunk := rows[start:min(start+batchChunk, len(rows))]
		out, err := a.enrollChunk(chunk, o)
		if err != nil {
			progress.done()
			return fmt.Errorf("after %d of %d users were enrolled: %w", res.Enrolled, len(rows), err)
		}
		res.Users = append(res.Users, out...)
		res.Enrolled += len(chunk)
		progress.set(res.Enrolled)
	}
	progress.done()
	return a.emit(res, func(w io.Writer) {
		fmt.Fprintf(w, "Enrolled %d users (pending).\n", res.Enrolled)
		if res.PNGDir != "" {
			fmt.Fprintf(w, "QR codes are in %s; delete them once scanned.\n", res.PNGDir)
		}
		for _, u := range res.Users {
			if u.URI != "" {
				fmt.Fprintf(w, "%s\t%s\n", u.User, u.URI)
			}
		}
		fmt.Fprintln(w, "Each user confirms with a first code: cwsec 2fa confirm USER CODE")
	})
}

// readBatch parses the CSV file. Rows with the wrong number of columns are
// returned as problems, so that they are reported with all the others.
func readBatch(path, defaultIssuer, pngDir string) (rows []batchRow, problems []string, err error) {
	data, err := fileio.ReadRegular(path, maxBatchFile)
	if errors.Is(err, fileio.ErrTooLarge) {
		return nil, nil, failf("split the file", "%v", err)
	}
	if err != nil {
		return nil, nil, err
	}
	r := csv.NewReader(strings.NewReader(string(data)))
	r.FieldsPerRecord, r.Comment, r.TrimLeadingSpace = -1, '#', true
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, failf("fix the CSV syntax", "%s: %v", path, err)
		}
		line, _ := r.FieldPos(0) // only valid after a successful Read
		if len(rows) == 0 && len(problems) == 0 && strings.EqualFold(rec[0], "user") {
			continue // header
		}
		row := batchRow{line: line, user: rec[0], issuer: defaultIssuer}
		switch {
		case len(rec) > 2:
			problems = append(problems, fmt.Sprintf("line %d: %d columns; want user or user,issuer", line, len(rec)))
			continue
		case len(rec) == 2 && rec[1] != "":
			row.issuer = rec[1]
		}
		if pngDir != "" {
			row.png = filepath.Join(pngDir, pngName(row.user))
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 && len(problems) == 0 {
		return nil, nil, failf("one user per line, optionally user,issuer", "%s names no users", path)
	}
	return rows, problems, nil
}

// pngName makes a file name from a user name that is safe on Linux and
// Windows: anything but letters, digits, dot, dash and underscore is escaped.
func pngName(user string) string {
	var b strings.Builder
	for _, r := range user {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.' && b.Len() > 0:
			b.WriteRune(r)
		default:
			b.WriteString("%" + strconv.FormatInt(int64(r), 16))
		}
	}
	return b.String() + ".png"
}

// checkBatch validates every row against the names' rules, duplicates,
// existing files and existing active keys, and reports every problem.
func (a *app) checkBatch(rows []batchRow, problems []string, force bool) error {
	seen := map[string]int{}
	for _, r := range rows {
		if err := twofa.ValidateAccount(r.user); err != nil {
			problems = append(problems, fmt.Sprintf("line %d: %v", r.line, err))
		}
		if err := twofa.ValidateIssuer(r.issuer); err != nil {
			problems = append(problems, fmt.Sprintf("line %d: %v", r.line, err))
		}
		if first, dup := seen[r.user]; dup {
			problems = append(problems, fmt.Sprintf("line %d: %q is already on line %d", r.line, r.user, first))
		}
		seen[r.user] = r.line
		if _, err := os.Lstat(r.png); r.png != "" && err == nil {
			problems = append(problems, fmt.Sprintf("line %d: %s already exists", r.line, r.png))
		}
	}
	err := a.view(func(tx *store.Tx) error {
		for _, r := range rows {
			u, _, found, err := twofa.LoadUser(tx, r.user)
			if err != nil {
				return err
			}
			if st := u.StateAt(a.now()); found && !force && (st == twofa.StateActive || st == twofa.StateLocked) {
				problems = append(problems, fmt.Sprintf("line %d: %s already has an active key (--force replaces it)", r.line, r.user))
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return failf("fix these rows; nothing was enrolled", "the batch has %d problem(s):\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	return nil
}

// enrollChunk makes keys for a chunk of users and commits them together with
// their audit records. PNGs are written inside the transaction and removed if
// it does not commit, so no user ends up half enrolled.
func (a *app) enrollChunk(rows []batchRow, o enrollOptions) ([]batchUserOut, error) {
	keys := make([]newKey, len(rows))
	pngs := make([][]byte, len(rows))
	out := make([]batchUserOut, len(rows))
	for i, r := range rows {
		k, err := a.makeKey(r.user, r.issuer)
		if err != nil {
			return nil, err
		}
		if r.png != "" {
			if pngs[i], err = renderPNG(k.uri); err != nil {
				return nil, err
			}
		}
		keys[i], out[i] = k, batchUserOut{User: r.user, PNG: r.png}
		if o.showSecret {
			out[i].Secret, out[i].URI = twofa.EncodeSecret(k.secret), k.uri
		}
	}
	var written []string
	err := a.update(func(tx *store.Tx) error {
		written = written[:0]
		for i, k := range keys {
			if _, _, err := a.enrollInTx(tx, k, o.force, map[string]string{"batch": filepath.Base(o.batch)}); err != nil {
				return err
			}
			if pngs[i] == nil {
				continue
			}
			if err := fileio.WriteNew(rows[i].png, pngs[i], 0o600); err != nil {
				return err
			}
			written = append(written, rows[i].png)
		}
		return nil
	})
	if err != nil {
		for _, p := range written {
			os.Remove(p)
		}
		return nil, err
	}
	return out, nil
}
