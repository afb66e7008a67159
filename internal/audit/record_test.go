package audit

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The stored form must be exactly what json.Marshal writes for the event with
// its MAC: the two ways of producing it are the documented canonical form.
func TestRecordIsWhatJSONMarshalWrites(t *testing.T) {
	mac := strings.Repeat("ab", 32)
	for _, ev := range []Event{
		{Seq: 1, Time: pinned, Actor: Actor{User: "root", Host: "h"}, Action: "store.init", Outcome: OutcomeOK},
		{Seq: 12345678901, Time: pinned.Add(time.Nanosecond), Actor: Actor{User: "älice", SudoUser: "bob", Host: "h"},
			Action: "2fa.reset", Target: `<script>"x"</script>`, Outcome: OutcomeOK, Reason: "phone lost,\nticket 4711",
			Details: map[string]string{"z": "1", "a": "\"mac\":\"" + mac + "\"}"}, Prev: mac},
	} {
		ev.MAC = ""
		canonical, _ := json.Marshal(ev)
		ev.MAC = mac
		want, _ := json.Marshal(ev)
		got := encodeRecord(canonical, mac)
		if !bytes.Equal(got, want) {
			t.Fatalf("encodeRecord:\n%s\nwant\n%s", got, want)
		}
		r, ok := splitRecord(got)
		if !ok || r.seq != ev.Seq || string(r.prev) != ev.Prev || string(r.mac) != mac || !bytes.Equal(append(bytes.Clone(r.body), '}'), canonical) {
			t.Fatalf("splitRecord(%s) = %+v, %v", got, r, ok)
		}
	}
}

func FuzzSplitRecord(f *testing.F) {
	mac := strings.Repeat("0f", 32)
	f.Add([]byte(`{"seq":1,"time":"2026-12-03T12:00:00Z","actor":{"user":"root","host":"h"},"action":"a","outcome":"ok","prev":"","mac":"` + mac + `"}`))
	f.Add([]byte(`{"seq":2,"prev":"` + mac + `","mac":"` + mac + `"}`))
	f.Add([]byte(`{"seq":,"prev":"","mac":"` + mac + `"}`))
	f.Add([]byte(`{"seq":18446744073709551616,"prev":"","mac":"` + mac + `"}`))
	f.Add([]byte(`"}`))
	f.Fuzz(func(t *testing.T, v []byte) {
		r, ok := splitRecord(v)
		if !ok {
			return
		}
		if len(r.mac) != macHexLen || (len(r.prev) != 0 && len(r.prev) != macHexLen) || !bytes.HasPrefix(v, r.body) {
			t.Fatalf("splitRecord(%q) = %+v", v, r)
		}
	})
}
