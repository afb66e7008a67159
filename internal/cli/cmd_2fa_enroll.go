package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/cwsec/cwsec/internal/audit"
	"github.com/cwsec/cwsec/internal/fileio"
	"github.com/cwsec/cwsec/internal/store"
	"github.com/cwsec/cwsec/internal/twofa"
)

// pngPixelsPerModule makes a QR code of about 250 px: easy for a phone camera
// on a printed sheet or a screen.
const pngPixelsPerModule = 6

type enrollOptions struct {
	issuer     string
	qr         string
	png        string
	showSecret bool
	force      bool
	batch      string
	pngDir     string
}

type enrollResult struct {
	User         string      `json:"user"`
	Issuer       string      `json:"issuer"`
	AccountLabel string      `json:"account_label"`
	State        twofa.State `json:"state"`
	Expires      time.Time   `json:"pending_expires"`
	Replaced     string      `json:"replaced,omitempty"`
	PNG          string      `json:"png,omitempty"`
	Secret       string      `json:"secret,omitempty"`
	URI          string      `json:"uri,omitempty"`
}

// newKey is a freshly made key with everything needed to show it.
type newKey struct {
	user, issuer string
	secret       []byte
	uri          string
}

func (a *app) newTwoFAEnrollCmd() *cobra.Command {
	var o enrollOptions
	cmd := &cobra.Command{
		Use:   "enroll USER | --batch FILE.csv --png-dir DIR",
		Short: "Give a user a new TOTP key and show it as a QR code",
		Long: `Make a new 160-bit TOTP key for USER (state pending) and show it: a QR code on
the terminal to scan with Google Authenticator, Microsoft Authenticator or
WinAuth, and the key in groups of four for typing in by hand. On a terminal
cwsec then asks for the first code and activates the key; otherwise confirm it
later with 'cwsec 2fa confirm USER CODE' before twofa.pending_ttl runs out.

The key is a secret: it is shown only on a terminal, in a --png file (0600,
never over an existing file), or where --show-secret asks for it (also in
JSON). A user with an active key is not re-keyed without --force.

--batch enrolls every user of a CSV file (one user per line, optionally
"user,issuer"; a header line "user[,issuer]" and lines starting with # are
skipped) and writes one PNG per user into --png-dir. The whole file is
checked first; if any row is bad, every bad row is reported and nothing changes.

` + exitCodesHelp,
		Example: `  cwsec 2fa enroll alice
  cwsec 2fa enroll alice --qr none --png alice.png
  cwsec 2fa enroll --batch staff.csv --png-dir ./qr`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			switch {
			case o.batch != "" && len(args) == 0:
				return a.runEnrollBatch(o)
			case o.batch == "" && len(args) == 1:
				return a.runEnroll(args[0], o)
			}
			return &usageError{err: errors.New("name one USER, or use --batch FILE.csv --png-dir DIR"), usage: usageLine(c)}
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.issuer, "issuer", "", "issuer shown in the app (default twofa.issuer, CAREWare)")
	f.StringVar(&o.qr, "qr", "terminal", "show the QR code: terminal or none")
	f.StringVar(&o.png, "png", "", "also write the QR code to this PNG file (0600)")
	f.BoolVar(&o.showSecret, "show-secret", false, "print the key and otpauth URI even when stdout is not a terminal, and in JSON")
	f.BoolVar(&o.force, "force", false, "replace an active key")
	f.StringVar(&o.batch, "batch", "", "enroll every user in this CSV file")
	f.StringVar(&o.pngDir, "png-dir", "", "with --batch: directory for one PNG per user")
	_ = cmd.RegisterFlagCompletionFunc("qr", cobra.FixedCompletions([]string{"terminal", "none"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func (a *app) issuer(o enrollOptions) string { return firstNonEmpty(o.issuer, a.cfg.TwoFA.Issuer) }

// makeKey validates the names and makes a key and its otpauth URI.
func (a *app) makeKey(user, issuer string) (newKey, error) {
	if err := twofa.ValidateAccount(user); err != nil {
		return newKey{}, failf("user names are shown in the app and must be plain text without ':'", "%v", err)
	}
	if err := twofa.ValidateIssuer(issuer); err != nil {
		return newKey{}, failf("choose an issuer without ':' or control characters (--issuer or twofa.issuer)", "%v", err)
	}
	secret, err := twofa.NewSecret(a.random)
	if err != nil {
		return newKey{}, err
	}
	uri, err := twofa.KeyURI(issuer, user, secret)
	return newKey{user: user, issuer: issuer, secret: secret, uri: uri}, err
}

func renderPNG(uri string) ([]byte, error) {
	var buf bytes.Buffer
	err := twofa.WritePNG(&buf, uri, pngPixelsPerModule)
	return buf.Bytes(), err
}

// enrollInTx stores key k as pending for its user and audits it. It refuses to
// replace an active key unless forced, and returns what it replaced.
func (a *app) enrollInTx(tx *store.Tx, k newKey, force bool, details map[string]string) (twofa.User, string, error) {
	old, _, found, err := twofa.LoadUser(tx, k.user)
	if err != nil {
		return twofa.User{}, "", err
	}
	replaced := ""
	if found {
		replaced = string(old.StateAt(a.now()))
		if (replaced == string(twofa.StateActive) || replaced == string(twofa.StateLocked)) && !force {
			return twofa.User{}, "", failf("use --force to replace it; the old key stops working at once",
				"%s already has an active key", k.user)
		}
	}
	u := twofa.Enroll(k.user, a.now(), a.policy())
	if err := twofa.SaveUser(tx, u, k.secret); err != nil {
		return twofa.User{}, "", err
	}
	ev := a.event("2fa.enroll", k.user, audit.OutcomeOK)
	ev.Details = map[string]string{"issuer": k.issuer}
	for key, v := range details {
		ev.Details[key] = v
	}
	if replaced != "" {
		ev.Details["replaced"] = replaced
	}
	return u, replaced, a.record(tx, ev)
}

func (a *app) runEnroll(user string, o enrollOptions) error {
	if o.qr != "terminal" && o.qr != "none" {
		return &usageError{err: fmt.Errorf("--qr must be terminal or none, not %q", o.qr)}
	}
	if o.png != "" {
		if _, err := os.Lstat(o.png); err == nil {
			return failf("choose another file name or remove the old file", "%s already exists", o.png)
		}
	}
	k, err := a.makeKey(user, a.issuer(o))
	if err != nil {
		return err
	}
	var png []byte
	if o.png != "" {
		if png, err = renderPNG(k.uri); err != nil {
			return err
		}
	}
	res := enrollResult{User: user, Issuer: k.issuer, AccountLabel: k.issuer + ":" + user, PNG: o.png}
	err = a.update(func(tx *store.Tx) error {
		u, replaced, err := a.enrollInTx(tx, k, o.force, nil)
		res.State, res.Expires, res.Replaced = u.State, u.PendingExpires.UTC(), replaced
		if err != nil {
			return err
		}
		// Written before the commit: if the file cannot be written, the
		// enrollment rolls back and the old key, if any, stays.
		if png != nil {
			return fileio.WriteNew(o.png, png, 0o600)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if o.showSecret {
		res.Secret, res.URI = twofa.EncodeSecret(k.secret), k.uri
	}
	if a.cfg.Output == "json" {
		return a.emit(res, nil)
	}
	a.showKey(k, res, o)
	if a.io.InTTY && a.io.OutTTY {
		return a.confirmRightAway(user)
	}
	fmt.Fprintf(a.io.Out, "\nConfirm with the first code from the app before %s:\n  cwsec 2fa confirm %s CODE\n", localTime(res.Expires), user)
	return nil
}

// showKey prints the key for people. The secret goes only to a terminal or
// where --show-secret asked for it.
func (a *app) showKey(k newKey, res enrollResult, o enrollOptions) {
	w := a.io.Out
	secretOK := a.io.OutTTY || o.showSecret
	fmt.Fprintf(w, "Enrolled %s (pending). Account in the app: %s\n", k.user, res.AccountLabel)
	if res.Replaced != "" {
		fmt.Fprintf(w, "The previous key (%s) no longer works.\n", res.Replaced)
	}
	if o.qr == "terminal" && secretOK {
		fmt.Fprintln(w)
		if err := twofa.WriteTerminalQR(w, k.uri); err != nil {
			fmt.Fprintf(a.io.ErrOut, "warning: cannot draw the QR code: %v\n", err)
		}
	}
	if secretOK {
		fmt.Fprintf(w, "\nKey for manual entry (time-based, 6 digits): %s\n", twofa.GroupForManualEntry(twofa.EncodeSecret(k.secret)))
	}
	if o.showSecret {
		fmt.Fprintf(w, "URI: %s\n", k.uri)
	}
	if res.PNG != "" {
		fmt.Fprintf(w, "QR code written to %s (0600); delete it once the user has scanned it.\n", res.PNG)
	}
	if !secretOK && res.PNG == "" {
		fmt.Fprintln(w, "The key was not shown because stdout is not a terminal; use --png FILE or --show-secret.")
	}
}

// confirmRightAway asks for the first code on a terminal, as enrollment at a
// desk goes: scan, type the code, done.
func (a *app) confirmRightAway(user string) error {
	fmt.Fprint(a.io.ErrOut, "\nScan the code, then enter the 6-digit code the app shows (empty to confirm later): ")
	code, err := a.readLine()
	if err != nil || code == "" {
		fmt.Fprintf(a.io.Out, "Not confirmed yet. Later: cwsec 2fa confirm %s CODE\n", user)
		return nil
	}
	return a.runCode(user, code, "2fa.confirm", twofa.Confirm, false)
}
