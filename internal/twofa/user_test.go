package twofa

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// activeUser returns alice, enrolled and confirmed at pinned-1h.
func activeUser(t *testing.T, p Policy) User {
	t.Helper()
	at := pinned.Add(-time.Hour)
	u := Enroll("alice", at, p)
	u, out := Confirm(u, testSecret, CodeAt(testSecret, Step(at)), at, p)
	if !out.Accepted {
		t.Fatalf("confirm: %+v", out)
	}
	return u
}

func TestEnroll(t *testing.T) {
	p := DefaultPolicy()
	u := Enroll("alice", pinned, p)
	want := User{Name: "alice", State: StatePending, CreatedAt: pinned, PendingExpires: pinned.Add(24 * time.Hour)}
	if !reflect.DeepEqual(u, want) {
		t.Errorf("Enroll = %+v, want %+v", u, want)
	}
	if s := u.StateAt(pinned); s != StatePending {
		t.Errorf("state %s, want pending", s)
	}
}

func TestConfirm(t *testing.T) {
	p := DefaultPolicy()
	u := Enroll("alice", pinned, p)
	at := pinned.Add(2 * time.Minute)
	// The phone is 30 s fast: the admin should hear about it.
	u2, out := Confirm(u, testSecret, CodeAt(testSecret, Step(at)+1), at, p)
	if !out.Accepted || out.Method != MethodTOTP || out.Offset != 1 || out.Step != Step(at)+1 {
		t.Fatalf("Confirm = %+v", out)
	}
	if DriftDescription(out.Offset) != "the device's clock is about 30 s ahead" {
		t.Errorf("drift %q", DriftDescription(out.Offset))
	}
	if u2.State != StateActive || !u2.ConfirmedAt.Equal(at) || !u2.LastUsedAt.Equal(at) ||
		u2.LastStep != Step(at)+1 || !u2.PendingExpires.IsZero() {
		t.Errorf("after confirm: %+v", u2)
	}
	if out.Err() != nil {
		t.Errorf("Err() = %v for an accepted code", out.Err())
	}
	// The code that confirmed the key cannot then be used to log in.
	_, out = Verify(u2, testSecret, CodeAt(testSecret, Step(at)+1), at.Add(10*time.Second), p)
	if out.Reason != ReasonReused || !errors.Is(out.Err(), ErrReused) {
		t.Errorf("verify with the confirming code: %+v", out)
	}
}

func TestConfirmRefuses(t *testing.T) {
	p := DefaultPolicy()
	pending := Enroll("alice", pinned, p)
	active := activeUser(t, p)
	good := CodeAt(testSecret, Step(pinned))
	tests := []struct {
		name     string
		u        User
		code     string
		at       time.Time
		want     Reason
		failures int
	}{
		{"wrong code", pending, wrongCode(testSecret, pinned, 1), pinned, ReasonWrong, 1},
		{"malformed", pending, "12345", pinned, ReasonMalformed, 0},
		{"recovery code shape", pending, "abcd-efgh-jkmn", pinned, ReasonMalformed, 0},
		{"expired", pending, CodeAt(testSecret, Step(pinned.Add(24*time.Hour))), pinned.Add(24 * time.Hour), ReasonExpired, 0},
		{"long expired", pending, CodeAt(testSecret, Step(pinned.Add(72*time.Hour))), pinned.Add(72 * time.Hour), ReasonExpired, 0},
		{"no expiry recorded", User{Name: "alice", State: StatePending}, good, pinned, ReasonExpired, 0},
		{"already active", active, good, pinned, ReasonAlreadyActive, 0},
		{"not enrolled", User{Name: "alice", State: StateNone}, good, pinned, ReasonNotEnrolled, 0},
		{"zero user", User{}, good, pinned, ReasonNotEnrolled, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, out := Confirm(tt.u, testSecret, tt.code, tt.at, p)
			if out.Accepted || out.Reason != tt.want || out.Failures != tt.failures || u.Failures != tt.failures {
				t.Errorf("Confirm = %+v; want reason %s with %d failures", out, tt.want, tt.failures)
			}
			if out.Detail == "" || out.Err() == nil {
				t.Errorf("no detail or error: %+v", out)
			}
			if u.State != tt.u.State {
				t.Errorf("state changed to %s", u.State)
			}
		})
	}
}

func TestConfirmJustBeforeExpiry(t *testing.T) {
	p := DefaultPolicy()
	u := Enroll("alice", pinned, p)
	at := u.PendingExpires.Add(-time.Nanosecond)
	if _, out := Confirm(u, testSecret, CodeAt(testSecret, Step(at)), at, p); !out.Accepted {
		t.Errorf("Confirm a nanosecond before expiry: %+v", out)
	}
}

