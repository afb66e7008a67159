package twofa

import (
	"errors"
	"fmt"
	"time"
)

// State is a user's two-factor state as the CLI reports it.
//
// Only none, pending and active are written by this package. Locked is
// derived from LockedUntil and HardLocked (see User.StateAt), so a lockout
// ends by itself when its time passes, without anything having to write to
// the store, and a user locked while still pending stays pending underneath.
type State string

const (
	StateNone    State = "none"    // no key: the user has never enrolled, or was reset
	StatePending State = "pending" // a key was issued but no code has confirmed it yet
	StateActive  State = "active"  // a confirmed key; codes are verified against it
	StateLocked  State = "locked"  // too many consecutive failures; derived, see StateAt
)

// MaxConsecutiveFailures is the hard limit NIST SP 800-63B sets on
// consecutive failed attempts. Timed lockouts alone would let an attacker
// try Policy.MaxFailures codes every Policy.Lockout forever (with the
// defaults, 480 a day); so failures are counted across lockouts until a
// success, and at this many the user stays locked until an administrator
// unlocks them.
const MaxConsecutiveFailures = 100

// User is one user's persisted two-factor state. It is plain JSON; the TOTP
// key is deliberately not a field, so it can be sealed and stored apart.
type User struct {
	Name        string    `json:"name"`
	State       State     `json:"state"`
	CreatedAt   time.Time `json:"created_at,omitzero"`
	ConfirmedAt time.Time `json:"confirmed_at,omitzero"`
	LastUsedAt  time.Time `json:"last_used_at,omitzero"`
	// LastStep is the time step of the last accepted code; codes for it and
	// any earlier step are refused (replay protection). Zero means none.
	LastStep int64 `json:"last_step,omitempty"`
	// Failures counts consecutive failed attempts since the last success,
	// across lockouts (see MaxConsecutiveFailures).
	Failures    int       `json:"failures,omitempty"`
	LockedUntil time.Time `json:"locked_until,omitzero"`
	// HardLocked is set at MaxConsecutiveFailures; only Unlock clears it.
	HardLocked     bool           `json:"hard_locked,omitempty"`
	PendingExpires time.Time      `json:"pending_expires,omitzero"`
	RecoveryHashes []RecoveryHash `json:"recovery_hashes,omitempty"`
}

// StateAt returns the state to report at now: locked while a lockout runs,
// otherwise the stored enrollment state.
func (u User) StateAt(now time.Time) State {
	switch u.State {
	case StatePending, StateActive, StateLocked:
		if u.lockedAt(now) {
			return StateLocked
		}
		if u.State == StateLocked {
			// A record written as "locked" by hand or by an older tool is an
			// active key whose lockout has ended.
			return StateActive
		}
		return u.State
	}
	return StateNone
}

// lockedAt reports whether u is locked out at now.
func (u User) lockedAt(now time.Time) bool {
	return u.HardLocked || now.Before(u.LockedUntil)
}

// pendingExpired reports whether a pending key can no longer be confirmed.
// A pending record without an expiry counts as expired: Enroll always sets
// one, so a missing one means the record did not come from Enroll.
func (u User) pendingExpired(now time.Time) bool {
	return u.PendingExpires.IsZero() || !now.Before(u.PendingExpires)
}

// Policy is the site's two-factor policy (config section "twofa").
type Policy struct {
	Skew        int           // time steps accepted either side of now, 0..MaxSkew
	MaxFailures int           // consecutive failures before a lockout, 1..MaxConsecutiveFailures
	Lockout     time.Duration // how long a lockout lasts
	PendingTTL  time.Duration // how long an enrolled key waits for its first code
}

// DefaultPolicy returns the policy used when the configuration says nothing:
// one step of skew, lockout for 15 minutes after 5 failures, and a day to
// confirm a new key.
func DefaultPolicy() Policy {
	return Policy{Skew: 1, MaxFailures: 5, Lockout: 15 * time.Minute, PendingTTL: 24 * time.Hour}
}

