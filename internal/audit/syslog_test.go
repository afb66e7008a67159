//go:build !windows && !plan9

package audit

import (
	"errors"
	"log/syslog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cwsec/cwsec/internal/store"
)

// fakeSyslog listens where a syslog daemon would, on a datagram socket.
func fakeSyslog(t *testing.T) (dial func() (*syslog.Writer, error), read func() string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "log")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Skipf("no unix datagram sockets: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	dial = func() (*syslog.Writer, error) {
		return syslog.Dial("unixgram", path, syslog.LOG_AUTHPRIV|syslog.LOG_INFO, "cwsec")
	}
	read = func() string {
		buf := make([]byte, 4096)
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		return string(buf[:n])
	}
	return dial, read
}

// Events reach syslog after their transaction commits, never when it rolls
// back, with failed outcomes at warning priority.
func TestSyslogGetsCommittedEvents(t *testing.T) {
	dial, read := fakeSyslog(t)
	sink := newSyslogSink(dial, 5*time.Second, func(err error) { t.Error(err) })
	opts := trail(t, 0)
	opts.Context = WithSink(t.Context(), sink)
	s, err := store.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rollback := errors.New("rolled back")
	s.Update(func(tx *store.Tx) error {
		Append(tx, Event{Time: pinned, Action: "never.committed", Outcome: OutcomeOK})
		return rollback
	})
	appendEvents(t, s, 1, "2fa.enable")
	s.Update(func(tx *store.Tx) error {
		_, err := Append(tx, Event{Time: pinned, Action: "2fa.verify", Target: "alice", Outcome: OutcomeRejected})
		return err
	})
	first, second := read(), read()
	// authpriv (10) * 8 + info (6) = 86; + warning (4) = 84.
	if !strings.HasPrefix(first, "<86>") || !strings.Contains(first, `"seq":1,`) || !strings.Contains(first, `"action":"2fa.enable"`) {
		t.Errorf("first message %q", first)
	}
	if !strings.HasPrefix(second, "<84>") || !strings.Contains(second, `"outcome":"rejected"`) {
		t.Errorf("second message %q", second)
	}
}

// No syslog: the failure is reported once, and the actions go on.
func TestSyslogFailureIsReportedOnceAndFailsNothing(t *testing.T) {
	var reports []error
	sink := newSyslogSink(func() (*syslog.Writer, error) {
		return syslog.Dial("unixgram", filepath.Join(t.TempDir(), "none"), syslog.LOG_AUTHPRIV, "cwsec")
	}, time.Second, func(err error) { reports = append(reports, err) })
	opts := trail(t, 0)
	opts.Context = WithSink(t.Context(), sink)
	s, err := store.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	appendEvents(t, s, 3, "x")
	if len(reports) != 1 {
		t.Fatalf("%d reports (%v), want 1", len(reports), reports)
	}
}

// A syslog that does not answer costs the timeout once, not once per event:
// the sink returns although the dial never does.
func TestSyslogThatHangsIsAbandoned(t *testing.T) {
	hang := make(chan struct{})
	defer close(hang)
	var reports []error
	sink := newSyslogSink(func() (*syslog.Writer, error) { <-hang; return nil, errors.New("late") },
		50*time.Millisecond, func(err error) { reports = append(reports, err) })
	for i := 0; i < 20; i++ {
		sink(Event{Seq: uint64(i + 1), Time: pinned, Action: "x", Outcome: OutcomeOK})
	}
	if len(reports) != 1 || !strings.Contains(reports[0].Error(), "no answer within 50ms") {
		t.Fatalf("reports %v", reports)
	}
}