func TestVerifyReplay(t *testing.T) {
	p := DefaultPolicy()
	u := activeUser(t, p)
	code := CodeAt(testSecret, Step(pinned))

	u, out := Verify(u, testSecret, code, pinned, p)
	if !out.Accepted || out.Offset != 0 || u.LastStep != Step(pinned) || !u.LastUsedAt.Equal(pinned) {
		t.Fatalf("first use: %+v, user %+v", out, u)
	}
	u, out = Verify(u, testSecret, code, pinned.Add(3*time.Second), p)
	if out.Accepted || out.Reason != ReasonReused || out.Step != Step(pinned) || out.Failures != 1 {
		t.Fatalf("second use: %+v", out)
	}
	// The next step's code is then accepted and resets the failures...
	next := pinned.Add(Period)
	u, out = Verify(u, testSecret, CodeAt(testSecret, Step(next)), next, p)
	if !out.Accepted || u.Failures != 0 {
		t.Fatalf("next step: %+v", out)
	}
	// ...after which the previous step's code, still inside the skew
	// window, is a replay.
	_, out = Verify(u, testSecret, CodeAt(testSecret, Step(pinned)), next, p)
	if out.Reason != ReasonReused || out.Offset != -1 {
		t.Errorf("earlier step after later: %+v", out)
	}
}

func TestVerifyLockout(t *testing.T) {
	p := Policy{Skew: 1, MaxFailures: 3, Lockout: 15 * time.Minute, PendingTTL: time.Hour}
	u := activeUser(t, p)
	bad := wrongCode(testSecret, pinned, 2)

	var out Outcome
	for i := 1; i <= p.MaxFailures; i++ {
		at := pinned.Add(time.Duration(i) * time.Second)
		u, out = Verify(u, testSecret, bad, at, p)
		if out.Accepted || out.Reason != ReasonWrong || out.Failures != i {
			t.Fatalf("failure %d: %+v", i, out)
		}
	}
	lockedAt := pinned.Add(time.Duration(p.MaxFailures) * time.Second)
	wantUntil := lockedAt.Add(p.Lockout)
	if !out.LockedUntil.Equal(wantUntil) || !strings.Contains(out.Detail, "locked until") {
		t.Fatalf("after %d failures: %+v; want locked until %v", p.MaxFailures, out, wantUntil)
	}
	if s := u.StateAt(lockedAt); s != StateLocked {
		t.Errorf("state %s, want locked", s)
	}

	// While locked, even the right code is refused, and nothing is counted.
	during := wantUntil.Add(-time.Second)
	u2, out := Verify(u, testSecret, CodeAt(testSecret, Step(during)), during, p)
	if out.Accepted || out.Reason != ReasonLocked || !errors.Is(out.Err(), ErrLocked) {
		t.Fatalf("correct code while locked: %+v", out)
	}
	if !reflect.DeepEqual(u2, u) {
		t.Errorf("a refused attempt while locked changed the user: %+v", u2)
	}

	// When the lockout ends the user is active again without any write,
	// and the right code is accepted.
	if s := u.StateAt(wantUntil); s != StateActive {
		t.Errorf("state at lockout end %s, want active", s)
	}
	u, out = Verify(u, testSecret, CodeAt(testSecret, Step(wantUntil)), wantUntil, p)
	if !out.Accepted || u.Failures != 0 || !u.LockedUntil.IsZero() {
		t.Fatalf("correct code after lockout: %+v, user %+v", out, u)
	}
}

// Failures are counted across lockouts, so an attacker who waits out each
// lockout still meets the hard limit.
func TestVerifyHardLock(t *testing.T) {
	p := Policy{Skew: 1, MaxFailures: 10, Lockout: time.Minute, PendingTTL: time.Hour}
	u := activeUser(t, p)
	at := pinned
	var out Outcome
	for i := 1; i <= MaxConsecutiveFailures; i++ {
		u, out = Verify(u, testSecret, wrongCode(testSecret, at, 2), at, p)
		if out.Reason != ReasonWrong || out.Failures != i {
			t.Fatalf("attempt %d: %+v", i, out)
		}
		if i%p.MaxFailures == 0 && i < MaxConsecutiveFailures {
			if !out.LockedUntil.Equal(at.Add(p.Lockout)) {
				t.Fatalf("attempt %d did not start a lockout: %+v", i, out)
			}
			at = at.Add(p.Lockout) // wait it out
		} else {
			at = at.Add(time.Second)
		}
	}
	if !out.HardLocked || !u.HardLocked || !strings.Contains(out.Detail, "administrator") {
		t.Fatalf("after %d failures: %+v", MaxConsecutiveFailures, out)
	}
	later := at.Add(365 * 24 * time.Hour)
	if s := u.StateAt(later); s != StateLocked {
		t.Errorf("a year later state %s, want locked", s)
	}
	if _, out = Verify(u, testSecret, CodeAt(testSecret, Step(later)), later, p); out.Reason != ReasonLocked {
		t.Errorf("correct code a year later: %+v", out)
	}
	u = Unlock(u)
	if s := u.StateAt(later); s != StateActive || u.Failures != 0 {
		t.Errorf("after Unlock: state %s, %+v", s, u)
	}
	if _, out = Verify(u, testSecret, CodeAt(testSecret, Step(later)), later, p); !out.Accepted {
		t.Errorf("correct code after Unlock: %+v", out)
	}
}

