package audit

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"
)

// ExportFormats are the formats Exporter writes.
var ExportFormats = []string{"jsonl", "csv"}

// Record is an event as exported and forwarded to syslog: flat, every field
// always present, times in UTC. These names are a contract with log systems
// (docs/audit.md): fields may be added, never renamed or removed.
type Record struct {
	Seq      uint64            `json:"seq"`
	Time     string            `json:"time"`
	Host     string            `json:"host"`
	User     string            `json:"user"`
	SudoUser string            `json:"sudo_user"`
	Action   string            `json:"action"`
	Target   string            `json:"target"`
	Outcome  string            `json:"outcome"`
	Reason   string            `json:"reason"`
	Details  map[string]string `json:"details"`
	MAC      string            `json:"mac"`
	Prev     string            `json:"prev"`
}

var csvHeader = []string{"seq", "time", "host", "user", "sudo_user", "action", "target", "outcome", "reason", "details", "mac", "prev"}

// ToRecord flattens ev for export.
func ToRecord(ev Event) Record {
	details := ev.Details
	if details == nil {
		details = map[string]string{}
	}
	return Record{
		Seq: ev.Seq, Time: ev.Time.UTC().Format(time.RFC3339Nano), Host: ev.Actor.Host,
		User: ev.Actor.User, SudoUser: ev.Actor.SudoUser, Action: ev.Action, Target: ev.Target,
		Outcome: ev.Outcome, Reason: ev.Reason, Details: details, MAC: ev.MAC, Prev: ev.Prev,
	}
}

// Exporter writes events in one of ExportFormats.
type Exporter struct {
	buf   *bufio.Writer
	csv   *csv.Writer // nil for jsonl
	Count int
}

// NewExporter starts an export to w; a CSV export starts with its header
// line, so even an empty one names its columns.
func NewExporter(w io.Writer, format string) (*Exporter, error) {
	e := &Exporter{buf: bufio.NewWriterSize(w, 64<<10)}
	switch format {
	case "jsonl":
	case "csv":
		e.csv = csv.NewWriter(e.buf)
		if err := e.csv.Write(csvHeader); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("unknown export format %q; want jsonl or csv", format)
	}
	return e, nil
}

// Write adds one event.
func (e *Exporter) Write(ev Event) error {
	r := ToRecord(ev)
	e.Count++
	if e.csv == nil {
		line, err := json.Marshal(r)
		if err != nil {
			return err
		}
		e.buf.Write(line)
		return e.buf.WriteByte('\n')
	}
	details, err := json.Marshal(r.Details)
	if err != nil {
		return err
	}
	return e.csv.Write([]string{strconv.FormatUint(r.Seq, 10), r.Time, r.Host, r.User, r.SudoUser,
		r.Action, r.Target, r.Outcome, r.Reason, string(details), r.MAC, r.Prev})
}

// Close flushes what is buffered; the export is complete only if it
// returns nil.
func (e *Exporter) Close() error {
	if e.csv != nil {
		if e.csv.Flush(); e.csv.Error() != nil {
			return e.csv.Error()
		}
	}
	return e.buf.Flush()
}
