package audit

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

var exported = Event{Seq: 7, Time: pinned, Actor: Actor{User: "root", SudoUser: "alice", Host: "cw1"},
	Action: "2fa.reset", Target: "bob", Outcome: OutcomeOK, Reason: `phone lost, "ticket" 4711`,
	Details: map[string]string{"k": "v"}, Prev: strings.Repeat("a", 64), MAC: strings.Repeat("b", 64)}

// The JSON Lines fields are a contract with log systems: this list changes
// only by adding.
func TestJSONLinesFields(t *testing.T) {
	var buf bytes.Buffer
	e, _ := NewExporter(&buf, "jsonl")
	e.Write(exported)
	e.Write(Event{Seq: 8, Time: pinned, Action: "x", Outcome: OutcomeOK})
	if err := e.Close(); err != nil || e.Count != 2 {
		t.Fatal(err, e.Count)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	want := `{"seq":7,"time":"2026-12-03T12:00:00Z","host":"cw1","user":"root","sudo_user":"alice","action":"2fa.reset","target":"bob","outcome":"ok","reason":"phone lost, \"ticket\" 4711","details":{"k":"v"},"mac":"` + exported.MAC + `","prev":"` + exported.Prev + `"}`
	if lines[0] != want {
		t.Errorf("line\n%s\nwant\n%s", lines[0], want)
	}
	var second map[string]any
	json.Unmarshal([]byte(lines[1]), &second)
	if len(second) != 12 || !reflect.DeepEqual(second["details"], map[string]any{}) {
		t.Errorf("an event with empty fields must still carry all 12: %v", second)
	}
}

func TestCSV(t *testing.T) {
	var buf bytes.Buffer
	e, _ := NewExporter(&buf, "csv")
	e.Write(exported)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("%v, %v", rows, err)
	}
	if strings.Join(rows[0], ",") != "seq,time,host,user,sudo_user,action,target,outcome,reason,details,mac,prev" {
		t.Errorf("header %v", rows[0])
	}
	if rows[1][8] != exported.Reason || rows[1][9] != `{"k":"v"}` || rows[1][0] != "7" {
		t.Errorf("row %q", rows[1])
	}
	if _, err := NewExporter(&buf, "xml"); err == nil {
		t.Error("an unknown format was accepted")
	}
}