func TestUnlockEndsTimedLockout(t *testing.T) {
	p := Policy{Skew: 0, MaxFailures: 1, Lockout: time.Hour, PendingTTL: time.Hour}
	u := activeUser(t, p)
	u, out := Verify(u, testSecret, wrongCode(testSecret, pinned, 0), pinned, p)
	if u.StateAt(pinned) != StateLocked {
		t.Fatalf("not locked: %+v", out)
	}
	u = Unlock(u)
	if _, out = Verify(u, testSecret, CodeAt(testSecret, Step(pinned)), pinned, p); !out.Accepted {
		t.Errorf("after Unlock: %+v", out)
	}
}

func TestVerifyRefuses(t *testing.T) {
	p := DefaultPolicy()
	active := activeUser(t, p)
	pending := Enroll("alice", pinned, p)
	good := CodeAt(testSecret, Step(pinned))
	tests := []struct {
		name   string
		u      User
		secret []byte
		code   string
		at     time.Time
		want   Reason
		err    error
	}{
		{"pending", pending, testSecret, good, pinned, ReasonPending, ErrPending},
		{"expired pending", pending, testSecret, good, pinned.Add(25 * time.Hour), ReasonExpired, ErrExpired},
		{"not enrolled", User{Name: "bob", State: StateNone}, testSecret, good, pinned, ReasonNotEnrolled, ErrNotEnrolled},
		{"unknown state", User{Name: "bob", State: "bogus"}, testSecret, good, pinned, ReasonNotEnrolled, ErrNotEnrolled},
		{"letters", active, testSecret, "abcdef", pinned, ReasonMalformed, ErrMalformedCode},
		{"five digits", active, testSecret, "12345", pinned, ReasonMalformed, ErrMalformedCode},
		{"empty", active, testSecret, "", pinned, ReasonMalformed, ErrMalformedCode},
		{"huge", active, testSecret, strings.Repeat("9", 10<<10), pinned, ReasonMalformed, ErrMalformedCode},
		{"empty stored key", active, nil, good, pinned, ReasonInvalidKey, ErrInvalidSecret},
		{"short stored key", active, testSecret[:8], good, pinned, ReasonInvalidKey, ErrInvalidSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, out := Verify(tt.u, tt.secret, tt.code, tt.at, p)
			if out.Accepted || out.Reason != tt.want || !errors.Is(out.Err(), tt.err) {
				t.Errorf("Verify = %+v (err %v); want %s", out, out.Err(), tt.want)
			}
			// None of these is a guess at the key, so none counts.
			if u.Failures != tt.u.Failures {
				t.Errorf("failures went from %d to %d", tt.u.Failures, u.Failures)
			}
		})
	}
}

// A record written as "locked" (by hand or an older tool) behaves as an
// active key whose lockout is LockedUntil.
func TestStoredLockedState(t *testing.T) {
	p := DefaultPolicy()
	u := activeUser(t, p)
	u.State = StateLocked
	u.LockedUntil = pinned.Add(time.Minute)
	if s := u.StateAt(pinned); s != StateLocked {
		t.Errorf("state %s during lockout", s)
	}
	if s := u.StateAt(pinned.Add(time.Minute)); s != StateActive {
		t.Errorf("state %s after lockout", s)
	}
	after := pinned.Add(time.Minute)
	if _, out := Verify(u, testSecret, CodeAt(testSecret, Step(after)), after, p); !out.Accepted {
		t.Errorf("verify after lockout: %+v", out)
	}
}

func TestStateAt(t *testing.T) {
	tests := []struct {
		u    User
		want State
	}{
		{User{}, StateNone},
		{User{State: StateNone}, StateNone},
		{User{State: "garbage"}, StateNone},
		{User{State: StatePending}, StatePending},
		{User{State: StateActive}, StateActive},
		{User{State: StateActive, LockedUntil: pinned.Add(time.Second)}, StateLocked},
		{User{State: StateActive, LockedUntil: pinned}, StateActive},
		{User{State: StatePending, LockedUntil: pinned.Add(time.Second)}, StateLocked},
		{User{State: StateActive, HardLocked: true}, StateLocked},
	}
	for _, tt := range tests {
		if got := tt.u.StateAt(pinned); got != tt.want {
			t.Errorf("StateAt(%+v) = %s, want %s", tt.u, got, tt.want)
		}
	}
}