// Validate reports every out-of-range field at once, so an administrator
// fixes the configuration in one edit. The error unwraps to ErrInvalidPolicy.
func (p Policy) Validate() error {
	var errs []error
	if p.Skew < 0 || p.Skew > MaxSkew {
		errs = append(errs, fmt.Errorf("skew is %d; it must be 0, 1 or 2 time steps", p.Skew))
	}
	if p.MaxFailures < 1 || p.MaxFailures > MaxConsecutiveFailures {
		errs = append(errs, fmt.Errorf("max failures is %d; it must be 1 to %d", p.MaxFailures, MaxConsecutiveFailures))
	}
	if p.Lockout <= 0 {
		errs = append(errs, fmt.Errorf("lockout is %v; it must be longer than zero", p.Lockout))
	}
	if p.PendingTTL <= 0 {
		errs = append(errs, fmt.Errorf("pending TTL is %v; it must be longer than zero", p.PendingTTL))
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrInvalidPolicy, errors.Join(errs...))
}

// failSafe clamps a policy that skipped Validate. A zero Policy becomes the
// strictest one (no skew, lockout after one failure) rather than failing open.
func (p Policy) failSafe() Policy {
	d := DefaultPolicy()
	p.Skew = min(max(p.Skew, 0), MaxSkew)
	p.MaxFailures = min(max(p.MaxFailures, 1), MaxConsecutiveFailures)
	if p.Lockout <= 0 {
		p.Lockout = d.Lockout
	}
	if p.PendingTTL <= 0 {
		p.PendingTTL = d.PendingTTL
	}
	return p
}

// Reason says why a code was rejected.
type Reason string

const (
	ReasonWrong         Reason = "wrong"          // no step in the window matched
	ReasonReused        Reason = "reused"         // matched a step already used
	ReasonLocked        Reason = "locked"         // locked out; the code was not checked
	ReasonPending       Reason = "pending"        // the key has not been confirmed
	ReasonExpired       Reason = "expired"        // the pending key's time to confirm ran out
	ReasonNotEnrolled   Reason = "not_enrolled"   // no key
	ReasonMalformed     Reason = "malformed"      // not a 6-digit code (nor, in Verify, a recovery code)
	ReasonAlreadyActive Reason = "already_active" // Confirm on a key that is already confirmed
	ReasonInvalidKey    Reason = "invalid_key"    // the stored key is missing or too short
)

var reasonErrors = map[Reason]error{
	ReasonWrong:         ErrWrongCode,
	ReasonReused:        ErrReused,
	ReasonLocked:        ErrLocked,
	ReasonPending:       ErrPending,
	ReasonExpired:       ErrExpired,
	ReasonNotEnrolled:   ErrNotEnrolled,
	ReasonMalformed:     ErrMalformedCode,
	ReasonAlreadyActive: ErrAlreadyActive,
	ReasonInvalidKey:    ErrInvalidSecret,
}

// Method says what kind of code was presented.
type Method string

const (
	MethodTOTP     Method = "totp"
	MethodRecovery Method = "recovery"
)

// Outcome is the result of one Confirm or Verify, for the CLI to print, for
// the audit record, and for the exit code (via Err). It never holds a code
// or a key.
type Outcome struct {
	Accepted bool   `json:"accepted"`
	Reason   Reason `json:"reason,omitempty"`
	// Detail says in plain words what happened and what to do next.
	Detail string `json:"detail,omitempty"`
	Method Method `json:"method,omitempty"`
	// Step and Offset are set when a TOTP code matched a step, accepted or
	// reused; Offset feeds DriftDescription.
	Step   int64 `json:"step,omitempty"`
	Offset int   `json:"offset,omitempty"`
	// Failures is the count of consecutive failures after this attempt.
	Failures          int       `json:"failures"`
	LockedUntil       time.Time `json:"locked_until,omitzero"`
	HardLocked        bool      `json:"hard_locked,omitempty"`
	RecoveryRemaining int       `json:"recovery_remaining"`
}

// Err returns nil for an accepted code, otherwise the sentinel error for
// Reason (wrapped with Detail), for errors.Is-based exit-code mapping.
func (o Outcome) Err() error {
	if o.Accepted {
		return nil
	}
	base, ok := reasonErrors[o.Reason]
	if !ok {
		base = ErrWrongCode
	}
	if o.Detail == "" {
		return base
	}
	return fmt.Errorf("%w: %s", base, o.Detail)
}

