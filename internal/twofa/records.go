package twofa

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/cwsec/cwsec/internal/store"
)

const (
	usersBucket    = "twofa_users"
	settingsBucket = "twofa_settings"
	switchKey      = "switch"
)

// record is what the store keeps per user. The whole record is sealed, not
// only the secret: failure counters and the last used step are what stop
// guessing and replay, so an edit of the file must not be able to reset them.
type record struct {
	User   User   `json:"user"`
	Secret []byte `json:"secret"`
}

// LoadUser reads a user's state and key. found is false for a user who never
// enrolled or was reset.
func LoadUser(tx *store.Tx, name string) (u User, secret []byte, found bool, err error) {
	plain, err := tx.Secret(usersBucket, name)
	if err != nil || plain == nil {
		return User{Name: name, State: StateNone}, nil, false, err
	}
	var rec record
	if err := json.Unmarshal(plain, &rec); err != nil {
		return User{}, nil, false, fmt.Errorf("%w: twofa user %q is unreadable", store.ErrCorruptRecord, name)
	}
	return rec.User, rec.Secret, true, nil
}

// SaveUser seals and stores a user's state and key.
func SaveUser(tx *store.Tx, u User, secret []byte) error {
	plain, err := json.Marshal(record{User: u, Secret: secret})
	if err != nil {
		return err
	}
	return tx.PutSecret(usersBucket, u.Name, plain)
}

// DeleteUser removes a user's key and state; deleted is false when there was
// nothing to remove.
func DeleteUser(tx *store.Tx, name string) (deleted bool, err error) {
	b, err := tx.Bucket(usersBucket)
	if err != nil || b == nil || b.Get([]byte(name)) == nil {
		return false, err
	}
	return true, b.Delete([]byte(name))
}

// EachUser calls fn for every enrolled user, in name order. Keys are not
// passed on: listing never needs them.
func EachUser(tx *store.Tx, fn func(User) error) error {
	b, err := tx.Bucket(usersBucket)
	if err != nil || b == nil {
		return err
	}
	return b.ForEach(func(k, _ []byte) error {
		u, _, _, err := LoadUser(tx, string(k))
		if err != nil {
			return err
		}
		return fn(u)
	})
}

// Switch is the server-level 2FA setting.
type Switch struct {
	Enabled   bool      `json:"enabled"`
	ChangedAt time.Time `json:"changed_at,omitzero"`
}

// LoadSwitch reads the server-level setting; off until first enabled. It is
// sealed like the users' records: turning 2FA off by editing the store file
// must not be possible without the master key.
func LoadSwitch(tx *store.Tx) (Switch, error) {
	raw, err := tx.Secret(settingsBucket, switchKey)
	if err != nil || raw == nil {
		return Switch{}, err
	}
	var s Switch
	if err := json.Unmarshal(raw, &s); err != nil {
		return Switch{}, fmt.Errorf("%w: the 2FA switch is unreadable", store.ErrCorruptRecord)
	}
	return s, nil
}

// SaveSwitch records the server-level setting.
func SaveSwitch(tx *store.Tx, s Switch) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return tx.PutSecret(settingsBucket, switchKey, raw)
}

// Counts is how many users are in each state at a moment.
type Counts struct {
	None    int `json:"none"`
	Pending int `json:"pending"`
	Active  int `json:"active"`
	Locked  int `json:"locked"`
}

// CountUsers counts enrolled users by their state at now.
func CountUsers(tx *store.Tx, now time.Time) (Counts, error) {
	var c Counts
	err := EachUser(tx, func(u User) error {
		switch u.StateAt(now) {
		case StatePending:
			c.Pending++
		case StateActive:
			c.Active++
		case StateLocked:
			c.Locked++
		default:
			c.None++
		}
		return nil
	})
	return c, err
}