func TestPolicyValidate(t *testing.T) {
	if err := DefaultPolicy().Validate(); err != nil {
		t.Fatalf("default policy: %v", err)
	}
	d := DefaultPolicy()
	if d.Skew != 1 || d.MaxFailures != 5 || d.Lockout != 15*time.Minute || d.PendingTTL != 24*time.Hour {
		t.Errorf("DefaultPolicy = %+v", d)
	}
	good := []Policy{
		{Skew: 0, MaxFailures: 1, Lockout: time.Second, PendingTTL: time.Second},
		{Skew: 2, MaxFailures: 100, Lockout: 24 * time.Hour, PendingTTL: 30 * 24 * time.Hour},
	}
	for _, p := range good {
		if err := p.Validate(); err != nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
	bad := []struct {
		p    Policy
		says []string
	}{
		{Policy{Skew: 3, MaxFailures: 5, Lockout: time.Minute, PendingTTL: time.Hour}, []string{"skew is 3"}},
		{Policy{Skew: -1, MaxFailures: 5, Lockout: time.Minute, PendingTTL: time.Hour}, []string{"skew is -1"}},
		{Policy{Skew: 1, MaxFailures: 0, Lockout: time.Minute, PendingTTL: time.Hour}, []string{"max failures is 0"}},
		{Policy{Skew: 1, MaxFailures: 101, Lockout: time.Minute, PendingTTL: time.Hour}, []string{"max failures is 101"}},
		{Policy{Skew: 1, MaxFailures: 5, Lockout: 0, PendingTTL: time.Hour}, []string{"lockout"}},
		{Policy{Skew: 1, MaxFailures: 5, Lockout: time.Minute, PendingTTL: -time.Hour}, []string{"pending TTL"}},
		{Policy{}, []string{"max failures is 0", "lockout", "pending TTL"}},
	}
	for _, tt := range bad {
		err := tt.p.Validate()
		if !errors.Is(err, ErrInvalidPolicy) {
			t.Errorf("%+v: %v; want ErrInvalidPolicy", tt.p, err)
			continue
		}
		for _, s := range tt.says {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%+v: %q does not say %q", tt.p, err, s)
			}
		}
	}
}

// A Policy that never went through Validate fails safe: no skew, lockout
// after the first failure.
func TestZeroPolicyFailsSafe(t *testing.T) {
	u := activeUser(t, DefaultPolicy())
	ahead := CodeAt(testSecret, Step(pinned)+1)
	u, out := Verify(u, testSecret, ahead, pinned, Policy{})
	if out.Accepted || out.LockedUntil.IsZero() {
		t.Errorf("zero policy: %+v", out)
	}
	if u.StateAt(pinned) != StateLocked {
		t.Errorf("not locked after one failure under a zero policy")
	}
}

func TestUserJSON(t *testing.T) {
	used := pinned.Add(time.Minute)
	u := User{
		Name: "alice", State: StateActive, CreatedAt: pinned, ConfirmedAt: pinned,
		LastUsedAt: used, LastStep: Step(used), Failures: 2, LockedUntil: used.Add(time.Hour),
		RecoveryHashes: []RecoveryHash{{Salt: []byte{1, 2}, Hash: []byte{3, 4}, Time: 1, MemoryKiB: 2048, Threads: 1, UsedAt: &used}},
	}
	data, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"name":"alice"`, `"state":"active"`, `"last_step":`, `"locked_until":`, `"recovery_hashes":`, `"used_at":`} {
		if !bytes.Contains(data, []byte(key)) {
			t.Errorf("JSON lacks %s: %s", key, data)
		}
	}
	var back User
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, u) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, u)
	}
	// A fresh pending user has nothing to say about use, locks or codes.
	data, _ = json.Marshal(Enroll("bob", pinned, DefaultPolicy()))
	for _, key := range []string{"confirmed_at", "last_used_at", "last_step", "failures", "locked_until", "hard_locked", "recovery_hashes"} {
		if bytes.Contains(data, []byte(key)) {
			t.Errorf("pending user's JSON has %s: %s", key, data)
		}
	}
}

func TestOutcomeJSONHasNoCode(t *testing.T) {
	p := DefaultPolicy()
	u := activeUser(t, p)
	code := CodeAt(testSecret, Step(pinned))
	for _, c := range []string{code, wrongCode(testSecret, pinned, 1)} {
		_, out := Verify(u, testSecret, c, pinned, p)
		data, _ := json.Marshal(out)
		if bytes.Contains(data, []byte(c)) || strings.Contains(fmt.Sprint(out.Err()), c) {
			t.Errorf("outcome repeats the code: %s", data)
		}
	}
}