// Enroll returns a fresh pending user for a new key; the caller creates the
// key with NewSecret and stores it alongside. Everything about any earlier
// key goes, including recovery codes, which belonged to that key's era. The
// name is not checked here: call ValidateAccount first.
func Enroll(name string, now time.Time, p Policy) User {
	p = p.failSafe()
	return User{
		Name:           name,
		State:          StatePending,
		CreatedAt:      now,
		PendingExpires: now.Add(p.PendingTTL),
	}
}

// Confirm activates a pending key when code is valid for it. Failures count
// towards lockout just as in Verify, so confirmation is no side door for
// guessing. Recovery codes are not accepted: they prove nothing about the
// new device.
func Confirm(u User, secret []byte, code string, now time.Time, p Policy) (User, Outcome) {
	p = p.failSafe()
	switch u.State {
	case StatePending:
	case StateActive, StateLocked:
		return u, reject(u, ReasonAlreadyActive, "the key is already confirmed; use verify to check a code")
	default:
		return u, reject(u, ReasonNotEnrolled, "no key is enrolled for this user; enroll them first")
	}
	if u.pendingExpired(now) {
		return u, reject(u, ReasonExpired, expiredDetail(u))
	}
	u = endExpiredLockout(u, now)
	if u.lockedAt(now) {
		return u, reject(u, ReasonLocked, lockedDetail(u))
	}
	norm, err := NormalizeCode(code)
	if err != nil {
		return u, reject(u, ReasonMalformed, err.Error())
	}
	u, out := checkTOTP(u, secret, norm, now, p)
	if out.Accepted {
		u.State = StateActive
		u.ConfirmedAt = now
		u.PendingExpires = time.Time{}
	}
	return u, out
}

// Verify checks a code for an active user: a TOTP code, or in its place one
// of the user's unused recovery codes, which is then spent.
//
// A locked user is refused without the code being looked at, so a lockout
// cannot be used to test guesses. Every wrong or reused code counts as a
// failure; MaxFailures in a row lock the user for Lockout. Malformed input
// does not count: it cannot match, so it reveals nothing and costs an
// attacker nothing to avoid.
func Verify(u User, secret []byte, code string, now time.Time, p Policy) (User, Outcome) {
	p = p.failSafe()
	switch u.State {
	case StateActive, StateLocked:
	case StatePending:
		if u.pendingExpired(now) {
			return u, reject(u, ReasonExpired, expiredDetail(u))
		}
		return u, reject(u, ReasonPending, "the key has not been confirmed yet; confirm it with a code from the device")
	default:
		return u, reject(u, ReasonNotEnrolled, "no key is enrolled for this user")
	}
	u = endExpiredLockout(u, now)
	if u.lockedAt(now) {
		return u, reject(u, ReasonLocked, lockedDetail(u))
	}
	if norm, err := NormalizeCode(code); err == nil {
		return checkTOTP(u, secret, norm, now, p)
	}
	if canon, ok := normalizeRecoveryCode(code); ok {
		return checkRecovery(u, canon, now, p)
	}
	return u, reject(u, ReasonMalformed, fmt.Sprintf("expected a %d-digit code or a recovery code like xxxx-xxxx-xxxx", Digits))
}

// Unlock ends any lockout, including the hard one, and forgets the failures.
func Unlock(u User) User {
	u.Failures = 0
	u.LockedUntil = time.Time{}
	u.HardLocked = false
	if u.State == StateLocked {
		u.State = StateActive
	}
	return u
}

