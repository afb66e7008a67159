package twofa

import (
	"crypto/subtle"
	"fmt"
	"time"
)

// MaxSkew is the most time steps either side of now that Match will try.
// One step is the norm (Vault refuses more than one); two is allowed for
// sites whose users' phones keep poor time, and every extra step widens the
// window an attacker has to guess in.
const MaxSkew = 2

// MatchResult says which time step a code matched.
type MatchResult struct {
	Step int64 `json:"step"`
	// Offset is the matched step minus the current step: negative when the
	// device's clock is behind, positive when it is ahead.
	Offset int `json:"offset"`
}

// Match checks code against the steps from now-skew to now+skew.
//
// A code that matches a step at or before lastUsedStep is refused with
// ErrReused: RFC 6238 requires that a code is never accepted twice, and
// accepting an older step after a newer one would let an observed code be
// replayed within the skew window. Any other mismatch is ErrWrongCode; input
// that is not six digits is ErrMalformedCode.
//
// Every candidate is computed and compared in constant time, whether or not
// an earlier one matched, so the time taken does not say which step (if any)
// was close. The result is reported on ErrReused too, so the caller can tell
// the user which earlier code they repeated.
func Match(secret []byte, code string, now time.Time, skew int, lastUsedStep int64) (MatchResult, error) {
	if skew < 0 || skew > MaxSkew {
		return MatchResult{}, fmt.Errorf("%w: skew %d is outside 0..%d", ErrInvalidPolicy, skew, MaxSkew)
	}
	if len(secret) < MinSecretBytes {
		return MatchResult{}, fmt.Errorf("%w: the stored key is %d bits; at least %d are required", ErrInvalidSecret, len(secret)*8, MinSecretBytes*8)
	}
	norm, err := NormalizeCode(code)
	if err != nil {
		return MatchResult{}, err
	}
	given := []byte(norm)
	current := Step(now)

	var fresh, reused *MatchResult
	var buf [Digits]byte
	for offset := -skew; offset <= skew; offset++ {
		step := current + int64(offset)
		candidate := appendCode(buf[:0], secret, step, SHA1, Digits)
		if subtle.ConstantTimeCompare(candidate, given) != 1 {
			continue
		}
		// Two steps sharing a code happens about once in a million tries;
		// then the step nearest now wins, as the user most likely meant it.
		result := &MatchResult{Step: step, Offset: offset}
		if step > lastUsedStep {
			if fresh == nil || abs(offset) < abs(fresh.Offset) {
				fresh = result
			}
		} else if reused == nil || abs(offset) < abs(reused.Offset) {
			reused = result
		}
	}
	switch {
	case fresh != nil:
		return *fresh, nil
	case reused != nil:
		return *reused, ErrReused
	}
	return MatchResult{}, ErrWrongCode
}

// DriftDescription puts a match offset into words an administrator can pass
// on: "the device's clock is about 30 s ahead".
func DriftDescription(offset int) string {
	switch {
	case offset < 0:
		return fmt.Sprintf("the device's clock is about %d s behind", -offset*periodSeconds)
	case offset > 0:
		return fmt.Sprintf("the device's clock is about %d s ahead", offset*periodSeconds)
	}
	return "the device's clock is in step"
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