// checkTOTP matches a normalised code and records the attempt.
func checkTOTP(u User, secret []byte, code string, now time.Time, p Policy) (User, Outcome) {
	if len(secret) < MinSecretBytes {
		// Not the user's fault and not a guess: the store gave us no usable
		// key. Refuse without counting a failure.
		return u, reject(u, ReasonInvalidKey, "the stored key is missing or too short; reset the user's key")
	}
	res, err := Match(secret, code, now, p.Skew, u.LastStep)
	switch {
	case err == nil:
		u = recordSuccess(u, now)
		u.LastStep = res.Step
		out := accept(u, MethodTOTP)
		out.Step, out.Offset = res.Step, res.Offset
		return u, out
	case errors.Is(err, ErrReused):
		u = recordFailure(u, now, p)
		out := reject(u, ReasonReused, "this code was already used; wait for the next code")
		out.Method, out.Step, out.Offset = MethodTOTP, res.Step, res.Offset
		return u, out
	case errors.Is(err, ErrWrongCode):
		u = recordFailure(u, now, p)
		out := reject(u, ReasonWrong, failureDetail(u, "the code does not match"))
		out.Method = MethodTOTP
		return u, out
	}
	// Match's remaining errors are for a bad skew, key or code, all ruled
	// out above; report one anyway rather than accept.
	return u, reject(u, ReasonInvalidKey, err.Error())
}

// checkRecovery spends a matching recovery code or records a failure.
func checkRecovery(u User, canon string, now time.Time, p Policy) (User, Outcome) {
	i := findRecoveryCode(u.RecoveryHashes, canon)
	if i < 0 {
		u = recordFailure(u, now, p)
		out := reject(u, ReasonWrong, failureDetail(u, "the recovery code does not match any unused code"))
		out.Method = MethodRecovery
		return u, out
	}
	u = spendRecoveryCode(u, i, now)
	u = recordSuccess(u, now)
	out := accept(u, MethodRecovery)
	out.Detail = fmt.Sprintf("a recovery code was used; %d remain", Remaining(u))
	return u, out
}

// endExpiredLockout clears a timed lockout whose time has passed. The
// failure count is kept, so the hard limit still counts every failure.
func endExpiredLockout(u User, now time.Time) User {
	if !u.LockedUntil.IsZero() && !now.Before(u.LockedUntil) {
		u.LockedUntil = time.Time{}
	}
	return u
}

func recordSuccess(u User, now time.Time) User {
	u.Failures = 0
	u.LockedUntil = time.Time{}
	u.LastUsedAt = now
	return u
}

// recordFailure counts a failure and starts a lockout every MaxFailures
// consecutive failures, or the hard lock at MaxConsecutiveFailures.
func recordFailure(u User, now time.Time, p Policy) User {
	u.Failures++
	switch {
	case u.Failures >= MaxConsecutiveFailures:
		u.HardLocked = true
		u.LockedUntil = time.Time{}
	case u.Failures%p.MaxFailures == 0:
		u.LockedUntil = now.Add(p.Lockout)
	}
	return u
}

func accept(u User, m Method) Outcome {
	return Outcome{Accepted: true, Method: m, Failures: u.Failures, RecoveryRemaining: Remaining(u)}
}

func reject(u User, r Reason, detail string) Outcome {
	return Outcome{
		Reason:            r,
		Detail:            detail,
		Failures:          u.Failures,
		LockedUntil:       u.LockedUntil,
		HardLocked:        u.HardLocked,
		RecoveryRemaining: Remaining(u),
	}
}

func failureDetail(u User, what string) string {
	switch {
	case u.HardLocked:
		return fmt.Sprintf("%s; %d consecutive failures: the user is locked until an administrator unlocks them", what, u.Failures)
	case !u.LockedUntil.IsZero():
		return fmt.Sprintf("%s; %d consecutive failures: the user is locked until %s", what, u.Failures, u.LockedUntil.UTC().Format(time.RFC3339))
	}
	return fmt.Sprintf("%s (%d consecutive failures)", what, u.Failures)
}

func lockedDetail(u User) string {
	if u.HardLocked {
		return fmt.Sprintf("locked after %d consecutive failures; an administrator must unlock the user", u.Failures)
	}
	return fmt.Sprintf("locked after %d consecutive failures until %s; try again then, or ask an administrator to unlock", u.Failures, u.LockedUntil.UTC().Format(time.RFC3339))
}

func expiredDetail(u User) string {
	if u.PendingExpires.IsZero() {
		return "the pending key has no expiry recorded; enroll the user again"
	}
	return fmt.Sprintf("the pending key expired at %s; enroll the user again", u.PendingExpires.UTC().Format(time.RFC3339))
}
